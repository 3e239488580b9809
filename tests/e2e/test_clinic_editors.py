"""The demo's clinic editors, in a real browser: each sees its own clinic's patients only."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in, screenshot

pytestmark = pytest.mark.e2e

EDITORS = {
    "harbourside-editor": ("Harbourside", "Lakeview"),
    "lakeview-editor": ("Lakeview", "Harbourside"),
}


@pytest.mark.parametrize("username", list(EDITORS))
def test_each_clinic_editor_sees_only_its_own_patients(live_site, new_page, username):
    own, other = EDITORS[username]
    page = new_page("desktop")
    log_in(page, live_site, (username, "spinecare-demo"))
    page.goto(live_site.admin + "wagtail_spinecare/testimonial/")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(4)
    clinics = {row.locator("td").nth(1).inner_text().strip() for row in rows.all()}
    assert len(clinics) == 1 and own in clinics.pop()
    expect(page.locator("main")).not_to_contain_text(other)
    screenshot(page, f"patient-stories-{username}")

    # The demo's eight stories are numbered 1 to 8, four per clinic: try the other four.
    links = [row.locator("a").first.get_attribute("href") for row in rows.all()]
    own_ids = {int(re.search(r"/(\d+)/$", link).group(1)) for link in links}
    theirs = set(range(1, 9)) - own_ids
    assert len(theirs) == 4
    for pk in theirs:
        response = page.goto(f"{live_site.admin}wagtail_spinecare/testimonial/inspect/{pk}/")
        assert response.status in (403, 404)


def test_the_editor_can_edit_its_clinics_page_but_not_the_shared_one(live_site, new_page):
    page = new_page("desktop")
    log_in(page, live_site, ("lakeview-editor", "spinecare-demo"))
    (clinic_page,) = [
        p for p in live_site.pages_of("ClinicConditionPage") if p["site"] == "lakeview.localhost"
    ]
    page.goto(f"{live_site.admin}pages/{clinic_page['id']}/edit/")
    expect(page.locator("#id_introduction")).to_be_visible()
    expect(page.get_by_text("This page shows the shared page")).to_be_visible()
    # Clinic editors change their own page; the shared text is the clinical team's.
    expect(page.get_by_text("Ask whoever looks after your group's shared pages")).to_be_visible()
    expect(page.get_by_role("link", name="Edit the shared page")).to_have_count(0)
    screenshot(page, "clinic-page-editor")
