"""The demo command: two clinics, each with pages that render and read in its own words, in
place of what Wagtail's migrations leave in a new project."""

import re
from io import StringIO
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import GroupSitePermission, Page, PageLogEntry, Site

from wagtail_spinecare.blocks import ConditionBodyBlock
from wagtail_spinecare.clinic_setup import groups_seeing_all_evidence
from wagtail_spinecare.demo import wagtail_defaults
from wagtail_spinecare.demo.profiles import CLINICS
from wagtail_spinecare.management.commands.spinecare_demo import summary_lines
from wagtail_spinecare.models import ClinicConditionPage, Clinician, ClinicSettings, ConditionPage
from wagtail_spinecare.spellings import SPELLINGS, TO_UK
from wagtail_spinecare.streams import iter_blocks

HOSTS = {"uk": "harbourside.localhost", "us": "lakeview.localhost"}


def fetch(client, host, path="/"):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200, (host, path)
    return BeautifulSoup(response.content, "html.parser")


def shared_page():
    """The facet joint page both demo clinics draw on."""
    return ConditionPage.objects.get(url_path__startswith="/shared-clinical-content/")


def test_creates_two_clinics_and_prints_their_addresses(demo):
    assert "http://harbourside.localhost:8000/" in demo
    assert "http://lakeview.localhost:8000/" in demo
    settings = {s.site.hostname: s for s in ClinicSettings.objects.select_related("site")}
    assert settings[HOSTS["uk"]].region == "uk"
    assert settings[HOSTS["us"]].region == "us"
    assert Clinician.objects.count() == 2


def test_running_again_changes_nothing(demo):
    def state():
        return (
            Page.objects.count(),
            Site.objects.count(),
            get_image_model().objects.count(),
            Group.objects.count(),
            GroupSitePermission.objects.count(),
            get_user_model().objects.count(),
            {p.pk: p.latest_revision_id for p in Page.objects.all()},
        )

    before = state()
    out = StringIO()
    call_command("spinecare_demo", editor_accounts=True, stdout=out)
    assert state() == before
    assert out.getvalue().count("unchanged page") == 9
    assert " created " not in out.getvalue() and " published " not in out.getvalue()


def test_both_clinics_draw_on_one_shared_page(demo):
    shared = shared_page()
    pages = ClinicConditionPage.objects.live().filter(shared_page=shared)
    assert {page.get_site().hostname for page in pages} == set(HOSTS.values())


def test_one_edit_to_the_shared_text_shows_on_both_clinics_in_their_words(demo, client):
    shared = shared_page()
    body = list(shared.body.raw_data)
    section = body[0]["value"]["content"][0]
    section["value"] = section["value"].replace(
        "<p>Facet joint back pain comes", "<p>Ask your physiotherapist. Facet joint back pain comes"
    )
    shared.body = body
    shared.save_revision().publish()
    uk = fetch(client, HOSTS["uk"], "/facet-joint-back-pain/").get_text(" ")
    us = fetch(client, HOSTS["us"], "/facet-joint-back-pain/").get_text(" ")
    assert "Ask your physiotherapist. Facet joint back pain comes" in uk
    assert "Ask your physical therapist. Facet joint back pain comes" in us


def test_prints_an_editor_account_per_clinic(demo):
    for username, clinic in (
        ("harbourside-editor", "Harbourside Physiotherapy"),
        ("lakeview-editor", "Lakeview Physical Therapy"),
    ):
        assert f"{username} / spinecare-demo" in demo
        user = get_user_model().objects.get(username=username)
        assert user.check_password("spinecare-demo") and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [f"{clinic} editors"]


def test_every_demo_page_answers_200(demo, client):
    for host in HOSTS.values():
        site = Site.objects.get(hostname=host)
        pages = site.root_page.get_descendants(inclusive=True).live()
        assert pages.count() == 3
        for page in pages:
            fetch(client, host, page.relative_url(site))


