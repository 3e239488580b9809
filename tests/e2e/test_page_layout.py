"""How a condition page is laid out: what a phone shows in its first two screens, the
sidebar that stays beside the article on a wide screen, and the page printed."""

import json

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, PHONE

SITES = ["harbourside.localhost", "lakeview.localhost"]
# The article's text keeps this measure (44rem); tables and cards may take more.
MEASURE = 44 * 16
# A condition page and its stylesheets, as the browser reads them (uncompressed).
HTML_CSS_BUDGET = 60 * 1024

pytestmark = pytest.mark.e2e


@pytest.fixture(params=SITES)
def condition_url(request, live_site):
    (page,) = [
        p
        for p in live_site.pages
        if p["site"] == request.param and p["type"] == "ClinicConditionPage"
    ]
    return page["url"]


def box(page, selector):
    locator = page.locator(selector).first
    expect(locator).to_be_visible()
    return locator.bounding_box()


def test_phone_reaches_contents_and_urgent_help_within_two_screens(new_page, condition_url):
    page = new_page("phone")
    page.goto(condition_url)
    for selector in (".sc-signpost a", ".sc-contents"):
        assert box(page, selector)["y"] < 2 * PHONE["height"], selector
    # The sidebar's own booking box is for wide screens; a phone has the bar at its foot.
    expect(page.locator(".sc-sidebar-booking")).to_be_hidden()
    expect(page.locator(".sc-action-bar")).to_be_visible()
    # The signpost leads to the urgent-help card.
    page.locator(".sc-signpost a").click()
    expect(page.locator(".sc-care-card--emergency").first).to_be_in_viewport()


def test_desktop_keeps_contents_and_booking_beside_the_article(new_page, condition_url):
    page = new_page("desktop")
    page.goto(condition_url)
    article, aside = box(page, ".sc-condition__body"), box(page, ".sc-condition__aside")
    assert aside["x"] >= article["x"] + article["width"]
    expect(page.locator(".sc-action-bar")).to_be_hidden()
    # Halfway down the page, the sidebar's booking button is still on screen.
    page.locator(".sc-faq").first.scroll_into_view_if_needed()
    expect(page.locator(".sc-sidebar-booking .sc-button")).to_be_in_viewport()
    expect(page.locator(".sc-contents")).to_be_in_viewport()
    # Text keeps a readable measure while the comparison table takes the article's width.
    paragraph = box(page, ".sc-condition__body .sc-section p")
    assert paragraph["width"] <= MEASURE
    table = box(page, ".sc-comparison__table")
    assert table["width"] > MEASURE
    assert table["width"] == pytest.approx(article["width"], abs=1)


def test_printed_page_has_no_bars_and_says_where_sources_are(new_page, condition_url):
    page = new_page("desktop")
    page.goto(condition_url)
    page.emulate_media(media="print")
    for selector in (
        ".sc-action-bar",
        ".sc-site-header__actions",
        ".sc-sidebar-booking",
        ".sc-contents",
        ".sc-cta",
    ):
        expect(page.locator(selector).first).to_be_hidden()
    expect(page.locator(".sc-condition__title")).to_be_visible()
    after = page.evaluate(
        """() => [...document.querySelectorAll('.sc-sources a')]
            .map(a => [a.href, getComputedStyle(a, '::after').content])"""
    )
    assert after and all(href in content for href, content in after)
    # Every FAQ answer is printed, though none was opened.
    expect(page.locator(".sc-faq__answer").first).to_be_visible()
    # Backgrounds do not print: a care card's heading is black on white, not white on nothing.
    colours = page.evaluate(
        """() => [...document.querySelectorAll('.sc-care-card__heading')]
            .map(h => [getComputedStyle(h).color, getComputedStyle(h).backgroundColor])"""
    )
    assert colours and all(
        colour == "rgb(0, 0, 0)" and background == "rgba(0, 0, 0, 0)"
        for colour, background in colours
    )


def test_condition_page_and_its_css_weigh_under_60_kb(new_page, condition_url):
    """The page's HTML and stylesheets as decoded, to artifacts/page-weight/; no script but
    the structured data."""
    page = new_page("phone")
    page.goto(condition_url)
    weight = page.evaluate(
        """() => {
            const css = performance.getEntriesByType('resource')
                .filter(entry => entry.initiatorType === 'link' && entry.name.includes('.css'));
            return {
                html_bytes: performance.getEntriesByType('navigation')[0].decodedBodySize,
                css_bytes: css.reduce((sum, entry) => sum + entry.decodedBodySize, 0),
                stylesheets: css.length,
                scripts: [...document.scripts].filter(s => s.type !== 'application/ld+json')
                    .length,
            };
        }"""
    )
    weight["total_bytes"] = weight["html_bytes"] + weight["css_bytes"]
    name = condition_url.split("//")[1].split(".")[0]
    path = ARTIFACTS / "page-weight" / f"{name}-condition-page.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(weight, indent=2))
    assert weight["stylesheets"] == 2  # the package's, and the clinic's brand colour
    assert weight["scripts"] == 0
    assert 0 < weight["total_bytes"] < HTML_CSS_BUDGET
