"""Clinical governance: the publication gate, checks in the editor and preview, the review
report, the monitoring command and the sources patients see. The dashboard is in
test_dashboard."""

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield
from wagtail_factories import ImageFactory

from wagtail_spinecare.factories import (
    ClinicianFactory,
    ConditionPageFactory,
    section_data,
    stream_item,
)
from wagtail_spinecare.models import (
    ClinicConditionPage,
    ConditionLibraryPage,
    ConditionPage,
    Guideline,
    GuidelineRecommendation,
    PageSource,
    Treatment,
    TreatmentComparisonPage,
)

from .forms import condition_page_form

PREVIEW_NOTICE = "Content checks (shown in preview only)"
PROMISE = "Here's how they compare, based on current guidelines and evidence."


def today():
    return timezone.localdate()


def days(n):
    return today() + timedelta(days=n)


def iso(n):
    return days(n).isoformat()


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def section(heading, *content, aspect="overview"):
    """A section in the page editor's POST format."""
    return ("section", {"aspect": aspect, "heading": heading, "content": streamfield(content)})


def reviewed(clinician, **overrides):
    fields = {
        "reviewed_by": str(clinician.pk),
        "last_reviewed": iso(-10),
        "next_review_due": iso(300),
    }
    fields.update(overrides)
    return fields


def page_form(body=(), **fields):
    fields.setdefault("spinecare_sources", inline_formset([]))
    return condition_page_form(body=body, **fields)


def add_url(index, model="conditionpage"):
    return reverse("wagtailadmin_pages:add", args=("wagtail_spinecare", model, index.pk))


def publish_new(client, index, **fields):
    data = page_form(**fields)
    data["action-publish"] = "action-publish"
    return client.post(add_url(index), data)


def form_errors(response):
    assert response.status_code == 200
    return response.context["form"].errors


# The publication gate ----------------------------------------------------------------------


