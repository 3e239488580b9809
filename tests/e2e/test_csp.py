"""Every demo page under the demo project's production Content-Security-Policy, in Chromium.

A server of its own sends the headers (``tests/e2e/csp_settings.py``); the browser reports
each thing the policy blocks as a ``securitypolicyviolation`` event, which the pages collect.
"""

import re
import subprocess
import sys
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from wagtail_spinecare.demo.profiles import CLINICS

from .conftest import ROOT, LiveSite, log_in, serving_demo, settle

pytestmark = pytest.mark.e2e

COLLECT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
    window.cspViolations.push(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
        + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`
    );
});
"""
BRAND_COLOURS = {clinic.hostname: clinic.settings["brand_colour"] for clinic in CLINICS}


@dataclass
class CspSite(LiveSite):
    env: dict

    def run_python(self, code: str) -> None:
        """Run ``code`` in a Django shell on the server's database."""
        command = [sys.executable, "-m", "django", "shell", "-c", code]
        subprocess.run(command, cwd=ROOT, env=self.env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def csp_site():
    """Both demo clinics on a server that sends the production security headers."""
    # The policies are the demo project's, which sits beside the package in its source tree.
    pytest.importorskip("example_site", reason="the demo project is not installed")
    with serving_demo("tests.e2e.csp_settings", "e2e-csp") as (port, pages, log, env):
        yield CspSite(port=port, pages=pages, log=log, env=env)


def watching(page):
    """``page``, collecting policy violations and the console's complaints about the
    policies' headers (an unknown Permissions-Policy feature, say)."""
    page.add_init_script(COLLECT_VIOLATIONS)
    page.console_errors = []
    page.on("console", lambda m: "polic" in m.text.lower() and page.console_errors.append(m.text))
    return page


@pytest.fixture
def watched(new_page):
    """A browser page that collects policy violations."""
    return watching(new_page("desktop"))


def violations(page) -> list[str]:
    """What the policies blocked, once the page has loaded all it asks for: the browser
    reports a blocked resource when it would have loaded it."""
    settle(page)
    return page.evaluate("window.cspViolations")


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def directives(header: str) -> dict[str, str]:
    """A Content-Security-Policy header's directives by name (their order is not fixed)."""
    pairs = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


def test_every_demo_page_keeps_to_the_strict_policy(csp_site, watched):
    assert len(csp_site.pages) == 6
    for demo_page in csp_site.pages:
        response = watched.goto(demo_page["url"])
        assert response.status == 200, demo_page["url"]
        policy = response.headers["content-security-policy"]
        assert directives(policy)["style-src"] == "'self'" and "unsafe-inline" not in policy
        assert "camera=()" in response.headers["permissions-policy"]
        assert violations(watched) == [], demo_page["url"]
        # The clinic's colour comes from its stylesheet, which the policy let through.
        expect(watched.locator(".sc-site-header"), demo_page["url"]).to_have_css(
            "border-top-color", rgb(BRAND_COLOURS[demo_page["site"]])
        )
    assert watched.console_errors == []


ADMIN_SCREENS = [
    "",
    "pages/",
    "pages/{index}/add_subpage/",
    "images/",
    "images/add/",
    "users/",
    "wagtail_spinecare/testimonial/",
    "wagtail_spinecare/testimonial/create/",
    "spinecare/reports/clinical-review/",
    "spinecare/clinics/add/",
    "settings/wagtail_spinecare/clinicsettings/",
]


def test_the_admin_works_under_its_own_policy(csp_site, watched):
    log_in(watched, csp_site)
    index = csp_site.pages_of("ConditionIndexPage")[0]["id"]
    for path in ADMIN_SCREENS:
        path = path.format(index=index)
        response = watched.goto(csp_site.admin + path)
        assert response.ok, path
        policy = directives(response.headers["content-security-policy"])
        assert set(policy["script-src"].split()) == {"'self'", "'unsafe-inline'"}
        assert violations(watched) == [], path


PREVIEWED = ("ConditionIndexPage", "ClinicConditionPage")


def test_the_page_editor_and_its_preview_work_under_the_policies(csp_site, new_page):
    """The editor under the admin's policy; the preview it frames under the public one."""
    for page in csp_site.pages:
        if page["type"] not in PREVIEWED:
            continue
        # A browser of its own for each page: the admin remembers an open preview panel
        # and opens it again on the next page, where the click below would close it.
        watched = watching(new_page("desktop"))
        log_in(watched, csp_site)
        watched.goto(f"{csp_site.admin}pages/{page['id']}/edit/")
        assert violations(watched) == [], page["url"]
        with watched.expect_response(re.compile(r"/edit/preview/\?")) as preview:
            watched.locator('[data-side-panel-toggle="preview"]').first.click()
        policy = directives(preview.value.headers["content-security-policy"])
        assert policy["style-src"] == "'self'" and policy["frame-ancestors"] == "'self'"
        # The panel swaps in a new frame once the preview has loaded in it.
        frame = watched.frame_locator("#w-preview-iframe")
        expect(frame.locator(".sc-site-header"), page["url"]).to_have_css(
            "border-top-color", rgb(BRAND_COLOURS[page["site"]])
        )
        assert violations(watched) == [], page["url"]
        assert frame.locator("body").evaluate("() => window.cspViolations") == [], page["url"]


SHARED_PAGES = (
    "from wagtail_spinecare.models import ConditionPage\n"
    "shared = ConditionPage.objects.filter(url_path__startswith='/shared-clinical-content/')\n"
)


def test_the_shared_content_missing_page_keeps_to_the_strict_policy(csp_site, watched):
    """What a clinic's condition page shows while the shared page it draws on is unpublished."""
    (page,) = [
        p
        for p in csp_site.pages
        if p["site"] == "lakeview.localhost" and p["type"] == "ClinicConditionPage"
    ]
    csp_site.run_python(SHARED_PAGES + "for page in shared.live(): page.unpublish()")
    try:
        response = watched.goto(page["url"])
        assert response.status == 503
        expect(watched.locator("main")).to_contain_text("not available")
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert violations(watched) == []
        expect(watched.locator(".sc-site-header")).to_have_css(
            "border-top-color", rgb(BRAND_COLOURS["lakeview.localhost"])
        )
    finally:
        csp_site.run_python(SHARED_PAGES + "for page in shared: page.save_revision().publish()")
