from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import RequestFactory
from django.utils.module_loading import import_string
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images import get_image_model
from wagtail_factories import ImageFactory

from wagtail_spinecare.blocks import (
    AccessibleImageBlock,
    Aspect,
    BookingCTABlock,
    CareCardBlock,
    ConditionBodyBlock,
    DoDontBlock,
    FAQBlock,
    FigureBlock,
    RecoveryPhaseBlock,
    RecoveryTimelineBlock,
    SectionBlock,
)
from wagtail_spinecare.blocks.clinical import CareLevel
from wagtail_spinecare.blocks.cta import booking_links, missing_destination_errors
from wagtail_spinecare.factories import (
    cta_data,
    faq_data,
    figure_data,
    section_data,
    stream_item,
)
from wagtail_spinecare.models import ClinicSettings
from wagtail_spinecare.streams import iter_blocks, stream_errors


def request_for(host="uk.example"):
    return RequestFactory().get("/", HTTP_HOST=host)


def soup_of(html):
    return BeautifulSoup(str(html), "html.parser")


def clean_error(block, raw):
    """The validation error ``block`` raises for the raw (JSON-like) value ``raw``."""
    with pytest.raises(StructBlockValidationError) as excinfo:
        block.clean(block.to_python(raw))
    return excinfo.value


def messages(error):
    return [str(message) for message in error.messages]


# --- FAQBlock ------------------------------------------------------------------------------


class TestFAQBlock:
    block = FAQBlock()

    def test_each_item_is_a_details_element_with_its_question_as_summary(self):
        raw = {
            "heading": "Questions about facet pain",
            "items": [
                {"question": "Will I need an injection?", "answer": "<p>Usually <b>not</b>.</p>"},
                {"question": "How long will it last?", "answer": "<p>A few weeks.</p>"},
            ],
        }
        soup = soup_of(self.block.render(self.block.to_python(raw)))
        items = soup.select(".sc-faq details")
        assert len(items) == 2
        assert [d.summary.get_text(strip=True) for d in items] == [
            "Will I need an injection?",
            "How long will it last?",
        ]
        first_answer = items[0].select_one(".sc-faq__answer")
        assert first_answer.find("b").get_text() == "not"
        assert first_answer.get_text(" ", strip=True) == "Usually not ."
        # the answer is inside the details element, after its summary
        assert first_answer.find_parent("details") is items[0]
        assert soup.find("h2").get_text() == "Questions about facet pain"

    @pytest.mark.parametrize(("context", "tag"), [({}, "h2"), ({"heading_level": 3}, "h3")])
    def test_heading_level_follows_context(self, context, tag):
        soup = soup_of(self.block.render(self.block.to_python(faq_data(1)), context))
        headings = soup.find_all(["h2", "h3", "h4"])
        assert [h.name for h in headings] == [tag]
        assert headings[0].get_text() == "Common questions"

    def test_answer_without_question_is_refused_with_a_plain_message(self):
        raw = {"heading": "Q", "items": [{"question": "", "answer": "<p>Yes, usually.</p>"}]}
        error = clean_error(self.block, raw)
        items_error = error.block_errors["items"]
        assert isinstance(items_error, ListBlockValidationError)
        question_error = items_error.block_errors[0].block_errors["question"]
        assert messages(question_error)[0].startswith("Every answer needs its question")
        assert set(items_error.block_errors[0].block_errors) == {"question"}

    def test_question_without_answer_is_refused(self):
        raw = {"heading": "Q", "items": [{"question": "Is it serious?", "answer": ""}]}
        error = clean_error(self.block, raw)
        item_errors = error.block_errors["items"].block_errors[0].block_errors
        assert set(item_errors) == {"answer"}

    def test_without_questions_it_is_valid_and_shows_nothing(self):
        """A new page's outline holds a questions block the editor may not fill in."""
        value = self.block.clean(self.block.to_python({"heading": "Q", "items": []}))
        assert self.block.render(value).strip() == ""

    def test_complete_items_pass(self):
        value = self.block.clean(self.block.to_python(faq_data(2)))
        assert [item["question"] for item in value["items"]] == ["Question 1?", "Question 2?"]


