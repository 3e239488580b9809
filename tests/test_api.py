"""Wagtail's API v2: each page as patients read it, patients' stories only as consent allows,
nothing private, bad input answered 400, and a flat number of queries."""

import json

import pytest
from bs4 import BeautifulSoup
from wagtail_factories import ImageFactory

from wagtail_spinecare import consent_actions
from wagtail_spinecare.factories import (
    ConditionPageFactory,
    GuidelineRecommendationFactory,
    TestimonialFactory,
    care_card_data,
    cta_data,
    figure_data,
    full_condition_body,
    give_consent,
    section_data,
    stream_item,
)
from wagtail_spinecare.models import Channel, PageSource

from .conftest import clinic_page

API = "/api/v2/pages/"
STORIES = "/api/v2/stories/"
EDITOR_NOTE = "Editors only: check the red flags with Amara."


def api_get(client, path, host="uk.example", status=200, **params):
    response = client.get(path, params, HTTP_HOST=host)
    assert response.status_code == status, response.content[:500]
    return response


def blocks_of(items, block_type) -> list:
    """Every block of ``block_type`` in an API stream, sections' content included."""
    found = []
    for item in items:
        if item["type"] == block_type:
            found.append(item["value"])
        if item["type"] == "section":
            found += blocks_of(item["value"]["content"], block_type)
    return found


@pytest.fixture
def image():
    return ImageFactory(width=1600, height=900)


@pytest.fixture
def page(uk_clinic, clinician, guideline, image):
    """A condition page with every kind of content, an internal link, an editor's note and a
    source."""
    index, _site, _clinic = uk_clinic
    treatment = GuidelineRecommendationFactory(guideline=guideline).treatment
    page = ConditionPageFactory(
        parent=index,
        title="Facet joint back pain",
        slug="facet-joint-back-pain",
        alternative_names="facet joint syndrome, facet arthropathy",
        reviewed_by=clinician,
    )
    page.body = [
        stream_item(
            "section",
            {
                **section_data(
                    "What are facet joints?",
                    "overview",
                    [
                        stream_item(
                            "paragraph",
                            f'<p>See <a linktype="page" id="{index.pk}">our conditions</a>.</p>',
                        ),
                        stream_item("figure", figure_data(image.pk, "A spine model")),
                    ],
                ),
                "editor_notes": EDITOR_NOTE,
            },
        ),
        stream_item(
            "section",
            section_data(
                "When to get help",
                "when_to_get_help",
                [stream_item("care_card", care_card_data("emergency"))],
            ),
        ),
        stream_item(
            "section",
            section_data(
                "Treatments",
                "treatment",
                [
                    stream_item(
                        "comparison",
                        {"caption": "Compared", "intro": "", "treatments": [treatment.pk]},
                    ),
                    stream_item(
                        "recovery_timeline",
                        {
                            "phases": [
                                {
                                    "label": "Settling",
                                    "start_week": 0,
                                    "end_week": 2,
                                    "description": "Pain eases.",
                                }
                            ],
                            "note": "",
                        },
                    ),
                    stream_item("do_dont", {"do": ["keep moving"], "dont": ["do not rest long"]}),
                ],
            ),
        ),
        stream_item(
            "faq",
            {
                "heading": "Questions",
                "items": [{"question": "Will it last?", "answer": "<p>No.</p>"}],
            },
        ),
        stream_item("booking_cta", cta_data()),
    ]
    page.save()
    PageSource.objects.create(page=page, title="NICE NG59", publisher="NICE", year=2020)
    return page


def stories_section(page, latest=5):
    """Add a section of the latest stories to ``page``."""
    page.body.append(
        (
            "section",
            {
                "aspect": "success_stories",
                "heading": "Patients' stories",
                "content": [
                    ("testimonials", {"heading": "In their words", "latest_count": latest}),
                ],
            },
        )
    )
    page.save()


def story(page, site, channels=(Channel.WEB, Channel.STRUCTURED_DATA), photo=None, **consent):
    testimonial = TestimonialFactory(
        site=site, condition_page=page, age_band="40_49", occupation="Teacher", photo=photo
    )
    give_consent(testimonial, channels=channels, **consent)
    return testimonial


