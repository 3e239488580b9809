"""The shared condition library: clinical content a group of clinics writes once.

A :class:`ConditionLibraryPage` sits outside every clinic's site and holds the group's
shared condition pages, written, clinically reviewed and published once. Each clinic shows
them in its own words (:func:`in_clinic_words`) through its
:class:`~wagtail_spinecare.models.shared.ClinicConditionPage`.
"""

from copy import copy

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import JSONObject, Length, Substr
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page, Site

from ..terminology import DEFAULT_REGION, Region, adapt_data, adapt_text, terminology_for


class Canonical(models.TextChoices):
    """Which clinic's page for a shared condition search engines treat as the original."""

    OWN = "own", _("Each clinic's own page")
    AUTHORITATIVE = "authoritative", _("One clinic's page, for every clinic")


class ConditionLibraryPage(Page):
    """The condition pages a group of clinics shares. Patients never see the library itself.

    Put it at the top of the page tree, beside (not inside) the clinics' home pages.
    """

    region = models.CharField(
        _("words the shared pages are written in"),
        max_length=10,
        choices=Region.choices,
        default=DEFAULT_REGION,
        help_text=_(
            "Write shared pages in these words. Each clinic's page swaps them for its own, "
            "e.g. 'physiotherapy' becomes 'physical therapy' on a US clinic's site."
        ),
    )
    canonical = models.CharField(
        _("which page search engines should treat as the original"),
        max_length=20,
        choices=Canonical.choices,
        default=Canonical.OWN,
        help_text=_(
            "Each clinic's own page suits clinics in different towns. Choose one clinic's "
            "page when the clinics serve the same patients, so search engines do not see "
            "the same text twice."
        ),
    )
    authoritative_site = models.ForeignKey(
        Site,
        verbose_name=_("the clinic whose page is the original"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Only used when one clinic's page is the original."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("region"),
        MultiFieldPanel(
            [FieldPanel("canonical"), FieldPanel("authoritative_site")],
            heading=_("Search engines"),
        ),
    ]
    promote_panels = []
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["wagtail_spinecare.ConditionPage"]
    preview_modes = []

    class Meta:
        verbose_name = _("shared condition library")

    def clean(self):
        """One clinic's page as the original needs that clinic to be chosen."""
        super().clean()
        if self.canonical == Canonical.AUTHORITATIVE and not self.authoritative_site_id:
            raise ValidationError(
                {"authoritative_site": _("Choose the clinic whose page is the original.")}
            )

    def serve(self, request, *args, **kwargs):
        """Never served: patients read the shared pages through their clinic's pages."""
        raise Http404(_("The shared library is not a page for patients."))

    def get_sitemap_urls(self, request=None):
        """None: the library is never served."""
        return []

    @property
    def terminology(self):
        """The words the shared pages are written in."""
        return terminology_for(self.region)


def libraries_of(pages) -> dict:
    """The library of each shared page, by the page's id, in one query."""
    parents = {
        page.pk: page.path[: -Page.steplen] for page in pages if page.path and (page.depth or 0) > 1
    }
    found = {
        library.path: library
        for library in ConditionLibraryPage.objects.filter(path__in=set(parents.values()))
    }
    return {pk: found[path] for pk, path in parents.items() if path in found}


#: What a page needs of its shared page's library; the rest is loaded if it is asked for.
LIBRARY_FIELDS = ("id", "page_ptr_id", "path", "region", "canonical", "authoritative_site_id")


def _library_above(path_field: str):
    """The library whose page sits above the page at ``path_field`` (a field of the outer
    query)."""
    parent_path = Substr(OuterRef(path_field), 1, Length(OuterRef(path_field)) - Page.steplen)
    return ConditionLibraryPage.objects.filter(path=parent_path)


def library_subquery(shared_path: str) -> Subquery:
    """The library whose page sits above the shared page at ``shared_path`` (a field of the
    outer query), as one JSON value, so the query that routes to a clinic's page brings the
    library too (see :func:`library_from_json`)."""
    return Subquery(
        _library_above(shared_path).values(
            library=JSONObject(**{name: name for name in LIBRARY_FIELDS})
        )[:1]
    )


def in_a_library(path_field: str = "path") -> Exists:
    """Whether the page at ``path_field`` (a field of the query) is a library's shared page."""
    return Exists(_library_above(path_field))


def library_from_json(data) -> "ConditionLibraryPage | None":
    """The library :func:`library_subquery` found, as a page with only those fields loaded."""
    if not data:
        return None
    values = [data[name] for name in LIBRARY_FIELDS]
    return ConditionLibraryPage.from_db(ConditionLibraryPage.objects.db, LIBRARY_FIELDS, values)


def library_of(page) -> "ConditionLibraryPage | None":
    """The library a shared condition page belongs to, or None (one query)."""
    return libraries_of([page]).get(page.pk) if page is not None else None


def words_of(library):
    """The words ``library``'s pages are written in; the default region's without one."""
    return library.terminology if library else terminology_for(DEFAULT_REGION)


def in_clinic_words(shared, library, clinic):
    """A copy of ``shared`` whose text is in ``clinic``'s words, for rendering only.

    It lists the shared page's sources, whatever id it is given later.
    """
    source, target = words_of(library), clinic.terminology
    shown = copy(shared)
    shown.shown_sources = shared.spinecare_sources.all()
    shown.__dict__.pop("alternative_name_list", None)
    if source.region == target.region:
        return shown
    for name in (
        "title",
        "seo_title",
        "alternative_names",
        "quick_answer",
        "search_description",
        "disclaimer",
    ):
        setattr(shown, name, adapt_text(getattr(shared, name), source, target))
    # The body is adapted when something reads it: a page whose body comes from the fragment
    # cache never pays for it.
    field = shared._meta.get_field("body")
    shown.__dict__["body"] = SimpleLazyObject(
        lambda: field.to_python(adapt_data(list(shared.body.raw_data), source, target))
    )
    return shown
