"""Guidance while writing, in the real editor: counters, reading age, the grouped block picker."""

import re

import pytest
from playwright.sync_api import expect

from wagtail_spinecare.checks import reading_grade
from wagtail_spinecare.demo.treatments import TREATMENTS

from .conftest import log_in
from .test_editor import add_block, type_rich_text

pytestmark = pytest.mark.e2e

SAMPLES = [
    "Keep moving. Walk a little each day. Rest only when you must.",
    "Facet joint arthropathy frequently necessitates multidisciplinary rehabilitation "
    "incorporating graduated physiotherapeutic interventions.\nPatients experience "
    "considerable improvement.",
    "",
]
GROUPS = ("Layout", "Clinical content", "Testimonials and engagement")
SECTION_TEXT = (
    "Facet joints are small joints at the back of your spine. They help you bend and twist. "
    "When they are sore, your lower back can feel stiff, especially in the morning. "
    "The pain often eases once you start moving. Most people feel better within a few weeks "
    "with gentle exercise and advice."
)


@pytest.fixture
def editor(live_site, new_page):
    page = new_page("desktop")
    log_in(page, live_site)
    index = next(p for p in live_site.pages_of("ConditionIndexPage") if "harbourside" in p["url"])
    page.goto(f"{live_site.admin}pages/add/wagtail_spinecare/conditionpage/{index['id']}/")
    return page


def test_reading_age_in_the_editor_agrees_with_the_content_checks(editor):
    editor.wait_for_function("() => window.spinecareGuidance !== undefined")
    for text in SAMPLES:
        in_browser = editor.evaluate("text => window.spinecareGuidance.readingGrade(text)", text)
        assert in_browser == pytest.approx(reading_grade(text), abs=1e-9)


def test_counters_follow_what_the_editor_writes(editor):
    # The guidance script adds the counter under the field a moment after the page loads,
    # and redraws it a moment after each change.
    status = editor.locator("#id_quick_answer + .sc-guidance")
    too_many = re.compile(r"(^|\s)error-message(\s|$)")
    editor.fill("#id_quick_answer", "Most people get better.")
    expect(status).to_have_text("23 of 320 characters")
    expect(status).not_to_have_class(too_many)
    editor.fill("#id_quick_answer", "x" * 330)
    expect(status).to_have_text("330 of 320 characters: 10 too many")
    expect(status).to_have_class(too_many)

    content = editor.locator("#panel-child-content-body-content [data-contentpath='content']")
    add_block(content.first, "Text")
    type_rich_text(content.first, SECTION_TEXT)
    words = len(SECTION_TEXT.split())
    age = round(reading_grade(SECTION_TEXT) + 5)
    section_status = editor.locator("#body-0-value-heading + .sc-guidance")
    expect(section_status).to_have_text(f"{words} words · reading age about {age}")


def test_block_picker_groups_blocks_for_editors(editor):
    content = editor.locator("#panel-child-content-body-content [data-contentpath='content']")
    content.first.locator("button.c-sf-add-button").last.click()
    picker = editor.locator("[role=listbox]").first
    expect(picker).to_be_visible()
    labels = picker.locator(".w-combobox__optgroup-label")
    for group in GROUPS:
        expect(labels.filter(has_text=re.compile(rf"^{re.escape(group)}$"))).to_have_count(1)


def test_treatment_rows_are_labelled_with_their_treatment(live_site, new_page):
    """Each row of a comparison shows the chosen treatment's name in its header, so a
    collapsed row still says which treatment it is."""
    page = new_page("desktop")
    log_in(page, live_site)
    comparison = next(
        p for p in live_site.pages_of("TreatmentComparisonPage") if "harbourside" in p["url"]
    )
    page.goto(f"{live_site.admin}pages/{comparison['id']}/edit/")
    rows = page.locator(
        "[data-streamfield-list-container] > [data-streamfield-child]"
        ":has([data-chooser-url*='treatment_chooser'])"
    )
    titles = rows.locator(":scope > section > .w-panel__header [data-panel-heading-text]")
    names = [treatment["name"] for treatment in TREATMENTS]
    expect(titles).to_have_text(names)
    # Collapsed, a row is its header alone, and the header still names the treatment.
    toggle = rows.first.locator(":scope > section > .w-panel__header [data-panel-toggle]")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(rows.first.locator("[data-chooser-url]")).to_be_hidden()
    expect(titles.first).to_be_visible()
    expect(titles.first).to_have_text(names[0])
