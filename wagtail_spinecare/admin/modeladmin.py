from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup

from .. import consent
from ..models import Clinician, Guideline, Testimonial, Treatment
from .views import (
    EraseSubjectView,
    ExportSubjectView,
    RecordConsentView,
    TestimonialInspectView,
    WithdrawConsentView,
)


class ClinicianAdmin(ModelAdmin):
    model = Clinician
    menu_label = _("Clinicians")
    menu_icon = "user"
    list_display = ("name", "profession", "post_nominals", "registration")
    search_fields = ("name", "profession", "registration_number")
    inspect_view_enabled = True


class ConsentStateFilter(SimpleListFilter):
    title = _("consent")
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        return consent.ConsentState.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(consent_state=self.value())
        return queryset


class TestimonialAdmin(ModelAdmin):
    """Patient stories with their consent. Only stories with valid consent reach any page."""

    model = Testimonial
    menu_label = _("Patient stories")
    menu_icon = "openquote"
    list_display = ("excerpt", "site", "consent_state_label", "consent_expires")
    list_filter = ("site", ConsentStateFilter)
    search_fields = ("quote", "patient_name", "patient_email")
    inspect_view_enabled = True
    inspect_view_class = TestimonialInspectView
    inspect_view_fields = [
        "site",
        "quote",
        "condition_page",
        "naming",
        "age_band",
        "occupation",
        "claims_outcome",
        "outcome_evidence",
        "material_connection",
        "material_connection_detail",
    ]
    extra_actions = {
        "record_consent": RecordConsentView,
        "withdraw": WithdrawConsentView,
        "export": ExportSubjectView,
        "erase": EraseSubjectView,
    }

    def get_queryset(self, request):
        return consent.with_consent_state(super().get_queryset(request)).select_related("site")

    @admin.display(description=_("consent"))
    def consent_state_label(self, obj):
        return consent.ConsentState.labels.get(obj.consent_state, obj.consent_state)

    @admin.display(description=_("consent expires"))
    def consent_expires(self, obj):
        return obj.consent_expires_on or "—"

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        for action, view_class in self.extra_actions.items():
            urls += (
                re_path(
                    self.url_helper.get_action_url_pattern(action),
                    view_class.as_view(model_admin=self),
                    name=self.url_helper.get_action_url_name(action),
                ),
            )
        return urls


class TreatmentAdmin(ModelAdmin):
    """Treatments are shared by every clinic of the install."""

    model = Treatment
    menu_label = _("Treatments")
    menu_icon = "table"
    list_display = ("name", "category", "time_to_benefit")
    list_filter = ("category",)
    search_fields = ("name", "summary")
    inspect_view_enabled = True


class GuidelineAdmin(ModelAdmin):
    model = Guideline
    menu_label = _("Guidelines")
    menu_icon = "doc-full"
    list_display = ("code", "title", "authority", "current_version")
    search_fields = ("code", "title")
    inspect_view_enabled = True


class ClinicRecordsGroup(ModelAdminGroup):
    """What clinics keep: patient stories with consent, clinicians, treatments, guidelines."""

    menu_label = _("Clinic records")
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (TestimonialAdmin, ClinicianAdmin, TreatmentAdmin, GuidelineAdmin)