@pytest.mark.parametrize(
    ("region", "own", "other"),
    [
        ("uk", ["physiotherap", "999", "A&amp;E", "NHS 111", "GP"], ["physical therap", "911"]),
        ("us", ["physical therap", "911", "emergency room"], ["physiotherap", "999", "NHS"]),
    ],
)
def test_terminology_differs_per_clinic(demo, client, region, own, other):
    html = client.get("/facet-joint-back-pain/", HTTP_HOST=HOSTS[region]).content.decode()
    # The reviewer's own job title is a fact about them, the same on every clinic's page.
    html = html.split('<footer class="sc-review">')[0]
    for word in own:
        assert word in html, word
    for word in other:
        assert word not in html, word


def test_demo_content_is_valid_and_complete(demo):
    block = ConditionBodyBlock()
    for page in [shared_page()]:
        block.clean(page.body)  # raises on any invalid block
        aspects = {child.value["aspect"] for child in page.body if child.block_type == "section"}
        assert aspects >= {
            "overview",
            "causes",
            "symptoms",
            "when_to_get_help",
            "treatment",
            "what_to_expect",
            "exercises",
            "recovery_timeline",
            "self_care",
        }
        types = [child.block_type for child in page.body]
        assert "faq" in types and types[-1] == "booking_cta"
        assert page.reviewed_by and page.last_reviewed < page.next_review_due


def test_demo_fixes_the_seed_page_defects(demo):
    for page in [shared_page()]:
        alts, faq_questions, texts = [], [], []
        for _path, _block, value in iter_blocks(page.body):
            if hasattr(value, "get") and value.get("image") is not None:
                alts.append(value["image"].contextual_alt_text)
            if hasattr(value, "get") and value.get("items") is not None:
                faq_questions += [item["question"] for item in value["items"]]
        for child in page.body:
            if child.block_type == "section":
                texts.append(BeautifulSoup(child.render(), "html.parser").get_text(" "))
        # descriptive alt text, never a file name or a stock-photo caption
        assert len(alts) == 3
        for alt in alts:
            assert len(alt.split()) >= 5
            assert not re.search(r"\.(jpe?g|png|webp)|\d{4} \d{2} \d{2}|converted", alt, re.I)
        # every answer keeps its question
        assert faq_questions and all(q.strip().endswith("?") for q in faq_questions)
        # no section repeats another
        assert len(set(texts)) == len(texts)
        # no comparison promised without one
        assert not any(re.search(r"how they compare", text, re.I) for text in texts)
        # one story about recovery time: every "N to M weeks" on the page comes from the timeline
        whole = " ".join(texts)
        assert "4 to 6 weeks" not in whole and "at least 8 weeks" not in whole


def _seed_dir():
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "seeds"
        if candidate.is_dir():
            return candidate
    return None


@pytest.mark.skipif(_seed_dir() is None, reason="seed pages are not beside this checkout")
def test_demo_text_is_our_own_words(demo, client):
    """No run of eight words from the seed pages appears in the demo pages."""

    def shingles(text, size=8):
        words = re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))
        return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}

    seeds = set()
    for path in _seed_dir().glob("*.txt"):
        seeds |= shingles(path.read_text())
    for host in HOSTS.values():
        text = fetch(client, host, "/facet-joint-back-pain/").get_text(" ")
        assert not shingles(text) & seeds


def test_both_clinics_show_the_treatment_comparison(demo, client):
    for region, host in HOSTS.items():
        page = fetch(client, host, "/facet-joint-back-pain/")
        table = page.select_one(".sc-section--treatment table")
        assert table is not None and table.caption.get_text(strip=True)
        names = [th.get_text(strip=True) for th in table.select("tbody th")]
        exercise = {"uk": "Exercise programme", "us": "Exercise program"}[region]
        assert names[0] == exercise and len(names) == 7
        related = [a["href"] for a in page.select(".sc-related a")]
        assert related == ["/facet-joint-back-pain-treatments/"]
        assert page.select_one(".sc-related h2").get_text(strip=True) == "Compare treatments"
        fetch(client, host, related[0])
        assert "national guideline" not in page.get_text(" ").lower()


def comparison_cells(client, host) -> dict:
    """The demo comparison's rows: treatment, (recommendations, time to benefit)."""
    table = fetch(client, host, "/facet-joint-back-pain/").select_one(
        ".sc-section--treatment table"
    )
    return {
        row.th.get_text(strip=True): (
            row.select("td")[1].get_text(" ", strip=True),
            row.select("td")[-1].get_text(strip=True),
        )
        for row in table.select("tbody tr")
    }


