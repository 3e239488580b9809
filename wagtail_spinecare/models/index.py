"""The index of a clinic's conditions, which lists and routes to its condition pages."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from ..api_fields import INDEX_PAGE as INDEX_API_FIELDS
from ..blocks import PageContentBlock
from ..compat import PreparedQuery, any_view_restriction_on, path_and_ancestors, set_cached_parent
from .clinic import ClinicSettings
from .library import library_from_json, library_subquery
from .pages import ConditionPage, SpinecarePageMixin, TreatmentComparisonPage
from .shared import ClinicConditionPage


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
    api_fields = INDEX_API_FIELDS

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
        conditions = [*own, *ClinicConditionPage.as_listed(drawing, clinic)]
        return sorted(conditions, key=lambda page: page.title.lower())

    def get_meta_description(self) -> str:
        """The search description, or else the introduction."""
        return self.search_description or self.intro

    def route(self, request, path_components):
        """Find a condition or comparison page with its reviewer in one query; a clinic's
        page of shared content with the shared page, its reviewer and its library.

        Wagtail's own routing fetches the child, then its specific row, then the template
        fetches the reviewer: three queries where one will do. Anything else (a subclass
        defined by the project, a page type added later) goes through Wagtail's routing.
        A project's subclass of these takes one more query, for its own row.

        The query that finds a page of any of these types is costly to build; once a
        process knows which type the page at a slug is, it asks for that type alone (see
        :data:`ROUTE_HINTS`), in a query compiled once (see :func:`route_query`) that also
        says whether a view restriction applies to a condition or comparison page.
        """
        if not path_components:
            return super().route(request, path_components)
        slug, remaining = path_components[0], path_components[1:]
        routed = self._routed_as_before(slug)
        if routed is None:
            child = (
                Page.objects.child_of(self)
                .filter(slug=slug)
                .select_related(
                    *(f"{name}__{one}" for name, (_m, related) in ROUTED.items() for one in related)
                )
                .annotate(
                    spinecare_library=library_subquery("clinicconditionpage__shared_page__path")
                )
                .first()
            )
            routed = self._specific(child)
        if routed is None:
            return super().route(request, path_components)
        set_cached_parent(routed, self)
        return routed.route(request, remaining)

    def _specific(self, child):
        """``child``, from the query of every type, as the page type it is; None for others."""
        if child is None:
            return None
        specific = ContentType.objects.get_for_id(child.content_type_id).model_class()
        for name, (model, related) in ROUTED.items():
            if specific is None or not issubclass(specific, model):
                continue
            routed = getattr(child, name)
            if specific is model:
                remember_route(self.pk, child.slug, name)
            else:
                routed = specific.objects.filter(pk=child.pk).select_related(*related).first()
            if isinstance(routed, ClinicConditionPage):
                routed.shared_library = library_from_json(child.spinecare_library)
            return routed
        return None

    def _routed_as_before(self, slug):
        """The page at ``slug``, asked for as the type it had last time, or None."""
        name = ROUTE_HINTS.get((self.pk, slug))
        if name is None:
            return None
        model = ROUTED[name][0]
        found = route_query(name, self.depth)(slug, *path_and_ancestors(self))
        routed = found[0] if found else None
        if routed is None or routed.content_type_id != ContentType.objects.get_for_model(model).pk:
            ROUTE_HINTS.pop((self.pk, slug), None)  # gone, or another page now: ask again
            return None
        if model is ClinicConditionPage:
            routed.shared_library = library_from_json(routed.spinecare_library)
        return routed


def route_query(name, depth) -> PreparedQuery:
    """The query for the child of an index page at ``depth`` that has a slug and is of the
    ROUTED type ``name``, with what its page shows; compiled once per process (see
    ``compat.PreparedQuery``).

    Each comes with whether a view restriction applies to it (see
    ``SpinecarePageMixin.get_view_restrictions``): for a clinic's page, also one on its shared
    page or above it (``ClinicConditionPage.get_view_restrictions``), and it comes with its
    shared page's library.
    """
    query = ROUTE_QUERIES.get((name, depth))
    if query is None:
        query = ROUTE_QUERIES[name, depth] = PreparedQuery(
            lambda slug, *paths: _children_at(name, depth, slug, paths)
        )
    return query


def _children_at(name, depth, slug, paths):
    """The query set for :func:`route_query`; ``paths``: the index's last, after its
    ancestors'."""
    model, related = ROUTED[name]
    pages = model.objects.filter(
        path__startswith=paths[-1], depth=depth + 1, slug=slug
    ).select_related(*related)
    shared_tree = []
    if model is ClinicConditionPage:
        pages = pages.annotate(spinecare_library=library_subquery("shared_page__path"))
        shared_tree = ["shared_page__path"]  # the shared page and its library: see shared.py
    return pages.annotate(
        spinecare_restricted=any_view_restriction_on(paths, ["path"], shared_tree)
    )[:1]


#: The page types routing loads in one query: their names as Page's related objects, the
#: model, and what their pages show that the query brings with them.
ROUTED = {
    "conditionpage": (ConditionPage, ("reviewed_by",)),
    "clinicconditionpage": (
        ClinicConditionPage,
        ("shared_page__reviewed_by", "local_reviewed_by"),
    ),
    "treatmentcomparisonpage": (TreatmentComparisonPage, ("reviewed_by",)),
}

#: (index page id, slug): the ROUTED name of the page found there last, in this process. A
#: hint only: the page is still asked for by its slug, and a miss asks again for any type.
ROUTE_HINTS: dict = {}
ROUTE_HINTS_MAX = 10_000

#: (ROUTED name, depth of the index page): its :func:`route_query`.
ROUTE_QUERIES: dict = {}


def remember_route(index_id, slug, name) -> None:
    if len(ROUTE_HINTS) >= ROUTE_HINTS_MAX:
        ROUTE_HINTS.clear()
    ROUTE_HINTS[index_id, slug] = name
