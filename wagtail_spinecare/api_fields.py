"""The fields the page types give Wagtail's API (``api_fields``): each page as patients read it.

Every field is worked out from the page as it is shown (for a clinic's page of shared content,
the shared page in the clinic's words: see ``ClinicConditionPage.api_shown_page``), by the
same code the HTML uses: the blocks' own representations, the booking links, the clinic's
words and the JSON-LD of ``structured_data``. Testimonials are in the body, as far as the
consent rule lets them reach the API (``consent.API_CHANNEL``).

Only the fields named here are served; editors' notes, consent records, evidence and patients'
contact details have no field, so asking for them is "unknown fields" (400).
"""

from rest_framework.fields import Field
from wagtail.api import APIField
from wagtail.models import Site

from . import structured_data
from .blocks.api import attributes
from .blocks.cta import booking_links
from .models.clinic import ClinicSettings


class PageField(Field):
    """A value ``build(page, context)`` works out from the page as it is shown, for the
    request; null when the page has nothing to show."""

    def __init__(self, build, **kwargs):
        self.build = build
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, page):
        shown = shown_page(page, self.context)
        return None if shown is None else self.build(shown, page_context(shown, self.context))


def shown_page(page, context):
    """The page as patients are shown it, worked out once per page and request; None for a
    page of another site than the request's (asked for with ``?site=``): its clinic's words,
    numbers and stories are its own site's, which this request does not speak for."""
    found = context.setdefault("_spinecare_shown_pages", {})
    if page.pk not in found:
        request = context["request"]
        site = Site.find_for_request(request)
        if site is None or not page.url_path.startswith(site.root_page.url_path):
            found[page.pk] = None
        else:
            shown = getattr(page, "api_shown_page", None)
            found[page.pk] = shown(request) if shown else page
    return found[page.pk]


def page_context(page, context) -> dict:
    """What the page's blocks are given, as when it is rendered: the request and the page."""
    return {**context, "page": page}


def body(page, context):
    return page.body.stream_block.get_api_representation(page.body, context)


def other_names(page, context):
    return page.alternative_name_list


def clinic(page, context) -> dict:
    """The clinic the page is shown for: its name, phone and booking link (tracked as the
    page's booking buttons are)."""
    settings = ClinicSettings.for_context(context)
    links = booking_links({"show_phone": True}, settings, context)
    return {
        "name": settings.display_name,
        "region": settings.region,
        "phone": settings.phone,
        "phone_href": links["phone_href"],
        "booking_url": links["booking_href"],
    }


def clinician_value(clinician) -> dict:
    """A clinician as patients see them: name, profession, credentials and registration."""
    return {
        "id": clinician.pk,
        "credentials": clinician.credential_list,
        **attributes(
            clinician,
            "name",
            "profession",
            "post_nominals",
            "registration_body",
            "registration_number",
            "profile_url",
        ),
    }


def review(page, context) -> dict:
    """Who clinically reviewed the page and when, and when it is due again."""
    reviewer = page.reviewed_by if page.reviewed_by_id else None
    return {
        "last_reviewed": page.last_reviewed,
        "next_review_due": page.next_review_due,
        "reviewed_by": clinician_value(reviewer) if reviewer else None,
    }


def sources(page, context) -> list:
    return [
        {
            "title": source.title,
            "publisher": source.publisher,
            "year": source.year,
            "url": source.url,
        }
        for source in page.source_list()
    ]


def disclaimer(page, context) -> str:
    """The page's own disclaimer, or the clinic's standard one, as the page's foot shows."""
    return getattr(page, "disclaimer", "") or ClinicSettings.for_context(context).default_disclaimer


def clinic_introduction(page, context) -> str:
    return page.clinic_introduction


def clinicians(page, context) -> list:
    return [clinician_value(clinician) for clinician in page.clinic_clinicians]


def json_ld(page, context) -> dict:
    """The page's JSON-LD graph, as its HTML carries it."""
    return structured_data.graph_for(page, context["request"])


def attribute(name):
    """A field that is the shown page's attribute ``name``."""
    return lambda page, context: getattr(page, name)


def conditions(page, context) -> list:
    return [
        {"id": condition.pk, "title": condition.title}
        for condition in page.live_conditions().only("id", "title")
    ]


def fields(**builders) -> list[APIField]:
    return [APIField(name, serializer=PageField(build)) for name, build in builders.items()]


#: What every page of this app gives: its clinic and its JSON-LD.
COMMON = {"clinic": clinic, "structured_data": json_ld}
#: What a clinical page adds: its body, clinical review, sources and disclaimer.
CLINICAL = {"body": body, "review": review, "sources": sources, "disclaimer": disclaimer}

CONDITION_PAGE = fields(
    title=attribute("title"),
    quick_answer=attribute("quick_answer"),
    other_names=other_names,
    clinic_introduction=clinic_introduction,
    clinicians=clinicians,
    **CLINICAL,
    **COMMON,
)

COMPARISON_PAGE = fields(intro=attribute("intro"), conditions=conditions, **CLINICAL, **COMMON)

INDEX_PAGE = fields(intro=attribute("intro"), body=body, **COMMON)
