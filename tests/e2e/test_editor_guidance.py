"""Guidance while writing, in the real editor: counters, reading age, the grouped block picker."""

import pytest

from wagtail_spinecare.checks import reading_grade

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
    for text in SAMPLES:
        in_browser = editor.evaluate("text => window.spinecareGuidance.readingGrade(text)", text)
        assert in_browser == pytest.approx(reading_grade(text), abs=1e-9)


def test_counters_follow_what_the_editor_writes(editor):
    status = editor.locator("#id_quick_answer + .sc-guidance")
    editor.fill("#id_quick_answer", "Most people get better.")
    editor.wait_for_function(
        "() => document.querySelector('#id_quick_answer + .sc-guidance')"
        ".textContent.startsWith('23 of 320')"
    )
    editor.fill("#id_quick_answer", "x" * 330)
    editor.wait_for_function(
        "() => document.querySelector('#id_quick_answer + .sc-guidance')"
        ".textContent.endsWith('10 too many')"
    )
    assert "error-message" in status.get_attribute("class")

    content = editor.locator("#panel-child-content-body-content [data-contentpath='content']")
    add_block(content.first, "Text")
    type_rich_text(content.first, SECTION_TEXT)
    words = len(SECTION_TEXT.split())
    age = round(reading_grade(SECTION_TEXT) + 5)
    section_status = editor.locator("#body-0-value-heading + .sc-guidance")
    section_status.filter(has_text=f"{words} words").wait_for()
    assert section_status.text_content() == f"{words} words · reading age about {age}"


def test_block_picker_groups_blocks_for_editors(editor):
    content = editor.locator("#panel-child-content-body-content [data-contentpath='content']")
    content.first.locator("button.c-sf-add-button").last.click()
    picker = editor.locator("[role=listbox]").first
    picker.wait_for()
    text = editor.locator(".w-combobox").first.inner_text()
    for group in ("Layout", "Clinical content", "Patient stories and engagement"):
        assert group in text
