"""Hostile words that the admin accepts never run in a patient's (or an editor's) browser.

A clinic is added through the admin, and its settings, a clinician and a published condition
page are filled through the admin's own forms with markup and script in every field that takes
it. Chromium then loads the clinic's pages, and the admin screens that show the words, with a
script that counts every ``alert``, ``prompt`` and ``confirm`` call, every dialog, and every
marker a payload would leave: none may run.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils.html import escape
from playwright.sync_api import expect
from wagtail.test.utils.form_data import rich_text, streamfield

from tests.forms import condition_page_form, cta_form, faq_form, listblock

from .conftest import log_in, settle

pytestmark = pytest.mark.e2e

HOST = "hostile.localhost"
SLUG = "hostile-words"
RAN = "window.__hostile=(window.__hostile||0)+1"

# What each payload does if it runs: counts itself, and calls a dialog.
SCRIPT = f"</script><script>{RAN};alert(1)</script>"
ATTRIBUTE = f'"><img src=x onerror="{RAN};alert(2)">'
QUOTE = "'><svg onload=alert(3)>"
SHORT = "<svg/onload=alert()>"  # 20 characters, for the shortest fields
TEMPLATE = "{{ request.user.password }}{% debug %}"
LINK = f'https://book.example/"><script>{RAN};alert(4)</script>'

COUNTER = """
window.__hostile = 0;
window.__dialogCalls = 0;
for (const name of ["alert", "prompt", "confirm"]) {
    const original = window[name];
    window[name] = function (...args) {
        window.__dialogCalls += 1;
        return original.apply(this, args);
    };
}
"""


def admin_post(page, url: str, data: dict, expect=302):
    """POST ``data`` as the logged-in editor's browser would send the form."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    form = {key: "" if value is None else str(value) for key, value in data.items()}
    response = page.request.post(url, form={**form, "csrfmiddlewaretoken": token}, max_redirects=0)
    assert response.status == expect, (url, response.status, errors_in(response.text()))
    return response


def errors_in(html: str) -> list[str]:
    """The error messages of a form the admin drew again, to say why it was refused."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found = soup.select(".error-message, .w-field__errors, .help-critical, .messages")
    return [" ".join(tag.get_text(" ").split()) for tag in found] or [html[-2000:]]


def form_values(page, selector: str) -> dict:
    """The form's data as the admin drew it."""
    return page.locator(selector).evaluate(
        """form => Object.fromEntries(
            [...new FormData(form)].filter(([name]) => name !== "csrfmiddlewaretoken"))"""
    )


def linked_id(page, href_part: str) -> int:
    """The id in the first link on the page whose address has ``href_part``, then an id."""
    link = page.locator(f"a[href*='{href_part}']").first
    return int(re.search(rf"{re.escape(href_part)}(\d+)/", link.get_attribute("href")).group(1))


def add_clinic(page, live_site) -> dict:
    """The clinic, added through "Add a clinic": its site's id and its home page's id."""
    response = admin_post(
        page,
        f"{live_site.admin}spinecare/clinics/add/",
        {"clinic_name": ATTRIBUTE, "hostname": HOST, "port": live_site.port, "region": "uk"},
        expect=200,
    )
    assert f"The clinic at {HOST} is ready" in response.text()
    page.goto(f"{live_site.admin}sites/")
    link = page.locator("a[href*='/admin/sites/edit/']", has_text=HOST).first
    site_id = int(re.search(r"/edit/(\d+)/", link.get_attribute("href")).group(1))
    page.goto(f"{live_site.admin}sites/edit/{site_id}/")
    home_id = int(page.input_value("input[name=root_page]"))
    return {"site": site_id, "home": home_id}


def fill_settings(page, live_site, site_id: int) -> None:
    url = f"{live_site.admin}settings/wagtail_spinecare/clinicsettings/{site_id}/"
    page.goto(url)
    data = form_values(page, "form[method=post]:has(#id_clinic_name)")
    data.update(
        clinic_name=ATTRIBUTE,
        phone=SHORT,
        street_address=SCRIPT,
        address_locality=QUOTE,
        address_region=TEMPLATE,
        postal_code=SHORT,
        booking_provider=SCRIPT,
        booking_url=LINK,
        utm_source=ATTRIBUTE,
        utm_medium=QUOTE,
        emergency_number=SHORT,
        urgent_care_number=SHORT,
        typicality_statement=SCRIPT,
        default_disclaimer=f"{ATTRIBUTE} {SCRIPT}",
    )
    admin_post(page, url, data)


def add_clinician(page, live_site) -> int:
    admin_post(
        page,
        f"{live_site.admin}wagtail_spinecare/clinician/create/",
        {
            "name": ATTRIBUTE,
            "profession": SCRIPT,
            "post_nominals": QUOTE,
            "credentials": f"{SCRIPT}\n{ATTRIBUTE}",
            "registration_body": TEMPLATE,
            "registration_number": "HOSTILE-1",
            "photo": "",
            "profile_url": LINK,
        },
    )
    page.goto(f"{live_site.admin}wagtail_spinecare/clinician/?q=HOSTILE-1")
    return linked_id(page, "/clinician/inspect/")


def section(heading, *content):
    return (
        "section",
        {
            "aspect": "overview",
            "heading": heading,
            "editor_notes": SCRIPT,
            "content": streamfield(list(content)),
        },
    )