# --- BookingCTABlock -----------------------------------------------------------------------


def render_cta(page, host="uk.example", block_id="abc123", **overrides):
    block = BookingCTABlock()
    context = {"request": request_for(host), "page": page}
    if block_id is not None:
        context["block_id"] = block_id
    return soup_of(block.render(block.to_python(cta_data(**overrides)), context))


def button_href(soup):
    buttons = soup.select(".sc-cta a.sc-button")
    assert len(buttons) == 1
    return buttons[0]["href"]


def split_href(href):
    parts = urlsplit(href)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


@pytest.mark.django_db
class TestBookingCTABlock:
    def test_clinic_booking_link_with_tracking(self, condition_page):
        base, query = split_href(button_href(render_cta(condition_page)))
        assert base == "https://book.example/uk"
        assert query == {
            "utm_source": ["uk.example"],
            "utm_medium": ["website"],
            "utm_campaign": ["facet-joint-back-pain"],
            "utm_content": ["abc123"],
        }

    def test_clinic_tracking_source_and_medium_are_used(self, condition_page, uk_clinic):
        _index, _site, clinic = uk_clinic
        clinic.utm_source = "harbour-site"
        clinic.utm_medium = "organic"
        clinic.save()
        _base, query = split_href(button_href(render_cta(condition_page)))
        assert query["utm_source"] == ["harbour-site"]
        assert query["utm_medium"] == ["organic"]

    def test_source_is_the_host_without_its_port(self, condition_page):
        _base, query = split_href(button_href(render_cta(condition_page, host="uk.example:8000")))
        assert query["utm_source"] == ["uk.example"]

    def test_content_falls_back_to_the_slugified_label(self, condition_page):
        soup = render_cta(condition_page, block_id=None, label="Book a Back Pain assessment")
        _base, query = split_href(button_href(soup))
        assert query["utm_content"] == ["book-a-back-pain-assessment"]

    def test_own_link_overrides_the_clinic_link_and_keeps_its_query(self, condition_page):
        soup = render_cta(
            condition_page, link="https://cliniko.example/book?practitioner=12&utm_campaign=spring"
        )
        base, query = split_href(button_href(soup))
        assert base == "https://cliniko.example/book"
        assert query["practitioner"] == ["12"]
        assert query["utm_campaign"] == ["spring"]  # the editor's own campaign wins
        assert query["utm_source"] == ["uk.example"]
        assert query["utm_content"] == ["abc123"]

    def test_query_of_the_clinic_link_is_kept(self, us_clinic):
        index, _site, _clinic = us_clinic
        base, query = split_href(button_href(render_cta(index, host="us.example")))
        assert base == "https://book.example/us"
        assert query["clinic"] == ["7"]
        assert query["utm_source"] == ["us.example"]
        assert query["utm_campaign"] == [index.slug]

    def test_phone_is_shown_when_asked(self, condition_page):
        soup = render_cta(condition_page, show_phone=True)
        phone = soup.select_one("a.sc-cta__phone")
        assert phone["href"] == "tel:01174960123"
        assert phone.get_text() == "0117 496 0123"

    def test_phone_is_hidden_when_not_asked(self, condition_page):
        soup = render_cta(condition_page, show_phone=False)
        assert not soup.select('a[href^="tel:"]')
        assert button_href(soup).startswith("https://book.example/uk?")

    @pytest.mark.parametrize("show_phone", [True, False])
    def test_no_booking_link_anywhere_offers_a_call(self, condition_page, uk_clinic, show_phone):
        _index, _site, clinic = uk_clinic
        clinic.booking_url = ""
        clinic.save()
        soup = render_cta(condition_page, show_phone=show_phone)
        links = soup.find_all("a")
        assert len(links) == 1
        assert links[0]["href"] == "tel:01174960123"
        assert links[0].get_text(" ", strip=True) == "Call 0117 496 0123 to book"

    def test_nowhere_to_go_renders_nothing(self, condition_page, uk_clinic):
        _index, _site, clinic = uk_clinic
        clinic.booking_url = ""
        clinic.phone = ""
        clinic.save()
        block = BookingCTABlock()
        html = block.render(
            block.to_python(cta_data()), {"request": request_for(), "page": condition_page}
        )
        assert html.strip() == ""

    def test_new_tab_is_announced(self, condition_page):
        soup = render_cta(condition_page, open_in_new_tab=True, show_phone=False)
        button = soup.select_one("a.sc-button")
        assert button["target"] == "_blank"
        assert "noopener" in button["rel"]
        hidden = button.select_one(".sc-visually-hidden")
        assert hidden.get_text(strip=True) == "(opens in a new tab)"

    def test_same_tab_by_default(self, condition_page):
        button = render_cta(condition_page).select_one("a.sc-button")
        assert not button.has_attr("target")
        assert not button.select(".sc-visually-hidden")
        assert button.get_text(strip=True) == "Book an assessment"

    def test_it_is_a_link_not_a_button(self, condition_page):
        soup = render_cta(condition_page)
        assert soup.find("button") is None
        assert soup.select_one(".sc-button").name == "a"

    @pytest.mark.parametrize(
        "label", ["Click here", "here", "Read more", "Learn more about booking", "submit"]
    )
    def test_vague_labels_are_refused(self, label):
        block = BookingCTABlock()
        error = clean_error(block, cta_data(label=label))
        assert set(error.block_errors) == {"label"}
        assert messages(error.block_errors["label"])[0].startswith("Say what the button does")

    @pytest.mark.parametrize("label", ["Book an assessment", "Book here", "Call to book"])
    def test_clear_labels_pass(self, label):
        block = BookingCTABlock()
        assert block.clean(block.to_python(cta_data(label=label)))["label"] == label


