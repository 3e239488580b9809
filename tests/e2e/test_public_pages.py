"""Every public demo page, on a phone and on a desktop, as a patient's browser shows it."""

import json

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, describe, run_axe, screenshot

SITES = ["harbourside.localhost", "lakeview.localhost"]
PAGE_TYPES = ["ConditionIndexPage", "ClinicConditionPage", "TreatmentComparisonPage"]
# WCAG 2.2 target size (2.5.8, AA): at least 24 by 24 CSS pixels.
MIN_TARGET = 24

pytestmark = pytest.mark.e2e


def demo_page(live_site, hostname, page_type) -> dict:
    (page,) = [p for p in live_site.pages if p["site"] == hostname and p["type"] == page_type]
    return page


@pytest.fixture(params=SITES)
def hostname(request):
    return request.param


@pytest.fixture(params=PAGE_TYPES)
def page_type(request):
    return request.param


@pytest.fixture(params=["phone", "desktop"])
def viewport(request):
    return request.param


@pytest.fixture
def opened(live_site, new_page, hostname, page_type, viewport):
    page = new_page(viewport)
    response = page.goto(demo_page(live_site, hostname, page_type)["url"])
    assert response.status == 200
    # The pages need no script: once loaded, with the clinic's stylesheet, they are drawn.
    expect(page.locator(".sc-site-header")).to_be_visible()
    return page


def test_no_axe_violations(opened, hostname, page_type, viewport):
    screenshot(opened, f"{hostname.split('.')[0]}-{page_type}-{viewport}")
    violations = run_axe(opened)
    assert violations == [], describe(violations)


def test_booking_and_calling_are_on_the_first_screen(opened, hostname, page_type, viewport):
    """The first screen holds a booking link and a tap-to-call link. Where the first booking
    link is, and how tall the page is, go to artifacts/first-booking-link/."""
    found = opened.evaluate(
        """() => {
            const shown = el =>
                getComputedStyle(el).display !== 'none' && el.getClientRects().length;
            const first = sel => [...document.querySelectorAll(sel)].filter(shown)
                .map(el => el.getBoundingClientRect())
                .filter(box => box.bottom > 0 && box.width > 0)
                .sort((a, b) => a.top - b.top)[0] || null;
            const top = box => box && Math.round(box.top + window.scrollY);
            const book = first('a[href*="utm_source="]'), call = first('a[href^="tel:"]');
            return {
                booking_y: top(book), booking_bottom: book && Math.round(book.bottom),
                call_bottom: call && Math.round(call.bottom),
                page_height: document.documentElement.scrollHeight,
                screen_height: window.innerHeight,
            };
        }"""
    )
    name = f"{hostname.split('.')[0]}-{page_type}-{viewport}"
    path = ARTIFACTS / "first-booking-link" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found, indent=2))
    assert found["booking_bottom"] is not None and found["booking_bottom"] <= found["screen_height"]
    assert found["call_bottom"] is not None and found["call_bottom"] <= found["screen_height"]


def test_every_target_is_at_least_24_px(opened):
    small = opened.evaluate(
        """min => [...document.querySelectorAll('a[href], button, summary, input, select')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, box]) => box.width < min || box.height < min)
            .map(([el, box]) => `${el.outerHTML.slice(0, 80)} ${box.width}x${box.height}`)""",
        MIN_TARGET,
    )
    assert small == []


def test_nothing_scrolls_sideways(opened):
    overflow = opened.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_focus_is_always_visible(opened):
    """Tab through the whole page: every stop shows an outline or a ring, and is on screen."""
    seen = []
    for _ in range(80):
        opened.keyboard.press("Tab")
        state = opened.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const style = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                return {
                    html: el.outerHTML.slice(0, 80),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                    ring: style.boxShadow !== 'none',
                    onScreen: box.bottom > 0 && box.top < window.innerHeight
                        && box.width > 0 && box.height > 0,
                };
            }"""
        )
        if state is None or (seen and state["html"] == seen[0]["html"]):
            break
        seen.append(state)
    assert seen, "nothing on the page takes keyboard focus"
    invisible = [s["html"] for s in seen if not (s["outline"] or s["ring"]) or not s["onScreen"]]
    assert invisible == []
