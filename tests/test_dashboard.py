"""The dashboard's "What needs doing" panel: clinical reviews, expiring consent and clinic
settings, each linking to the screen that fixes it, scoped to the user's clinics."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from wagtail_spinecare.admin.dashboard import ToDoPanel
from wagtail_spinecare.clinic_setup import add_clinic
from wagtail_spinecare.factories import ConditionPageFactory, TestimonialFactory, give_consent

NOTHING = "Nothing needs doing"


def days(n):
    return timezone.localdate() + timedelta(days=n)


def page_due(index, slug, due, **fields):
    return ConditionPageFactory(
        parent=index, title=slug.capitalize(), slug=slug, next_review_due=due, **fields
    )


def expiring(site, in_days):
    testimonial = TestimonialFactory(site=site, quote=f"Secret words of {site.hostname}.")
    give_consent(testimonial, expires_on=days(in_days))
    return testimonial


def superuser():
    return get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")


def clinic_editor(clinic):
    """A user in the editors group ``add_clinic`` gives the clinic: its pages, its settings and
    its patient records, nothing else."""
    _index, site, settings = clinic
    setup = add_clinic(site.hostname, settings.clinic_name, settings.region)
    user = get_user_model().objects.create_user(f"ed-{site.pk}", "ed@example.com", "pw")
    user.groups.add(setup.group)
    return user


def panel(client, user):
    """The panel as the dashboard shows it to ``user``."""
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one(
        "section[aria-labelledby=spinecare-to-do-heading]"
    )


def items(section):
    """Each item's text and link, by list heading."""
    return {
        heading.get_text(strip=True): [
            (" ".join(li.get_text(" ", strip=True).split()), li.a["href"])
            for li in heading.find_next_sibling("ul").select("li")
        ]
        for heading in section.select("h3")
    }


@pytest.fixture
def busy(uk_clinic, us_clinic, clinician):
    """Work in both clinics: reviews, consents and settings."""
    (uk_index, uk_site, uk_settings), (us_index, us_site, us_settings) = uk_clinic, us_clinic
    pages = {
        "overdue": page_due(uk_index, "overdue", days(-5), reviewed_by=clinician),
        "soon": page_due(uk_index, "soon", days(10), reviewed_by=clinician),
        "current": page_due(uk_index, "current", days(200), reviewed_by=clinician),
        "us-overdue": page_due(us_index, "us-overdue", days(-3), reviewed_by=clinician),
    }
    # A draft is not on the site yet: nothing to review.
    page_due(uk_index, "draft", days(-9), live=False)
    testimonials = {
        "uk": expiring(uk_site, 7),
        "uk-later": expiring(uk_site, 90),
        "us": expiring(us_site, 5),
    }
    uk_settings.booking_url = ""
    uk_settings.save()
    us_settings.phone = ""
    us_settings.save()
    return pages, testimonials