class TestBookingLinks:
    """``booking_links`` on its own: no database, just a clinic and a context."""

    clinic = ClinicSettings(booking_url="https://book.example/x", phone="0117 496 0123")

    def test_without_request_or_page_only_known_parameters_are_added(self):
        value = BookingCTABlock().to_python(cta_data(label="Book now"))
        links = booking_links(value, self.clinic, {})
        base, query = split_href(links["booking_href"])
        assert base == "https://book.example/x"
        assert query == {"utm_medium": ["website"], "utm_content": ["book-now"]}
        assert links["phone_href"] == "tel:01174960123"

    def test_ipv6_host_is_a_usable_source(self):
        value = BookingCTABlock().to_python(cta_data())
        request = RequestFactory().get("/", HTTP_HOST="[::1]:8000")
        links = booking_links(value, self.clinic, {"request": request})
        _base, query = split_href(links["booking_href"])
        assert query["utm_source"] == ["[::1]"]


def body_with_nested_cta(**cta_overrides):
    return ConditionBodyBlock().to_python(
        [
            stream_item(
                "section",
                section_data(
                    "Booking",
                    "treatment",
                    [
                        stream_item("paragraph", "<p>We can help.</p>"),
                        stream_item("booking_cta", cta_data(**cta_overrides)),
                    ],
                ),
            ),
            stream_item("booking_cta", cta_data(link="https://own.example/book")),
        ]
    )


