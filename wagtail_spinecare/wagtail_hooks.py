from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.wagtail_hooks import require_wagtail_login
from wagtail_modeladmin.options import modeladmin_register

from .admin.choosers import testimonial_chooser_viewset, treatment_chooser_viewset
from .admin.clinics import AddClinicView
from .admin.modeladmin import ClinicRecordsGroup
from .admin.reports import ClinicalReviewReportView
from .checks import errors, run_checks
from .governance import overdue
from .models import ConsentRecord
from .permissions import (
    PatientRecordsPermissionForm,
    has_any_clinic,
    managed_testimonials,
)

modeladmin_register(ClinicRecordsGroup)
# The patient-record permission policy is registered in apps.py, with
# compat.register_permission_policy: Wagtail 8 needs it before any lookup.


# After Wagtail's own panels: the Documents panel rewrites the group's document permissions.
@hooks.register("register_group_permission_panel", order=100)
def register_patient_records_permission_panel():
    """The "Patient records" panel on the group edit page: one tick per clinic."""
    return PatientRecordsPermissionForm


@hooks.register("register_admin_viewset")
def register_testimonial_chooser():
    """The story chooser used inside StreamFields."""
    return testimonial_chooser_viewset


@hooks.register("register_admin_viewset")
def register_treatment_chooser():
    """The treatment chooser used by comparison tables."""
    return treatment_chooser_viewset


@hooks.register("register_admin_urls")
def register_review_report_urls():
    """The addresses of the clinical review report and of its results."""
    return [
        path(
            "reports/clinical-review/",
            ClinicalReviewReportView.as_view(),
            name="spinecare_review_report",
        ),
        path(
            "reports/clinical-review/results/",
            ClinicalReviewReportView.as_view(results_only=True),
            name="spinecare_review_report_results",
        ),
    ]


@hooks.register("register_admin_urls")
def register_add_clinic_url():
    """The superusers' "Add a clinic" screen."""
    return [path("spinecare/clinics/add/", AddClinicView.as_view(), name="spinecare_add_clinic")]


class SuperuserMenuItem(MenuItem):
    """A menu item only superusers see."""

    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_add_clinic_menu_item():
    """The "Add a clinic" item under Settings, for superusers."""
    return SuperuserMenuItem(
        _("Add a clinic"), reverse("spinecare_add_clinic"), icon_name="site", order=610
    )


@hooks.register("register_reports_menu_item")
def register_review_report_menu_item():
    """The "Clinical review" item under Reports."""
    return MenuItem(
        _("Clinical review"), reverse("spinecare_review_report"), icon_name="time", order=700
    )


class OverdueReviewsPanel(Component):
    """On the dashboard: how many of the user's pages are overdue for clinical review."""

    name = "spinecare_overdue_reviews"
    order = 150
    template_name = "wagtail_spinecare/admin/overdue_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {
            "count": overdue(ClinicalReviewReportView.visible_pages(self.request)).count(),
            "report_url": reverse("spinecare_review_report"),
        }


@hooks.register("construct_homepage_panels")
def add_overdue_reviews_panel(request, panels):
    """Add :class:`OverdueReviewsPanel` to the dashboard of anyone who may use the admin."""
    if request.user.has_perm("wagtailadmin.access_admin"):
        panels.append(OverdueReviewsPanel(request))


@hooks.register("before_serve_document")
def protect_consent_evidence(document, request):
    """Consent evidence is served only to those who may see a story it belongs to, whatever
    collection it was filed in; evidence collections are also restricted to their clinic."""
    if not ConsentRecord.objects.filter(evidence=document).exists():
        return None
    if managed_testimonials(request.user).filter(consent_records__evidence=document).exists():
        return None
    if not request.user.is_authenticated:
        return require_wagtail_login(next=request.get_full_path())
    raise PermissionDenied


class NoClinicPanel(Component):
    """Tells staff in no clinic's editors group why they see no patient stories."""

    name = "spinecare_no_clinic"
    order = 140
    template_name = "wagtail_spinecare/admin/no_clinic_panel.html"


@hooks.register("construct_homepage_panels")
def add_no_clinic_panel(request, panels):
    """Add :class:`NoClinicPanel` for admin users who belong to no clinic."""
    if request.user.has_perm("wagtailadmin.access_admin") and not has_any_clinic(request.user):
        panels.append(NoClinicPanel())


@hooks.register("before_bulk_action")
def gate_bulk_publishing(request, action_type, objects, action_class_instance):
    """Bulk publishing goes through the same gate as the editor: errors stop it."""
    if action_type != "publish":
        return None
    blocked = []
    for page in objects:
        revision = page.get_latest_revision()
        draft = revision.as_object() if revision else page.specific
        if errors(run_checks(draft)):
            blocked.append(page.get_admin_display_title())
    if not blocked:
        return None
    messages.error(
        request,
        _("Nothing was published. Fix the content checks on: %(pages)s.")
        % {"pages": ", ".join(blocked)},
    )
    # Back where the editor came from, but only within this site.
    back = get_valid_next_url_from_request(request)
    return redirect(back or reverse("wagtailadmin_explore_root"))


@hooks.register("insert_editor_js")
def editor_guidance_js():
    """Word counts, reading ages and the quick answer's length, live in the editor."""
    return format_html(
        '<script src="{}" defer></script>', static("wagtail_spinecare/js/editor-guidance.js")
    )
