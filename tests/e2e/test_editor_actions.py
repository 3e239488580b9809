"""How many actions an editor needs to build the demo facet-joint page from a new page.

The test drives the real editor and counts as it goes: a *click* is one action (a button,
a block in the picker, a choice in a chooser, a select); a *field change* is one action
(typing a field, or pasting prepared text into a rich text field), and its characters are
counted as keystrokes. A field the outline already holds with the right words costs nothing.

The same content built from plain Wagtail blocks is counted by the same rules from its
structure (`plain_wagtail_actions`): it is not driven in the browser, as there is no plain
page type in the package to drive.
"""

import datetime
import json
import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from wagtail_spinecare.demo import content
from wagtail_spinecare.demo.images import DRAWINGS
from wagtail_spinecare.demo.treatments import TREATMENTS
from wagtail_spinecare.skeleton import SECTIONS
from wagtail_spinecare.terminology import terminology_for

from .conftest import ARTIFACTS, log_in
from .test_editor import close_date_pickers, picker_option, publish, rich_text_input

pytestmark = pytest.mark.e2e

BLOCK_LABELS = {
    "paragraph": "Text",
    "figure": "Image",
    "care_card": "Care card",
    "do_dont": "Do and don't",
    "recovery_timeline": "Recovery timeline",
    "comparison": "Treatment comparison",
    "testimonials": "Testimonials",
}


def demo_body() -> dict:
    """The shared demo page (in UK words), with image and treatment ids replaced by what an
    editor picks."""
    images = {key: title for key, (title, _draw) in DRAWINGS.items()}
    names = [treatment["name"] for treatment in TREATMENTS]
    return content.facet_joint_page(terminology_for("uk"), images, treatments=names)


@dataclass
class Editor:
    page: object
    clicks: int = 0
    fields: int = 0
    keystrokes: int = 0
    log: list = field(default_factory=list)

    def click(self, locator):
        locator.click()
        self.clicks += 1

    def fill(self, selector, text):
        text = str(text)
        if self.page.input_value(selector) == text:
            return
        self.page.fill(selector, text)
        self.fields += 1
        self.keystrokes += len(text)

    def select(self, selector, value):
        if self.page.input_value(selector) != value:
            self.page.select_option(selector, value)
            self.clicks += 1

    def paste(self, field_id, html):
        """Click into a rich text field and paste prepared text, as from a document; wait
        until the editor has written it to its form input."""
        editor = (
            self.page.locator(f"#{field_id}").locator("xpath=..").locator("[contenteditable=true]")
        )
        saved = rich_text_input(editor.first)
        before = saved.input_value()
        self.click(editor.first)
        editor.first.evaluate(
            """(el, html) => {
                const data = new DataTransfer();
                data.setData('text/html', html);
                data.setData('text/plain', html.replace(/<[^>]+>/g, ' '));
                el.dispatchEvent(new ClipboardEvent('paste', {
                    clipboardData: data, bubbles: true, cancelable: true,
                }));
            }""",
            html,
        )
        expect(saved).not_to_have_value(before)
        self.fields += 1
        self.keystrokes += 1  # the paste shortcut

    def add_block(self, stream, label):
        self.click(stream.locator("button.c-sf-add-button").last)
        self.click(picker_option(self.page, label))

    def add_list_item(self, first_item_id, name):
        container = self.page.locator(f"[id^='{first_item_id}']").first.locator(
            f"xpath=ancestor::*[@data-contentpath='{name}'][1]"
        )
        self.click(container.locator("button.c-sf-add-button").last)

    def choose(self, prefix, button, link_text):
        block = self.page.locator(f"#{prefix}").locator("xpath=..")
        opener = block.get_by_role("button", name=button)
        self.click(opener)
        link = self.page.locator(".modal a", has_text=link_text).first
        for _again in range(2):
            # On a busy machine a click on a list item just added can land before its chooser
            # listens, and opens nothing: the editor sees no chooser and clicks again (not an
            # action of the page's making, so not counted). A chooser that opened is waited for.
            try:
                self.page.locator(".modal").first.wait_for(state="attached", timeout=10_000)
                break
            except PlaywrightTimeoutError:
                opener.click()
        self.click(link)
        self.page.locator(".modal").wait_for(state="hidden")


