"""Site search for patients: the request's clinic's pages only, in its own words.

A project includes the view at an address of its choosing, before Wagtail's pages::

    from wagtail_spinecare.search import search_view

    path("search/", search_view, name="spinecare_search"),

What the index holds is set by the page types' ``search_fields``: a clinic's page is indexed
with its shared page's text in the clinic's words (``ClinicConditionPage.for_search``), and no
page is ever indexed with a patient's testimonial. This view searches Wagtail's default search
backend and shows each result with its quick answer (or its description), ten a page.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site

from . import conf
from .models import ClinicConditionPage, ClinicSettings, ConditionPage
from .models.shared import with_nothing_to_show

#: Results on one page of results.
RESULTS_PER_PAGE = 10
TEMPLATE = "wagtail_spinecare/search.html"
#: What is searched for: words. Punctuation, quotes and operators are dropped, as the index
#: drops them from the text it holds, so no search reaches the backend as syntax.
WORD = re.compile(r"\w+")


def cleaned_query(text: str) -> str:
    """``text`` as searched for: at most ``WAGTAIL_SPINECARE_SEARCH_MAX_LENGTH`` characters,
    of which only the words."""
    return " ".join(WORD.findall(text[: conf.search_max_length()]))


#: Any page number above this asks for the last page, as it does.
MAX_PAGE_NUMBER = 10**6


def page_number(text: str) -> int:
    """The page of results asked for: 1 for anything but a whole number above 0; the
    paginator gives the last page for a number past the end."""
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(MAX_PAGE_NUMBER)):
        return MAX_PAGE_NUMBER
    return max(1, min(int(text), MAX_PAGE_NUMBER))


def searchable_pages(site):
    """The live, public pages of ``site``'s tree that have something to show."""
    public = Page.objects.live().public()
    return public.descendant_of(site.root_page, inclusive=True).exclude(
        pk__in=with_nothing_to_show(public).values("pk")
    )


def as_shown(pages, clinic) -> list:
    """``pages`` (of any type, from the search) as their specific type, in the same order,
    with what a result shows: a condition's quick answer, in the clinic's words for a clinic's
    page. One query for each page type among them, and one for the libraries."""
    by_type = {}
    for page in pages:
        by_type.setdefault(page.content_type_id, []).append(page.pk)
    found = {}
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class() or Page
        specific = model.objects.filter(pk__in=ids)
        if issubclass(model, ClinicConditionPage):
            found.update(
                (page.pk, page)
                for page in model.as_listed(specific.select_related("shared_page"), clinic)
            )
        else:
            if issubclass(model, ConditionPage):
                specific = specific.defer_streamfields()
            found.update((page.pk, page) for page in specific)
    return [found[page.pk] for page in pages if page.pk in found]


def summary(page) -> str:
    """What a result shows under its title: the quick answer, or the page's description."""
    quick_answer = getattr(page, "quick_answer", "")
    if quick_answer:
        return quick_answer
    describe = getattr(page, "get_meta_description", None)
    return (describe() if describe else "") or page.search_description


@require_safe
def search_view(request):
    """The search form and, for a query, a page of results from the request's site."""
    query = cleaned_query(request.GET.get("query", ""))
    site = Site.find_for_request(request)
    clinic = ClinicSettings.for_context({"request": request})
    results, count = None, 0
    if query and site is not None:
        found = searchable_pages(site).search(query)
        results = Paginator(found, RESULTS_PER_PAGE).get_page(
            page_number(request.GET.get("page", ""))
        )
        count = results.paginator.count
        results.object_list = [
            {"page": page, "summary": summary(page)}
            for page in as_shown(list(results.object_list), clinic)
        ]
    context = {
        "request": request,
        "clinic": clinic,
        "terms": clinic.terminology,
        "spinecare_base_template": conf.base_template(),
        "search_query": query,
        "search_results": results,
        "result_count": count,
    }
    return TemplateResponse(request, TEMPLATE, context)
