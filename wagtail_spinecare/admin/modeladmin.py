from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup

from ..models import Clinician


class ClinicianAdmin(ModelAdmin):
    model = Clinician
    menu_label = _("Clinicians")
    menu_icon = "user"
    list_display = ("name", "profession", "post_nominals", "registration")
    search_fields = ("name", "profession", "registration_number")
    inspect_view_enabled = True


class ClinicRecordsGroup(ModelAdminGroup):
    """Everything a clinic keeps about people: the clinicians who review its pages."""

    menu_label = _("Clinic records")
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (ClinicianAdmin,)
