"""Local clinical sign-off: a clinic's own reviewer on its page of shared content, and the
workflow step through which a clinic's clinician signs a page off."""

import json
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import (
    GroupPagePermission,
    Page,
    Site,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)
from wagtail.workflows import get_task_types

from wagtail_spinecare.checks import run_checks
from wagtail_spinecare.factories import ClinicianFactory, ConditionPageFactory
from wagtail_spinecare.governance import review_queryset
from wagtail_spinecare.models import ClinicalSignOffTask, ClinicConditionPage
from wagtail_spinecare.models.review import add_months
from wagtail_spinecare.models.signoff import clinics_of, signing_clinician

TODAY = timezone.localdate
DENIED = "Sorry, you do not have permission to access this area."


@pytest.fixture
def jordan(us_site):
    """Lake PT's own clinician, who signs its pages off."""
    clinician = ClinicianFactory(
        name="Jordan Reyes", profession="Physical therapist", post_nominals="PT, DPT"
    )
    clinician.sites.add(us_site)
    return clinician


def account(username, clinician=None, *groups):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw")
    for group in groups:
        user.groups.add(group)
    if clinician is not None:
        clinician.user = user
        clinician.save()
    return user


@pytest.fixture
def editors(root_page):
    """Editors who may edit and submit every page, but not publish."""
    group = Group.objects.create(name="Sign-off test editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group, page=root_page, permission=Permission.objects.get(codename=codename)
        )
    return group


@pytest.fixture
def moderators(db):
    """Wagtail's own group that may publish every page: approving the last step of a
    workflow publishes the page, as the approving user."""
    return Group.objects.get(name="Moderators")


@pytest.fixture
def sign_off(root_page):
    """A "Clinical sign-off" workflow with the one step, for every page."""
    task = ClinicalSignOffTask.objects.create(name="Clinical sign-off")
    workflow = Workflow.objects.create(name="Clinical sign-off")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
    return workflow, task


def submit(page, user):
    """Submit ``page``'s latest revision to its workflow; its step in progress."""
    page.save_revision(user=user)
    workflow_state = page.get_workflow().start(page, user)
    return workflow_state.current_task_state


def approve(client, page, task_state):
    return client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    )