@pytest.mark.django_db
class TestPublicationGateOnAdd:
    def test_no_reviewer(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        response = publish_new(admin_client, index)
        errors = form_errors(response)
        (message,) = errors["reviewed_by"]
        assert "needs a clinical review before it is published" in message
        for missing in (
            "the reviewing clinician",
            "the date it was last reviewed",
            "the date the next review is due",
        ):
            assert missing in message
        assert not ConditionPage.objects.exists()

    def test_only_the_reviewer_missing(self, admin_client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        response = publish_new(admin_client, index, **reviewed(clinician, reviewed_by=""))
        (message,) = form_errors(response)["reviewed_by"]
        assert message.endswith("Missing: the reviewing clinician.")
        assert not ConditionPage.objects.exists()

    def test_draft_without_review_can_be_saved(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        response = admin_client.post(add_url(index), page_form())
        assert response.status_code == 302
        page = ConditionPage.objects.get()
        assert not page.live
        assert page.reviewed_by is None

    def test_last_review_in_the_future(self, admin_client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        response = publish_new(
            admin_client,
            index,
            **reviewed(clinician, last_reviewed=iso(1), next_review_due=iso(200)),
        )
        errors = form_errors(response)
        assert "is in the future" in errors["last_reviewed"][0]
        assert "reviewed_by" not in errors
        assert not ConditionPage.objects.exists()

    def test_next_review_beyond_the_clinics_interval(self, admin_client, uk_clinic, clinician):
        index, _site, clinic = uk_clinic
        too_late = reviewed(clinician, next_review_due=iso(500))
        response = publish_new(admin_client, index, **too_late)
        message = form_errors(response)["next_review_due"][0]
        assert "within 12 months" in message
        assert not ConditionPage.objects.exists()

        clinic.review_interval_months = 24
        clinic.save()
        assert publish_new(admin_client, index, **too_late).status_code == 302
        assert ConditionPage.objects.get().live

    def test_body_problem_is_a_non_field_error_naming_where(
        self, admin_client, uk_clinic, clinician
    ):
        index, _site, _clinic = uk_clinic
        body = [
            section(
                "Treatment options explained",
                ("paragraph", rich_text(f"<p>{PROMISE}</p>")),
                aspect="treatment",
            )
        ]
        response = publish_new(admin_client, index, body=body, **reviewed(clinician))
        errors = response.context["form"].non_field_errors()
        assert response.status_code == 200
        (message,) = errors
        assert message.startswith("Section “Treatment options explained”: ")
        assert "promises a comparison" in message
        assert not ConditionPage.objects.exists()

    def test_file_name_alt_text_blocks_publishing(self, admin_client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        image = ImageFactory()
        figure = {
            "image": {"image": str(image.pk), "alt_text": "IMG_2041.jpg", "decorative": ""},
            "caption": "",
        }
        response = publish_new(
            admin_client,
            index,
            body=[section("Introduction", ("figure", figure))],
            **reviewed(clinician),
        )
        assert response.status_code == 200
        (message,) = response.context["form"].non_field_errors()
        assert message.startswith("Section “Introduction”: ")
        assert "IMG_2041.jpg" in message
        assert not ConditionPage.objects.exists()

    def test_warnings_do_not_block_publishing(self, admin_client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        overdue = reviewed(clinician, last_reviewed=iso(-300), next_review_due=iso(-1))
        response = publish_new(admin_client, index, **overdue)
        assert response.status_code == 302
        assert ConditionPage.objects.get().live

    def test_valid_page_publishes(self, admin_client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        body = [
            section("Overview", ("paragraph", rich_text("<p>Facet joints guide the spine.</p>")))
        ]
        response = publish_new(admin_client, index, body=body, **reviewed(clinician))
        assert response.status_code == 302
        page = ConditionPage.objects.get()
        assert page.live
        assert page.reviewed_by == clinician
        assert page.next_review_due == days(300)


@pytest.mark.django_db
def test_bulk_publish_cannot_bypass_the_gate(admin_client, uk_clinic):
    index = uk_clinic[0]
    assert admin_client.post(add_url(index), page_form()).status_code == 302
    page = ConditionPage.objects.get()
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    admin_client.post(f"{url}?id={page.pk}", {"include_descendants": ""})
    page.refresh_from_db()
    assert not page.live


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url, expected",
    [("https://evil.example/phish", "/admin/pages/"), ("/admin/pages/3/", "/admin/pages/3/")],
)
def test_a_refused_bulk_publish_goes_back_only_within_the_site(
    admin_client, uk_clinic, next_url, expected
):
    index = uk_clinic[0]
    assert admin_client.post(add_url(index), page_form()).status_code == 302
    page = ConditionPage.objects.get()
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    response = admin_client.post(f"{url}?id={page.pk}&next={next_url}", {"include_descendants": ""})
    assert response.status_code == 302
    assert response["Location"] == expected


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


@pytest.mark.django_db
class TestPublicationGateOnEdit:
    def post(self, client, page, publish=True, **fields):
        data = page_form(title=page.title, slug=page.slug, **fields)
        if publish:
            data["action-publish"] = "action-publish"
        return client.post(edit_url(page), data)

    def test_removing_the_reviewer(self, admin_client, condition_page, clinician):
        response = self.post(admin_client, condition_page, **reviewed(clinician, reviewed_by=""))
        assert "the reviewing clinician" in form_errors(response)["reviewed_by"][0]
        page = ConditionPage.objects.get(pk=condition_page.pk)
        assert page.reviewed_by == clinician
        assert page.latest_revision_id == condition_page.latest_revision_id  # nothing saved

    def test_next_review_too_late(self, admin_client, condition_page, clinician):
        response = self.post(
            admin_client, condition_page, **reviewed(clinician, next_review_due=iso(400))
        )
        assert "within 12 months" in form_errors(response)["next_review_due"][0]
        page = ConditionPage.objects.get(pk=condition_page.pk)
        assert page.next_review_due == condition_page.next_review_due

    def test_draft_without_reviewer_is_saved_and_live_version_kept(
        self, admin_client, condition_page, clinician
    ):
        response = self.post(
            admin_client, condition_page, publish=False, **reviewed(clinician, reviewed_by="")
        )
        assert response.status_code == 302
        page = ConditionPage.objects.get(pk=condition_page.pk)
        assert page.live and page.has_unpublished_changes
        assert page.reviewed_by == clinician
        assert page.get_latest_revision_as_object().reviewed_by is None

    def test_valid_edit_publishes(self, admin_client, condition_page, clinician):
        other = ClinicianFactory(name="Ben Carter")
        response = self.post(
            admin_client,
            condition_page,
            **reviewed(other, last_reviewed=iso(0), next_review_due=iso(360)),
        )
        assert response.status_code == 302
        page = ConditionPage.objects.get(pk=condition_page.pk)
        assert page.live and not page.has_unpublished_changes
        assert page.reviewed_by == other
        assert page.last_reviewed == today()


@pytest.fixture
def treatment(db):
    guideline = Guideline.objects.create(
        code="NICE NG59",
        title="Low back pain and sciatica in over 16s",
        authority="NICE",
        current_version="2020-12-11",
        url="https://www.nice.org.uk/guidance/ng59",
    )
    treatment = Treatment.objects.create(
        name="Exercise programme", category="exercise", summary="Exercises chosen with you."
    )
    GuidelineRecommendation.objects.create(
        treatment=treatment,
        guideline=guideline,
        guideline_version="2020-12-11",
        recommendation_id="1.2.1",
        strength="consider",
        source_url="https://www.nice.org.uk/guidance/ng59/chapter/Recommendations",
    )
    return treatment


@pytest.mark.django_db
class TestPublicationGateOnComparisonPage:
    def form(self, treatment, **fields):
        treatments = {
            "0": {"value": str(treatment.pk), "deleted": "", "order": "0", "id": ""},
            "count": "1",
        }
        data = {
            "title": "Treatments compared",
            "slug": "treatments",
            "intro": "Treatments side by side.",
            "body": streamfield(
                [("comparison", {"caption": "Compared", "intro": "", "treatments": treatments})]
            ),
            "reviewed_by": "",
            "last_reviewed": "",
            "next_review_due": "",
            "seo_title": "",
            "search_description": "",
            "go_live_at": "",
            "expire_at": "",
            "comments": inline_formset([]),
            "spinecare_sources": inline_formset([]),
            "action-publish": "action-publish",
            **fields,
        }
        return nested_form_data(data)

    def test_no_reviewer(self, admin_client, uk_clinic, treatment):
        index, _site, _clinic = uk_clinic
        response = admin_client.post(
            add_url(index, "treatmentcomparisonpage"), self.form(treatment)
        )
        assert "the reviewing clinician" in form_errors(response)["reviewed_by"][0]
        assert not TreatmentComparisonPage.objects.exists()

    def test_reviewed_comparison_publishes(self, admin_client, uk_clinic, treatment, clinician):
        index, _site, _clinic = uk_clinic
        response = admin_client.post(
            add_url(index, "treatmentcomparisonpage"),
            self.form(treatment, **reviewed(clinician)),
        )
        assert response.status_code == 302
        assert TreatmentComparisonPage.objects.get().live

    def test_edit_needs_a_reviewer_too(self, admin_client, uk_clinic, treatment, clinician):
        index, _site, _clinic = uk_clinic
        admin_client.post(
            add_url(index, "treatmentcomparisonpage"),
            self.form(treatment, **reviewed(clinician)),
        )
        page = TreatmentComparisonPage.objects.get()
        response = admin_client.post(
            edit_url(page), self.form(treatment, **reviewed(clinician, next_review_due=""))
        )
        message = form_errors(response)["reviewed_by"][0]
        assert message.endswith("Missing: the date the next review is due.")
        assert TreatmentComparisonPage.objects.get().next_review_due == days(300)


# Checks in the editor and in preview -------------------------------------------------------


def dont_body():
    return [
        stream_item(
            "section",
            section_data(
                "Self-care",
                "self_care",
                [
                    stream_item(
                        "do_dont", {"do": ["keep moving"], "dont": ["don't lift heavy things"]}
                    )
                ],
            ),
        )
    ]


def html_text(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


@pytest.mark.django_db
class TestContentChecksPanel:
    def test_problem_shown_in_the_editor(self, admin_client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        page = ConditionPageFactory(
            parent=index, slug="facet", body=dont_body(), reviewed_by=clinician
        )
        text = html_text(admin_client.get(edit_url(page)))
        assert "Start “don't lift heavy things” with “do not”." in text
        assert "dont-without-do-not" in text
        assert "No problems found" not in text

    def test_overdue_review_shown_in_the_editor(self, admin_client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        page = ConditionPageFactory(
            parent=index, slug="facet", reviewed_by=clinician, next_review_due=days(-1)
        )
        text = html_text(admin_client.get(edit_url(page)))
        assert f"The clinical review was due on {iso(-1)}." in text

    def test_clean_page(self, admin_client, condition_page):
        text = html_text(admin_client.get(edit_url(condition_page)))
        assert "No problems found" in text
        assert "Content checks" in text

    def test_checks_the_latest_draft(self, admin_client, condition_page):
        condition_page.body = dont_body()
        condition_page.save_revision()
        text = html_text(admin_client.get(edit_url(condition_page)))
        assert "don't lift heavy things" in text

    def test_new_page_asks_for_a_draft(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        text = html_text(admin_client.get(add_url(index)))
        assert "Save a draft to check the page." in text


@pytest.mark.django_db
class TestPreview:
    def test_preview_request_shows_findings(self, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        page = ConditionPageFactory(
            parent=index, slug="facet", body=dont_body(), reviewed_by=clinician
        )
        text = html_text(page.make_preview_request())
        assert PREVIEW_NOTICE in text
        assert "Start “don't lift heavy things” with “do not”." in text

    def test_admin_preview_of_unsaved_changes(self, admin_client, condition_page, clinician):
        url = reverse("wagtailadmin_pages:preview_on_edit", args=(condition_page.pk,))
        data = page_form(
            title=condition_page.title,
            slug=condition_page.slug,
            **reviewed(clinician, next_review_due=iso(-1), last_reviewed=iso(-300)),
        )
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert response.json()["is_valid"]
        text = html_text(admin_client.get(url))
        assert PREVIEW_NOTICE in text
        assert f"The clinical review was due on {iso(-1)}." in text

    def test_admin_preview_checks_against_the_pages_clinic(
        self, admin_client, condition_page, clinician, uk_clinic
    ):
        url = reverse("wagtailadmin_pages:preview_on_edit", args=(condition_page.pk,))
        data = page_form(
            title=condition_page.title,
            slug=condition_page.slug,
            **reviewed(clinician, next_review_due=iso(540)),
        )
        assert admin_client.post(url, data).json()["is_valid"]
        assert "within 12 months" in html_text(admin_client.get(url))
        clinic = uk_clinic[2]
        clinic.review_interval_months = 24
        clinic.save()
        assert PREVIEW_NOTICE not in html_text(admin_client.get(url))

    def test_admin_preview_of_a_new_page(self, admin_client, uk_clinic):
        index = uk_clinic[0]
        url = reverse(
            "wagtailadmin_pages:preview_on_add",
            args=("wagtail_spinecare", "conditionpage", index.pk),
        )
        assert admin_client.post(url, page_form()).json()["is_valid"]
        text = html_text(admin_client.get(url))
        assert PREVIEW_NOTICE in text
        assert "the reviewing clinician" in text

    def test_clean_preview_has_no_notice(self, condition_page):
        assert PREVIEW_NOTICE not in html_text(condition_page.make_preview_request())

    def test_live_page_never_shows_the_checks(self, client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        ConditionPageFactory(
            parent=index,
            slug="facet",
            body=dont_body(),
            reviewed_by=clinician,
            next_review_due=days(-1),
        )
        text = html_text(client.get("/facet/", HTTP_HOST="uk.example"))
        assert "don't lift heavy things" in text  # the page itself is shown
        assert PREVIEW_NOTICE not in text
        assert "Start “don't" not in text


# The review report -------------------------------------------------------------------------


def reviewed_page(parent, title, slug, by, last, due):
    """A live condition page reviewed by ``by``, ``last`` and ``due`` in days from today."""
    return ConditionPageFactory(
        parent=parent,
        title=title,
        slug=slug,
        reviewed_by=by,
        last_reviewed=None if last is None else days(last),
        next_review_due=None if due is None else days(due),
    )


@pytest.fixture
def review_pages(uk_clinic, us_clinic, clinician):
    """Pages on two clinics with every review state; returned in the report's order."""
    uk_index, _site, _clinic = uk_clinic
    us_index, _site, _clinic = us_clinic
    other = ClinicianFactory(name="Ben Carter")
    never = reviewed_page(uk_index, "Never reviewed page", "never", None, None, None)
    very_overdue = reviewed_page(us_index, "Very overdue page", "very", other, -400, -100)
    comparison = us_index.add_child(
        instance=TreatmentComparisonPage(
            title="Comparison overdue page",
            slug="comparison",
            intro="Treatments side by side.",
            body=[stream_item("paragraph", "<p>Compared.</p>")],
            reviewed_by=clinician,
            last_reviewed=days(-350),
            next_review_due=days(-50),
        )
    )
    slightly_overdue = reviewed_page(
        uk_index, "Slightly overdue page", "slightly", clinician, -300, -1
    )
    later = reviewed_page(uk_index, "Due later page", "later", clinician, -10, 200)
    return [never, very_overdue, comparison, slightly_overdue, later]


REPORT_TITLES = [
    "Never reviewed page",
    "Very overdue page",
    "Comparison overdue page",
    "Slightly overdue page",
    "Due later page",
]
REPORT_CLINICS = ["Harbour Physio", "Lake PT", "Lake PT", "Harbour Physio", "Harbour Physio"]
#: The report's queries, however many pages it lists: the session and user (3), the count and
#: the pages (2), reviewers, clinics, the filters' choices and the admin's frame.
REPORT_QUERIES = 12
REPORT_STATUSES = ["Never reviewed", "Overdue", "Overdue", "Overdue", "Current"]


def shown(n):
    """A date ``n`` days from today as the admin shows dates."""
    return date_format(days(n), "DATE_FORMAT")


def report_rows(response):
    assert response.status_code == 200
    table = BeautifulSoup(response.content, "html.parser").select_one("table.listing")
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


@pytest.mark.django_db
class TestReviewReport:
    def test_ordering_and_statuses(self, admin_client, review_pages, clinician):
        rows = report_rows(admin_client.get(reverse("wagtail_spinecare_admin:review_report")))
        assert [row[0] for row in rows] == REPORT_TITLES
        assert [row[1] for row in rows] == REPORT_CLINICS
        assert [row[2] for row in rows] == REPORT_STATUSES
        assert rows[0][3:] == ["—", "—", "—", "—"]
        assert rows[1][3] == "Ben Carter"
        # Dates as the admin writes them, not ISO; no clinic's own reviewer on an own page.
        assert rows[3][3:] == [clinician.name, "—", shown(-300), shown(-1)]
        assert shown(-1) != iso(-1)

    def test_results_view(self, admin_client, review_pages):
        rows = report_rows(
            admin_client.get(reverse("wagtail_spinecare_admin:review_report_results"))
        )
        assert [row[0] for row in rows] == REPORT_TITLES

    def test_filter_by_site(self, admin_client, review_pages, uk_clinic, us_clinic):
        uk_site, us_site = uk_clinic[1], us_clinic[1]
        url = reverse("wagtail_spinecare_admin:review_report")
        rows = report_rows(admin_client.get(url, {"site": uk_site.pk}))
        assert [row[0] for row in rows] == [
            "Never reviewed page",
            "Slightly overdue page",
            "Due later page",
        ]
        rows = report_rows(admin_client.get(url, {"site": us_site.pk}))
        assert [row[0] for row in rows] == ["Very overdue page", "Comparison overdue page"]

    def test_filter_by_reviewer(self, admin_client, review_pages, clinician):
        url = reverse("wagtail_spinecare_admin:review_report")
        rows = report_rows(admin_client.get(url, {"reviewer": clinician.pk}))
        assert [row[0] for row in rows] == [
            "Comparison overdue page",
            "Slightly overdue page",
            "Due later page",
        ]

    def test_csv_export(self, admin_client, review_pages, clinician):
        response = admin_client.get(
            reverse("wagtail_spinecare_admin:review_report"), {"export": "csv"}
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        content = b"".join(response.streaming_content).decode()
        rows = list(csv.reader(io.StringIO(content)))
        assert rows[0] == [
            "Page",
            "Clinic",
            "Path",
            "Status",
            "Reviewer",
            "Reviewed for the clinic by",
            "Reviewed for the clinic on",
            "Last reviewed",
            "Next review due",
        ]
        assert [row[0] for row in rows[1:]] == REPORT_TITLES
        assert [row[1] for row in rows[1:]] == REPORT_CLINICS
        assert [row[3] for row in rows[1:]] == REPORT_STATUSES
        assert rows[4] == [
            "Slightly overdue page",
            "Harbour Physio",
            review_pages[3].url_path,
            "Overdue",
            clinician.name,
            "",
            "",
            iso(-300),
            iso(-1),
        ]

    def test_csv_export_is_filtered(self, admin_client, review_pages, us_clinic):
        response = admin_client.get(
            reverse("wagtail_spinecare_admin:review_report"),
            {"export": "csv", "site": us_clinic[1].pk},
        )
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert [row[0] for row in rows[1:]] == ["Very overdue page", "Comparison overdue page"]

    def test_xlsx_export(self, admin_client, review_pages):
        response = admin_client.get(
            reverse("wagtail_spinecare_admin:review_report"), {"export": "xlsx"}
        )
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(workbook.active.iter_rows(values_only=True))
        assert rows[0][:4] == ("Page", "Clinic", "Path", "Status")
        assert [row[0] for row in rows[1:]] == REPORT_TITLES
        assert [row[1] for row in rows[1:]] == REPORT_CLINICS
        assert [row[3] for row in rows[1:]] == REPORT_STATUSES

    def test_due_within_30_days(self, admin_client, condition_page):
        url = reverse("wagtail_spinecare_admin:review_report")
        for due, status in ((0, "Due within 30 days"), (30, "Due within 30 days"), (31, "Current")):
            condition_page.next_review_due = days(due)
            condition_page.save()
            (row,) = report_rows(admin_client.get(url))
            assert row[2] == status

    def test_the_clinic_tells_pages_of_one_title_apart(
        self, admin_client, uk_clinic, us_clinic, clinician
    ):
        for index in (uk_clinic[0], us_clinic[0]):
            ConditionPageFactory(parent=index, title="Sciatica", slug="sciatica")
        rows = report_rows(admin_client.get(reverse("wagtail_spinecare_admin:review_report")))
        assert sorted((row[0], row[1]) for row in rows) == [
            ("Sciatica", "Harbour Physio"),
            ("Sciatica", "Lake PT"),
        ]

    def test_a_clinic_page_is_listed_with_its_shared_page(
        self, admin_client, root_page, uk_clinic, clinician
    ):
        library = root_page.add_child(instance=ConditionLibraryPage(title="Group", slug="group"))
        shared = reviewed_page(library, "Facet joint pain", "facet", clinician, -400, -5)
        uk_clinic[0].add_child(
            instance=ClinicConditionPage(
                title="Facet joint back pain", slug="facet", shared_page=shared
            )
        )
        # A clinic's page showing no shared page has no review to report.
        uk_clinic[0].add_child(instance=ClinicConditionPage(title="Unfinished", slug="empty"))
        rows = report_rows(admin_client.get(reverse("wagtail_spinecare_admin:review_report")))
        assert rows == [
            [
                "Facet joint back pain (shared page: Facet joint pain)",
                "Harbour Physio",
                "Overdue",
                clinician.name,
                "—",
                shown(-400),
                shown(-5),
            ],
            [
                "Facet joint pain",
                "Shared library",
                "Overdue",
                clinician.name,
                "—",
                shown(-400),
                shown(-5),
            ],
        ]

    def test_queries(self, admin_client, review_pages, django_assert_num_queries):
        url = reverse("wagtail_spinecare_admin:review_report")
        admin_client.get(url)  # Content types and the session's user, cached from here on.
        with django_assert_num_queries(REPORT_QUERIES):
            report_rows(admin_client.get(url))
        # The same number with twice as many pages.
        for page in review_pages:
            page.copy(update_attrs={"slug": f"{page.slug}-copy", "title": page.title})
        with django_assert_num_queries(REPORT_QUERIES):
            assert len(report_rows(admin_client.get(url))) == 2 * len(review_pages)

    def test_user_without_page_permissions(self, client, review_pages):
        user = get_user_model().objects.create_user("reader", "reader@example.com", "pw")
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(user)
        response = client.get(reverse("wagtail_spinecare_admin:review_report"))
        assert response.status_code in (302, 403)
        assert b"Never reviewed page" not in response.content
        response = client.get(reverse("wagtail_spinecare_admin:review_report"), {"export": "csv"})
        assert response.status_code in (302, 403)

    def test_anonymous_user(self, client, review_pages):
        response = client.get(reverse("wagtail_spinecare_admin:review_report"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def uk_editor(client, uk_clinic):
    """An editor who may edit the UK clinic's pages only."""
    index = uk_clinic[0]
    group = Group.objects.create(name="UK editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=index,
        permission=Permission.objects.get(
            content_type__app_label="wagtailcore", codename="change_page"
        ),
    )
    user = get_user_model().objects.create_user("uk", "uk@example.com", "pw")
    user.groups.add(group)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_report_lists_only_pages_the_user_may_edit(client, review_pages, uk_clinic):
    rows = report_rows(
        uk_editor(client, uk_clinic).get(reverse("wagtail_spinecare_admin:review_report"))
    )
    assert [row[0] for row in rows] == [
        "Never reviewed page",
        "Slightly overdue page",
        "Due later page",
    ]


# The monitoring command --------------------------------------------------------------------


def review_report(*args):
    out = io.StringIO()
    try:
        call_command("spinecare_review_report", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
class TestReviewReportCommand:
    def test_all_current(self, condition_page):
        status, out = review_report()
        assert status == 0
        assert condition_page.url_path in out
        assert out.splitlines()[0].startswith("ok ")
        assert "0 overdue, 0 due within 30 days." in out

    def test_overdue_and_never_reviewed(self, review_pages):
        status, out = review_report()
        assert status == 1
        lines = out.splitlines()
        assert [line.split()[0] for line in lines[:5]] == [
            "NEVER",
            "OVERDUE",
            "OVERDUE",
            "OVERDUE",
            "ok",
        ]
        for page, line in zip(review_pages, lines, strict=False):
            assert page.url_path in line and page.title in line
        assert "4 overdue, 0 due within 30 days." in out

    def test_never_reviewed_alone(self, uk_clinic):
        ConditionPageFactory(
            parent=uk_clinic[0],
            slug="never",
            reviewed_by=None,
            last_reviewed=None,
            next_review_due=None,
        )
        status, out = review_report()
        assert status == 1
        assert "NEVER REVIEWED" in out

    def test_due_soon(self, condition_page):
        condition_page.next_review_due = days(10)
        condition_page.save()
        status, out = review_report()
        assert status == 2
        assert out.startswith(f"DUE SOON        {iso(10)}")
        assert "0 overdue, 1 due within 30 days." in out
        status, out = review_report("--days", "5")
        assert status == 0
        assert "0 overdue, 0 due within 5 days." in out

    def test_drafts_are_ignored(self, uk_clinic):
        ConditionPageFactory(
            parent=uk_clinic[0], slug="draft", live=False, next_review_due=days(-5)
        )
        status, out = review_report()
        assert status == 0
        assert "/draft/" not in out


# Sources -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestSources:
    def test_sources_listed_in_order(self, client, condition_page):
        condition_page.spinecare_sources = [
            PageSource(
                title="Low back pain and sciatica in over 16s",
                publisher="NICE",
                year=2020,
                url="https://www.nice.org.uk/guidance/ng59",
            ),
            PageSource(title="Back pain", publisher="NHS", year=2023, url=""),
            PageSource(
                title="Facet joint syndrome",
                publisher="BMJ Best Practice",
                year=2019,
                url="https://bestpractice.bmj.com/topics/en-gb/1086",
            ),
        ]
        condition_page.save_revision().publish()
        html = BeautifulSoup(
            client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example").content, "html.parser"
        )
        sources = html.select_one("section.sc-sources")
        assert sources.h2.get_text(strip=True) == "Sources"
        items = [li.get_text(" ", strip=True) for li in sources.select("li")]
        assert items == [
            "Low back pain and sciatica in over 16s . NICE, 2020.",
            "Back pain. NHS, 2023.",
            "Facet joint syndrome . BMJ Best Practice, 2019.",
        ]
        assert [a["href"] for a in sources.select("a")] == [
            "https://www.nice.org.uk/guidance/ng59",
            "https://bestpractice.bmj.com/topics/en-gb/1086",
        ]

    def test_no_sources_no_heading(self, client, condition_page):
        response = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
        assert response.status_code == 200
        html = BeautifulSoup(response.content, "html.parser")
        assert html.select_one(".sc-sources") is None
        assert "Sources" not in [h.get_text(strip=True) for h in html.select("h2")]
