"""JSON-LD: valid against schema.org, and describing only what the patient sees."""

import json

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Site

from wagtail_spinecare import consent_actions
from wagtail_spinecare.models import Testimonial

from .schema_vocab import all_keys, all_types, problems

DEMO_PAGES = [
    (host, path)
    for host in ("harbourside.localhost", "lakeview.localhost")
    for path in ("/", "/facet-joint-back-pain/", "/facet-joint-back-pain-treatments/")
]


def fetch(client, host, path):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1, "exactly one graph per page"
    return soup, json.loads(scripts[0].string)


def nodes(graph, type_name):
    return [
        node
        for node in graph["@graph"]
        if type_name in ([node["@type"]] if isinstance(node["@type"], str) else node["@type"])
    ]


@pytest.mark.parametrize(("host", "path"), DEMO_PAGES)
def test_every_node_is_valid_schema_org(demo, client, host, path):
    _soup, graph = fetch(client, host, path)
    assert problems(graph) == []


@pytest.mark.parametrize(("host", "path"), DEMO_PAGES)
def test_no_review_markup_anywhere(demo, client, host, path):
    _soup, graph = fetch(client, host, path)
    assert not all_types(graph) & {"Review", "AggregateRating"}
    assert not all_keys(graph) & {"review", "aggregateRating", "reviews"}


@pytest.mark.parametrize("host", ["harbourside.localhost", "lakeview.localhost"])
def test_condition_page_graph_matches_the_visible_page(demo, client, host):
    soup, graph = fetch(client, host, "/facet-joint-back-pain/")
    page = nodes(graph, "MedicalWebPage")[0]
    assert "FAQPage" in page["@type"]
    # questions: one to one with the visible <summary> texts, in order
    summaries = [s.get_text(strip=True) for s in soup.select("details > summary")]
    assert [q["name"] for q in page["mainEntity"]] == summaries
    # review date: the visible <time datetime>
    assert page["lastReviewed"] == soup.select_one(".sc-review time")["datetime"]
    reviewer = nodes(graph, "Person")[0]
    assert reviewer["name"] in soup.select_one(".sc-review__reviewer").get_text()
    assert page["reviewedBy"]["@id"] == reviewer["@id"]
    # every typed section is a visible section with the same heading
    headings = [h.get_text(strip=True) for h in soup.select(".sc-section__heading")]
    parts = [part["name"] for part in page["hasPart"]]
    assert parts and set(parts) <= set(headings)
    assert all(
        part["hasHealthAspect"].startswith("https://schema.org/") for part in page["hasPart"]
    )
    # the condition and its treatments, as in the comparison table
    condition = nodes(graph, "MedicalCondition")[0]
    assert page["about"]["@id"] == condition["@id"]
    table_rows = [th.get_text(strip=True) for th in soup.select(".sc-comparison tbody th")]
    assert [t["name"] for t in condition["possibleTreatment"]] == table_rows
    # each clinic's own guideline, named as the table names it, in its own words
    injections = next(
        t for t in condition["possibleTreatment"] if t["name"] == "Facet joint injections"
    )
    exercise = condition["possibleTreatment"][0]
    (recommended,) = exercise["guideline"]
    table_text = soup.select_one(".sc-comparison").get_text(" ", strip=True)
    assert recommended["recommendationStrength"] in table_text
    assert recommended["name"] in table_text
    if host == "harbourside.localhost":
        assert injections["guideline"][0]["@type"] == "MedicalGuidelineContraindication"
        assert recommended["recommendationStrength"] == "Consider"
        assert recommended["recognizingAuthority"]["name"] == "NICE"
        assert recommended["name"] == "NICE NG59 1.2.2"
    else:
        assert "guideline" not in injections  # the ACP's guideline does not speak of them
        assert recommended["recommendationStrength"] == (
            "Strong recommendation, moderate-quality evidence"
        )
        assert recommended["recognizingAuthority"]["name"] == "American College of Physicians"
        assert recommended["name"] == "American College of Physicians (ACP 2017) Recommendation 2"
    # the clinic, with its booking action
    clinic = nodes(graph, "Physiotherapy")[0]
    assert clinic["name"] == soup.select_one(".sc-site-header__name").get_text(strip=True)
    assert clinic["potentialAction"]["@type"] == "ReserveAction"
    assert page["publisher"]["@id"] == clinic["@id"]


def test_canonical_description_and_open_graph(demo, client):
    soup, graph = fetch(client, "harbourside.localhost", "/facet-joint-back-pain/")
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical == "http://harbourside.localhost:8000/facet-joint-back-pain/"
    assert soup.find("meta", property="og:url")["content"] == canonical
    assert soup.find("meta", attrs={"name": "description"})["content"]
    assert nodes(graph, "MedicalWebPage")[0]["url"] == canonical


def test_withdrawn_story_is_in_no_graph(demo, client):
    shown = Testimonial.objects.publishable(Site.objects.get(hostname="harbourside.localhost"))
    testimonial = shown.first()
    consent_actions.withdraw(testimonial, channel="email")
    for host, path in DEMO_PAGES:
        _soup, graph = fetch(client, host, path)
        assert testimonial.quote not in json.dumps(graph)
        assert testimonial.patient_name not in json.dumps(graph)


def test_script_cannot_be_closed_by_content(demo, client):
    from wagtail_spinecare.models import ConditionPage

    page = ConditionPage.objects.get(url_path="/shared-clinical-content/facet-joint-back-pain/")
    page.title = "Back pain </script><script>alert(1)</script>"
    page.save_revision().publish()
    response = client.get("/facet-joint-back-pain/", HTTP_HOST="harbourside.localhost")
    assert b"<script>alert(1)" not in response.content
    soup, graph = fetch(client, "harbourside.localhost", "/facet-joint-back-pain/")
    assert nodes(graph, "MedicalWebPage")[0]["name"] == page.title