def test_the_uk_clinic_shows_nice_ng59(demo, client):
    rows = comparison_cells(client, HOSTS["uk"])
    assert "NICE NG59 1.2.7" in rows["Manual therapy alongside exercise"][0]
    assert not any("American College" in cell for cell, _time in rows.values())
    # A treatment guidelines advise against says so where its time to benefit would be.
    advised_against = [name for name, (_cell, time) in rows.items() if "advise against" in time]
    assert advised_against and "—" not in [time for _cell, time in rows.values()]


def test_the_us_clinic_shows_the_acp_guideline_in_its_words(demo, client):
    rows = comparison_cells(client, HOSTS["us"])
    exercise = rows["Exercise program"][0]
    assert "Strong recommendation, moderate-quality evidence" in exercise
    assert "American College of Physicians (ACP 2017) Recommendation 2" in exercise
    assert not any("NICE" in cell or "Consider" in cell for cell, _time in rows.values())
    # The ACP's guideline is of noninvasive treatments: it does not speak of injections.
    cell, time = rows["Facet joint injections"]
    assert cell == "No recommendation in American College of Physicians (ACP 2017)."
    assert "advise against" not in time


def test_demo_guidelines_tell_editors_they_are_demo_data(demo):
    from wagtail_spinecare.models import Guideline

    for guideline in Guideline.objects.all():
        assert "Demo data" in guideline.note and "clinician" in guideline.note
        for recommendation in guideline.recommendations.all():
            assert recommendation.strength in guideline.strengths


def test_each_clinic_shows_its_own_look_and_clinician(demo, client):
    for key, host in HOSTS.items():
        clinic = next(clinic for clinic in CLINICS if clinic.key == key)
        page = fetch(client, host, "/facet-joint-back-pain/")
        assert page.select_one(".sc-site-header__logo")
        assert page.select_one('link[rel="apple-touch-icon"]')
        card = page.select_one(".sc-clinician")
        assert card.select_one("img.sc-clinician__photo")["alt"] == ""
        person = clinic.clinician
        assert card.select_one(".sc-clinician__role").get_text() == person.profession
        assert person.registration_number in card.select_one(".sc-clinician__registration").text
        aside = page.select_one(".sc-condition__layout > .sc-condition__aside")
        sections = page.select(".sc-condition__body > .sc-section")
        assert len(aside.select("nav.sc-contents li")) == len(sections) > 1
        assert "utm_content=sidebar" in aside.select_one(".sc-sidebar-booking .sc-button")["href"]
        call = aside.select_one('.sc-sidebar-booking a[href^="tel:"]')
        assert call.parent.get_text(" ", strip=True) == f"Or call {clinic.settings['phone']}"
        footer_links = {a.get_text(strip=True) for a in page.select(".sc-site-footer a")}
        assert {"Privacy notice", "Complaints", clinic.settings["regulator_name"]} <= footer_links


def test_demo_shows_valid_stories_and_hides_the_others(demo, client):
    from wagtail_spinecare.models import Testimonial

    for host in HOSTS.values():
        site = Site.objects.get(hostname=host)
        html = client.get("/facet-joint-back-pain/", HTTP_HOST=host).content.decode()
        shown = Testimonial.objects.publishable(site)
        hidden = Testimonial.objects.filter(site=site).exclude(pk__in=shown)
        assert shown.count() == 2 and hidden.count() == 2
        for testimonial in shown:
            assert testimonial.quote in html
        for testimonial in Testimonial.objects.exclude(pk__in=shown):
            assert testimonial.quote not in html


