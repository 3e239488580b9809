"""A clinic's own page for a condition from the shared library.

Each clinic's site has a :class:`ClinicConditionPage` that draws on one page of a
:class:`~wagtail_spinecare.models.library.ConditionLibraryPage` and adds what belongs to
that clinic: its introduction and clinicians, and, from its settings, its name, words,
urgent-help numbers, booking link, phone and patients' testimonials.

The clinic's page shows the shared page's live content when it is served, never a copy, so
publishing the shared page changes every clinic's page at once.
"""

from django import forms
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from ..api_fields import CONDITION_PAGE as CONDITION_API_FIELDS
from ..cache import serve_cached
from ..compat import cached_parent, path_and_ancestors, set_cached_parent, view_restrictions_on
from ..page_forms import ClinicConditionPageForm
from ..panels import ContentChecksPanel, SharedContentPanel
from ..terminology import adapt_text
from ..text import served_without_indentation
from .clinic import ClinicSettings
from .library import Canonical, in_a_library, in_clinic_words, libraries_of, library_of, words_of
from .pages import ConditionPage, SpinecarePageMixin
from .review import latest_change


class ClinicConditionPage(SpinecarePageMixin, Page):
    """A clinic's page for a condition whose clinical content the clinic group shares.

    The condition's text, sources and clinical review come from the shared page; this page
    adds the clinic's own introduction and clinicians. Its name, words, urgent-help numbers,
    booking link, phone and testimonials come from the clinic's settings and records.
    """

    shared_page = models.ForeignKey(
        ConditionPage,
        verbose_name=_("shared condition page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clinic_pages",
        help_text=_(
            "The shared page this page shows. Its text, sources and clinical review come from "
            "there; to change them, edit the shared page, and every clinic's page changes."
        ),
    )
    introduction = models.TextField(
        _("your clinic's introduction"),
        blank=True,
        max_length=600,
        help_text=_(
            "Optional. A few sentences from your clinic, shown after the quick answer, e.g. "
            "how your team helps people with this condition and where to find you."
        ),
    )
    clinicians = ParentalManyToManyField(
        "wagtail_spinecare.Clinician",
        verbose_name=_("who patients will see"),
        blank=True,
        related_name="+",
        help_text=_("Optional. Your clinicians who treat this condition."),
    )
    local_reviewed_by = models.ForeignKey(
        "wagtail_spinecare.Clinician",
        verbose_name=_("reviewed for your clinic by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Optional. Your own licensed clinician who checked this page is right for your "
            "clinic. Patients see their name after the shared page's reviewer. Usually filled "
            "in when they approve the clinical sign-off step of a workflow."
        ),
    )
    local_last_reviewed = models.DateField(
        _("reviewed for your clinic on"),
        null=True,
        blank=True,
        help_text=_("The date your clinician last checked this page for your clinic."),
    )

    content_panels = Page.content_panels + [
        ContentChecksPanel(),
        PageChooserPanel("shared_page", "wagtail_spinecare.ConditionPage"),
        SharedContentPanel(),
        FieldPanel("introduction"),
        FieldPanel("clinicians", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [FieldPanel("local_reviewed_by"), FieldPanel("local_last_reviewed")],
            heading=_("Your clinic's clinical review"),
        ),
    ]
    #: The index holds the shared page's text in the clinic's words (see :meth:`for_search`),
    #: never a patient's: testimonial blocks give the index none of their words.
    search_fields = Page.search_fields + [
        index.SearchField("condition_names", boost=2),
        index.SearchField("section_headings", boost=1.5),
        index.SearchField("condition_text"),
        index.SearchField("introduction"),
    ]
    base_form_class = ClinicConditionPageForm
    parent_page_types = ["wagtail_spinecare.ConditionIndexPage"]
    subpage_types = []
    api_fields = CONDITION_API_FIELDS
    template = "wagtail_spinecare/condition_page.html"
    missing_template = "wagtail_spinecare/shared_content_missing.html"
    #: The field naming the page whose clinical review this page shows: the clinical review
    #: report lists this page with the shared page's review.
    review_from = "shared_page"

    class Meta:
        verbose_name = _("clinic condition page (shared content)")

    @property
    def shared(self) -> ConditionPage | None:
        """The shared page if it is live, or None when there is nothing to show.

        Routing loads it with this page (see ``ConditionIndexPage.route``); the row of a live
        page holds its published content, never a draft.
        """
        shared = self.shared_page if self.shared_page_id else None
        return shared if shared is not None and shared.live else None

    def shown(self) -> tuple:
        """(the live shared page, its library), or (None, None) when there is nothing to show:
        no shared page, an unpublished one, or one that is not (or no longer) in a library,
        such as another clinic's own page."""
        shared = self.shared
        library = self.shared_library if shared is not None else None
        return (shared, library) if library is not None else (None, None)

    @cached_property
    def shared_library(self):
        """The library the shared page is in, or None (routing brings it; else one query)."""
        return library_of(self.shared_page) if self.shared_page_id else None

    def adapted(self, shared: ConditionPage, clinic: ClinicSettings, library) -> ConditionPage:
        """``shared`` as this page shows it: in the clinic's words, at this page's address.

        An unsaved stand-in: it has this page's id and place in the tree (links, breadcrumbs
        and caches are this page's), the shared page's title, text, sources and review (in the
        clinic's words; this page's own search title and description, if it has them), and
        remembers the shared page's id, because testimonials
        and treatment comparisons belong to the condition, not to one clinic's page of it.
        """
        stand_in = in_clinic_words(shared, library, clinic)
        for name in ("id", "page_ptr_id", "slug", "url_path", "path", "depth", "live"):
            setattr(stand_in, name, getattr(self, name))
        for name in ("seo_title", "search_description"):
            if getattr(self, name):
                setattr(stand_in, name, getattr(self, name))
        stand_in.condition_id = shared.pk
        stand_in.clinic_introduction = self.introduction
        stand_in.clinic_clinicians = list(self.clinicians.select_related("photo"))
        self.add_local_review(stand_in, clinic)
        stand_in.canonical_override = self.canonical_url(library, clinic)
        stand_in.cache_version = f"{self.live_revision_id}.{shared.live_revision_id}"
        if (parent := cached_parent(self)) is not None:
            set_cached_parent(stand_in, parent)
        return stand_in

    def add_local_review(self, stand_in, clinic: ClinicSettings) -> None:
        """Give ``stand_in`` this clinic's own review (``local_reviewed_by``,
        ``local_last_reviewed`` and the clinic's name, ``local_review_clinic``) beside the
        shared page's. The page
        counts as last reviewed on the later of the two dates (one in the future does not
        count); the next review stays the shared page's."""
        local = self.local_reviewed_by if self.local_reviewed_by_id else None
        stand_in.local_reviewed_by = local
        stand_in.local_reviewed_by_id = self.local_reviewed_by_id
        stand_in.local_last_reviewed = self.local_last_reviewed
        stand_in.local_review_clinic = clinic.display_name
        day = self.counted_local_review()
        if day and (stand_in.last_reviewed is None or day > stand_in.last_reviewed):
            stand_in.last_reviewed = day

    def counted_local_review(self):
        """The clinic's own review date, unless it is in the future: such a date does not
        count until the day comes."""
        day = self.local_last_reviewed
        return day if day and day <= timezone.localdate() else None

    @staticmethod
    def adapted_text(text: str, library, clinic: ClinicSettings) -> str:
        """Shared ``text`` from ``library``, in ``clinic``'s words."""
        return adapt_text(text, words_of(library), clinic.terminology)

    def canonical_url(self, library, clinic) -> str | None:
        """The authoritative clinic's page for this condition, when the group chose one."""
        if library is None or library.canonical != Canonical.AUTHORITATIVE:
            return None
        site = library.authoritative_site
        if site is None or site.pk == clinic.site_id:
            return None
        original = (
            ClinicConditionPage.objects.live()
            .descendant_of(site.root_page)
            .filter(shared_page_id=self.shared_page_id)
            .first()
        )
        return original.get_full_url() if original else None

    # Site search and sitemaps.

    @cached_property
    def for_search(self) -> ConditionPage | None:
        """The shared page in the words of this page's clinic, as the search index holds it;
        None while there is nothing to show (then only this page's own title is indexed)."""
        shared, library = self.shown()
        if shared is None:
            return None
        clinic = ClinicSettings.for_site_or_defaults(self.get_site())
        return in_clinic_words(shared, library, clinic)

    def condition_names(self) -> str:
        """The condition's name and other names, in the clinic's words, for the index."""
        shown = self.for_search
        return f"{shown.title} {shown.alternative_names}" if shown else ""

    def section_headings(self) -> str:
        """The shared page's section headings, in the clinic's words, for the index."""
        return self.for_search.section_headings() if self.for_search else ""

    def condition_text(self) -> list[str]:
        """The shared page's quick answer and content, in the clinic's words, for the index."""
        shown = self.for_search
        if shown is None:
            return []
        body = shown._meta.get_field("body").get_searchable_content(shown.body)
        return [shown.quick_answer, *body]

    @classmethod
    def as_listed(cls, pages, clinic) -> list:
        """Those of ``pages`` (loaded with their shared page) that have something to show,
        each with the shared page's title and quick answer in ``clinic``'s words, as lists of
        conditions and search results show them. One query, for the libraries."""
        pages = [page for page in pages if page.shared_page_id and page.shared_page.live]
        libraries = libraries_of([page.shared_page for page in pages])
        listed = []
        for page in pages:
            library = libraries.get(page.shared_page_id)
            if library is None:
                continue  # not shared content (any more): the page has nothing to show
            page.title = page.adapted_text(page.shared_page.title, library, clinic)
            page.quick_answer = page.adapted_text(page.shared_page.quick_answer, library, clinic)
            listed.append(page)
        return listed

    def get_sitemap_urls(self, request=None):
        """Left out of sitemaps while it has nothing to show (its shared page is missing,
        unpublished or private), or when another clinic's page is the original: search
        engines are pointed at that one instead."""
        shared, library = self.shown()
        if shared is None or self.get_view_restrictions().exists():
            return []
        clinic = ClinicSettings.for_site_or_defaults(self.get_site())
        if self.canonical_url(library, clinic) is not None:
            return []
        urls = super().get_sitemap_urls(request)
        for url in urls:
            # The page changes when the shared page is published or reviewed, and when the
            # clinic's own clinician reviews it.
            url["lastmod"] = latest_change(
                url.get("lastmod"),
                shared.last_published_at,
                shared.last_reviewed,
                self.counted_local_review(),
            )
        return urls

    def get_view_restrictions(self):
        """This page's restrictions and its ancestors', and those of the shared page and its
        ancestors (its library): a shared page made private is private on every clinic's
        page that shows it. Wagtail's own check before serving asks this, as do the caches.
        """
        if self.__dict__.get("spinecare_restricted") is False:  # as routing found
            return PageViewRestriction.objects.none()
        paths = path_and_ancestors(self)
        if self.shared_page_id:
            paths += path_and_ancestors(self.shared_page)
        return view_restrictions_on(paths)

    def revisions_shown(self) -> dict:
        """This page's published revision and the shared page's, by page id."""
        shown = super().revisions_shown()
        if self.shared is not None:
            shown[self.shared_page_id] = self.shared.live_revision_id
        return shown

    def serve(self, request, *args, **kwargs):
        """:meth:`render`, through the page cache when it is switched on."""
        return self.in_page_language(
            request,
            lambda: serve_cached(
                request, self, lambda: served_without_indentation(self.render(request))
            ),
        )

    def render(self, request):
        """The shared page as this clinic shows it, or, when there is nothing to show, a
        plain message and how to reach the clinic.

        503 for that message: the page exists, but its content is missing until an editor
        fixes it. Never an empty page presented as complete.
        """
        stand_in = self.api_shown_page(request)
        if stand_in is None:
            return TemplateResponse(
                request, self.missing_template, self.get_context(request), status=503
            )
        return TemplateResponse(
            request, stand_in.get_template(request), stand_in.get_context(request)
        )

    def api_shown_page(self, request) -> ConditionPage | None:
        """The shared page as this clinic shows it to ``request`` (its site's words, this
        page's introduction and clinicians), or None when there is nothing to show. The page
        and the API both show this."""
        shared, library = self.shown()
        if shared is None:
            return None
        return self.adapted(shared, ClinicSettings.for_context({"request": request}), library)

    def get_preview_template(self, request, mode_name):
        """The condition page's template, or the "not available" one, as :meth:`render` picks."""
        return self.template if self.shown()[0] is not None else self.missing_template

    def get_preview_context(self, request, mode_name):
        """The shared page as this clinic will show it, with the introduction and clinicians
        being edited."""
        stand_in = self.api_shown_page(request)
        return (stand_in or self).get_context(request)


def with_nothing_to_show(public_pages=None):
    """The clinic pages that have nothing to show patients, as one query: no shared page, or
    one that is unpublished, private, or not (or no longer) in a library. Site search leaves
    them out. ``public_pages``: ``Page.objects.live().public()``, when the caller has it."""
    if public_pages is None:
        public_pages = Page.objects.live().public()
    return ClinicConditionPage.objects.exclude(shared_page__in=public_pages.filter(in_a_library()))
