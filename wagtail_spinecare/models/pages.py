from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Page, Site, get_page_models
from wagtail.search import index

from .. import conf
from ..admin.panels import ContentChecksPanel
from ..blocks import (
    ComparisonPageBlock,
    ConditionBodyBlock,
    PageContentBlock,
    SectionBlock,
)
from ..compat import set_cached_parent, set_request_site
from ..forms import SpinecarePageForm, TreatmentComparisonPageForm
from ..links import full_page_url
from .clinic import DISCLAIMER_MAX_LENGTH, ClinicSettings
from .review import ClinicalReviewMixin

QUICK_ANSWER_MAX_LENGTH = 320
SOURCES_PANEL = InlinePanel(
    "spinecare_sources",
    label=_("Sources"),
    heading=_("Sources"),
    help_text=_("The evidence this page is based on. Patients see it as a list of sources."),
)


def base_template() -> str:
    """The template every spinecare page extends; a project can point it at its own layout."""
    return conf.base_template()


def with_subclasses(models) -> list:
    """``models`` and every page model a project derives from one of them."""
    models = tuple(models)
    return [model for model in get_page_models() if issubclass(model, models)]


class SpinecarePageMixin:
    """What every page of this app puts in its template context.

    Where pages of this app may go counts a project's subclasses of the page types named
    (Wagtail matches the exact model): a project's own condition page goes under the app's
    index, and the app's pages under a project's own index.
    """

    base_form_class = SpinecarePageForm

    @classmethod
    def clean_subpage_models(cls):
        """The page types allowed below this one, with a project's subclasses of them."""
        return with_subclasses(super().clean_subpage_models())

    @classmethod
    def clean_parent_page_models(cls):
        """The page types allowed above this one, with a project's subclasses of them."""
        return with_subclasses(super().clean_parent_page_models())

    def get_context(self, request, *args, **kwargs):
        """Adds the clinic, its words, the base template, the meta description and the
        canonical URL; in a preview, what the content checks found, too."""
        context = super().get_context(request, *args, **kwargs)
        clinic = ClinicSettings.for_context(context)
        context.update(
            clinic=clinic,
            terms=clinic.terminology,
            spinecare_base_template=base_template(),
            meta_description=self.get_meta_description(),
            canonical_url=getattr(self, "canonical_override", None) or full_page_url(self, request),
        )
        if getattr(request, "is_preview", False):
            # Editors see what the content checks found; patients never pay for the checks.
            # A chosen story is told of as the previewing editor may know of it, whichever
            # clinic the preview is for.
            from ..checks import run_checks
            from ..stories import reader_for_request

            context["preview_findings"] = run_checks(
                self, site=Site.find_for_request(request), reader=reader_for_request(request)
            )
        return context

    def get_meta_description(self) -> str:
        """The description search engines show: the page's search description."""
        return self.search_description

    def source_list(self):
        """The sources patients see: the page's own, or those of the shared page it shows."""
        shown = self.__dict__.get("shown_sources")
        return shown if shown is not None else self.spinecare_sources.all()

    # Previews: one mode for each clinic, so an editor sees the page with that clinic's name,
    # words, numbers, booking link and patient stories before it is published.
    CLINIC_PREVIEW_PREFIX = "clinic-"

    @property
    def preview_modes(self):
        """The page as its own site shows it, then as each clinic would show it."""
        clinics = ClinicSettings.objects.select_related("site").order_by("clinic_name", "pk")
        return [("", _("As this page's own site"))] + [
            (
                f"{self.CLINIC_PREVIEW_PREFIX}{clinic.site_id}",
                format_lazy(_("As {clinic}"), clinic=clinic.clinic_name or clinic.site),
            )
            for clinic in clinics
        ]

    def serve_preview(self, request, mode_name):
        """Preview as the clinic the mode names; a clinic that does not exist is 404."""
        if (mode_name or "").startswith(self.CLINIC_PREVIEW_PREFIX):
            site_id = mode_name.removeprefix(self.CLINIC_PREVIEW_PREFIX)
            site = (
                Site.objects.filter(pk=site_id).select_related("root_page").first()
                if site_id.isdigit()
                else None
            )
            if site is None:
                raise Http404(_("There is no such clinic to preview as."))
            # Everything that asks which site this is (settings, consent) hears the clinic's.
            set_request_site(request, site)
        return super().serve_preview(request, mode_name)

    def serve(self, request, *args, **kwargs):
        """Wagtail's serving, through the page cache when it is switched on."""
        from ..cache import serve_cached

        return serve_cached(
            request, self, lambda: super(SpinecarePageMixin, self).serve(request, *args, **kwargs)
        )