class TestConditionPage:
    def test_the_whole_page_as_structured_json(self, client, page, clinician):
        data = api_get(client, f"{API}{page.pk}/").json()
        assert data["meta"]["type"] == "wagtail_spinecare.ConditionPage"
        assert data["quick_answer"] == page.quick_answer
        assert data["other_names"] == ["facet joint syndrome", "facet arthropathy"]
        sections = blocks_of(data["body"], "section")
        assert [(s["aspect"], s["heading"]) for s in sections] == [
            ("overview", "What are facet joints?"),
            ("when_to_get_help", "When to get help"),
            ("treatment", "Treatments"),
        ]
        # Rich text as the HTML patients read: the internal link expanded.
        [paragraph] = blocks_of(data["body"], "paragraph")
        assert paragraph == '<p>See <a href="http://uk.example/">our conditions</a>.</p>'
        [figure] = blocks_of(data["body"], "figure")
        assert figure["image"]["alt"] == "A spine model"
        urls = [rendition["url"] for rendition in figure["image"]["renditions"]]
        assert [url.split(".")[-2] for url in urls] == ["width-400", "width-800", "width-1200"]
        assert figure["image"]["renditions"][0]["url"].startswith("http://uk.example/media/")
        [card] = blocks_of(data["body"], "care_card")
        assert card["heading"].startswith("Call 999")
        assert card["actions"] == [{"text": "Call 999", "href": "tel:999"}]
        [table] = blocks_of(data["body"], "comparison")
        [recommendation] = table["treatments"][0]["recommendations"]
        assert recommendation["guideline"] == "NICE NG59"
        assert recommendation["strength"] == "consider"
        [timeline] = blocks_of(data["body"], "recovery_timeline")
        assert timeline["phases"][0]["end_week"] == 2
        assert blocks_of(data["body"], "do_dont") == [
            {"do": ["keep moving"], "dont": ["do not rest long"]}
        ]
        [faq] = blocks_of(data["body"], "faq")
        assert faq["items"] == [{"question": "Will it last?", "answer": "<p>No.</p>"}]
        reviewer = data["review"]["reviewed_by"]
        assert reviewer["name"] == "Amara Okafor"
        assert reviewer["registration_number"] == clinician.registration_number
        assert reviewer["credentials"] == clinician.credential_list
        assert data["review"]["last_reviewed"] == page.last_reviewed.isoformat()
        assert data["sources"][0]["title"] == "NICE NG59"
        assert data["disclaimer"] == page.get_site().clinicsettings.default_disclaimer
        assert data["clinic"]["name"] == "Harbour Physio"

    def test_booking_button_and_json_ld_are_those_of_the_html(self, client, page):
        data = api_get(client, f"{API}{page.pk}/").json()
        html = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example").content
        soup = BeautifulSoup(html, "html.parser")
        [button] = blocks_of(data["body"], "booking_cta")
        assert "utm_campaign=facet-joint-back-pain" in button["href"]
        assert soup.find("a", href=button["href"]) is not None
        assert button["phone"] == "0117 496 0123"
        assert button["phone_href"] == "tel:01174960123"
        script = soup.find("script", type="application/ld+json")
        assert data["structured_data"] == json.loads(script.string)

    def test_served_by_type_with_every_field(self, client, page):
        data = api_get(
            client, API, type="wagtail_spinecare.ConditionPage", fields="*", site="uk.example"
        ).json()
        [item] = data["items"]
        assert item["id"] == page.pk
        assert blocks_of(item["body"], "section")[0]["heading"] == "What are facet joints?"

    def test_never_kept_by_a_cache(self, client, page):
        for path in (f"{API}{page.pk}/", API, STORIES):
            assert api_get(client, path)["Cache-Control"] == "private, no-store"

    def test_a_comparison_page_lists_its_treatments_and_conditions(
        self, client, uk_clinic, page, guideline
    ):
        from wagtail_spinecare.models import TreatmentComparisonPage

        treatment = GuidelineRecommendationFactory(
            guideline=guideline, strength="do_not_offer"
        ).treatment
        comparison = uk_clinic[0].add_child(
            instance=TreatmentComparisonPage(
                title="Treatments compared",
                slug="treatments",
                intro="What helps.",
                body=[
                    stream_item(
                        "comparison", {"caption": "All", "intro": "", "treatments": [treatment.pk]}
                    )
                ],
            )
        )
        comparison.conditions.set([page])
        comparison.save()
        data = api_get(client, f"{API}{comparison.pk}/").json()
        [table] = blocks_of(data["body"], "comparison")
        assert table["treatments"][0]["name"] == treatment.name
        assert table["treatments"][0]["recommendations"][0]["strength"] == "do_not_offer"
        assert data["conditions"] == [{"id": page.pk, "title": page.title}]