def footer_lines(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [" ".join(p.get_text().split()) for p in soup.select(".sc-review .sc-review__reviewer")]


def graph(response) -> dict:
    soup = BeautifulSoup(response.content, "html.parser")
    return json.loads(soup.find("script", type="application/ld+json").string)


class TestLocalReviewer:
    def test_shown_after_the_shared_reviewer_in_the_footer(self, client, us_page, us_site, jordan):
        us_page.local_reviewed_by = jordan
        us_page.local_last_reviewed = date(2026, 12, 3)
        us_page.save_revision().publish()
        response = client.get("/facet-joint-pain/", HTTP_HOST=us_site.hostname)
        assert response.status_code == 200
        shared_line, local_line = footer_lines(response)
        assert shared_line.startswith("Reviewed by")
        assert "Jordan" not in shared_line
        assert local_line == ("Reviewed for Lake PT by Jordan Reyes, PT, DPT, on December 3, 2026.")

    def test_reviewed_by_in_the_json_ld_names_both(self, client, shared, us_page, us_site, jordan):
        us_page.local_reviewed_by = jordan
        us_page.local_last_reviewed = TODAY()
        us_page.save_revision().publish()
        data = graph(client.get("/facet-joint-pain/", HTTP_HOST=us_site.hostname))
        (webpage,) = [n for n in data["@graph"] if "MedicalWebPage" in n["@type"]]
        people = {n["@id"]: n["name"] for n in data["@graph"] if n["@type"] == "Person"}
        assert [people[ref["@id"]] for ref in webpage["reviewedBy"]] == [
            shared.reviewed_by.name,
            "Jordan Reyes",
        ]
        # The later of the two reviews is when the clinic's page was last reviewed.
        assert webpage["lastReviewed"] == TODAY().isoformat()

    def test_without_one_the_page_shows_only_the_shared_reviewer(self, client, us_page, us_site):
        response = client.get("/facet-joint-pain/", HTTP_HOST=us_site.hostname)
        assert len(footer_lines(response)) == 1
        webpage = graph(response)["@graph"][0]
        assert isinstance(webpage["reviewedBy"], dict)

    def test_listed_in_the_review_report(self, admin_client, us_page, jordan):
        us_page.local_reviewed_by = jordan
        us_page.local_last_reviewed = date(2026, 12, 3)
        us_page.save()
        response = admin_client.get(reverse("wagtail_spinecare_admin:review_report"))
        soup = BeautifulSoup(response.content, "html.parser")
        cells = [" ".join(td.get_text(" ", strip=True).split()) for td in soup.select("td")]
        assert any(cell.startswith("Jordan Reyes") and "2026" in cell for cell in cells)
        (row,) = [page for page in review_queryset(drawing_pages=True) if page.pk == us_page.pk]
        assert (row.local_reviewer_id, row.local_last) == (jordan.pk, date(2026, 12, 3))

    def test_a_clinician_of_another_clinic_is_a_field_error(
        self, admin_client, uk_page, shared, jordan
    ):
        url = reverse("wagtailadmin_pages:edit", args=[uk_page.pk])
        response = admin_client.post(
            url,
            {
                "title": uk_page.title,
                "slug": uk_page.slug,
                "shared_page": shared.pk,
                "introduction": "",
                "local_reviewed_by": jordan.pk,
                "local_last_reviewed": TODAY().isoformat(),
            },
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "Jordan Reyes does not work for Harbour Physio" in " ".join(
            errors["local_reviewed_by"]
        )
        uk_page.refresh_from_db()
        assert uk_page.local_reviewed_by_id is None

    def test_the_checks_understand_the_local_review(self, uk_page, us_page, jordan):
        uk_page.local_reviewed_by = jordan
        uk_page.local_last_reviewed = TODAY()
        assert "local-reviewer-elsewhere" in [f.code for f in run_checks(uk_page)]
        us_page.local_reviewed_by = jordan
        us_page.local_last_reviewed = None
        assert "local-review-date-missing" in [f.code for f in run_checks(us_page)]
        us_page.local_last_reviewed = TODAY() + timedelta(days=3)
        assert "local-review-date-future" in [f.code for f in run_checks(us_page)]
        us_page.local_last_reviewed = TODAY()
        assert not [f for f in run_checks(us_page) if f.code.startswith("local-")]


class TestWhoMaySignOff:
    def test_the_step_is_a_workflow_task_type(self):
        assert ClinicalSignOffTask in get_task_types()

    def test_only_a_clinician_of_the_page_clinic(self, us_page, uk_page, jordan):
        user = account("jordan", jordan)
        stranger = account("editor")
        assert signing_clinician(user, us_page) == jordan
        assert signing_clinician(user, uk_page) is None
        assert signing_clinician(stranger, us_page) is None

    def test_a_library_page_belongs_to_the_clinics_that_show_it(
        self, shared, us_page, uk_page, us_site, uk_site, jordan
    ):
        assert {site.pk for site in clinics_of(shared)} == {us_site.pk, uk_site.pk}
        assert signing_clinician(account("jordan", jordan), shared) == jordan

    def test_others_are_offered_nothing_and_refused(
        self, client, us_page, jordan, sign_off, editors, uk_clinic
    ):
        editor = account("editor", None, editors)
        elsewhere = ClinicianFactory(name="Amira Haddad")
        elsewhere.sites.add(uk_clinic[1])
        other = account("amira", elsewhere, editors, Group.objects.get(name="Moderators"))
        task_state = submit(us_page, editor)
        task = task_state.task.specific
        for user in (editor, other):
            assert task.get_actions(us_page, user) == []
            assert task.locked_for_user(us_page, user)
            assert not task.get_task_states_user_can_moderate(user).exists()
            client.force_login(user)
            response = approve(client, us_page, task_state)
            # Wagtail's admin answers a refused action by sending the user to the dashboard.
            assert (response.status_code, response["Location"]) == (
                302,
                reverse("wagtailadmin_home"),
            )
            assert DENIED in [str(m).strip() for m in get_messages(response.wsgi_request)]
        task_state.refresh_from_db()
        assert task_state.status == TaskState.STATUS_IN_PROGRESS
        us_page.refresh_from_db()
        assert us_page.local_reviewed_by_id is None

    def test_a_clinician_without_page_permissions_may_open_the_editor(
        self, client, us_page, jordan, sign_off, editors
    ):
        user = account("jordan", jordan)
        user.groups.add(Group.objects.get_or_create(name="Signers")[0])
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        task_state = submit(us_page, account("editor", None, editors))
        task = task_state.task.specific
        assert task.user_can_access_editor(us_page, user)
        assert [name for name, _label, _modal in task.get_actions(us_page, user)] == [
            "reject",
            "approve",
            "approve",
        ]
        assert list(task.get_task_states_user_can_moderate(user)) == [task_state]


class TestSigningOff:
    def test_approving_a_clinic_page_records_the_local_review_and_publishes(
        self, client, us_page, us_site, jordan, sign_off, editors, moderators
    ):
        user = account("jordan", jordan, moderators)
        task_state = submit(us_page, account("editor", None, editors))
        client.force_login(user)
        response = approve(client, us_page, task_state)
        assert response.status_code == 302
        task_state.refresh_from_db()
        assert (task_state.status, task_state.finished_by) == (TaskState.STATUS_APPROVED, user)
        page = ClinicConditionPage.objects.get(pk=us_page.pk)
        assert (page.local_reviewed_by, page.local_last_reviewed) == (jordan, TODAY())
        assert page.live and not page.has_unpublished_changes
        lines = footer_lines(client.get("/facet-joint-pain/", HTTP_HOST=us_site.hostname))
        assert lines[-1].startswith("Reviewed for Lake PT by Jordan Reyes, PT, DPT, on")

    def test_approving_an_own_condition_page_records_its_review(
        self, client, us_clinic, jordan, sign_off, editors, moderators
    ):
        index, _site, settings = us_clinic
        settings.review_interval_months = 6
        settings.save()
        page = ConditionPageFactory(parent=index, title="Sciatica", slug="sciatica")
        page.last_reviewed = TODAY() - timedelta(days=400)
        page.next_review_due = TODAY() - timedelta(days=35)
        page.save()
        user = account("jordan", jordan, moderators)
        task_state = submit(page, account("editor", None, editors))
        client.force_login(user)
        assert approve(client, page, task_state).status_code == 302
        page = Page.objects.get(pk=page.pk).specific
        assert page.reviewed_by == jordan
        assert page.last_reviewed == TODAY()
        assert page.next_review_due == add_months(TODAY(), 6)
        assert page.live and not page.has_unpublished_changes
        assert not [f for f in run_checks(page) if f.code.startswith("review-")]


def test_clinic_page_query_counts_stay_with_a_local_reviewer(client, us_page, us_site, jordan):
    """The clinic's reviewer comes with the page in the routing query: no query of its own."""
    client.get("/facet-joint-pain/", HTTP_HOST=us_site.hostname)  # warm the route hint
    with CaptureQueriesContext(connection) as before:
        client.get("/facet-joint-pain/", HTTP_HOST=us_site.hostname)
    us_page.local_reviewed_by = jordan
    us_page.local_last_reviewed = TODAY()
    us_page.save_revision().publish()
    client.get("/facet-joint-pain/", HTTP_HOST=us_site.hostname)
    with CaptureQueriesContext(connection) as after:
        response = client.get("/facet-joint-pain/", HTTP_HOST=us_site.hostname)
    assert "Jordan Reyes" in response.content.decode()
    assert len(after.captured_queries) <= len(before.captured_queries)


def test_the_demo_signs_off_through_each_clinic_clinician(demo):
    from wagtail_spinecare.demo.profiles import CLINICS

    for clinic in CLINICS:
        user = get_user_model().objects.get(username=f"{clinic.root_slug}-clinician")
        site = Site.objects.get(hostname=clinic.hostname)
        workflow = site.root_page.get_workflow()
        assert workflow.name == "Clinical sign-off"
        (task,) = [task.specific for task in workflow.tasks]
        assert isinstance(task, ClinicalSignOffTask)
        page = ClinicConditionPage.objects.descendant_of(site.root_page).get()
        assert signing_clinician(user, page).name == clinic.clinician.name
        others = [c for c in CLINICS if c is not clinic]
        for other in others:
            elsewhere = Site.objects.get(hostname=other.hostname).root_page
            assert not task.get_actions(elsewhere, user)
