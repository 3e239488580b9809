"""Which clinics' patient records a user may manage.

Patient records are testimonials with their consent records, consent events and evidence
documents. Access is given per clinic site with Wagtail's own per-site permissions
(``GroupSitePermission``, as for site settings); a global Django permission, or being a
superuser, covers every clinic.
"""

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from wagtail.models import GroupSitePermission
from wagtail.permission_policies.sites import SitePermissionPolicy

from .compat import CustomCodenames
from .models.consent_records import ConsentRecord
from .models.testimonials import Testimonial

#: Actions whose permission codename is not Wagtail's ``<action>_testimonial``.
CUSTOM_ACTIONS = ("record_consent", "withdraw_consent", "handle_subject_requests")

#: Every action on patient records; any one of them lets a user see a clinic's testimonials.
PATIENT_RECORD_ACTIONS = ("view", "add", "change", "delete", *CUSTOM_ACTIONS)

#: What a clinic's editors are given for each of their clinic's sites.
PATIENT_RECORD_CODENAMES = frozenset(
    {
        "view_testimonial",
        "add_testimonial",
        "change_testimonial",
        "delete_testimonial",
        *CUSTOM_ACTIONS,
    }
)


class PatientRecordPolicy(CustomCodenames, SitePermissionPolicy):
    """Testimonials by their ``site``; consent and data requests have codenames of their own."""

    def __init__(self, model=Testimonial):
        super().__init__(model, site_field_name="site")

    def permission_codename(self, action) -> str:
        """The codename of ``action``: the custom actions' names are their codenames."""
        if action in CUSTOM_ACTIONS:
            return action
        return super().permission_codename(action)


patient_records = PatientRecordPolicy()


def managed_sites(user, actions=PATIENT_RECORD_ACTIONS):
    """The sites whose patient records ``user`` may act on with any of ``actions``."""
    return patient_records.sites_user_has_any_permission_for(user, actions)


def managed_testimonials(user, actions=PATIENT_RECORD_ACTIONS):
    """The testimonials of the clinics whose patient records ``user`` may act on."""
    return patient_records.instances_user_has_any_permission_for(user, actions)


def has_any_clinic(user) -> bool:
    """Whether ``user`` may see any clinic's patient records at all."""
    return patient_records.user_has_any_permission(user, PATIENT_RECORD_ACTIONS)


def patient_record_permissions():
    """The ``Permission`` rows of :data:`PATIENT_RECORD_CODENAMES`.

    Django creates them on migrate from the migrations' model state; any still missing
    (a codename added before its migration ran) is created here, so a grant always gives
    the whole set.
    """
    opts = Testimonial._meta
    content_type = ContentType.objects.get_for_model(Testimonial)
    permissions = Permission.objects.filter(
        content_type=content_type, codename__in=PATIENT_RECORD_CODENAMES
    )
    if permissions.count() < len(PATIENT_RECORD_CODENAMES):
        names = {
            get_permission_codename(action, opts): f"Can {action} {opts.verbose_name_raw}"
            for action in opts.default_permissions
        }
        names.update((codename, str(name)) for codename, name in opts.permissions)
        for codename in PATIENT_RECORD_CODENAMES:
            Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": names[codename]}
            )
    return permissions


@transaction.atomic
def grant_patient_records(group, site):
    """Let ``group`` manage ``site``'s patient records. Granting twice changes nothing."""
    for permission in patient_record_permissions():
        GroupSitePermission.objects.get_or_create(group=group, site=site, permission=permission)


def revoke_patient_records(group, site):
    """Take away what :func:`grant_patient_records` gave ``group`` for ``site``."""
    GroupSitePermission.objects.filter(
        group=group, site=site, permission__in=patient_record_permissions()
    ).delete()


def guard_evidence(document, request):
    """Consent evidence is served only to those who may see a testimonial it belongs to, whatever
    collection it was filed in (a ``before_serve_document`` hook); evidence collections are
    also restricted to their clinic. Anyone else is asked to log in, or refused."""
    if not ConsentRecord.objects.filter(evidence=document).exists():
        return None
    if managed_testimonials(request.user).filter(consent_records__evidence=document).exists():
        return None
    if not request.user.is_authenticated:
        login_url = getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", None)
        return redirect_to_login(request.get_full_path(), login_url or reverse("wagtailcore_login"))
    raise PermissionDenied