def test_demo_page_queries_do_not_grow_fivefold(demo, client, django_assert_num_queries):
    """The real demo page, and the same content five times over, cost the same queries.

    Cold (Django's caches empty, as after a restart): 11. Routing finds the site, its root
    page, and the clinic's page with the shared page, its reviewer, its library and whether
    a view restriction applies to either in one query; then the clinic settings with the
    caches' generation, and the clinic's clinicians; the clinic's logo, its icons and its
    clinicians' photos in one query (Wagtail's rendition cache is empty); then the body:
    the figures' renditions, the compared treatments with their recommendations, the
    stories with their consent, the comparison pages linking here and the sources.

    Warm, the fragment cache has the body and the renditions are cached: the first five.
    """
    COLD, WARM = 11, 5
    import copy
    import uuid

    from django.core.cache import cache

    shared = shared_page()
    body = []
    for _ in range(5):
        for item in copy.deepcopy(list(shared.body.raw_data)):
            body.append({**item, "id": str(uuid.uuid4())})
    fivefold = ConditionPage.objects.get(
        pk=shared.copy(update_attrs={"slug": "facet-5x", "title": "Facet 5x"}, keep_live=True).pk
    )
    fivefold.body = body
    fivefold.save_revision().publish()
    home = Site.objects.get(hostname=HOSTS["uk"]).root_page
    clinic_page = home.add_child(
        instance=ClinicConditionPage(title="Facet 5x", slug="facet-5x", shared_page=fivefold)
    )
    original = ClinicConditionPage.objects.child_of(home).get(shared_page=shared)
    clinic_page.clinicians.set(original.clinicians.all())
    clinic_page.save_revision().publish()
    for path in ("/facet-joint-back-pain/", "/facet-5x/"):
        client.get(path, HTTP_HOST=HOSTS["uk"])
        cache.clear()
        with django_assert_num_queries(COLD):
            client.get(path, HTTP_HOST=HOSTS["uk"])
        with django_assert_num_queries(WARM):
            response = client.get(path, HTTP_HOST=HOSTS["uk"])
        assert response.status_code == 200


# First run: what Wagtail's migrations leave -----------------------------------------------


def wagtails_welcome_site():
    """Wagtail's default site and its welcome page, as Wagtail's first migration makes them
    (the demo has removed the migration's own)."""
    Site.objects.filter(is_default_site=True).update(is_default_site=False)
    page = Page.get_first_root_node().add_child(
        instance=Page(title=wagtail_defaults.WELCOME_TITLE, slug="home")
    )
    # Wagtail's migration writes the page with no history of its creation.
    PageLogEntry.objects.filter(page=page).delete()
    return Site.objects.create(hostname="localhost", port=80, root_page=page, is_default_site=True)


def run_demo() -> str:
    out = StringIO()
    call_command("spinecare_demo", editor_accounts=True, stdout=out)
    return out.getvalue()


def test_removes_wagtails_welcome_site_and_serves_a_clinic_in_its_place(demo):
    assert not Site.objects.filter(hostname="localhost").exists()
    assert not Page.objects.filter(title=wagtail_defaults.WELCOME_TITLE).exists()
    assert "removed   Wagtail's default site localhost" in demo
    default = Site.objects.get(is_default_site=True)
    assert default.hostname == HOSTS["uk"]
    assert "[default]" not in {str(s) for s in Site.objects.exclude(pk=default.pk)}