class TestMissingDestination:
    def check(self, clinic):
        return lambda block, value: missing_destination_errors(block, value, clinic)

    def test_error_points_at_the_nested_cta_link(self):
        error = stream_errors(body_with_nested_cta(), self.check(ClinicSettings()))
        assert isinstance(error, StreamBlockValidationError)
        # only the section is at fault: the top-level CTA has its own link
        assert set(error.block_errors) == {0}
        section_error = error.block_errors[0]
        assert isinstance(section_error, StructBlockValidationError)
        assert set(section_error.block_errors) == {"content"}
        content_error = section_error.block_errors["content"]
        assert isinstance(content_error, StreamBlockValidationError)
        assert set(content_error.block_errors) == {1}
        cta_error = content_error.block_errors[1]
        assert set(cta_error.block_errors) == {"link"}
        assert "nowhere to send patients" in messages(cta_error.block_errors["link"])[0]
        # the admin sees the same path in the JSON it receives
        json = error.as_json_data()
        link_json = json["blockErrors"][0]["blockErrors"]["content"]["blockErrors"][1]
        assert list(link_json["blockErrors"]) == ["link"]

    @pytest.mark.parametrize(
        "clinic",
        [ClinicSettings(phone="0117 496 0123"), ClinicSettings(booking_url="https://b.example/")],
        ids=["phone", "booking_url"],
    )
    def test_clinic_phone_or_link_is_enough(self, clinic):
        assert stream_errors(body_with_nested_cta(), self.check(clinic)) is None

    def test_cta_with_its_own_link_is_fine(self):
        body = body_with_nested_cta(link="https://own.example/other")
        assert stream_errors(body, self.check(ClinicSettings())) is None


# --- CareCardBlock -------------------------------------------------------------------------


def care_card_data(level, heading="", more_page=None):
    return {
        "level": level,
        "heading": heading,
        "body": "<ul><li>Numbness around your bottom</li></ul>",
        "more_page": more_page,
    }


def render_card(raw, host="uk.example", **context):
    block = CareCardBlock()
    return soup_of(block.render(block.to_python(raw), {"request": request_for(host), **context}))


def card_heading(soup):
    """(visually hidden prefix, visible heading) of the rendered card."""
    heading = soup.select_one(".sc-care-card__heading")
    hidden = heading.select_one(".sc-visually-hidden").extract()
    return hidden.get_text(strip=True), heading.get_text(" ", strip=True)


