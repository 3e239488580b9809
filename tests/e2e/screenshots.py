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
    shared = demo.ask(
        "from wagtail_spinecare.models import ConditionPage; "
        "print(ConditionPage.objects.get(slug='facet-joint-back-pain').pk)"
    )
    page.goto(f"{demo.admin}pages/{shared}/edit/")


def comparison_rows(demo, page):
    """The comparison block's treatment rows, each labelled with its treatment."""
    page.goto(f"{demo.admin}pages/{demo.page_id(UK, 'TreatmentComparisonPage')}/edit/")
    page.locator(".w-panel__header", has_text="Treatments").first.scroll_into_view_if_needed()


#: name: (viewport, whether to sign in to the admin, how to get there); each shot is a screen.
SHOTS = {
    "condition-page-phone": ("phone", False, condition_page(UK)),
    "condition-page-desktop": ("desktop", False, condition_page(UK)),
    "condition-page-us-desktop": ("desktop", False, condition_page(US)),
    "urgent-help-phone": ("phone", False, urgent_help),
    "page-end-desktop": ("desktop", False, page_end),
    "condition-page-editor": ("desktop", True, page_editor),
    "clinic-settings": ("desktop", True, clinic_settings),
    "dashboard": ("desktop", True, admin("")),
    "review-report": ("desktop", True, admin("spinecare/reports/clinical-review/")),
    "comparison-rows": ("desktop", True, comparison_rows),
}


class Demo:
    def __init__(self, port, pages, env):
        self.port, self.pages, self.env = port, pages, env
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

    def site_id(self, site):
        return self._page(site, "ConditionIndexPage")["site_id"]


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
            signed_in = {}
            for name, (viewport, sign_in, go) in chosen.items():
                phone = viewport == "phone"
                key = (viewport, sign_in)
                if key not in signed_in:
                    context = browser.new_context(
                        viewport=VIEWPORTS[viewport],
                        device_scale_factor=2 if phone else 1,
                        is_mobile=phone,
                        has_touch=phone,
                    )
                    if sign_in:
                        page = context.new_page()
                        page.goto(demo.admin + "login/")
                        page.fill("#id_username", EDITOR[0])
                        page.fill("#id_password", EDITOR[1])
                        page.click("button[type=submit]")
                        page.wait_for_url(re.compile(r"/admin/$"))
                        page.close()
                    signed_in[key] = context
                page = signed_in[key].new_page()
                go(demo, page)
                page.wait_for_load_state("networkidle")
                expect(page.locator("body")).to_be_visible()
                save(page.screenshot(), name)
                page.close()
                print(f"docs/images/{name}.png")
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