def fill_list(editor, prefix, name, items, fill_item):
    """A list block that starts with one empty item."""
    for index, item in enumerate(items):
        if index:
            editor.add_list_item(f"{prefix}-value-{name}-0-value", name)
        fill_item(f"{prefix}-value-{name}-{index}-value", item)


def build_child(editor, stream, prefix, child):
    kind, value = child["type"], child["value"]
    editor.add_block(stream, BLOCK_LABELS[kind])
    if kind == "paragraph":
        editor.paste(f"{prefix}-value", value)
    elif kind == "figure":
        image = value["image"]
        editor.choose(f"{prefix}-value-image-image", "Choose an image", image["image"])
        editor.fill(f"#{prefix}-value-image-alt_text", image["alt_text"])
        editor.fill(f"#{prefix}-value-caption", value["caption"])
    elif kind == "care_card":
        editor.select(f"#{prefix}-value-level", value["level"])
        editor.fill(f"#{prefix}-value-heading", value["heading"])
        editor.paste(f"{prefix}-value-body", value["body"])
    elif kind == "do_dont":
        for name in ("do", "dont"):
            fill_list(editor, prefix, name, value[name], lambda i, text: editor.fill(f"#{i}", text))
    elif kind == "recovery_timeline":

        def phase(item_prefix, data):
            for name in ("label", "start_week", "end_week", "description"):
                if data.get(name) is not None:
                    editor.fill(f"#{item_prefix}-{name}", data[name])

        fill_list(editor, prefix, "phases", value["phases"], phase)
        editor.fill(f"#{prefix}-value-note", value.get("note") or "")
    elif kind == "comparison":
        editor.fill(f"#{prefix}-value-caption", value["caption"])
        fill_list(
            editor,
            prefix,
            "treatments",
            value["treatments"],
            lambda item, name: editor.choose(item, "Choose a treatment", name),
        )
    elif kind == "testimonials":
        editor.fill(f"#{prefix}-value-heading", value["heading"])
        editor.fill(f"#{prefix}-value-latest_count", value["latest_count"])


def build(editor, body):
    page = editor.page
    sections = [child for child in body if child["type"] == "section"]
    assert [s["value"]["aspect"] for s in sections] == [aspect for aspect, _h, _g in SECTIONS]
    for index, section in enumerate(sections):
        editor.fill(f"#body-{index}-value-heading", section["value"]["heading"])
        stream = (
            page.locator(f"#body-{index}-value-heading")
            .locator("xpath=ancestor::*[@data-contentpath][2]")
            .locator("[data-contentpath='content']")
            .first
        )
        for number, child in enumerate(section["value"]["content"]):
            build_child(editor, stream, f"body-{index}-value-content-{number}", child)
    faq = next(child["value"] for child in body if child["type"] == "faq")
    cta = next(child["value"] for child in body if child["type"] == "booking_cta")
    at = len(SECTIONS)
    editor.fill(f"#body-{at}-value-heading", faq["heading"])
    items = page.locator(f"#body-{at}-value-heading").locator(
        "xpath=ancestor::*[@data-contentpath][2]"
    )
    for number, item in enumerate(faq["items"]):
        editor.click(items.locator("[data-contentpath='items'] button.c-sf-add-button").last)
        editor.fill(f"#body-{at}-value-items-{number}-value-question", item["question"])
        editor.paste(f"body-{at}-value-items-{number}-value-answer", item["answer"])
    for name in ("heading", "text", "label"):
        editor.fill(f"#body-{at + 1}-value-{name}", cta[name])