@pytest.mark.django_db
class TestCareCardBlock:
    @pytest.mark.parametrize(
        ("level", "prefix", "heading"),
        [
            ("emergency", "Immediate action required:", "Call 999 or go to A&E now if:"),
            (
                "urgent",
                "Urgent advice:",
                "Ask for an urgent GP appointment or get help from NHS 111 if:",
            ),
            ("non_urgent", "Non-urgent advice:", "See a GP or a physiotherapist if:"),
        ],
    )
    def test_uk_default_headings(self, uk_clinic, level, prefix, heading):
        assert card_heading(render_card(care_card_data(level))) == (prefix, heading)

    @pytest.mark.parametrize(
        ("level", "heading"),
        [
            ("emergency", "Call 911 or go to the emergency room now if:"),
            ("urgent", "Call your doctor today or go to an urgent care center if:"),
            ("non_urgent", "See a doctor or a physical therapist if:"),
        ],
    )
    def test_us_default_headings(self, us_clinic, level, heading):
        soup = render_card(care_card_data(level), host="us.example")
        assert card_heading(soup)[1] == heading

    @pytest.mark.parametrize(
        ("host", "level", "actions"),
        [
            ("uk.example", "emergency", [("Call 999", "tel:999")]),
            (
                "uk.example",
                "urgent",
                [("Call 111", "tel:111"), ("Get help online from NHS 111", "https://111.nhs.uk/")],
            ),
            ("uk.example", "non_urgent", []),
            ("us.example", "emergency", [("Call 911", "tel:911")]),
            ("us.example", "urgent", []),
        ],
    )
    def test_numbers_are_links_a_patient_can_tap(self, uk_clinic, us_clinic, host, level, actions):
        soup = render_card(care_card_data(level), host=host)
        links = soup.select(".sc-care-card__action")
        assert [(a.get_text(strip=True), a["href"]) for a in links] == actions

    def test_a_clinics_own_urgent_number_replaces_the_national_service(self, uk_clinic):
        _index, _site, clinic = uk_clinic
        clinic.urgent_care_number = "0117 496 0999"
        clinic.save()
        links = render_card(care_card_data("urgent")).select(".sc-care-card__action")
        assert [(a.get_text(strip=True), a["href"]) for a in links] == [
            ("Call 0117 496 0999", "tel:01174960999")
        ]

    def test_uk_urgent_names_nhs_111_and_gp(self, uk_clinic):
        heading = card_heading(render_card(care_card_data("urgent")))[1]
        assert "NHS 111" in heading
        assert "GP" in heading

    def test_us_urgent_names_urgent_care(self, us_clinic):
        heading = card_heading(render_card(care_card_data("urgent"), host="us.example"))[1]
        assert "urgent care center" in heading
        assert "111" not in heading

    def test_clinic_emergency_number_is_used(self, uk_clinic):
        _index, _site, clinic = uk_clinic
        clinic.emergency_number = "112"
        clinic.save()
        heading = card_heading(render_card(care_card_data("emergency")))[1]
        assert heading == "Call 112 or go to A&E now if:"

    def test_editor_heading_wins(self, uk_clinic):
        soup = render_card(care_card_data("emergency", heading="Call 999 straight away if:"))
        assert card_heading(soup) == ("Immediate action required:", "Call 999 straight away if:")

    def test_heading_level_follows_context(self, uk_clinic):
        soup = render_card(care_card_data("urgent"), heading_level=3)
        assert soup.select_one(".sc-care-card__heading").name == "h3"
        assert render_card(care_card_data("urgent")).select_one(".sc-care-card__heading").name == (
            "h2"
        )

    def test_body_is_rendered(self, uk_clinic):
        soup = render_card(care_card_data("emergency"))
        items = soup.select(".sc-care-card__body li")
        assert [li.get_text() for li in items] == ["Numbness around your bottom"]
        assert "sc-care-card--emergency" in soup.select_one(".sc-care-card")["class"]

    def test_emergency_card_may_not_link_elsewhere(self, condition_page):
        error = clean_error(
            CareCardBlock(), care_card_data("emergency", more_page=condition_page.pk)
        )
        assert set(error.block_errors) == {"more_page"}
        assert messages(error.block_errors["more_page"])[0].startswith("Remove this link")

    @pytest.mark.parametrize("level", ["urgent", "non_urgent"])
    def test_lower_levels_may_link_elsewhere(self, condition_page, level):
        block = CareCardBlock()
        value = block.clean(block.to_python(care_card_data(level, more_page=condition_page.pk)))
        assert value["more_page"].pk == condition_page.pk

    def test_non_urgent_card_links_to_its_page(self, condition_page):
        soup = render_card(care_card_data("non_urgent", more_page=condition_page.pk))
        link = soup.select_one(".sc-care-card__more a")
        assert link["href"] == "/facet-joint-back-pain/"
        assert link.get_text() == "More about Facet joint back pain"

    def test_stored_emergency_link_is_not_shown(self, condition_page):
        # Data saved before the rule (or by code) must still not send patients away.
        soup = render_card(care_card_data("emergency", more_page=condition_page.pk))
        assert not soup.select(".sc-care-card__more")
        assert not soup.select('a[href="/facet-joint-back-pain/"]')

    def test_without_request_uses_uk_defaults(self):
        block = CareCardBlock()
        soup = soup_of(block.render(block.to_python(care_card_data("emergency"))))
        assert card_heading(soup)[1] == "Call 999 or go to A&E now if:"


# --- DoDontBlock ---------------------------------------------------------------------------