class TestClinicPage:
    def test_a_us_clinic_page_is_the_shared_page_in_us_words(self, client, us_page, us_site):
        data = api_get(client, f"{API}{us_page.pk}/", host=us_site.hostname).json()
        assert data["id"] == us_page.pk
        assert data["meta"]["html_url"] == "http://us.example/facet-joint-pain/"
        assert "physical therapist" in data["quick_answer"]
        assert blocks_of(data["body"], "section")[0]["heading"] == "How physical therapy helps"
        [paragraph] = blocks_of(data["body"], "paragraph")
        assert "Your doctor or physical therapist can tell you more" in paragraph
        assert data["clinic_introduction"] == "Lake PT is on Elm Avenue."
        assert data["structured_data"]["@graph"][0]["url"] == "http://us.example/facet-joint-pain/"

    def test_another_sites_page_is_not_told_in_this_sites_words(
        self, client, uk_page, us_page, uk_site
    ):
        items = api_get(
            client, API, type="wagtail_spinecare.ClinicConditionPage", fields="*", site="us.example"
        ).json()["items"]
        assert [item["id"] for item in items] == [us_page.pk]
        assert items[0]["quick_answer"] is None
        assert items[0]["body"] is None
        assert items[0]["clinic"] is None

    def test_the_uk_clinic_page_keeps_uk_words_and_its_clinicians(
        self, client, uk_page, uk_site, clinician
    ):
        uk_page.clinicians.set([clinician])
        uk_page.save_revision().publish()
        data = api_get(client, f"{API}{uk_page.pk}/", host=uk_site.hostname).json()
        assert "physiotherapist" in data["quick_answer"]
        assert [c["name"] for c in data["clinicians"]] == ["Amara Okafor"]


class TestStories:
    def test_only_stories_with_api_consent_with_only_allowed_details(self, client, page, uk_site):
        stories_section(page)
        web_only = story(page, uk_site, channels=(Channel.WEB,))
        # Its photo is on file, but its consent does not allow it.
        named = story(page, uk_site, photo=ImageFactory(), details=("name", "occupation"))
        body = api_get(client, f"{API}{page.pk}/").json()["body"]
        [block] = blocks_of(body, "testimonials")
        assert [t["quote"] for t in block["testimonials"]] == [named.quote]
        [shown] = block["testimonials"]
        assert shown["name"] == named.display_name(True)
        assert (shown["occupation"], shown["age"], shown["photo"]) == ("Teacher", "", None)
        listed = api_get(client, STORIES).json()
        assert [item["id"] for item in listed["items"]] == [named.pk]
        assert listed["items"][0]["photo"] is None
        assert web_only.quote not in json.dumps(listed)

    def test_a_story_without_api_consent_leaves_its_section_out(self, client, page, uk_site):
        stories_section(page)
        story(page, uk_site, channels=(Channel.WEB,))
        body = api_get(client, f"{API}{page.pk}/").json()["body"]
        assert "success_stories" not in [s["aspect"] for s in blocks_of(body, "section")]

    def test_a_withdrawn_story_is_gone_from_the_next_response(self, client, page, uk_site):
        stories_section(page)
        testimonial = story(page, uk_site)
        assert testimonial.quote in api_get(client, f"{API}{page.pk}/").content.decode()
        assert testimonial.quote in api_get(client, STORIES).content.decode()
        consent_actions.withdraw(testimonial, channel="email")
        assert testimonial.quote not in api_get(client, f"{API}{page.pk}/").content.decode()
        assert api_get(client, STORIES).json()["items"] == []
        api_get(client, f"{STORIES}{testimonial.pk}/", status=404)

    def test_filtered_by_condition_and_site(self, client, page, uk_site, us_site):
        other = ConditionPageFactory(parent=page.get_parent())
        about_page = story(page, uk_site)
        about_other = story(other, uk_site)
        us_story = story(page, us_site, sites=[us_site])

        def ids(**params):
            return [item["id"] for item in api_get(client, STORIES, **params).json()["items"]]

        assert ids() == [about_other.pk, about_page.pk]
        assert ids(condition=page.pk) == [about_page.pk]
        assert ids(site="us.example") == [us_story.pk]
        assert ids(condition=other.pk, site="us.example") == []
        detail = api_get(client, f"{STORIES}{about_page.pk}/").json()
        assert detail["condition"] == page.pk
        api_get(client, f"{STORIES}{us_story.pk}/", status=404)

    def test_a_clinic_page_stands_for_its_shared_condition(self, client, shared, uk_page, uk_site):
        testimonial = story(shared, uk_site)
        found = api_get(client, STORIES, condition=uk_page.pk).json()["items"]
        assert [item["id"] for item in found] == [testimonial.pk]


