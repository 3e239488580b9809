"""An editor builds a condition page in the Wagtail admin, in a real browser, and publishes it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from wagtail_spinecare.skeleton import SECTIONS

from .conftest import describe, log_in, run_axe, screenshot

pytestmark = pytest.mark.e2e

TITLE = "Whiplash"


def picker_option(page, label: str):
    """A block in the open block picker (not an <option> of some select on the page)."""
    return page.get_by_role("option", name=label, exact=True).and_(
        page.locator(".w-combobox__option")
    )


def add_block(container, label: str) -> None:
    """Open the container's last block picker and choose ``label``."""
    container.locator("button.c-sf-add-button").last.click()
    picker_option(container.page, label).click()


def rich_text_input(editable):
    """The hidden input a rich text editor writes its content to, for the form to send."""
    return editable.locator(
        "xpath=ancestor::*[@data-draftail-editor-wrapper][1]/preceding-sibling::input[@type='hidden'][1]"
    )


def type_rich_text(field, text: str) -> None:
    """Type into the field's first rich text editor, and wait until the editor has written
    the words to its form input (it does so a moment after the last keystroke)."""
    editable = field.locator("[contenteditable=true]").first
    editable.click()
    field.page.keyboard.type(text)
    expect(rich_text_input(editable)).to_have_value(re.compile(re.escape(text)))


def close_date_pickers(page) -> None:
    """Wagtail's date picker stays open over the footer until focus leaves the field."""
    page.keyboard.press("Escape")
    page.locator("#id_title").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.xdsoft_datetimepicker')]"
        ".every(picker => picker.offsetParent === null)"
    )


# Wagtail's autosave reads its `active` value before each save; Wagtail sets it to false
# itself when a save finds a newer revision.
STOP_AUTOSAVE = """() => document.querySelectorAll("form[data-controller~='w-autosave']")
    .forEach((form) => { form.dataset.wAutosaveActiveValue = "false"; })"""
AUTOSAVE_IDLE = """() => [...document.querySelectorAll("[data-w-autosave-state-value]")]
    .every((indicator) => indicator.dataset.wAutosaveStateValue !== "saving")"""


def publish(page) -> None:
    """Publish, and wait for the page the admin answers with: the page or its errors.

    Wagtail autosaves about a second after the last change. A publish sent while an autosave
    is on its way comes back with the revision the autosave replaced, and Wagtail then takes
    the editor's next change for someone else's (autosave paused, "Saving will overwrite a
    newer version"). So no autosave may start once the editor is done (autosave is switched
    off on the form), and one already started is let finish, as an editor watching it would.
    """
    page.evaluate(STOP_AUTOSAVE)
    page.wait_for_function(AUTOSAVE_IDLE, timeout=30_000)
    page.get_by_role("button", name="More actions").click()
    # Publishing runs every content check; give a loaded CI machine time.
    with page.expect_navigation(timeout=90_000):
        page.locator("button[name=action-publish]").click()


def expect_published(page) -> None:
    """The admin answered the publish with the page's own screen; if it answered with the
    form and its errors instead, say what they were."""
    try:
        expect(page).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    except AssertionError:
        shown = page.locator(".messages, .error-message, .w-field__errors").all_inner_texts()
        raise AssertionError(f"not published: {page.url} {shown}") from None


def test_editor_builds_and_publishes_a_condition_page(live_site, new_page):
    page = new_page("desktop")
    log_in(page, live_site)
    index = next(p for p in live_site.pages_of("ConditionIndexPage") if "harbourside" in p["url"])
    page.goto(f"{live_site.admin}pages/add/wagtail_spinecare/conditionpage/{index['id']}/")

    page.fill("#id_title", TITLE)
    page.fill(
        "#id_quick_answer",
        "Most whiplash settles within a few weeks. Keep gently moving your neck and see us "
        "if it is not easing.",
    )
    body = page.locator("#panel-child-content-body-content")

    # The page opens with the recommended sections; the first is the overview.
    expect(page.locator("#body-0-value-aspect")).to_have_value("overview")
    page.fill("#body-0-value-heading", "What whiplash is")
    content = body.locator("[data-contentpath='content']").first
    add_block(content, "Text")
    type_rich_text(
        content, "Whiplash is a strain of the neck after it is jolted, often in a car crash."
    )
    add_block(content, "Image")
    page.get_by_role("button", name="Choose an image").click()
    page.locator(".modal a", has_text="Lower spine with facet joints").click()
    page.fill("#body-0-value-content-1-value-image-alt_text", "A drawing of the spine")

    # The outline's questions and booking button follow its sections.
    faq, cta = len(SECTIONS), len(SECTIONS) + 1
    items = body.locator("[data-contentpath='items']").first
    items.locator("button.c-sf-add-button").first.click()
    # The answer is written, but its question is left out, as on the seed pages.
    type_rich_text(items, "Usually within six weeks.")
    page.fill(f"#body-{faq}-value-heading", "Common questions")
    page.fill(f"#body-{cta}-value-heading", "Book a neck assessment")
    page.fill(f"#body-{cta}-value-label", "Book a neck assessment")
    page.check(f"#body-{cta}-value-open_in_new_tab")

    page.select_option("#id_reviewed_by", index=1)
    today = datetime.date.today()
    page.fill("#id_last_reviewed", today.isoformat())
    page.fill("#id_next_review_due", (today + datetime.timedelta(days=300)).isoformat())
    close_date_pickers(page)

    publish(page)
    # The stream field's scripts draw its errors once the page has loaded.
    question = body.locator("[data-contentpath='question']").first
    expect(question.locator(".error-message, .w-field__errors").first).to_contain_text(
        "Every answer needs its question"
    )
    question.scroll_into_view_if_needed()
    screenshot(page, "editor-faq-question-missing", full_page=False)

    question.locator("input").fill("How long does whiplash take to get better?")
    publish(page)
    expect_published(page)
    expect(page.locator(".messages")).to_contain_text(re.compile(rf"'{TITLE}'.*published"))

    url = live_site.url("harbourside.localhost", "/whiplash/")
    for viewport in ("phone", "desktop"):
        patient = new_page(viewport)
        assert patient.goto(url).status == 200
        expect(patient.get_by_role("heading", name="What whiplash is")).to_be_visible()
        violations = run_axe(patient)
        assert violations == [], describe(violations)
        # the outline's empty sections are not shown
        expect(patient.locator(".sc-section")).to_have_count(1)
        expect(patient.get_by_text("How long does whiplash take to get better?")).to_be_visible()
        expect(patient.get_by_role("img", name="A drawing of the spine")).to_have_count(1)
        booking = patient.get_by_role("link", name="Book a neck assessment (opens in a new tab)")
        expect(booking).to_have_attribute("target", "_blank")
        screenshot(patient, f"editor-published-page-{viewport}")