def test_127_0_0_1_shows_a_demo_clinic_not_wagtails_welcome_page(demo, client):
    response = client.get("/", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbourside Physiotherapy" in html
    assert "Welcome to your new Wagtail site" not in html
    # The other clinic is still at its own address.
    assert "Lakeview Physical Therapy" in fetch(client, HOSTS["us"]).get_text(" ")


def test_a_welcome_site_made_again_is_removed_on_the_next_run(demo):
    wagtails_welcome_site()
    out = run_demo()
    assert "removed   Wagtail's default site localhost" in out
    assert not Site.objects.filter(hostname="localhost").exists()
    assert Site.objects.get(is_default_site=True).hostname == HOSTS["uk"]


def test_an_edited_welcome_page_and_its_site_are_kept(demo, client):
    site = wagtails_welcome_site()
    page = site.root_page
    page.title = "Our clinics"
    page.save_revision().publish()
    out = run_demo()
    assert "Wagtail's default site" not in out
    site.refresh_from_db()
    assert site.is_default_site and site.root_page_id == page.pk
    assert not Site.objects.get(hostname=HOSTS["uk"]).is_default_site
    assert "Our clinics" in client.get("/", HTTP_HOST="127.0.0.1").content.decode()


def _revision(site):
    site.root_page.save_revision()


def _child(site):
    site.root_page.add_child(instance=Page(title="About us", slug="about"))


def _named(site):
    site.site_name = "Our clinics"
    site.save()


def _other_port(site):
    site.port = 8080
    site.save()


def _filled_in_settings(site):
    ClinicSettings.objects.create(site=site, clinic_name="Northgate Physio")


def _redirect(site):
    Redirect.objects.create(old_path="/welcome", redirect_page=site.root_page)


def _log_entry(site):
    log(site.root_page, "wagtail.publish")


@pytest.mark.parametrize(
    "touch", [_revision, _child, _named, _other_port, _filled_in_settings, _redirect, _log_entry]
)
def test_a_touched_welcome_site_is_not_wagtails_untouched_one(demo, touch):
    site = wagtails_welcome_site()
    assert wagtail_defaults.untouched_welcome_site() == site
    touch(site)
    assert wagtail_defaults.untouched_welcome_site() is None
    assert not wagtail_defaults.remove_welcome_site()
    assert Site.objects.filter(pk=site.pk).exists()


def test_blank_clinic_settings_wagtail_made_on_a_visit_do_not_keep_it(demo):
    site = wagtails_welcome_site()
    ClinicSettings.for_site(site)
    assert wagtail_defaults.untouched_welcome_site() == site
    assert wagtail_defaults.remove_welcome_site()
    assert not ClinicSettings.objects.filter(site_id=site.pk).exists()


def test_another_projects_default_site_stays_the_default(demo):
    Site.objects.filter(is_default_site=True).update(is_default_site=False)
    home = Page.get_first_root_node().add_child(instance=Page(title="Bakery", slug="bakery"))
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    run_demo()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk


def test_wagtails_groups_no_longer_reach_every_clinics_records(demo):
    assert not groups_seeing_all_evidence()
    assert " warning " not in demo
    for name in wagtail_defaults.WAGTAIL_GROUPS:
        group = Group.objects.get(name=name)
        # What they may do is kept, in the demo's own collection.
        assert {p.collection.name for p in group.collection_permissions.all()} == {"Spinecare demo"}
        assert (
            group.collection_permissions.filter(
                permission__codename__in=["add_image", "add_document"]
            ).count()
            == 2
        )


def test_the_summary_ends_with_addresses_and_logins(demo):
    lines = summary_lines(8000)
    text = "\n".join(lines)
    for clinic in CLINICS:
        assert f"http://{clinic.hostname}:8000/" in text
        assert (
            f"{clinic.root_slug}-editor / spinecare-demo at http://{clinic.hostname}:8000/admin/"
            in text
        )
    assert "http://127.0.0.1:8000/ shows Harbourside Physiotherapy" in text
    assert lines[-1].startswith("Every clinic's admin: http://127.0.0.1:8000/admin/")


def test_no_summary_leaves_it_to_the_caller(demo):
    out = StringIO()
    call_command("spinecare_demo", editor_accounts=True, summary=False, stdout=out)
    assert "spinecare-demo at" not in out.getvalue()


#: Words a US patient reads as British: every UK spelling of the word list, and UK terms.
UK_ONLY = {uk for uk, _us, direction in SPELLINGS if direction != TO_UK} | {
    "physiotherapy",
    "physiotherapist",
    "GP",
    "A&E",
    "NHS",
}


def test_the_us_clinics_pages_read_american(demo, client):
    """Every page of the US demo clinic, but for the shared page's reviewer's own title."""
    site = Site.objects.get(hostname=HOSTS["us"])
    found = {}
    for page in site.root_page.get_descendants(inclusive=True).live().specific():
        html = fetch(client, HOSTS["us"], page.relative_url(site))
        for reviewer in html.select(".sc-review__reviewer"):
            if "Amara Okafor" in reviewer.get_text():
                reviewer.decompose()
        text = " ".join(html.get_text(" ").split())
        for word in UK_ONLY:
            flags = 0 if word.isupper() else re.IGNORECASE
            for match in re.finditer(rf"\b{re.escape(word)}s?\b", text, flags):
                found.setdefault(page.url_path, []).append(match.group(0))
    assert found == {}
