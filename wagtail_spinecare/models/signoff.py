"""Clinical sign-off: a step of a Wagtail workflow that only a clinic's own clinicians may
approve, and whose approval is the page's clinical review.

A clinician signs off a page by approving this step in the editor. Who approved and when
go into the page's review fields, in a new revision that the workflow publishes: on a
clinic's page of shared content, the clinic's own reviewer and date; on any other reviewed
page, its reviewer, its last review date and, by the clinic's longest interval between
reviews, its next review date. So a review date is never typed in by hand.

Only a user linked to a :class:`~wagtail_spinecare.models.clinicians.Clinician` may sign
off, and only pages of the clinics that clinician works for: a page on a clinic's site, or
a page of a shared library that one of those clinics shows.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Site, Task, TaskState

from .clinic import ClinicSettings
from .review import add_months
from .shared import ClinicConditionPage


def clinician_of(user):
    """The clinician ``user`` is linked to, or None."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.spinecare_clinician
    except ObjectDoesNotExist:
        return None


def clinics_of(page) -> list:
    """The clinic sites ``page`` belongs to: its own site, or, for a page outside every
    clinic's site (a page of a shared library), the sites of the clinics whose pages show it."""
    site = page.get_site()
    if site is not None:
        return [site]
    paths = list(
        ClinicConditionPage.objects.filter(shared_page_id=page.pk).values_list("path", flat=True)
    )
    if not paths:
        return []
    return [
        site
        for site in Site.objects.select_related("root_page")
        if any(path.startswith(site.root_page.path) for path in paths)
    ]


def signing_clinician(user, page):
    """The clinician through whom ``user`` may sign ``page`` off, or None: a user linked to
    no clinician, or to one who works for none of the page's clinics, may not."""
    clinician = clinician_of(user)
    if clinician is None:
        return None
    clinics = clinics_of(page)
    if not clinics or not clinician.sites.filter(pk__in=[site.pk for site in clinics]).exists():
        return None
    return clinician


def record_sign_off(page, clinician, user=None, day=None):
    """Write ``clinician``'s sign-off on ``day`` (today by default) into the review fields of
    ``page``'s latest revision, as a new revision by ``user``; the revision saved, or None
    for a page with no review fields."""
    day = day or timezone.localdate()
    draft = page.get_latest_revision_as_object()
    if hasattr(draft, "local_reviewed_by_id"):
        draft.local_reviewed_by = clinician
        draft.local_last_reviewed = day
    elif hasattr(draft, "reviewed_by_id"):
        draft.reviewed_by = clinician
        draft.last_reviewed = day
        site = page.get_site()
        months = ClinicSettings.for_site_or_defaults(site).review_interval_months
        draft.next_review_due = add_months(day, months)
    else:
        return None
    # Checked when it was submitted; the review fields set here are valid by construction.
    return draft.save_revision(user=user, log_action=True, clean=False)


class ClinicalSignOffTask(Task):
    """A workflow step that a clinician of the page's clinic approves, signing the page off.

    Approving it records the clinician and today's date as the page's clinical review. Users
    not linked to a clinician of that clinic see the step as someone else's to approve.
    """

    admin_form_fields = Task.admin_form_fields

    class Meta:
        verbose_name = _("clinical sign-off")
        verbose_name_plural = _("clinical sign-offs")

    @classmethod
    def get_description(cls):
        return _(
            "A clinician who works for the page's clinic approves the page. Their name and "
            "the date become the page's clinical review."
        )

    def may_sign_off(self, obj, user) -> bool:
        """Whether ``user`` may approve this step for ``obj``; remembered on the user for the
        rest of the request, as the editor asks several times."""
        if not isinstance(obj, Page):
            return False
        checked = user.__dict__.setdefault("_spinecare_sign_off", {})
        if obj.pk not in checked:
            checked[obj.pk] = signing_clinician(user, obj) is not None
        return checked[obj.pk]

    def user_can_access_editor(self, obj, user):
        return self.may_sign_off(obj, user)

    def locked_for_user(self, obj, user):
        return not self.may_sign_off(obj, user)

    def user_can_lock(self, obj, user):
        return self.may_sign_off(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if not self.may_sign_off(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Sign off"), False),
            ("approve", _("Sign off with comment"), True),
        ]

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        content = task_state.workflow_state.content_object
        if action_name in ("approve", "reject"):
            clinician = signing_clinician(user, content) if isinstance(content, Page) else None
            if clinician is None:
                raise PermissionDenied
            if action_name == "approve":
                revision = record_sign_off(content.specific, clinician, user)
                if revision is not None:
                    # The workflow publishes its object's latest revision when it finishes.
                    content.latest_revision = revision
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if clinician_of(user) is None:
            return TaskState.objects.none()
        states = self.task_states.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
        ).select_related("workflow_state")
        pages = Page.objects.in_bulk([int(state.workflow_state.object_id) for state in states])
        mine = [
            state.pk
            for state in states
            if (page := pages.get(int(state.workflow_state.object_id))) is not None
            and self.may_sign_off(page, user)
        ]
        return self.task_states.filter(pk__in=mine)
