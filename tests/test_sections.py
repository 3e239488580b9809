"""Sections: which ones a page shows is known from its value before anything renders, so a
project can override the section template whole and the structured data lists exactly the
sections shown, whatever the rendering order."""

import json
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory, override_settings
from wagtail_factories import ImageFactory

from wagtail_spinecare import structured_data
from wagtail_spinecare.blocks import SectionBlock, SectionContentBlock
from wagtail_spinecare.blocks.visibility import shows_anything
from wagtail_spinecare.factories import (
    TestimonialFactory,
    TreatmentFactory,
    care_card_data,
    cta_data,
    faq_data,
    figure_data,
    give_consent,
    section_data,
    stream_item,
)

PATH = "/facet-joint-back-pain/"

#: A project's own section template, like the one docs/templates.md shows.
PROJECT_SECTION_TEMPLATE = """{% load wagtailcore_tags %}
{% if shown_content %}
<section class="project-section" id="section-{{ block_id }}">
    <h2 class="project-section__heading">{{ value.heading }}</h2>
    {% for child in shown_content %}
    <div class="project-section__part">
        {% include_block child with heading_level=3 block_id=child.id %}
    </div>
    {% endfor %}
</section>
{% endif %}
"""


def request_for(path="/", is_preview=False):
    request = RequestFactory().get(path, HTTP_HOST="uk.example")
    request.user = AnonymousUser()
    request.is_preview = is_preview
    return request


@pytest.fixture
def world(uk_clinic, condition_page):
    """What the blocks refer to: an image, a deleted one, a treatment, a story that may be
    shown and one that may not."""
    _index, site, clinic = uk_clinic
    gone = ImageFactory()
    gone_pk = gone.pk
    gone.delete()
    shown = TestimonialFactory(site=site, quote="Back to my morning walks.")
    give_consent(shown)
    return SimpleNamespace(
        page=condition_page,
        clinic=clinic,
        image=ImageFactory(),
        gone_image=gone_pk,
        treatment=TreatmentFactory(),
        shown=shown,
        unconsented=TestimonialFactory(site=site, quote="Never agreed to be quoted."),
    )


def stories(*testimonials):
    return {
        "heading": "What our patients say",
        "testimonials": [t.pk for t in testimonials],
        "latest_count": 0,
    }


def comparison(*treatment_ids):
    return {"caption": "Compared", "intro": "", "treatments": list(treatment_ids)}


def nowhere_to_book(world):
    world.clinic.booking_url = ""
    world.clinic.phone = ""
    world.clinic.save()
    return cta_data()


TIMELINE = {
    "phases": [{"label": "Settling", "start_week": 0, "end_week": 2, "description": "Rest."}],
    "note": "",
}