def plain_wagtail_actions(body) -> dict:
    """The same content from Wagtail's own blocks (heading, rich text, image, struct,
    snippet chooser), counted by the same rules: every block added from the picker (2
    clicks), every field typed, every rich text pasted (a click and a paste), every snippet
    or image chosen (2 clicks). Care cards, do and don't lists and timelines become rich
    text, with the clinic's numbers typed in; booking buttons need their link typed."""
    clicks = fields = 0

    def rich_text():
        nonlocal clicks, fields
        clicks += 3
        fields += 1

    for child in body:
        kind, value = child["type"], child["value"]
        if kind == "section":
            clicks += 2
            fields += 1  # heading block
            for inner in value["content"]:
                inner_kind, inner_value = inner["type"], inner["value"]
                if inner_kind == "figure":
                    clicks += 4  # add, choose an image
                    fields += 1 + bool(inner_value["caption"])  # alt text, caption
                elif inner_kind == "comparison":
                    rich_text()  # caption as text
                    clicks += 4 * len(inner_value["treatments"])  # a snippet block each
                elif inner_kind == "testimonials":
                    clicks += 4 * 2  # two story snippets, chosen by hand
                else:
                    rich_text()
        elif kind == "faq":
            clicks += 2
            fields += 1
            for _item in value["items"]:
                clicks += 2
                fields += 1
                rich_text()
                clicks -= 2  # the answer is part of the item, not a block of its own
        elif kind == "booking_cta":
            clicks += 2
            fields += 4  # heading, text, label, link
    return {"clicks": clicks, "field_changes": fields, "actions": clicks + fields}


def test_editor_builds_the_demo_page_and_the_actions_are_counted(live_site, new_page):
    page = new_page("desktop")
    page.set_default_timeout(20_000)
    log_in(page, live_site)
    index = next(p for p in live_site.pages_of("ConditionIndexPage") if "harbourside" in p["url"])
    page.goto(f"{live_site.admin}pages/add/wagtail_spinecare/conditionpage/{index['id']}/")
    data = demo_body()
    editor = Editor(page)
    editor.fill("#id_title", "Facet joint back pain, built by hand")
    editor.fill("#id_alternative_names", data["alternative_names"])
    editor.fill("#id_quick_answer", data["quick_answer"])
    build(editor, data["body"])
    editor.select(
        "#id_reviewed_by", page.locator("#id_reviewed_by option").nth(1).get_attribute("value")
    )
    today = datetime.date.today()
    editor.fill("#id_last_reviewed", today.isoformat())
    editor.fill("#id_next_review_due", (today + datetime.timedelta(days=300)).isoformat())
    close_date_pickers(page)
    publish(page)
    editor.clicks += 2
    try:
        page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    except Exception:
        errors = page.evaluate(
            """() => [...document.querySelectorAll('.w-field--error, .w-field__errors')]
                .filter(el => el.innerText.trim())
                .map(el => (el.closest('[data-field-wrapper], .w-field__wrapper') || el)
                    .querySelector('input, textarea, select')?.id + ': ' + el.innerText.trim())"""
        )
        raise AssertionError(f"not published: {errors}") from None

    slug = "facet-joint-back-pain-built-by-hand"
    patient = new_page("phone")
    assert patient.goto(live_site.url("harbourside.localhost", f"/{slug}/")).status == 200
    # No patient has a story about this new page yet, so its stories section stays hidden.
    expect(patient.locator(".sc-section__heading")).to_have_text(
        [
            child["value"]["heading"]
            for child in data["body"]
            if child["type"] == "section" and child["value"]["aspect"] != "success_stories"
        ]
    )
    expect(patient.locator(".sc-faq__item")).to_have_count(6)
    expect(patient.locator(".sc-comparison__table tbody tr")).to_have_count(len(TREATMENTS))

    spinecare = {
        "clicks": editor.clicks,
        "field_changes": editor.fields,
        "keystrokes": editor.keystrokes,
        "actions": editor.clicks + editor.fields,
    }
    plain = plain_wagtail_actions(data["body"])
    report = {"spinecare": spinecare, "plain_wagtail_model": plain}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "editor-actions.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\neditor actions: {json.dumps(report)}")