def text(*payloads) -> str:
    """Rich text whose words are the payloads, as the editor's Draftail posts it."""
    return rich_text("".join(f"<p>{escape(payload)}</p>" for payload in payloads))


def publish_page(page, live_site, home_id: int, clinician_id: int) -> None:
    today = date.today()
    timeline = {
        "phases": listblock(
            [{"label": QUOTE, "start_week": "0", "end_week": "", "description": ATTRIBUTE}]
        ),
        "note": SCRIPT,
    }
    body = [
        section(
            SCRIPT,
            ("paragraph", text(SCRIPT, ATTRIBUTE, QUOTE, TEMPLATE)),
            (
                "paragraph",
                rich_text('<p><a href="javascript:alert(5)">A link that must not run</a></p>'),
            ),
            ("care_card", {"level": "urgent", "heading": ATTRIBUTE, "body": text(SCRIPT)}),
            ("do_dont", {"do": listblock([ATTRIBUTE]), "dont": listblock([f"do not {SCRIPT}"])}),
            ("recovery_timeline", timeline),
            ("booking_cta", cta_form(label=QUOTE, link=LINK, heading=SCRIPT, text=ATTRIBUTE)),
        ),
        ("faq", faq_form([(SCRIPT + "?", f"<p>{escape(ATTRIBUTE)}</p>")], heading=QUOTE)),
    ]
    data = condition_page_form(
        body=body,
        title=SCRIPT,
        slug=SLUG,
        alternative_names=f"{ATTRIBUTE}, {QUOTE}",
        quick_answer=SCRIPT,
        disclaimer=ATTRIBUTE,
        seo_title=QUOTE,
        search_description=SCRIPT,
        reviewed_by=str(clinician_id),
        last_reviewed=(today - timedelta(days=1)).isoformat(),
        next_review_due=(today + timedelta(days=180)).isoformat(),
    )
    data.update(
        {
            "spinecare_sources-TOTAL_FORMS": "1",
            "spinecare_sources-0-title": SCRIPT,
            "spinecare_sources-0-publisher": ATTRIBUTE,
            "spinecare_sources-0-year": "2020",
            "spinecare_sources-0-url": LINK,
            "action-publish": "action-publish",
        }
    )
    admin_post(page, f"{live_site.admin}pages/add/wagtail_spinecare/conditionpage/{home_id}/", data)


@pytest.fixture(scope="module")
def hostile_clinic(live_site, browser):
    """The hostile clinic's public pages and the admin screens that show its words."""
    context = browser.new_context()
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        log_in(page, live_site)
        ids = add_clinic(page, live_site)
        fill_settings(page, live_site, ids["site"])
        clinician = add_clinician(page, live_site)
        publish_page(page, live_site, ids["home"], clinician)
        page.goto(f"{live_site.admin}pages/{ids['home']}/")
        link = page.locator("a[href$='/edit/']", has_text="__hostile").first
        page_id = int(re.search(r"/pages/(\d+)/edit/", link.get_attribute("href")).group(1))
    finally:
        context.close()
    return {
        "public": [live_site.url(HOST, "/"), live_site.url(HOST, f"/{SLUG}/")],
        "admin": [
            f"{live_site.admin}pages/{page_id}/edit/",
            f"{live_site.admin}wagtail_spinecare/clinician/",
            f"{live_site.admin}wagtail_spinecare/clinician/inspect/{clinician}/",
            f"{live_site.admin}spinecare/reports/clinical-review/",
            f"{live_site.admin}settings/wagtail_spinecare/clinicsettings/{ids['site']}/",
        ],
    }


def executed(page, url: str) -> dict:
    """Load ``url`` and count what ran: dialogs, counted calls and payload markers."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url, wait_until="load")
    assert response.status == 200, (url, response.status)
    # A payload in markup that the page's scripts add would run once they have added it.
    settle(page)
    counts = page.evaluate("() => ({ran: window.__hostile, calls: window.__dialogCalls})")
    return {"dialogs": len(dialogs), **counts}


def test_no_payload_runs_on_the_clinics_pages(hostile_clinic, new_page):
    for url in hostile_clinic["public"]:
        page = new_page("desktop")
        page.add_init_script(COUNTER)
        assert executed(page, url) == {"dialogs": 0, "ran": 0, "calls": 0}, url
        # The words are there, shown as words.
        expect(page.get_by_text(SCRIPT)).not_to_have_count(0)


def test_no_payload_runs_in_the_admin(hostile_clinic, new_page, live_site):
    page = new_page("desktop")
    page.add_init_script(COUNTER)
    log_in(page, live_site)
    for url in hostile_clinic["admin"]:
        assert executed(page, url) == {"dialogs": 0, "ran": 0, "calls": 0}, url


def test_links_and_scripts_stay_the_pages_own(hostile_clinic, new_page):
    """The booking link with quotes in it is one link, the javascript: link is gone, and no
    script on the page (beside the structured data, which holds the words as data) holds a
    payload."""
    page = new_page("desktop")
    page.goto(hostile_clinic["public"][1])
    expect(page.get_by_text("A link that must not run")).to_be_visible()
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    assert not [href for href in hrefs if href.lower().startswith("javascript:")]
    scripts = page.locator("script:not([type='application/ld+json'])").evaluate_all(
        "scripts => scripts.map(s => s.textContent)"
    )
    assert not [script for script in scripts if "__hostile" in script]