class TestNothingPrivate:
    PRIVATE = ("editor_notes", "consent_records", "patient_email", "evidence", "owner")

    def test_every_field_holds_nothing_private(self, client, page, uk_site):
        stories_section(page)
        testimonial = story(page, uk_site)
        record = testimonial.consent_records.get()
        for path in (
            f"{API}{page.pk}/?fields=*",
            f"{API}?fields=*&type=wagtail_spinecare.ConditionPage",
            STORIES,
        ):
            text = client.get(path, HTTP_HOST="uk.example").content.decode()
            assert testimonial.quote in text
            for private in (
                EDITOR_NOTE,
                testimonial.patient_email,
                testimonial.patient_name,
                record.wording,
                record.evidence.title,
                "editor_notes",
            ):
                assert private not in text, (path, private)

    @pytest.mark.parametrize("field", PRIVATE)
    def test_asking_for_a_private_field_is_an_unknown_field(self, client, page, field):
        response = api_get(client, f"{API}{page.pk}/", fields=field, status=400)
        assert response.json() == {"message": f"unknown fields: {field}"}
        api_get(client, API, type="wagtail_spinecare.ConditionPage", fields=field, status=400)

    def test_patients_photos_are_not_in_the_images_endpoint(self, client, page, image, uk_site):
        photo = ImageFactory(title="Sarah Jones, knee")
        story(page, uk_site, photo=photo, details=("name", "photo"))
        listed = api_get(client, "/api/v2/images/").json()["items"]
        assert [item["id"] for item in listed] == [image.pk]
        api_get(client, f"/api/v2/images/{photo.pk}/", status=404)
        api_get(client, f"/api/v2/images/{image.pk}/")

    def test_no_documents_endpoint(self, client, page):
        api_get(client, "/api/v2/documents/", status=404)


class TestBadInput:
    @pytest.mark.parametrize(
        ("path", "params", "message"),
        [
            (API, {"type": "wagtail_spinecare.Nothing"}, "type doesn't exist"),
            (API, {"type": "nothing"}, "type doesn't exist"),
            (API, {"fields": "nothing"}, "unknown fields: nothing"),
            (API, {"limit": str(10**9)}, "limit cannot be higher than 20"),
            (API, {"limit": "-1"}, "limit must be a positive integer"),
            (API, {"offset": "-1"}, "offset must be a positive integer"),
            (API, {"child_of": "abc"}, "child_of must be a positive integer"),
            (API, {"descendant_of": "abc"}, "descendant_of must be a positive integer"),
            (
                API,
                {"colour": "red"},
                "query parameter is not an operation or a recognised field: colour",
            ),
            (STORIES, {"limit": str(10**9)}, "limit cannot be higher than 20"),
            (STORIES, {"offset": "-1"}, "offset must be a positive integer"),
            (STORIES, {"condition": "abc"}, "condition must be a page id"),
            (STORIES, {"site": "nowhere.example"}, "site doesn't exist"),
            (STORIES, {"site": "uk.example:abc"}, "site must be a hostname, optionally with :port"),
            (
                STORIES,
                {"fields": "patient_email"},
                "query parameter is not an operation or a recognised field: fields",
            ),
        ],
    )
    def test_answered_400_with_wagtails_message(self, client, page, path, params, message):
        response = api_get(client, path, status=400, **params)
        assert response.json() == {"message": message}


