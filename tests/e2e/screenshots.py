"""Draw the screenshots in ``docs/images/`` from the demo: ``make screenshots``, or
``python -m tests.e2e.screenshots [NAME ...]`` for some of them.

Serves both demo clinics as the browser tests do (a database of their own, Debian's Chromium
driven by Playwright), takes each shot in ``SHOTS``, and stores it as a palette PNG. Run it
after changing what a shot shows, and commit the images.
"""

import io
import re
import subprocess
import sys

from PIL import Image
from playwright.sync_api import expect, sync_playwright

from .conftest import CHROMIUM, EDITOR, ROOT, VIEWPORTS, serving_demo

IMAGES = ROOT / "docs" / "images"
UK, US = "harbourside.localhost", "lakeview.localhost"


def condition_page(site):
    return lambda demo, page: page.goto(demo.page_url(site, "ClinicConditionPage"))


def urgent_help(demo, page):
    """The red-flag cards, reached from the signpost under the quick answer."""
    page.goto(demo.page_url(UK, "ClinicConditionPage"))
    page.locator(".sc-signpost a").click()
    page.locator(".sc-care-card--emergency").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, -80)")


def admin(path):
    def open_screen(demo, page):
        page.goto(demo.admin + path)

    return open_screen


def clinic_settings(demo, page):
    """The footer's and the look's fields, added to the clinic's settings."""
    page.goto(f"{demo.admin}settings/wagtail_spinecare/clinicsettings/{demo.site_id(UK)}/")
    heading = page.get_by_role("heading", name="Page footer")
    heading.evaluate("el => el.scrollIntoView({block: 'start'})")


def page_end(demo, page):
    """The clinicians and the footer: address, map, opening hours and the clinic's notices."""
    page.goto(demo.page_url(UK, "ClinicConditionPage"))
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")


def page_editor(demo, page):
    """The shared condition page the clinics' pages draw on."""
    page.goto(f"{demo.admin}pages/{demo.shared_page_id()}/edit/")


def preview_modes(demo, page):
    """The shared page's preview, its default mode saying what it shows."""
    page_editor(demo, page)
    page.locator('[data-side-panel-toggle="preview"]').first.click()
    expect(page.frame_locator("#w-preview-iframe").locator("h1")).to_be_visible()


def comparison_rows(demo, page):
    """The comparison block's treatment rows, each headed with its treatment."""
    page.goto(f"{demo.admin}pages/{demo.page_id(UK, 'TreatmentComparisonPage')}/edit/")
    rows = page.locator('[data-contentpath="treatments"]').first
    expect(rows).to_be_visible()
    rows.evaluate("el => el.scrollIntoView({block: 'start'})")


#: Something to do, so the dashboard and the report show it: a comparison page due for review
#: within the month, a clinic page's shared page overdue, and a testimonial's consent renewed
#: until three weeks from now.
SOMETHING_TO_DO = """
from datetime import timedelta
from django.utils import timezone
from wagtail_spinecare import consent_actions
from wagtail_spinecare.models import ConditionPage, Testimonial, TreatmentComparisonPage
today = timezone.localdate()
TreatmentComparisonPage.objects.filter(url_path__startswith='/harbourside/').update(
    next_review_due=today + timedelta(days=12))
ConditionPage.objects.filter(slug='facet-joint-back-pain').update(
    last_reviewed=today - timedelta(days=400), next_review_due=today - timedelta(days=35))
story = Testimonial.objects.filter(site__hostname='lakeview.localhost').first()
record = story.consent_records.latest('pk')
consent_actions.give(
    story, sites=record.sites.all(), expires_on=today + timedelta(days=21),
    evidence=record.evidence, method=record.method, wording=record.wording,
    wording_version=record.wording_version, lawful_basis=record.lawful_basis)
"""


def with_something_to_do(go):
    def open_screen(demo, page):
        if not demo.something_to_do:
            demo.ask(SOMETHING_TO_DO)
            demo.something_to_do = True
        go(demo, page)

    return open_screen


#: name: (viewport, whether to sign in to the admin, how to get there); each shot is a screen.
SHOTS = {
    "condition-page-phone": ("phone", False, condition_page(UK)),
    "condition-page-desktop": ("desktop", False, condition_page(UK)),
    "condition-page-us-desktop": ("desktop", False, condition_page(US)),
    "urgent-help-phone": ("phone", False, urgent_help),
    "page-end-desktop": ("desktop", False, page_end),
    "condition-page-editor": ("desktop", True, page_editor),
    "preview-modes": ("desktop", True, preview_modes),
    "clinic-settings": ("desktop", True, clinic_settings),
    "comparison-rows": ("desktop", True, comparison_rows),
    # Last: they change the demo's data.
    "dashboard": ("desktop", True, with_something_to_do(admin(""))),
    "review-report": (
        "desktop",
        True,
        with_something_to_do(admin("spinecare/reports/clinical-review/")),
    ),
}


class Demo:
    def __init__(self, port, pages, env):
        self.port, self.pages, self.env = port, pages, env
        self.something_to_do = False
        self.admin = f"http://localhost:{port}/admin/"

    def ask(self, code: str) -> str:
        """What ``code`` prints, run against the demo's database."""
        return subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def _page(self, site, page_type):
        return next(p for p in self.pages if p["site"] == site and p["type"] == page_type)

    def page_url(self, site, page_type):
        return self._page(site, page_type)["url"]

    def page_id(self, site, page_type):
        return self._page(site, page_type)["id"]

    def shared_page_id(self):
        return self.ask(
            "from wagtail_spinecare.models import ConditionPage; "
            "print(ConditionPage.objects.get(slug='facet-joint-back-pain').pk)"
        )

    def site_id(self, site):
        return self._page(site, "ConditionIndexPage")["site_id"]


def sign_in_once(browser, demo) -> dict:
    """The admin's session, to open each shot in a browser of its own: the admin remembers
    panels left open from one screen to the next."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(demo.admin + "login/")
    page.fill("#id_username", EDITOR[0])
    page.fill("#id_password", EDITOR[1])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    state = context.storage_state()
    context.close()
    return state


def save(png: bytes, name: str) -> None:
    """As a 256-colour PNG: a tenth of the size, and screens have few colours."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(256, method=Image.Quantize.MEDIANCUT).save(IMAGES / f"{name}.png", optimize=True)


def main(names: list[str]) -> None:
    chosen = {name: SHOTS[name] for name in names or SHOTS}
    with serving_demo("tests.e2e.settings", "screenshots") as (port, pages, _log, env):
        demo = Demo(port, pages, env)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--host-resolver-rules=MAP * 127.0.0.1", "--disable-gpu"],
            )
            signed_in = None
            for name, (viewport, sign_in, go) in chosen.items():
                phone = viewport == "phone"
                if sign_in and signed_in is None:
                    signed_in = sign_in_once(browser, demo)
                context = browser.new_context(
                    viewport=VIEWPORTS[viewport],
                    device_scale_factor=2 if phone else 1,
                    is_mobile=phone,
                    has_touch=phone,
                    storage_state=signed_in if sign_in else None,
                )
                page = context.new_page()
                go(demo, page)
                page.wait_for_load_state("networkidle")
                expect(page.locator("body")).to_be_visible()
                save(page.screenshot(), name)
                context.close()
                print(f"docs/images/{name}.png")
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