class ConditionIndexPage(SpinecarePageMixin, Page):
    """A list of the conditions a clinic treats, each with its quick answer."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        max_length=500,
        help_text=_("One or two sentences shown above the list of conditions."),
    )
    body = StreamField(
        PageContentBlock(),
        blank=True,
        verbose_name=_("content"),
        help_text=_("Optional content below the list: text, questions, a booking button."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    subpage_types = [
        "wagtail_spinecare.ConditionPage",
        "wagtail_spinecare.ClinicConditionPage",
        "wagtail_spinecare.TreatmentComparisonPage",
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    template = "wagtail_spinecare/condition_index_page.html"

    class Meta:
        verbose_name = _("condition index page")

    def get_context(self, request, *args, **kwargs):
        """Adds the conditions to list (see :meth:`condition_list`)."""
        context = super().get_context(request, *args, **kwargs)
        context["conditions"] = self.condition_list(ClinicSettings.for_context(context))
        return context

    def condition_list(self, clinic) -> list:
        """The live conditions below this page, by title, each with a quick answer.

        A clinic's page for a shared condition lists the shared quick answer in the clinic's
        words; a shared page that is missing or unpublished leaves its clinic page out.
        """
        from .shared import ClinicConditionPage, libraries_of

        own = (
            ConditionPage.objects.child_of(self)
            .live()
            .only("id", "title", "url_path", "quick_answer", "depth", "path")
        )
        drawing = (
            ClinicConditionPage.objects.child_of(self)
            .live()
            .filter(shared_page__live=True)
            .select_related("shared_page")
        )
        conditions = list(own)
        drawing = list(drawing)
        libraries = libraries_of([page.shared_page for page in drawing])
        for page in drawing:
            library = libraries.get(page.shared_page_id)
            if library is None:
                continue  # not shared content (any more): the page has nothing to show
            page.title = page.adapted_text(page.shared_page.title, library, clinic)
            page.quick_answer = page.adapted_text(page.shared_page.quick_answer, library, clinic)
            conditions.append(page)
        return sorted(conditions, key=lambda page: page.title.lower())

    def get_meta_description(self) -> str:
        """The search description, or else the introduction."""
        return self.search_description or self.intro

    def route(self, request, path_components):
        """Find a condition or comparison page with its reviewer in one query.

        Wagtail's own routing fetches the child, then its specific row, then the template
        fetches the reviewer: three queries where one will do. Anything else (a subclass
        defined by the project, a page type added later) goes through Wagtail's routing.
        A project's subclass of these takes one more query, for its own row.
        """
        if not path_components:
            return super().route(request, path_components)
        slug, remaining = path_components[0], path_components[1:]
        from .shared import ClinicConditionPage

        for model, related in (
            (ConditionPage, "reviewed_by"),
            (ClinicConditionPage, "shared_page__reviewed_by"),
            (TreatmentComparisonPage, "reviewed_by"),
        ):
            child = model.objects.child_of(self).filter(slug=slug).select_related(related).first()
            if child is None:
                continue
            specific = ContentType.objects.get_for_id(child.content_type_id).model_class()
            if specific is not model:
                if specific is None or not issubclass(specific, model):
                    break
                child = specific.objects.filter(pk=child.pk).select_related(related).first()
            set_cached_parent(child, self)
            return child.route(request, remaining)
        return super().route(request, path_components)


class ConditionPage(SpinecarePageMixin, ClinicalReviewMixin, Page):
    """The page a patient lands on for one condition, e.g. 'Facet joint back pain'.

    A short answer first, then typed sections, then who reviewed it and when.
    """

    alternative_names = models.CharField(
        _("other names"),
        max_length=255,
        blank=True,
        help_text=_(
            "Other names patients may know it by, separated by commas, e.g. "
            "'facet joint syndrome, facet arthropathy'."
        ),
    )
    quick_answer = models.TextField(
        _("quick answer"),
        validators=[MaxLengthValidator(QUICK_ANSWER_MAX_LENGTH)],
        help_text=format_lazy(
            _(
                "Shown first, above everything else: the answer a worried patient needs in two "
                "or three plain sentences. At most {max} characters."
            ),
            max=QUICK_ANSWER_MAX_LENGTH,
        ),
    )
    body = StreamField(
        ConditionBodyBlock(),
        blank=True,
        verbose_name=_("content"),
        help_text=_("The sections of the page, in the order patients will read them."),
    )
    disclaimer = models.TextField(
        _("disclaimer"),
        blank=True,
        max_length=DISCLAIMER_MAX_LENGTH,
        help_text=_("Leave blank to use the clinic's standard medical disclaimer."),
    )

    content_panels = Page.content_panels + [
        ContentChecksPanel(),
        FieldPanel("alternative_names"),
        FieldPanel("quick_answer"),
        FieldPanel("body"),
        SOURCES_PANEL,
        *ClinicalReviewMixin.review_panels,
        FieldPanel("disclaimer"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("alternative_names"),
        index.SearchField("quick_answer"),
        index.SearchField("body"),
    ]

    parent_page_types = [
        "wagtail_spinecare.ConditionIndexPage",
        "wagtail_spinecare.ConditionLibraryPage",
    ]
    subpage_types = []
    template = "wagtail_spinecare/condition_page.html"

    #: What a clinic's page adds when it shows this page as shared content (see
    #: ``ClinicConditionPage.adapted``); a page shown as itself adds nothing.
    clinic_introduction = ""
    clinic_clinicians = ()

    class Meta:
        verbose_name = _("condition page")

    @property
    def condition_id(self):
        """The page patient stories and comparisons name: this one, or the shared original."""
        return self.__dict__.get("condition_id", self.pk)

    @condition_id.setter
    def condition_id(self, value):
        self.__dict__["condition_id"] = value

    @staticmethod
    def skeleton_body() -> list[dict]:
        """The recommended sections, in order, that a new condition page starts with."""
        from ..skeleton import condition_page_body

        return condition_page_body()

    @cached_property
    def alternative_name_list(self) -> list[str]:
        """The other names, as the editor separated them with commas."""
        return [name.strip() for name in self.alternative_names.split(",") if name.strip()]

    def get_meta_description(self) -> str:
        """The search description, or else the quick answer."""
        return self.search_description or self.quick_answer

    def sections(self, aspect: str | None = None):
        """The page's sections, optionally only those about one aspect."""
        return [
            child.value
            for child in self.body
            if isinstance(child.block, SectionBlock)
            and (aspect is None or child.value.get("aspect") == aspect)
        ]

    def get_preview_context(self, request, mode_name):
        """A shared page previewed as a clinic reads in that clinic's words."""
        from .shared import in_clinic_words, library_of

        library = library_of(self)
        if library is None:
            return super().get_preview_context(request, mode_name)
        clinic = ClinicSettings.for_site_or_defaults(Site.find_for_request(request))
        return in_clinic_words(self, library, clinic).get_context(request)

    def get_context(self, request, *args, **kwargs):
        """Adds the disclaimer (the page's own or the clinic's) and the comparison pages
        that link here."""
        context = super().get_context(request, *args, **kwargs)
        context["disclaimer"] = self.disclaimer or context["clinic"].default_disclaimer
        # A page being added and previewed has no id yet, so nothing can link to it.
        context["comparison_pages"] = self.comparisons(request) if self.pk else []
        return context

    def comparisons(self, request):
        """Live comparison pages on the request's site that link to this condition."""
        pages = TreatmentComparisonPage.objects.live().filter(conditions=self.condition_id)
        site = Site.find_for_request(request)
        if site is not None:
            pages = pages.filter(url_path__startswith=site.root_page.url_path)
        return pages.only("id", "title", "url_path")


