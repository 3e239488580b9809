"""Bad input in the page editor: a clear message on the field at fault, nothing saved."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils.form_data import rich_text, streamfield
from wagtail_factories import ImageFactory

from wagtail_spinecare.factories import ClinicianFactory
from wagtail_spinecare.models import ConditionPage

from .forms import condition_page_form, cta_form, faq_form, listblock


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("wagtail_spinecare", "conditionpage", parent.pk))


def publish(admin_client, parent, **form):
    """Publish from the editor; the page has a current clinical review unless a test says not."""
    review = {
        "reviewed_by": str(ClinicianFactory().pk),
        "last_reviewed": (date.today() - timedelta(days=1)).isoformat(),
        "next_review_due": (date.today() + timedelta(days=180)).isoformat(),
    }
    data = condition_page_form(**{**review, **form})
    data["action-publish"] = "action-publish"
    return admin_client.post(add_url(parent), data)


def save_draft(admin_client, parent, **form):
    return admin_client.post(add_url(parent), condition_page_form(**form))


def body_error(response):
    """The StreamBlockValidationError attached to the body field."""
    return response.context["form"].errors.as_data()["body"][0]


def section(heading, *content, aspect="overview"):
    return ("section", {"aspect": aspect, "heading": heading, "content": streamfield(content)})


@pytest.mark.django_db
class TestPublishingBadInput:
    def test_valid_page_publishes(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        response = publish(
            admin_client,
            index,
            body=[
                section("Overview", ("paragraph", rich_text("<p>Hello</p>"))),
                ("faq", faq_form([("Will it last?", "<p>Usually not.</p>")])),
                ("booking_cta", cta_form()),
            ],
        )
        assert response.status_code == 302
        page = ConditionPage.objects.get()
        assert page.live
        assert [block.block_type for block in page.body] == ["section", "faq", "booking_cta"]

    def test_image_without_alt_text(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        image = ImageFactory()
        figure = {
            "image": {"image": str(image.pk), "alt_text": "", "decorative": ""},
            "caption": "",
        }
        response = publish(admin_client, index, body=[section("Overview", ("figure", figure))])
        assert response.status_code == 200
        error = body_error(response).block_errors[0].block_errors["content"]
        image_errors = error.block_errors[0].block_errors["image"].block_errors
        assert "alt text" in image_errors["alt_text"].messages[0]
        assert not ConditionPage.objects.exists()

    def test_decorative_image_needs_no_alt_text(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        image = ImageFactory()
        figure = {
            "image": {"image": str(image.pk), "alt_text": "", "decorative": "on"},
            "caption": "",
        }
        response = publish(admin_client, index, body=[section("Overview", ("figure", figure))])
        assert response.status_code == 302

    def test_faq_answer_without_question(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        response = publish(
            admin_client, index, body=[("faq", faq_form([("", "<p>An orphan answer.</p>")]))]
        )
        assert response.status_code == 200
        item = body_error(response).block_errors[0].block_errors["items"].block_errors[0]
        assert item.block_errors["question"].messages == [
            "Every answer needs its question: write the question this answer replies to."
        ]
        assert not ConditionPage.objects.exists()

    def test_faq_question_without_answer(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        response = publish(admin_client, index, body=[("faq", faq_form([("Is it serious?", "")]))])
        assert response.status_code == 200
        item = body_error(response).block_errors[0].block_errors["items"].block_errors[0]
        assert "answer" in item.block_errors
        assert not ConditionPage.objects.exists()

    def test_quick_answer_too_long(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        response = publish(admin_client, index, quick_answer="word " * 100)
        assert response.status_code == 200
        message = response.context["form"].errors["quick_answer"][0]
        assert "at most 320 characters" in message
        assert not ConditionPage.objects.exists()

    def test_next_review_before_last_review(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        response = publish(
            admin_client, index, last_reviewed="2026-05-01", next_review_due="2026-04-01"
        )
        assert response.status_code == 200
        assert (
            "must come after the last review"
            in (response.context["form"].errors["next_review_due"][0])
        )
        assert not ConditionPage.objects.exists()

    def test_cta_with_nowhere_to_go(self, admin_client, uk_clinic):
        index, _site, clinic = uk_clinic
        clinic.booking_url = clinic.phone = ""
        clinic.save()
        response = publish(
            admin_client,
            index,
            body=[section("Book", ("booking_cta", cta_form()), aspect="treatment")],
        )
        assert response.status_code == 200
        nested = body_error(response).block_errors[0].block_errors["content"]
        message = nested.block_errors[0].block_errors["link"].messages[0]
        assert "nowhere to send patients" in message
        assert not ConditionPage.objects.exists()

    def test_cta_with_own_link_is_fine_without_clinic_link(self, admin_client, uk_clinic):
        index, _site, clinic = uk_clinic
        clinic.booking_url = clinic.phone = ""
        clinic.save()
        response = publish(
            admin_client, index, body=[("booking_cta", cta_form(link="https://book.example/x"))]
        )
        assert response.status_code == 302

    def test_cta_on_clinic_with_phone_only_is_fine(self, admin_client, uk_clinic):
        index, _site, clinic = uk_clinic
        clinic.booking_url = ""
        clinic.save()
        response = publish(admin_client, index, body=[("booking_cta", cta_form())])
        assert response.status_code == 302

    def test_unfinished_cta_can_be_saved_as_draft(self, admin_client, uk_clinic):
        index, _site, clinic = uk_clinic
        clinic.booking_url = clinic.phone = ""
        clinic.save()
        response = save_draft(admin_client, index, body=[("booking_cta", cta_form())])
        assert response.status_code == 302
        assert not ConditionPage.objects.get().live


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        [],
        [section("", aspect="overview")],
        [section("What is it?", ("paragraph", rich_text("")))],
        [
            section(
                "Treatment",
                ("comparison", {"caption": "", "intro": "", "treatments": listblock([""])}),
            )
        ],
        [("faq", faq_form([("", "Usually within six weeks.")]))],
        [
            section(
                "Where it hurts",
                (
                    "figure",
                    {"image": {"image": "", "decorative": "", "alt_text": ""}, "caption": ""},
                ),
            )
        ],
    ],
    ids=[
        "no body",
        "empty section",
        "blank text",
        "unchosen treatment",
        "faq without question",
        "figure without image",
    ],
)
def test_autosave_of_a_page_half_written_answers_without_an_error(admin_client, uk_clinic, body):
    """Wagtail's autosave (8.0) posts the editor's form as it stands, asking for JSON: a page
    half written is saved as a draft or refused with its errors, never a server error. (On
    a Wagtail without autosave, the same post saves a draft from the editor.)"""
    index, _site, _clinic = uk_clinic
    data = condition_page_form(body=body, title="Whiplash", slug="whiplash", quick_answer="")
    response = admin_client.post(add_url(index), data, HTTP_ACCEPT="application/json")
    assert response.status_code in (200, 302, 400)