class TestDoDontBlock:
    block = DoDontBlock()

    def test_items_not_starting_with_do_not_are_refused_at_their_index(self):
        raw = {
            "do": ["keep moving gently"],
            "dont": [
                "do not lift heavy things",
                "don't lift",
                "Do not sit for hours",
                "avoid lifting",
            ],
        }
        error = clean_error(self.block, raw)
        assert set(error.block_errors) == {"dont"}
        dont_error = error.block_errors["dont"]
        assert isinstance(dont_error, ListBlockValidationError)
        assert set(dont_error.block_errors) == {1, 3}
        for index in (1, 3):
            assert messages(dont_error.block_errors[index])[0].startswith(
                "Start this item with 'do not'"
            )

    @pytest.mark.parametrize("item", ["do not lift", "Do not sit for hours", "  DO NOT run"])
    def test_do_not_items_pass(self, item):
        value = self.block.clean(self.block.to_python({"do": ["rest a little"], "dont": [item]}))
        assert list(value["dont"]) == [item.strip()]

    @pytest.mark.parametrize("item", ["do nothing for days", "donot lift"])
    def test_do_not_must_be_the_words(self, item):
        error = clean_error(self.block, {"do": ["rest"], "dont": [item]})
        assert set(error.block_errors["dont"].block_errors) == {0}

    def test_renders_two_lists_with_headings(self):
        raw = {"do": ["keep moving", "use heat"], "dont": ["do not stay in bed"]}
        soup = soup_of(self.block.render(self.block.to_python(raw)))
        do_list = soup.select_one(".sc-do-dont__list--do")
        dont_list = soup.select_one(".sc-do-dont__list--dont")
        assert do_list.find("h2").get_text() == "Do"
        assert dont_list.find("h2").get_text() == "Don’t"
        assert [li.get_text() for li in do_list.select("ul > li")] == ["keep moving", "use heat"]
        assert [li.get_text() for li in dont_list.select("ul > li")] == ["do not stay in bed"]


# --- RecoveryTimelineBlock -----------------------------------------------------------------


def phase(label, start, end, description="What happens."):
    return {"label": label, "start_week": start, "end_week": end, "description": description}


class TestRecoveryTimeline:
    def test_phase_may_not_end_before_it_starts(self):
        error = clean_error(RecoveryPhaseBlock(), phase("Settling", 4, 2))
        assert set(error.block_errors) == {"end_week"}
        assert messages(error.block_errors["end_week"]) == [
            "The phase cannot end (week 2) before it starts (week 4)."
        ]

    def test_error_is_placed_on_the_phase_in_the_timeline(self):
        raw = {"phases": [phase("One", 0, 2), phase("Two", 6, 3)], "note": ""}
        error = clean_error(RecoveryTimelineBlock(), raw)
        phases_error = error.block_errors["phases"]
        assert set(phases_error.block_errors) == {1}
        assert set(phases_error.block_errors[1].block_errors) == {"end_week"}

    @pytest.mark.parametrize(("start", "end"), [(3, 3), (12, None), (0, 2)])
    def test_valid_phases_pass(self, start, end):
        block = RecoveryPhaseBlock()
        value = block.clean(block.to_python(phase("P", start, end)))
        assert (value["start_week"], value["end_week"]) == (start, end)

    def test_week_labels(self):
        block = RecoveryTimelineBlock()
        raw = {
            "phases": [
                phase("Settling the pain", 0, 2),
                phase("Getting moving", 3, 3),
                phase("Back to normal", 12, None),
            ],
            "note": "Everyone recovers at their own pace.",
        }
        soup = soup_of(block.render(block.to_python(raw), {"heading_level": 3}))
        phases = soup.select("ol.sc-timeline__phases > li")
        assert [p.select_one(".sc-timeline__weeks").get_text() for p in phases] == [
            "Weeks 0 to 2",
            "Week 3",
            "From week 12",
        ]
        assert [p.find("h3").get_text() for p in phases] == [
            "Settling the pain",
            "Getting moving",
            "Back to normal",
        ]
        assert soup.select_one(".sc-timeline__note").get_text() == (
            "Everyone recovers at their own pace."
        )


# --- FigureBlock / AccessibleImageBlock ----------------------------------------------------


