"""The page types patients read, condition pages and treatment comparisons, and what every
page of this app shares."""

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import Http404
from django.utils import translation
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.queryset import FakeQuerySet
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.search import index

from .. import conf, structured_data
from ..api_fields import COMPARISON_PAGE as COMPARISON_API_FIELDS
from ..api_fields import CONDITION_PAGE as CONDITION_API_FIELDS
from ..blocks import (
    ComparisonPageBlock,
    ConditionBodyBlock,
    SectionBlock,
)
from ..cache import serve_cached
from ..checks import run_checks
from ..compat import (
    PreparedQuery,
    path_and_ancestors,
    set_request_site,
    view_restrictions_on,
)
from ..languages import language_tag, locale_language
from ..links import full_page_url
from ..page_forms import SpinecarePageForm, TreatmentComparisonPageForm
from ..panels import ContentChecksPanel
from ..renditions import ICON_SPECS, LOGO_SPEC, PORTRAIT_SPEC, load_renditions
from ..skeleton import condition_page_body
from ..testimonial_display import reader_for_request
from ..text import served_without_indentation
from .clinic import DISCLAIMER_MAX_LENGTH, ClinicSettings
from .library import in_clinic_words, library_of
from .review import ClinicalReviewMixin
from .sources import PageSource

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
    #: What its structured data says the page is about: ``structured_data.CONDITION`` or
    #: ``THERAPIES``; None for a page that is not clinical.
    schema_about = None

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
        clinicians = getattr(self, "clinic_clinicians", ())
        load_renditions(
            [
                (clinic.logo, [LOGO_SPEC]),
                (clinic.icon, ICON_SPECS),
                *((clinician.photo, [PORTRAIT_SPEC]) for clinician in clinicians),
            ]
        )
        context.update(
            clinic=clinic,
            terms=clinic.terminology,
            spinecare_base_template=base_template(),
            meta_description=self.get_meta_description(),
            canonical_url=getattr(self, "canonical_override", None) or full_page_url(self, request),
        )
        if getattr(request, "is_preview", False):
            # Editors see what the content checks found; patients never pay for the checks.
            # A chosen testimonial is told of as the previewing editor may know of it, whichever
            # clinic the preview is for.
            site = Site.find_for_request(request)
            context["preview_findings"] = run_checks(
                self, site=site, reader=reader_for_request(request)
            )
            context["previewing_shared_text"] = site is None and library_of(self) is not None
        return context

    def get_meta_description(self) -> str:
        """The description search engines show: the page's search description."""
        return self.search_description

    @cached_property
    def cache_version(self) -> str:
        """Tells this version of the page from the next in the fragment cache's keys."""
        return str(self.live_revision_id or "")

    def revisions_shown(self) -> dict:
        """The published revision of each page whose content this one shows, by page id."""
        return {self.pk: self.live_revision_id}

    def get_view_restrictions(self):
        """Wagtail's rule, in one query (see ``compat.view_restrictions_on``); none, without
        a query, when the query that routed to this page found none apply (see
        ``ConditionIndexPage.route``). Wagtail asks before serving every page."""
        if self.__dict__.get("spinecare_restricted") is False:
            return PageViewRestriction.objects.none()
        return view_restrictions_on(path_and_ancestors(self))

    def source_list(self):
        """The sources patients see: the page's own, or those of the shared page it shows."""
        shown = self.__dict__.get("shown_sources")
        if shown is not None:
            return shown
        sources = self.spinecare_sources.all()
        if self.pk is None or isinstance(sources, FakeQuerySet):
            return sources  # a revision's or a form's, in memory
        return _SOURCES_OF(self.pk)

    # Previews: one mode for each clinic, so an editor sees the page with that clinic's name,
    # words, numbers, booking link and testimonials before it is published.
    CLINIC_PREVIEW_PREFIX = "clinic-"

    def default_preview_label(self):
        """What the first preview mode, Wagtail's default, shows."""
        return _("As this page's own site")

    @property
    def preview_modes(self):
        """The page as :meth:`default_preview_label` says, then as each clinic shows it."""
        clinics = ClinicSettings.objects.select_related("site").order_by("clinic_name", "pk")
        return [("", self.default_preview_label())] + [
            (
                f"{self.CLINIC_PREVIEW_PREFIX}{clinic.site_id}",
                format_lazy(_("As {clinic} shows it"), clinic=clinic.clinic_name or clinic.site),
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
        preview = super().serve_preview
        return self.in_page_language(request, lambda: preview(request, mode_name))

    def serve(self, request, *args, **kwargs):
        """Wagtail's serving, through the page cache when it is switched on."""
        return self.in_page_language(
            request,
            lambda: serve_cached(
                request,
                self,
                lambda: served_without_indentation(
                    super(SpinecarePageMixin, self).serve(request, *args, **kwargs)
                ),
            ),
        )

    def page_language(self, request) -> str:
        """The language the page is written in: its clinic's English (``en-GB``,
        ``en-US``), or, with Wagtail's internationalisation on, its locale's."""
        if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return locale_language(self.locale_id)
        return ClinicSettings.for_context({"request": request}).terminology.language

    def in_page_language(self, request, serve):
        """``serve()``'s response, rendered with the page's language active: its template's
        words, dates and numbers in that language."""
        language = self.page_language(request)
        with translation.override(language):
            response = serve()
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        # Django's LocaleMiddleware sets this only where it is not set yet.
        response.headers.setdefault("Content-Language", language_tag(language))
        return response


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
        index.SearchField("alternative_names", boost=2),
        index.SearchField("section_headings", boost=1.5),
        index.SearchField("quick_answer"),
        index.SearchField("body"),
    ]

    parent_page_types = [
        "wagtail_spinecare.ConditionIndexPage",
        "wagtail_spinecare.ConditionLibraryPage",
    ]
    subpage_types = []
    api_fields = CONDITION_API_FIELDS
    template = "wagtail_spinecare/condition_page.html"
    schema_about = structured_data.CONDITION

    #: What a clinic's page adds when it shows this page as shared content (see
    #: ``ClinicConditionPage.adapted``); a page shown as itself adds nothing.
    clinic_introduction = ""
    clinic_clinicians = ()

    class Meta:
        verbose_name = _("condition page")

    @property
    def condition_id(self):
        """The page testimonials and comparisons name: this one, or the shared original."""
        return self.__dict__.get("condition_id", self.pk)

    @condition_id.setter
    def condition_id(self, value):
        self.__dict__["condition_id"] = value

    @staticmethod
    def skeleton_body() -> list[dict]:
        """The recommended sections, in order, that a new condition page starts with."""
        return condition_page_body()

    @cached_property
    def alternative_name_list(self) -> list[str]:
        """The other names, as the editor separated them with commas."""
        return [name.strip() for name in self.alternative_names.split(",") if name.strip()]

    def get_meta_description(self) -> str:
        """The search description, or else the quick answer."""
        return self.search_description or self.quick_answer

    # Site search and sitemaps.

    def section_headings(self) -> str:
        """The headings of the page's sections, which the search index weighs above its text."""
        return " ".join(section.get("heading") or "" for section in self.sections())

    def get_sitemap_urls(self, request=None):
        """None for a page of the shared library: patients read it on each clinic's page."""
        if library_of(self) is not None:
            return []
        return super().get_sitemap_urls(request)

    def sections(self, aspect: str | None = None):
        """The page's sections, optionally only those about one aspect."""
        return [
            child.value
            for child in self.body
            if isinstance(child.block, SectionBlock)
            and (aspect is None or child.value.get("aspect") == aspect)
        ]

    def default_preview_label(self):
        """A shared page's default preview is its text as written, on no clinic's site."""
        if library_of(self) is None:
            return super().default_preview_label()
        return _("Shared text (no clinic)")

    def serve_preview(self, request, mode_name):
        """A shared page's default preview is on no clinic's site, whichever site the admin
        is reached on: no clinic's name, phone, booking link or testimonials."""
        if not mode_name and library_of(self) is not None:
            set_request_site(request, None)
        return super().serve_preview(request, mode_name)

    def get_preview_context(self, request, mode_name):
        """A shared page previewed as a clinic reads in that clinic's words; by default, in
        the words the library's pages are written in."""
        library = library_of(self)
        if library is None:
            return super().get_preview_context(request, mode_name)
        site = Site.find_for_request(request)
        if site is None:
            as_written = ClinicSettings(region=library.region)
            context = in_clinic_words(self, library, as_written).get_context(request)
            context.update(clinic=as_written, terms=as_written.terminology)
            return context
        clinic = ClinicSettings.for_site_or_defaults(site)
        return in_clinic_words(self, library, clinic).get_context(request)

    def get_context(self, request, *args, **kwargs):
        """Adds the disclaimer (the page's own or the clinic's) and the comparison pages
        that link here."""
        context = super().get_context(request, *args, **kwargs)
        context["disclaimer"] = self.disclaimer or context["clinic"].default_disclaimer
        # A page being added and previewed has no id yet, so nothing can link to it. Built
        # when the template reads it: not when the body comes from the fragment cache.
        context["comparison_pages"] = (
            SimpleLazyObject(lambda: self.comparisons(request)) if self.pk else []
        )
        return context

    def comparisons(self, request):
        """Live comparison pages on the request's site that link to this condition."""
        site = Site.find_for_request(request)
        if site is None:
            return list(_comparisons_of(self.condition_id))
        return _COMPARISONS_ON_SITE(self.condition_id, site.root_page.url_path)


#: Every page lists its sources, so the SQL is compiled once per process.
_SOURCES_OF = PreparedQuery(lambda page_id: PageSource.objects.filter(page_id=page_id))


def _comparisons_of(condition_id, url_path=None):
    pages = TreatmentComparisonPage.objects.live().filter(conditions=condition_id)
    if url_path is not None:
        pages = pages.filter(url_path__startswith=url_path)
    return pages.only("id", "title", "url_path")


#: Every condition page asks, so the SQL is compiled once per process.
_COMPARISONS_ON_SITE = PreparedQuery(_comparisons_of)


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
    api_fields = COMPARISON_API_FIELDS
    template = "wagtail_spinecare/treatment_comparison_page.html"
    schema_about = structured_data.THERAPIES
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
