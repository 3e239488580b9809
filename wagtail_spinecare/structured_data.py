"""The one place that turns a page into schema.org JSON-LD.

The graph is built from the same values the templates show: the visible FAQ questions, the
review date and reviewer in the footer, the sections shown, the treatments in the
comparison table. It never contains a Review or AggregateRating: testimonials are not
reviews, and no testimonial is ever put in the graph.
"""

import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from wagtail.models import Site

from .blocks.comparison import TreatmentComparisonBlock, shown_recommendations, shown_treatment
from .blocks.faq import FAQBlock
from .blocks.sections import Aspect, SectionBlock, shown_sections
from .compat import cached_parent
from .languages import language_tag
from .links import full_page_url
from .models.clinic import ClinicSettings
from .models.treatments import TreatmentCategory
from .streams import iter_blocks
from .text import plain_text

#: What a clinical page is about, as its page type says with ``schema_about``: one
#: condition (a MedicalCondition), or the therapies it compares.
CONDITION = "condition"
THERAPIES = "therapies"

HEALTH_ASPECTS = {
    Aspect.OVERVIEW: "OverviewHealthAspect",
    Aspect.CAUSES: "CausesHealthAspect",
    Aspect.SYMPTOMS: "SymptomsHealthAspect",
    Aspect.WHEN_TO_GET_HELP: "SeeDoctorHealthAspect",
    Aspect.DIAGNOSIS: "ScreeningHealthAspect",
    Aspect.TREATMENT: "TreatmentsHealthAspect",
    Aspect.WHAT_TO_EXPECT: "PatientExperienceHealthAspect",
    Aspect.EXERCISES: "SelfCareHealthAspect",
    Aspect.RECOVERY_TIMELINE: "PrognosisHealthAspect",
    Aspect.SELF_CARE: "SelfCareHealthAspect",
    Aspect.LIVING_WITH: "LivingWithHealthAspect",
    Aspect.PREVENTION: "PreventionHealthAspect",
    # Testimonials are left out of the graph on purpose.
}
PHYSICAL_THERAPIES = {TreatmentCategory.EXERCISE, TreatmentCategory.MANUAL_THERAPY}


def _schema(name: str) -> str:
    return f"https://schema.org/{name}"


def _text(html: str) -> str:
    return " ".join(plain_text(html).split())


def _list_items(html: str) -> list[str]:
    return [
        " ".join(strip_tags(item).split())
        for item in re.findall(r"<li[^>]*>(.*?)</li>", html, re.S)
    ]


def graph_for(page, request) -> dict:
    """The JSON-LD document for ``page`` as ``request`` sees it.

    A section left out of the page (nothing in it could be shown) is left out of the graph
    too, whether the graph is made before or after the page's content renders.
    """
    clinic = ClinicSettings.for_context({"request": request})
    url = full_page_url(page, request)
    nodes = [clinic_node(clinic, page, request)]
    about = getattr(page, "schema_about", None)
    clinical = about is not None
    webpage = {
        "@type": ["MedicalWebPage" if clinical else "WebPage"],
        "@id": f"{url}#webpage",
        "url": url,
        "name": page.seo_title or page.title,
        "inLanguage": language_tag(
            page.page_language(request)
            if hasattr(page, "page_language")
            else clinic.terminology.language
        ),
        "publisher": {"@id": clinic_id(page, request)},
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
    }
    if clinical:
        webpage["medicalAudience"] = {"@type": "Patient"}
    description = page.get_meta_description() if hasattr(page, "get_meta_description") else ""
    if description:
        webpage["description"] = description
    if getattr(page, "last_reviewed", None):
        webpage["lastReviewed"] = page.last_reviewed.isoformat()
    reviewers = []
    # The shared page's reviewer, then the clinic's own (a clinic's page of shared content).
    for clinician in (getattr(page, "reviewed_by", None), getattr(page, "local_reviewed_by", None)):
        if clinician and all(clinician.pk != other.pk for other in reviewers):
            reviewers.append(clinician)
    if reviewers:
        people = [reviewer_node(clinician, url) for clinician in reviewers]
        nodes.extend(people)
        refs = [{"@id": person["@id"]} for person in people]
        webpage["reviewedBy"] = refs[0] if len(refs) == 1 else refs

    body = getattr(page, "body", None) or []
    questions = faq_questions(body)
    if questions:
        webpage["@type"].append("FAQPage")
        webpage["mainEntity"] = questions
    parts = health_topic_parts(body, url, {"page": page, "request": request})
    if parts:
        webpage["hasPart"] = parts

    therapies = therapy_nodes(body, clinic)
    if about == CONDITION:
        condition = condition_node(page, url, body, therapies)
        nodes.append(condition)
        webpage["about"] = {"@id": condition["@id"]}
    elif about == THERAPIES:
        webpage["about"] = therapies
    nodes.insert(0, webpage)
    nodes.append(breadcrumb_node(page, request, url))
    return {"@context": "https://schema.org", "@graph": nodes}