class TestQueries:
    """The detail of a condition page costs the same however much it holds.

    With the renditions made (a page's first view makes them), 14: Wagtail's own seven (view
    restrictions twice, the site, the page and its specific row, its parent and whether the
    parent is public), then the content's: the images with their renditions, the care cards'
    "read more" pages, the clinic's settings, the reviewer, the sources, and the consent
    twice: the stories the API may show, and the web pages' consent the JSON-LD asks to know
    which sections the page shows; the stories' photos' renditions come from the rendition
    cache. A clinic's page of shared content (no stories), 15: Wagtail's seven, the shared
    page, its library, the clinic's settings, the clinic's clinicians, the images, the "read
    more" pages, the reviewer and the sources. Listing the stories, 5: the site, the consent,
    the stories with their photos, the photos' renditions, the clinic's settings.
    """

    DETAIL = 14
    STORIES = 5
    CLINIC_DETAIL = 15

    @pytest.fixture
    def pages(self, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        images = [ImageFactory().pk for _ in range(6)]
        pages = {}
        for repeat in (1, 3):
            pages[repeat] = ConditionPageFactory(
                parent=index,
                slug=f"content-x{repeat}",
                reviewed_by=clinician,
                body=full_condition_body(images, repeat=repeat, clinic_page=index),
            )
            stories_section(pages[repeat])
        return pages

    @pytest.mark.parametrize(("repeat", "stories"), [(1, 1), (3, 1), (1, 5), (3, 5)])
    def test_a_page_of_3n_sections_and_5_stories_costs_what_n_and_1_cost(
        self, client, pages, uk_site, repeat, stories, django_assert_num_queries
    ):
        page = pages[repeat]
        for _ in range(stories):
            story(page, uk_site, photo=ImageFactory(), details=("name", "photo"))
        path = f"{API}{page.pk}/"
        api_get(client, path)  # renditions made
        with django_assert_num_queries(self.DETAIL):
            data = api_get(client, path).json()
        assert len(blocks_of(data["body"], "section")) == 3 * repeat + 1
        [block] = blocks_of(data["body"], "testimonials")
        assert len(block["testimonials"]) == stories
        assert all(len(shown["photo"]["renditions"]) == 3 for shown in block["testimonials"])

    @pytest.mark.parametrize("repeat", [1, 3])
    def test_a_clinic_page_of_3n_shared_sections_costs_what_n_cost(
        self, client, library, us_clinic, clinician, repeat, django_assert_num_queries
    ):
        index = us_clinic[0]
        images = [ImageFactory().pk for _ in range(6)]
        shared_page = ConditionPageFactory(
            parent=library,
            reviewed_by=clinician,
            body=full_condition_body(images, repeat=repeat, clinic_page=index),
        )
        shared_page.save_revision().publish()
        page = clinic_page(index, shared_page, introduction="Lake PT.")
        path = f"{API}{page.pk}/"
        api_get(client, path, host="us.example")  # renditions made
        with django_assert_num_queries(self.CLINIC_DETAIL):
            data = api_get(client, path, host="us.example").json()
        assert len(blocks_of(data["body"], "section")) == 3 * repeat
        assert data["clinic"]["region"] == "us"

    @pytest.mark.parametrize("stories", [1, 5])
    def test_listing_stories_costs_the_same_for_1_and_5(
        self, client, pages, uk_site, stories, django_assert_num_queries
    ):
        for _ in range(stories):
            story(pages[1], uk_site, photo=ImageFactory(), details=("name", "photo"))
        api_get(client, STORIES)  # renditions made
        with django_assert_num_queries(self.STORIES):
            data = api_get(client, STORIES).json()
        assert data["meta"]["total_count"] == stories
        assert all(item["photo"]["alt"].startswith("Photo of") for item in data["items"])
