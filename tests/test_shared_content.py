"""Clinical content written once, shown on every clinic's site in that clinic's own words."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core.cache import caches
from django.test import override_settings
from wagtail.models import Page

from wagtail_spinecare.factories import (
    ClinicianFactory,
    ConditionPageFactory,
    TestimonialFactory,
    give_consent,
    stream_item,
)
from wagtail_spinecare.models import (
    Canonical,
    ClinicConditionPage,
)
from wagtail_spinecare.terminology import Region, adapt_text, terminology_for

from .conftest import clinic_page, shared_body

UK_TERMS, US_TERMS = terminology_for(Region.UK), terminology_for(Region.US)


def get(client, site, path="/facet-joint-pain/", status=200):
    response = client.get(path, HTTP_HOST=site.hostname)
    assert response.status_code == status, response.content[:500]
    return response


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def json_ld(response) -> dict:
    soup = BeautifulSoup(response.content, "html.parser")
    return json.loads(soup.find("script", type="application/ld+json").string)


class TestAdaptText:
    def test_uk_words_become_us_words(self):
        assert (
            adapt_text("Physiotherapy and physiotherapists; see your GP.", UK_TERMS, US_TERMS)
            == "Physical therapy and physical therapists; see your doctor."
        )

    def test_plural_and_case_are_kept(self):
        assert adapt_text("GPs and Physiotherapists", UK_TERMS, US_TERMS) == (
            "Doctors and Physical therapists"
        )

    def test_words_inside_other_words_are_left_alone(self):
        assert adapt_text("physiotherapyish GPU", UK_TERMS, US_TERMS) == "physiotherapyish GPU"

    def test_tags_and_attributes_never_change(self):
        html = '<a href="/physiotherapy/" title="physiotherapy">physiotherapy</a>'
        assert adapt_text(html, UK_TERMS, US_TERMS) == (
            '<a href="/physiotherapy/" title="physiotherapy">physical therapy</a>'
        )

    def test_addresses_are_left_alone(self):
        url = "https://example.org/physiotherapy"
        assert adapt_text(url, UK_TERMS, US_TERMS) == url

    def test_us_words_become_uk_words_but_doctor_stays(self):
        # "doctor" is a UK word too: only words that belong to one country are swapped.
        assert adapt_text("A physical therapist or your doctor can help.", US_TERMS, UK_TERMS) == (
            "A physiotherapist or your doctor can help."
        )

    def test_same_country_changes_nothing(self):
        assert adapt_text("physiotherapy GP", UK_TERMS, UK_TERMS) == "physiotherapy GP"


class TestClinicPages:
    def test_each_clinic_shows_the_shared_text_in_its_own_words(self, client, uk_page, us_page):
        uk = text_of(get(client, uk_page.get_site()))
        us = text_of(get(client, us_page.get_site()))
        assert "exercise guided by a physiotherapist" in uk
        assert "Your GP or physiotherapist can tell you more" in uk
        assert "exercise guided by a physical therapist" in us
        assert "Your doctor or physical therapist can tell you more" in us
        assert "How physical therapy helps" in us
        # The reviewer's own job title is theirs, and is not adapted.
        assert "physiotherap" not in us.lower().split("reviewed by")[0]

    def test_links_in_shared_text_keep_their_address(self, client, us_page):
        soup = BeautifulSoup(get(client, us_page.get_site()).content, "html.parser")
        link = soup.find("a", string="Read about physical therapy")
        assert link["href"] == "https://example.org/physiotherapy/"

    def test_structured_data_uses_the_clinic_words_and_address(self, client, us_page):
        graph = json_ld(get(client, us_page.get_site()))["@graph"]
        webpage = graph[0]
        assert webpage["url"] == "http://us.example/facet-joint-pain/"
        answer = webpage["mainEntity"][0]["acceptedAnswer"]["text"]
        assert "physical therapist" in answer and "doctor" in answer

    def test_each_clinic_has_its_own_overlays(self, client, uk_page, us_page, us_site, uk_site):
        amara = ClinicianFactory(name="Amara Okafor", profession="Physiotherapist")
        uk_page.clinicians.set([amara])
        uk_page.save_revision().publish()
        uk = text_of(get(client, uk_site))
        us = text_of(get(client, us_site))
        assert "Harbour Physio is by the quay." in uk and "Lake PT" not in uk
        assert "Lake PT is on Elm Avenue." in us and "Harbour Physio" not in us
        assert "Who you will see at Harbour Physio" in uk and "Amara Okafor" in uk
        assert "Amara Okafor" not in us

    def test_each_clinic_shows_only_its_own_patients_stories(
        self, client, shared, uk_page, us_page
    ):
        uk_story = TestimonialFactory(
            site=uk_page.get_site(), condition_page=shared, quote="Back to sailing by spring."
        )
        us_story = TestimonialFactory(
            site=us_page.get_site(), condition_page=shared, quote="Back to hiking by fall."
        )
        give_consent(uk_story)
        give_consent(us_story)
        uk = text_of(get(client, uk_page.get_site()))
        us = text_of(get(client, us_page.get_site()))
        assert "Back to sailing by spring." in uk and "hiking" not in uk
        assert "Back to hiking by fall." in us and "sailing" not in us

    def test_one_edit_to_the_shared_page_shows_on_every_clinic(
        self, client, shared, uk_page, us_page
    ):
        shared.body = shared_body("<p>New advice: a physiotherapist will check your posture.</p>")
        shared.title = "Facet joint pain and physiotherapy"
        shared.save_revision().publish()
        us = BeautifulSoup(get(client, us_page.get_site()).content, "html.parser")
        assert us.h1.get_text() == "Facet joint pain and physical therapy"
        assert us.title.get_text().startswith("Facet joint pain and physical therapy")
        assert "a physiotherapist will check your posture" in text_of(
            get(client, uk_page.get_site())
        )
        assert "a physical therapist will check your posture" in text_of(
            get(client, us_page.get_site())
        )

    def test_a_shared_draft_is_not_shown(self, client, shared, uk_page):
        shared.quick_answer = "Unreviewed draft text."
        shared.save_revision()
        assert "Unreviewed draft text." not in text_of(get(client, uk_page.get_site()))

    def test_the_condition_list_shows_the_clinic_page_in_clinic_words(self, client, us_page):
        response = get(client, us_page.get_site(), "/")
        soup = BeautifulSoup(response.content, "html.parser")
        item = soup.select_one(".sc-condition-list__item")
        assert item.a["href"] == "/facet-joint-pain/"
        assert "guided by a physical therapist" in item.get_text()

    def test_own_canonical_by_default(self, client, us_page):
        soup = BeautifulSoup(get(client, us_page.get_site()).content, "html.parser")
        assert soup.find("link", rel="canonical")["href"] == "http://us.example/facet-joint-pain/"

    def test_one_authoritative_page_when_the_group_chooses_it(
        self, client, library, uk_page, us_page, uk_site
    ):
        library.canonical = Canonical.AUTHORITATIVE
        library.authoritative_site = uk_site
        library.save_revision().publish()
        for page in (uk_page, us_page):
            soup = BeautifulSoup(get(client, page.get_site()).content, "html.parser")
            assert soup.find("link", rel="canonical")["href"] == (
                "http://uk.example/facet-joint-pain/"
            )

    def test_the_shared_page_cache_is_emptied_on_publish(self, client, shared, uk_page, us_page):
        locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        with override_settings(CACHES=locmem, WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=600):
            caches["default"].clear()
            get(client, us_page.get_site())
            assert get(client, us_page.get_site())["X-Spinecare-Cache"] == "hit"
            shared.quick_answer = "Keep moving, and ask a physiotherapist."
            shared.save_revision().publish()
            response = get(client, us_page.get_site())
            assert response["X-Spinecare-Cache"] == "miss"
            assert "ask a physical therapist" in text_of(response)
            caches["default"].clear()

    def test_frontend_cache_purges_every_clinic_page(
        self, shared, uk_page, us_page, purges, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            shared.save_revision().publish()
        assert {uk_page.pk, us_page.pk} <= purges()

    def test_a_withdrawn_story_is_purged_from_the_clinic_page_showing_it(
        self, shared, uk_page, us_page, purges, django_capture_on_commit_callbacks
    ):
        from wagtail_spinecare import consent_actions

        story = TestimonialFactory(site=uk_page.get_site(), condition_page=shared)
        give_consent(story)
        purges.reset()
        with django_capture_on_commit_callbacks(execute=True):
            consent_actions.withdraw(story, channel="email")
        assert uk_page.pk in purges()

    def test_a_treatment_change_purges_clinic_pages_comparing_it(
        self, shared, uk_page, purges, django_capture_on_commit_callbacks
    ):
        from wagtail_spinecare.factories import TreatmentFactory

        treatment = TreatmentFactory()
        comparison = stream_item(
            "comparison", {"caption": "Treatments", "intro": "", "treatments": [treatment.pk]}
        )
        shared.body = [
            *shared_body(),
            stream_item(
                "section",
                {"aspect": "treatment", "heading": "Options", "content": [comparison]},
            ),
        ]
        shared.save_revision().publish()
        purges.reset()
        with django_capture_on_commit_callbacks(execute=True):
            treatment.summary = "Changed."
            treatment.save()
        assert uk_page.pk in purges()


class TestMissingSharedContent:
    def test_deleted_shared_page_gives_a_clear_message_not_an_empty_page(
        self, client, shared, uk_page
    ):
        shared.delete()
        response = get(client, uk_page.get_site(), status=503)
        text = text_of(response)
        assert "this page is not available at the moment" in text
        assert "0117 496 0123" in text and "999" in text
        uk_page.refresh_from_db()
        assert uk_page.shared_page_id is None

    def test_unpublished_shared_page_gives_the_same_message(self, client, shared, uk_page):
        shared.unpublish()
        assert "not available" in text_of(get(client, uk_page.get_site(), status=503))

    def test_the_condition_list_leaves_out_pages_with_nothing_to_show(
        self, client, shared, uk_page
    ):
        shared.unpublish()
        response = get(client, uk_page.get_site(), "/")
        assert b"sc-condition-list__item" not in response.content

    def test_the_library_itself_is_never_served(self, client, library, shared, uk_site):
        from django.http import Http404
        from django.test import RequestFactory

        with pytest.raises(Http404):
            library.serve(RequestFactory().get("/"))


class TestPublishingGate:
    def test_checks_explain_a_missing_shared_page(self, uk_clinic):
        from wagtail_spinecare.checks import run_checks

        page = uk_clinic[0].add_child(
            instance=ClinicConditionPage(title="Sciatica", slug="sciatica", live=False)
        )
        (finding,) = run_checks(page)
        assert finding.code == "shared-missing" and finding.is_error

    def test_checks_refuse_a_page_outside_the_library(self, uk_clinic):
        from wagtail_spinecare.checks import run_checks

        own = ConditionPageFactory(parent=uk_clinic[0], slug="own")
        page = uk_clinic[0].add_child(
            instance=ClinicConditionPage(title="Own", slug="own-copy", shared_page=own)
        )
        assert [f.code for f in run_checks(page)] == ["shared-not-in-library"]

    def test_checks_of_the_shared_page_are_told_as_the_clinic_sees_them(self, uk_page, shared):
        from wagtail_spinecare.checks import run_checks

        assert run_checks(uk_page) == []
        shared.unpublish()
        uk_page.refresh_from_db()
        assert [f.code for f in run_checks(uk_page)] == ["shared-not-live"]

    def test_publishing_without_a_shared_page_is_refused_on_its_field(
        self, admin_client, uk_clinic
    ):
        from django.urls import reverse

        index = uk_clinic[0]
        url = reverse(
            "wagtailadmin_pages:add",
            args=["wagtail_spinecare", "clinicconditionpage", index.pk],
        )
        response = admin_client.post(
            url,
            {
                "title": "Sciatica",
                "slug": "sciatica",
                "introduction": "",
                "action-publish": "publish",
            },
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "Choose the shared condition page" in " ".join(errors["shared_page"])
        assert not ClinicConditionPage.objects.filter(slug="sciatica").exists()

    def test_the_editor_shows_where_the_content_comes_from(self, admin_client, uk_page, shared):
        from django.urls import reverse

        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[uk_page.pk]))
        assert response.status_code == 200
        assert b"This page shows the shared page" in response.content
        edit_shared = reverse("wagtailadmin_pages:edit", args=[shared.pk])
        assert edit_shared.encode() in response.content


def test_library_pages_live_outside_every_site(library, shared, uk_page):
    assert library.get_parent().pk == Page.get_first_root_node().pk
    assert shared.get_url() is None


class TestClinicWithoutSettings:
    @pytest.fixture
    def bare_site(self, root_page, shared):
        from wagtail.models import Site

        from wagtail_spinecare.factories import ConditionIndexPageFactory

        home = ConditionIndexPageFactory(parent=root_page, slug="bare")
        site = Site.objects.create(
            hostname="bare.example", port=80, root_page=home, site_name="Bare"
        )
        return site, clinic_page(home, shared)

    def test_pages_still_answer_with_the_national_defaults(self, client, bare_site):
        site, _page = bare_site
        text = text_of(get(client, site))
        assert "Most people get better with exercise guided by a physiotherapist." in text
        assert "Bare" in text  # the site's name stands in for the clinic's

    def test_editors_are_told_to_fill_the_settings_in(self, bare_site):
        from wagtail_spinecare.checks import run_checks

        site, page = bare_site
        (finding,) = [f for f in run_checks(page) if f.code == "clinic-settings-missing"]
        assert not finding.is_error and "Bare" in finding.message
        assert "Settings, Clinic settings" in finding.message


class TestSitemaps:
    def test_a_page_with_content_is_listed(self, uk_page):
        (entry,) = uk_page.get_sitemap_urls()
        assert entry["location"] == "http://uk.example/facet-joint-pain/"

    def test_a_page_with_nothing_to_show_is_not(self, shared, uk_page):
        shared.unpublish()
        uk_page.refresh_from_db()
        assert uk_page.get_sitemap_urls() == []

    def test_only_the_original_is_listed_when_the_group_chose_one(
        self, library, uk_page, us_page, uk_site
    ):
        library.canonical = Canonical.AUTHORITATIVE
        library.authoritative_site = uk_site
        library.save()
        assert len(uk_page.get_sitemap_urls()) == 1
        assert us_page.get_sitemap_urls() == []


class TestOnlySharedContent:
    def test_a_draft_may_not_draw_on_another_clinics_own_page(
        self, admin_client, uk_clinic, us_clinic
    ):
        from django.urls import reverse

        theirs = ConditionPageFactory(parent=us_clinic[0], slug="theirs")
        url = reverse(
            "wagtailadmin_pages:add",
            args=["wagtail_spinecare", "clinicconditionpage", uk_clinic[0].pk],
        )
        response = admin_client.post(
            url, {"title": "Copy", "slug": "copy", "shared_page": theirs.pk, "introduction": ""}
        )
        assert response.status_code == 200
        assert "is not in a shared condition library" in " ".join(
            response.context["form"].errors["shared_page"]
        )
        assert not ClinicConditionPage.objects.filter(slug="copy").exists()

    def test_a_live_page_whose_shared_page_left_the_library_shows_nothing(
        self, client, shared, uk_page, root_page
    ):
        shared.move(root_page, pos="last-child")
        assert "not available" in text_of(get(client, uk_page.get_site(), status=503))
        listing = get(client, uk_page.get_site(), "/")
        assert (
            b"sc-condition-list__item" not in listing.content
            or b"Facet joint pain" in listing.content
        )


def test_moving_a_shared_page_out_of_the_library_empties_the_page_cache(
    client, shared, uk_page, root_page
):
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem, WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=600):
        caches["default"].clear()
        get(client, uk_page.get_site())
        assert get(client, uk_page.get_site())["X-Spinecare-Cache"] == "hit"
        shared.move(root_page, pos="last-child")
        response = client.get("/facet-joint-pain/", HTTP_HOST=uk_page.get_site().hostname)
        assert response.status_code == 503
        caches["default"].clear()
