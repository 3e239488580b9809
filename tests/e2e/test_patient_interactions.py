"""What a patient does on a condition page: open answers by keyboard, read it in any colour."""

import pytest
from playwright.sync_api import expect

from wagtail_spinecare.colour import contrast_ratio

from .conftest import describe, run_axe

pytestmark = pytest.mark.e2e


def condition_pages(live_site):
    return live_site.pages_of("ClinicConditionPage")


def tab_to(page, selector: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took focus")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_faq_opens_and_closes_from_the_keyboard(live_site, new_page, javascript):
    for demo in condition_pages(live_site):
        page = new_page("phone", java_script_enabled=javascript)
        page.goto(demo["url"])
        tab_to(page, ".sc-faq__question")
        question = page.locator(".sc-faq__question:focus")
        item = question.locator("xpath=..")
        answer = item.locator(".sc-faq__answer")
        expect(answer).to_be_hidden()
        page.keyboard.press("Enter")
        expect(item).to_have_js_property("open", True)
        expect(answer).to_be_visible()
        page.keyboard.press("Space")
        expect(item).to_have_js_property("open", False)
        expect(answer).to_be_hidden()


def boundary_colours() -> list[str]:
    """For twelve hues, the lightest fully saturated colour the settings still accept."""
    import colorsys

    colours = []
    for hue in range(0, 360, 30):
        for lightness in range(60, 0, -1):
            r, g, b = colorsys.hls_to_rgb(hue / 360, lightness / 100, 1.0)
            colour = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
            if contrast_ratio(colour, "#ffffff") >= 4.5:
                colours.append(colour)
                break
    return colours


def test_contrast_holds_for_every_brand_colour_the_settings_allow(live_site, new_page):
    from wagtail_spinecare import brand
    from wagtail_spinecare.models.clinic import validate_brand_colour

    colours = boundary_colours()
    assert len(colours) == 12
    for colour in colours:
        validate_brand_colour(colour)  # the settings accept it
    page = new_page("desktop")
    failures = {}
    for demo in live_site.pages:
        page.goto(demo["url"])
        branded = page.locator(brand.SELECTOR)
        expect(branded.first).to_be_attached()
        for colour in colours:
            # Exactly where the clinic's stylesheet puts the brand colour.
            branded.evaluate_all(
                "(els, colour) => els.forEach(el => el.style.setProperty('--sc-brand', colour))",
                colour,
            )
            violations = run_axe(page, runOnly={"type": "rule", "values": ["color-contrast"]})
            if violations:
                failures[f"{demo['url']} {colour}"] = describe(violations)
    assert failures == {}