#: (case, block type, raw value from the world, where it is drawn, whether it shows anything)
CONTENT_CASES = [
    ("text", "paragraph", lambda w: "<p>Keep active.</p>", "page", True),
    ("empty text", "paragraph", lambda w: "", "page", False),
    ("blank text", "paragraph", lambda w: " \n ", "page", False),
    ("image", "figure", lambda w: figure_data(w.image.pk), "page", True),
    ("deleted image", "figure", lambda w: figure_data(w.gone_image), "page", False),
    ("no image, in the block picker", "figure", lambda w: figure_data(None), "picker", True),
    ("care card", "care_card", lambda w: care_card_data("urgent"), "page", True),
    ("do and don't", "do_dont", lambda w: {"do": ["walk"], "dont": ["do not rest"]}, "page", True),
    ("timeline", "recovery_timeline", lambda w: TIMELINE, "page", True),
    ("comparison", "comparison", lambda w: comparison(w.treatment.pk), "page", True),
    ("deleted treatments", "comparison", lambda w: comparison(w.treatment.pk + 100), "page", False),
    ("no treatments, in the block picker", "comparison", lambda w: comparison(), "picker", True),
    ("story with consent", "testimonials", lambda w: stories(w.shown, w.unconsented), "page", True),
    ("story without consent", "testimonials", lambda w: stories(w.unconsented), "page", False),
    (
        "story without consent, previewed",
        "testimonials",
        lambda w: stories(w.unconsented),
        "preview",
        True,
    ),
    ("no stories, in the block picker", "testimonials", lambda w: stories(), "picker", True),
    ("questions", "faq", lambda w: faq_data(2), "page", True),
    ("no questions", "faq", lambda w: faq_data(0), "page", False),
    ("booking button", "booking_cta", lambda w: cta_data(), "page", True),
    ("nowhere to book", "booking_cta", nowhere_to_book, "page", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("block_type", "raw", "where", "expected"),
    [case[1:] for case in CONTENT_CASES],
    ids=[case[0] for case in CONTENT_CASES],
)
def test_what_a_block_shows_is_known_before_it_renders(world, block_type, raw, where, expected):
    (child,) = SectionContentBlock().to_python([stream_item(block_type, raw(world))])
    context = {"request": request_for(is_preview=where == "preview"), "page": world.page}
    if where == "picker":
        context["spinecare_block_preview"] = True
    assert shows_anything(child.block, child.value, context) is expected
    # ...and agrees with what the block renders.
    assert bool(child.render(context=context).strip()) is expected


@pytest.mark.django_db
def test_asking_about_stories_before_rendering_them_costs_no_query(
    world, django_assert_num_queries
):
    block = SectionBlock()
    value = block.to_python(
        section_data(
            "Stories", "overview", [stream_item("testimonials", stories(world.unconsented))]
        )
    )
    context = {"request": request_for(is_preview=True), "page": world.page}
    assert block.shows_anything(value, context)  # asks why the story is hidden
    with django_assert_num_queries(0):
        html = block.render(value, context)
    assert "Not shown to patients" in html


# --- Pages ---------------------------------------------------------------------------------


def page_sections(world):
    """A body whose sections show, or do not, for each reason a section can be left out."""
    return [
        stream_item(
            "section",
            section_data("What it is", "overview", [stream_item("paragraph", "<p>Hi.</p>")]),
        ),
        stream_item(
            "section",
            section_data(
                "What others found",
                "what_to_expect",
                [stream_item("testimonials", stories(world.unconsented))],
            ),
        ),
        stream_item(
            "section",
            section_data(
                "Symptoms",
                "symptoms",
                [stream_item("paragraph", ""), stream_item("faq", faq_data(0))],
            ),
        ),
        stream_item(
            "section",
            section_data(
                "Treatments",
                "treatment",
                [
                    stream_item("figure", figure_data(world.gone_image)),
                    stream_item("booking_cta", cta_data()),
                ],
            ),
        ),
        stream_item("section", section_data("Causes", "causes", [])),
    ]


def publish(page, body):
    page.body = body
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def shown_and_described(html):
    """The ids of the sections the page shows, and of those its structured data describes."""
    soup = BeautifulSoup(html, "html.parser")
    shown = [section["id"] for section in soup.select("main section[id^='section-']")]
    (script,) = soup.find_all("script", type="application/ld+json")
    webpage = json.loads(script.string)["@graph"][0]
    described = [part["@id"].rsplit("#", 1)[1] for part in webpage.get("hasPart", [])]
    return shown, described


@pytest.mark.django_db
@pytest.mark.parametrize("consented", [False, True])
def test_structured_data_describes_the_sections_shown(client, world, consented):
    if consented:
        give_consent(world.unconsented)
    page = publish(world.page, page_sections(world))
    shown, described = shown_and_described(
        client.get(PATH, HTTP_HOST="uk.example").content.decode()
    )
    ids = [f"section-{child.id}" for child in page.body]
    # A section whose only content is a story without consent is in neither.
    assert shown == described == ([ids[0], ids[1], ids[3]] if consented else [ids[0], ids[3]])


@pytest.mark.django_db
def test_a_preview_describes_the_section_shown_for_a_hidden_story(world):
    page = publish(world.page, page_sections(world))
    response = page.make_preview_request()
    shown, described = shown_and_described(response.rendered_content)
    ids = [f"section-{child.id}" for child in page.body]
    assert shown == described == [ids[0], ids[1], ids[3]]


@pytest.mark.django_db
def test_the_structured_data_does_not_depend_on_rendering_order(world):
    page = publish(world.page, page_sections(world))
    request = request_for(PATH)
    before = structured_data.graph_for(page, request)  # before the body renders
    response = page.serve(request)
    html = response.render().content.decode()
    assert structured_data.graph_for(page, request) == before
    assert structured_data.script_tag(before) in html
    fresh = page.serve(request_for(PATH)).render().content.decode()
    assert html == fresh
    shown, described = shown_and_described(html)
    assert shown == described and len(shown) == 2


@pytest.mark.django_db
def test_a_project_section_template_renders_the_children_with_include_block(
    client, world, tmp_path
):
    (tmp_path / "wagtail_spinecare" / "blocks").mkdir(parents=True)
    (tmp_path / "wagtail_spinecare" / "blocks" / "section_block.html").write_text(
        PROJECT_SECTION_TEMPLATE
    )
    body = page_sections(world)
    body[0]["value"]["content"].append(stream_item("faq", faq_data(1, "Your questions")))
    page = publish(world.page, body)
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    with override_settings(TEMPLATES=templates):
        html = client.get(PATH, HTTP_HOST="uk.example").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.select(".sc-section")
    sections = soup.select("section.project-section")
    headings = [section.select_one("h2").get_text() for section in sections]
    assert headings == ["What it is", "Treatments"]
    # Each shown child in its own wrapper: the blank image is left out.
    what_it_is, treatments = (section.select(".project-section__part") for section in sections)
    assert [part.get_text(strip=True) for part in what_it_is] == [
        "Hi.",
        "Your questionsQuestion 1?Answer 1.",
    ]
    assert what_it_is[1].select_one("h3").get_text() == "Your questions"
    assert len(treatments) == 1
    cta_id = page.body[3].value["content"][1].id
    assert f"utm_content={cta_id}" in treatments[0].select_one("a.sc-button")["href"]
    shown, described = shown_and_described(html)
    assert shown == described


# --- What the top of the page points to ------------------------------------------------------


def contents_of(html):
    """The links of "On this page", the urgent-help signpost's target, and the header's
    booking link, as (text, href)."""
    soup = BeautifulSoup(html, "html.parser")
    contents = [(a.get_text(strip=True), a["href"]) for a in soup.select(".sc-contents a")]
    signpost = soup.select_one(".sc-signpost a")
    book = soup.select_one(".sc-site-header__book")
    return contents, signpost and signpost["href"], book and book["href"]


@pytest.mark.django_db
@pytest.mark.parametrize("consented", [False, True])
def test_on_this_page_lists_the_sections_shown(client, world, consented):
    if consented:
        give_consent(world.unconsented)
    body = page_sections(world)
    body.insert(
        1,
        stream_item(
            "section",
            section_data(
                "When to get help",
                "when_to_get_help",
                [stream_item("care_card", care_card_data("emergency"))],
            ),
        ),
    )
    page = publish(world.page, body)
    html = client.get(PATH, HTTP_HOST="uk.example").content.decode()
    contents, signpost, _book = contents_of(html)
    shown, _described = shown_and_described(html)
    # The list links to exactly the sections the page shows, in their order.
    assert [href for _text, href in contents] == [f"#{id}" for id in shown]
    headings = [child.value["heading"] for child in page.body]
    expected = [0, 1, 2, 4] if consented else [0, 1, 4]
    assert contents == [(headings[i], f"#section-{page.body[i].id}") for i in expected]
    assert signpost == f"#section-{page.body[1].id}"


@pytest.mark.django_db
def test_no_list_for_one_section_and_no_signpost_without_urgent_help(client, world):
    publish(world.page, page_sections(world)[:1])
    contents, signpost, _book = contents_of(
        client.get(PATH, HTTP_HOST="uk.example").content.decode()
    )
    assert contents == [] and signpost is None


@pytest.mark.django_db
def test_the_phone_bar_offers_booking_and_a_call(client, world):
    publish(world.page, page_sections(world))
    soup = BeautifulSoup(client.get(PATH, HTTP_HOST="uk.example").content.decode(), "html.parser")
    book, call = soup.select(".sc-action-bar a")
    assert "utm_content=action-bar" in book["href"]
    assert call["href"] == "tel:01174960123"
    # After the page's content, so that it rests there once scrolled to.
    assert soup.select_one("main").find_next_sibling(class_="sc-action-bar") is not None


@pytest.mark.django_db
def test_the_header_offers_the_clinics_booking_link(client, world):
    publish(world.page, page_sections(world))
    _contents, _signpost, book = contents_of(
        client.get(PATH, HTTP_HOST="uk.example").content.decode()
    )
    assert book.startswith("https://book.example/uk?")
    assert "utm_content=header" in book and "utm_campaign=facet-joint-back-pain" in book
    world.clinic.booking_url = ""
    world.clinic.save()
    _contents, _signpost, book = contents_of(
        client.get(PATH, HTTP_HOST="uk.example").content.decode()
    )
    assert book is None