@pytest.mark.django_db
class TestToDoPanel:
    def test_nothing_to_do(self, client, condition_page, us_clinic):
        section = panel(client, superuser())
        assert NOTHING in section.get_text()
        assert section.select("h3") == []

    def test_everything_to_do_with_links(self, client, busy, uk_clinic, us_clinic):
        pages, testimonials = busy
        section = panel(client, superuser())
        assert NOTHING not in section.get_text()
        found = items(section)
        assert found["Clinical reviews"] == [
            (
                f"Overdue (Harbour Physio): Overdue, due {date_format(days(-5))}",
                reverse("wagtailadmin_pages:edit", args=(pages["overdue"].pk,)),
            ),
            (
                f"Us-overdue (Lake PT): Overdue, due {date_format(days(-3))}",
                reverse("wagtailadmin_pages:edit", args=(pages["us-overdue"].pk,)),
            ),
            (
                f"Soon (Harbour Physio): Due within 30 days, due {date_format(days(10))}",
                reverse("wagtailadmin_pages:edit", args=(pages["soon"].pk,)),
            ),
        ]
        assert found["Consent expiring within 30 days"] == [
            (
                f"Testimonial #{t.pk} ({clinic}): consent expires {date_format(days(n))}",
                reverse("wagtail_spinecare_testimonial_modeladmin_inspect", args=(t.pk,)),
            )
            for t, clinic, n in (
                (testimonials["us"], "Lake PT", 5),
                (testimonials["uk"], "Harbour Physio", 7),
            )
        ]
        settings_url = "wagtailsettings:edit"
        assert found["Clinic settings"] == [
            (
                "Harbour Physio : no booking link",
                reverse(
                    settings_url, args=("wagtail_spinecare", "clinicsettings", uk_clinic[1].pk)
                ),
            ),
            (
                "Lake PT : no phone number",
                reverse(
                    settings_url, args=("wagtail_spinecare", "clinicsettings", us_clinic[1].pk)
                ),
            ),
        ]

    def test_never_a_patients_words(self, client, busy):
        _pages, testimonials = busy
        html = str(panel(client, superuser()))
        for testimonial in testimonials.values():
            assert testimonial.quote not in html
            assert testimonial.excerpt not in html
            assert testimonial.patient_name not in html

    def test_a_clinic_editor_sees_only_their_clinic(self, client, busy, uk_clinic):
        pages, testimonials = busy
        found = items(panel(client, clinic_editor(uk_clinic)))
        assert [text.split(" (")[0] for text, _url in found["Clinical reviews"]] == [
            "Overdue",
            "Soon",
        ]
        assert [text.split(" (")[0] for text, _url in found["Consent expiring within 30 days"]] == [
            f"Testimonial #{testimonials['uk'].pk}"
        ]
        assert [text for text, _url in found["Clinic settings"]] == [
            "Harbour Physio : no booking link"
        ]

    def test_a_clinic_with_no_settings_yet(self, client, uk_clinic):
        uk_clinic[2].delete()
        found = items(panel(client, superuser()))
        assert [text for text, _url in found["Clinic settings"]] == [
            "uk.example : no clinic name, phone number, booking link"
        ]

    def test_long_lists_point_to_the_full_list(self, client, uk_clinic, clinician):
        for n in range(ToDoPanel.LIMIT + 2):
            page_due(uk_clinic[0], f"page-{n}", days(-n - 1), reviewed_by=clinician)
            expiring(uk_clinic[1], n + 1)
        section = panel(client, superuser())
        found = items(section)
        assert len(found["Clinical reviews"]) == ToDoPanel.LIMIT
        assert len(found["Consent expiring within 30 days"]) == ToDoPanel.LIMIT
        text = " ".join(section.get_text(" ").split())
        assert "And 2 more pages." in text
        assert section.find("a", string="See every testimonial whose consent is expiring")


def render(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return ToDoPanel(request).render_html({})


#: The panel's queries, however many items it lists: the reviews' count and list, the
#: expiring consents, the clinics' names and the clinic settings.
SUPERUSER_QUERIES = 5
#: For a user who edits one clinic, five more: their page permissions, their own and their
#: groups' permissions, and the ids of the patient-record and clinic-settings permissions.
EDITOR_QUERIES = 10
#: With nothing listed, no clinics' names are needed.
NOTHING_QUERIES = 3


@pytest.mark.django_db
class TestQueries:
    def test_superuser(self, busy, clinician, uk_clinic, django_assert_num_queries):
        user = superuser()
        render(user)
        with django_assert_num_queries(SUPERUSER_QUERIES):
            render(user)
        for n in range(5):
            page_due(uk_clinic[0], f"more-{n}", days(-n - 1), reviewed_by=clinician)
            expiring(uk_clinic[1], n + 1)
        with django_assert_num_queries(SUPERUSER_QUERIES):
            assert render(user).count("<li>") == 3 + 2 + 2 + 5 + 5

    def test_one_clinic_editor(self, busy, uk_clinic, clinician, django_assert_num_queries):
        user = clinic_editor(uk_clinic)
        render(get_user_model().objects.get(pk=user.pk))
        # A fresh user, as each request has: permissions are cached on the user object.
        user = get_user_model().objects.get(pk=user.pk)
        with django_assert_num_queries(EDITOR_QUERIES):
            html = render(user)
        assert html.count("<li>") == 2 + 1 + 1

    def test_nothing_to_do(self, condition_page, django_assert_num_queries):
        user = superuser()
        render(user)
        with django_assert_num_queries(NOTHING_QUERIES):
            assert NOTHING in render(user)