class TreatmentComparisonPage(SpinecarePageMixin, ClinicalReviewMixin, Page):
    """Treatments for one or more conditions side by side, by guideline recommendation."""

    intro = models.TextField(
        _("introduction"),
        max_length=600,
        help_text=_("What is being compared, for whom, and how to read it."),
    )
    conditions = ParentalManyToManyField(
        "wagtail_spinecare.ConditionPage",
        verbose_name=_("conditions"),
        blank=True,
        related_name="comparison_pages",
        help_text=_("Condition pages that should link here."),
    )
    body = StreamField(
        ComparisonPageBlock(),
        verbose_name=_("content"),
        help_text=_("At least one treatment comparison, with any text around it."),
    )

    content_panels = Page.content_panels + [
        ContentChecksPanel(),
        FieldPanel("intro"),
        FieldPanel("conditions", widget=forms.CheckboxSelectMultiple),
        FieldPanel("body"),
        SOURCES_PANEL,
        *ClinicalReviewMixin.review_panels,
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["wagtail_spinecare.ConditionIndexPage"]
    subpage_types = []
    template = "wagtail_spinecare/treatment_comparison_page.html"
    base_form_class = TreatmentComparisonPageForm

    class Meta:
        verbose_name = _("treatment comparison page")

    def get_meta_description(self) -> str:
        """The search description, or else the introduction."""
        return self.search_description or self.intro

    def live_conditions(self):
        """The live condition pages this comparison is about, in one query; in a preview too,
        where ``conditions`` holds the editor's unsaved choice rather than a query set."""
        chosen = self.conditions.all()
        if not isinstance(chosen, models.QuerySet):
            chosen = [page.pk for page in chosen]
        return ConditionPage.objects.live().filter(pk__in=chosen)

    def get_context(self, request, *args, **kwargs):
        """Adds the clinic's standard medical disclaimer."""
        context = super().get_context(request, *args, **kwargs)
        context["disclaimer"] = context["clinic"].default_disclaimer
        return context