@pytest.mark.django_db
class TestImages:
    @pytest.fixture(autouse=True)
    def _fresh_rendition_cache(self):
        # Renditions are cached by image id, and ids are reused after a test's rollback.
        cache.clear()

    def test_alt_text_is_required_unless_decorative(self):
        image = ImageFactory()
        block = AccessibleImageBlock()
        error = clean_error(block, {"image": image.pk, "decorative": False, "alt_text": ""})
        assert set(error.block_errors) == {"alt_text"}

    def test_figure_places_the_alt_text_error_on_the_image(self):
        image = ImageFactory()
        error = clean_error(FigureBlock(), figure_data(image.pk, alt_text=""))
        assert set(error.block_errors) == {"image"}
        assert set(error.block_errors["image"].block_errors) == {"alt_text"}

    def test_decorative_image_needs_no_alt_text_and_renders_empty_alt(self):
        image = ImageFactory()
        block = FigureBlock()
        raw = {"image": {"image": image.pk, "decorative": True, "alt_text": ""}, "caption": ""}
        value = block.clean(block.to_python(raw))
        img = soup_of(block.render(value)).find("img")
        assert img.has_attr("alt")
        assert img["alt"] == ""

    def test_decorative_image_drops_any_alt_text(self):
        image = ImageFactory()
        block = FigureBlock()
        raw = {"image": {"image": image.pk, "decorative": True, "alt_text": "A pattern"}}
        img = soup_of(block.render(block.to_python(raw))).find("img")
        assert img["alt"] == ""

    def test_figure_renders_a_responsive_lazy_image(self):
        image = ImageFactory(file__width=1600, file__height=900)
        block = FigureBlock()
        raw = figure_data(image.pk, alt_text="A physio guiding a stretch")
        raw["caption"] = "Gentle stretches help."
        soup = soup_of(block.render(block.to_python(raw)))
        img = soup.select_one("figure.sc-figure img")
        assert img["alt"] == "A physio guiding a stretch"
        assert img["loading"] == "lazy"
        assert (img["width"], img["height"]) == ("1200", "675")
        widths = [candidate.split()[1] for candidate in img["srcset"].split(", ")]
        assert widths == ["400w", "800w", "1200w"]
        assert img["src"] == img["srcset"].split(", ")[-1].split()[0]
        assert soup.select_one("figcaption").get_text() == "Gentle stretches help."

    def test_small_image_is_not_upscaled(self):
        image = ImageFactory(file__width=300, file__height=200)
        block = FigureBlock()
        img = soup_of(block.render(block.to_python(figure_data(image.pk)))).find("img")
        assert (img["width"], img["height"]) == ("300", "200")
        assert img["srcset"].endswith(" 300w")
        assert "," not in img["srcset"]

    def test_missing_image_renders_nothing(self):
        image = ImageFactory()
        pk = image.pk
        image.delete()
        block = FigureBlock()
        assert block.render(block.to_python(figure_data(pk))).strip() == ""

    @pytest.mark.parametrize("count", [1, 4])
    @pytest.mark.parametrize("as_ids", [True, False], ids=["ids", "struct"])
    def test_bulk_loading_costs_two_queries(self, django_assert_num_queries, count, as_ids):
        images = [ImageFactory() for _ in range(count)]
        if as_ids:
            raw = [image.pk for image in images]
        else:
            raw = [figure_data(image.pk)["image"] for image in images]
        block = AccessibleImageBlock()
        with django_assert_num_queries(2):  # images, then their renditions
            values = block.bulk_to_python(raw)
        assert [value.pk for value in values] == [image.pk for image in images]

    def test_rendering_bulk_loaded_figures_costs_nothing_more(self, django_assert_num_queries):
        images = [ImageFactory() for _ in range(3)]
        block = FigureBlock()
        raws = [figure_data(image.pk, alt_text=f"Picture {i}") for i, image in enumerate(images)]
        for value in block.bulk_to_python(raws):
            block.render(value)  # makes the renditions
        values = block.bulk_to_python(raws)
        with django_assert_num_queries(0):
            alts = [soup_of(block.render(value)).find("img")["alt"] for value in values]
        assert alts == ["Picture 0", "Picture 1", "Picture 2"]

    def test_bulk_loading_keeps_missing_images_as_none(self):
        image = ImageFactory()
        missing = get_image_model().objects.order_by("-pk").first().pk + 100
        values = AccessibleImageBlock().bulk_to_python([image.pk, missing])
        assert values[0].pk == image.pk
        assert values[1] is None

    def test_deconstructs_as_itself(self):
        path, args, kwargs = AccessibleImageBlock().deconstruct()
        assert path == "wagtail_spinecare.blocks.images.AccessibleImageBlock"
        rebuilt = import_string(path)(*args, **kwargs)
        assert isinstance(rebuilt, AccessibleImageBlock)
        assert rebuilt.child_blocks["alt_text"].field.max_length == 250

    def test_deconstruct_keeps_constructor_arguments(self):
        _path, _args, kwargs = AccessibleImageBlock(required=False).deconstruct()
        assert kwargs == {"required": False}

    def test_alt_text_length_is_enforced(self):
        image = ImageFactory()
        block = AccessibleImageBlock()
        clean_error(block, {"image": image.pk, "decorative": False, "alt_text": "x" * 300})


