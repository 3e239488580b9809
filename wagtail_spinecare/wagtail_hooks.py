"""Wiring into Wagtail's admin: menus, screens, panels and hooks. Logic lives elsewhere."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.options import modeladmin_register

from . import governance, permissions
from .admin import urls
from .admin.choosers import testimonial_chooser_viewset, treatment_chooser_viewset
from .admin.dashboard import NoClinicPanel, ToDoPanel
from .admin.groups import PatientRecordsPermissionForm
from .admin.modeladmin import ClinicRecordsGroup

modeladmin_register(ClinicRecordsGroup)
# The patient-record permission policy is registered in apps.py: Wagtail 8 needs it before
# any lookup.


# After Wagtail's own panels: the Documents panel rewrites the group's document permissions.
@hooks.register("register_group_permission_panel", order=100)
def register_patient_records_permission_panel():
    """The "Patient records" panel on the group edit page: one tick per clinic."""
    return PatientRecordsPermissionForm


@hooks.register("register_admin_viewset")
def register_testimonial_chooser():
    """The testimonial chooser used inside StreamFields."""
    return testimonial_chooser_viewset


@hooks.register("register_admin_viewset")
def register_treatment_chooser():
    """The treatment chooser used by comparison tables."""
    return treatment_chooser_viewset


@hooks.register("register_admin_urls")
def register_admin_urls():
    """The clinical review report and the "Add a clinic" screen."""
    return [path("spinecare/", include(urls))]


class SuperuserMenuItem(MenuItem):
    """A menu item only superusers see."""

    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_add_clinic_menu_item():
    """ "Add a clinic" under Settings, for superusers."""
    return SuperuserMenuItem(
        _("Add a clinic"),
        reverse("wagtail_spinecare_admin:add_clinic"),
        icon_name="site",
        order=610,
    )


@hooks.register("register_reports_menu_item")
def register_review_report_menu_item():
    """ "Clinical review" under Reports."""
    return MenuItem(
        _("Clinical review"),
        reverse("wagtail_spinecare_admin:review_report"),
        icon_name="time",
        order=700,
    )


@hooks.register("construct_homepage_panels")
def add_dashboard_panels(request, panels):
    """What needs doing in the user's clinics, for anyone who may use the admin; why no
    testimonials are listed for someone in no clinic's group."""
    if request.user.has_perm("wagtailadmin.access_admin"):
        if not permissions.has_any_clinic(request.user):
            panels.append(NoClinicPanel())
        panels.append(ToDoPanel(request))


hooks.register("before_serve_document", permissions.guard_evidence)
hooks.register("before_bulk_action", governance.gate_bulk_publishing)


@hooks.register("insert_editor_js")
def editor_guidance_js():
    """Word counts, reading ages and the quick answer's length, live in the editor."""
    return format_html(
        '<script src="{}"></script><script src="{}" defer></script>',
        reverse("wagtail_spinecare_admin:javascript_catalog"),
        static("wagtail_spinecare/js/editor-guidance.js"),
    )