def _site_root(request) -> tuple[str, str]:
    """(root path, root URL) of the request's site."""
    site = Site.find_for_request(request)
    if site is not None:
        return site.root_page.url_path, site.root_url
    return "/", request.build_absolute_uri("/").rstrip("/")


def clinic_id(page, request) -> str:
    """The ``@id`` of the clinic's node, which every page of its site refers to."""
    return f"{_site_root(request)[1]}/#clinic"


def clinic_node(clinic, page, request) -> dict:
    """The clinic as a schema.org business of its type, with its phone, address and booking."""
    node = {
        "@type": clinic.business_type,
        "@id": clinic_id(page, request),
        "name": clinic.display_name,
        "url": f"{_site_root(request)[1]}/",
    }
    if clinic.phone:
        node["telephone"] = clinic.phone
    if clinic.has_address:
        address = {"@type": "PostalAddress"}
        for field, key in (
            ("street_address", "streetAddress"),
            ("address_locality", "addressLocality"),
            ("address_region", "addressRegion"),
            ("postal_code", "postalCode"),
        ):
            if getattr(clinic, field):
                address[key] = getattr(clinic, field)
        address["addressCountry"] = "GB" if clinic.region == "uk" else "US"
        node["address"] = address
    if clinic.map_url:
        node["hasMap"] = clinic.map_url
    if clinic.booking_url:
        node["potentialAction"] = {
            "@type": "ReserveAction",
            "target": {"@type": "EntryPoint", "urlTemplate": clinic.booking_url},
        }
    return node


def reviewer_node(clinician, url) -> dict:
    """The reviewing clinician as a Person, with qualifications and registration."""
    node = {
        "@type": "Person",
        "@id": f"{url}#reviewer-{clinician.pk}",
        "name": clinician.name,
        "jobTitle": clinician.profession,
    }
    if clinician.post_nominals:
        node["honorificSuffix"] = clinician.post_nominals
    if clinician.profile_url:
        node["url"] = clinician.profile_url
    credentials = [
        {"@type": "EducationalOccupationalCredential", "name": name}
        for name in clinician.credential_list
    ]
    if clinician.registration_body:
        registration = {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "license",
            "recognizedBy": {"@type": "Organization", "name": clinician.registration_body},
        }
        if clinician.registration_number:
            registration["identifier"] = clinician.registration_number
        credentials.append(registration)
    if credentials:
        node["hasCredential"] = credentials
    return node


def faq_questions(body) -> list[dict]:
    """Every question the page shows in a questions-and-answers block, with its answer."""
    questions = []
    for _path, block, value in iter_blocks(body):
        if isinstance(block, FAQBlock):
            for item in value.get("items") or ():
                questions.append(
                    {
                        "@type": "Question",
                        "name": item["question"],
                        "acceptedAnswer": {"@type": "Answer", "text": _text(item["answer"].source)},
                    }
                )
    return questions


def health_topic_parts(body, url, context) -> list[dict]:
    """The sections the page shows in ``context`` (see ``sections.shown_sections``), each
    with its schema.org health aspect; sections of testimonials are left out."""
    parts = []
    for child in shown_sections(body, context):
        aspect = HEALTH_ASPECTS.get(child.value.get("aspect"))
        if aspect is None:
            continue
        parts.append(
            {
                "@type": "HealthTopicContent",
                "@id": f"{url}#section-{child.id}",
                "name": child.value.get("heading"),
                "hasHealthAspect": _schema(aspect),
            }
        )
    return parts