# --- SectionBlock and stream helpers -------------------------------------------------------


class TestSectionBlock:
    block = SectionBlock()

    def test_empty_section_renders_nothing(self):
        value = self.block.to_python(section_data("Left empty", "causes", []))
        assert self.block.render(value).strip() == ""

    def test_section_with_content(self):
        raw = section_data(
            "Looking after yourself",
            "self_care",
            [
                stream_item("paragraph", "<p>Keep active.</p>"),
                stream_item("do_dont", {"do": ["keep moving"], "dont": ["do not stay in bed"]}),
                stream_item("faq", faq_data(1, "Questions about self-care")),
            ],
        )
        html = self.block.render(self.block.to_python(raw), {"block_id": "s1"})
        section = soup_of(html).find("section")
        assert section["id"] == "section-s1"
        assert "sc-section--self_care" in section["class"]
        assert [h.get_text() for h in section.find_all("h2")] == ["Looking after yourself"]
        assert [h.get_text() for h in section.find_all("h3")] == [
            "Do",
            "Don’t",
            "Questions about self-care",
        ]
        assert section.find("p").get_text() == "Keep active."
        # nothing below the section heading competes with it
        assert len(section.find_all("h2")) == 1


def test_choice_values_are_the_stored_ones():
    """Pages store these values in their StreamField JSON: they never change."""
    assert Aspect.values == [
        "overview",
        "causes",
        "symptoms",
        "when_to_get_help",
        "diagnosis",
        "treatment",
        "what_to_expect",
        "exercises",
        "recovery_timeline",
        "self_care",
        "living_with",
        "prevention",
        "success_stories",
    ]
    assert str(Aspect.TESTIMONIALS.label) == "Testimonials"
    assert CareLevel.values == ["non_urgent", "urgent", "emergency"]
    assert SectionBlock().child_blocks["aspect"].field.choices == Aspect.choices


def test_iter_blocks_yields_nested_paths():
    body = ConditionBodyBlock().to_python(
        [
            stream_item(
                "section",
                section_data(
                    "Overview",
                    "overview",
                    [
                        stream_item("paragraph", "<p>Text.</p>"),
                        stream_item("booking_cta", cta_data()),
                    ],
                ),
            ),
            stream_item("faq", faq_data(1)),
            stream_item("section", section_data("Empty", "causes", [])),
        ]
    )
    found = [(path, block.name) for path, block, _value in iter_blocks(body)]
    assert found == [
        ((0,), "section"),
        ((0, "content", 0), "paragraph"),
        ((0, "content", 1), "booking_cta"),
        ((1,), "faq"),
        ((2,), "section"),
    ]
    values = {path: value for path, _block, value in iter_blocks(body)}
    assert values[(0, "content", 1)]["label"] == "Book an assessment"


@pytest.mark.parametrize("stored", ["overview", "when_to_get_help", "no_longer_a_choice", None])
def test_a_text_choice_is_read_as_wagtails_choice_block_reads_it(stored):
    from wagtail import blocks as wagtail_blocks

    from wagtail_spinecare.blocks.choices import TextChoiceBlock
    from wagtail_spinecare.blocks.sections import Aspect

    ours = TextChoiceBlock(choices=Aspect.choices)
    wagtails = wagtail_blocks.ChoiceBlock(choices=Aspect.choices)
    assert ours.to_python(stored) == wagtails.to_python(stored)
    assert ours.deconstruct()[0] == "wagtail.blocks.ChoiceBlock"