def _section_list_items(body, aspect) -> list[str]:
    items = []
    for child in body:
        if isinstance(child.block, SectionBlock) and child.value.get("aspect") == aspect:
            for _path, block, value in iter_blocks(child.value.get("content")):
                if block.name == "paragraph" and value is not None:
                    items += _list_items(value.source)
    return items


def condition_node(page, url, body, therapies) -> dict:
    """The condition, with its other names, the symptom and cause sections' list items, and
    the treatments compared on the page."""
    node = {"@type": "MedicalCondition", "@id": f"{url}#condition", "name": page.title}
    if page.alternative_name_list:
        node["alternateName"] = page.alternative_name_list
    symptoms = _section_list_items(body, Aspect.SYMPTOMS)
    if symptoms:
        node["signOrSymptom"] = [{"@type": "MedicalSignOrSymptom", "name": s} for s in symptoms]
    causes = _section_list_items(body, Aspect.CAUSES)
    if causes:
        node["riskFactor"] = [{"@type": "MedicalRiskFactor", "name": c} for c in causes]
    if therapies:
        node["possibleTreatment"] = therapies
    return node


def therapy_nodes(body, clinic=None) -> list[dict]:
    """The treatments of every comparison table on the page, with the recommendations of the
    guidelines ``clinic`` follows (all, when it chose none), as the tables show them."""
    therapies, seen = [], set()
    for _path, block, value in iter_blocks(body):
        if not isinstance(block, TreatmentComparisonBlock):
            continue
        for treatment in value.get("treatments") or ():
            if treatment is None or treatment.pk in seen:
                continue
            seen.add(treatment.pk)
            therapies.append(
                therapy_node(
                    shown_treatment(treatment, clinic), shown_recommendations(treatment, clinic)
                )
            )
    return therapies


def therapy_node(treatment, recommendations=None) -> dict:
    """A treatment with what each guideline recommends (``recommendations``, by default all
    it has), a "do not offer" as a contraindication. Each is named by its guideline's
    authority and code, and its strength given in that guideline's words."""
    if recommendations is None:
        recommendations = treatment.recommendation_list
    node = {
        "@type": "PhysicalTherapy"
        if treatment.category in PHYSICAL_THERAPIES
        else "MedicalTherapy",
        "name": treatment.name,
        "description": treatment.summary,
    }
    guidelines = []
    for recommendation in recommendations:
        guideline = recommendation.guideline
        item = {
            "@type": (
                "MedicalGuidelineContraindication"
                if recommendation.advises_against
                else "MedicalGuidelineRecommendation"
            ),
            "name": f"{guideline.display_name} {recommendation.recommendation_id}",
            "guidelineDate": recommendation.guideline_version,
            "recognizingAuthority": {"@type": "Organization", "name": guideline.authority},
            "url": recommendation.source_url,
        }
        if not recommendation.advises_against:
            item["recommendationStrength"] = str(recommendation.strength_label)
        if recommendation.caveats:
            item["description"] = recommendation.caveats
        guidelines.append(item)
    if guidelines:
        node["guideline"] = guidelines
    return node


def _site_ancestors(page, root_path) -> list:
    """The page's ancestors within its site, from the top.

    Routing has usually just loaded the parent; when that parent is the site's root, no
    query is needed.
    """
    parent = cached_parent(page)
    if parent is not None and parent.url_path == root_path:
        return [parent]
    return list(
        page.get_ancestors().filter(url_path__startswith=root_path).only("title", "url_path")
    )


def breadcrumb_node(page, request, url) -> dict:
    """The way to the page from its site's home page."""
    root_path, _root_url = _site_root(request)
    ancestors = [*_site_ancestors(page, root_path), page]
    return {
        "@type": "BreadcrumbList",
        "@id": f"{url}#breadcrumb",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": ancestor.title,
                "item": full_page_url(ancestor, request),
            }
            for position, ancestor in enumerate(ancestors, start=1)
        ],
    }


_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def script_tag(graph: dict) -> str:
    """The graph in a ``<script type="application/ld+json">``, safe against closing tags."""
    data = json.dumps(
        graph, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).translate(_ESCAPES)
    # Safe: JSON with <, > and & escaped, so no text in it can close the tag.
    return mark_safe(f'<script type="application/ld+json">{data}</script>')  # noqa: S308 # nosec B308, B703
