"""The clinic records screens: testimonials with their consent, treatments, guidelines and
clinicians, in one ModelAdmin group, each clinic's editors seeing their own clinic's."""

from django.contrib import admin
from django.contrib.admin import RelatedFieldListFilter, SimpleListFilter
from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import ObjectList
from wagtail.models import Site
from wagtail_modeladmin.helpers import AdminURLHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import IndexView

from ..models import Clinician, Guideline, Testimonial, Treatment
from ..permissions import (
    PATIENT_RECORD_ACTIONS,
    has_any_clinic,
    managed_sites,
    managed_testimonials,
    patient_records,
)
from . import consent_state
from .forms import PatientRecordForm
from .ids import ID_PATTERN, object_ids
from .views import (
    EraseSubjectView,
    ExportSubjectView,
    RecordConsentView,
    TestimonialDeleteView,
    TestimonialEditView,
    TestimonialHistoryView,
    TestimonialInspectView,
    WithdrawConsentView,
)


class IdURLHelper(AdminURLHelper):
    """The URLs of one object (inspect, edit, delete, history and the testimonial's actions) take
    a number only: ``inspect/abc/`` or a number too large for an id is 404 at once."""

    def get_action_url_pattern(self, action):
        if action in ("create", "choose_parent", "index"):
            return super().get_action_url_pattern(action)
        return rf"^{self.base_url_path}/{action}/(?P<instance_pk>{ID_PATTERN})/$"


class NulFreeIndexView(IndexView):
    """A listing whose search and filters drop NUL characters from the query string:
    PostgreSQL refuses them in a query, which would otherwise be a server error."""

    def dispatch(self, request, *args, **kwargs):
        if any("\x00" in value for _key, values in request.GET.lists() for value in values):
            query = request.GET.copy()
            for key, values in query.lists():
                query.setlist(key, [value.replace("\x00", "") for value in values])
            request.GET = query
        return super().dispatch(request, *args, **kwargs)


class ClinicianAdmin(ModelAdmin):
    """The clinicians who review pages, shared by every clinic of the install."""

    model = Clinician
    url_helper_class = IdURLHelper
    index_view_class = NulFreeIndexView
    menu_label = _("Clinicians")
    menu_icon = "user"
    list_display = ("name", "profession", "post_nominals", "registration")
    search_fields = ("name", "profession", "registration_number")
    inspect_view_enabled = True


class ConsentStateFilter(SimpleListFilter):
    """Filter testimonials by their consent at a glance: valid, expiring, expired and so on."""

    title = _("consent")
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        return consent_state.ConsentState.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(consent_state=self.value())
        return queryset


class PatientRecordPermissionHelper(PermissionHelper):
    """Asks the per-clinic policy: global permissions cover every clinic, site ones theirs."""

    def user_has_any_permissions(self, user):
        return has_any_clinic(user)

    def user_can_list(self, user):
        return has_any_clinic(user)

    def user_can_create(self, user):
        return patient_records.user_has_permission(user, "add")

    def user_can_inspect_obj(self, user, obj):
        return self.inspect_view_enabled and patient_records.user_has_any_permission_for_instance(
            user, PATIENT_RECORD_ACTIONS, obj
        )

    def user_can_edit_obj(self, user, obj):
        return patient_records.user_has_permission_for_instance(user, "change", obj)

    def user_can_delete_obj(self, user, obj):
        return patient_records.user_has_permission_for_instance(user, "delete", obj)


class ClinicSiteFilter(RelatedFieldListFilter):
    """Filter by clinic, offering only the clinics the user manages."""

    def field_choices(self, field, request, model_admin):
        return [(site.pk, str(site)) for site in managed_sites(request.user).order_by("hostname")]

    def queryset(self, request, queryset):
        # A clinic id no site can have (``?site__id__exact=abc``) lists no testimonials; Django's
        # own filter would raise, and the listing would answer with a server error.
        try:
            object_ids(Site, self.lookup_val or ())
        except Http404:
            return queryset.none()
        return super().queryset(request, queryset)


class TestimonialAdmin(ModelAdmin):
    """Testimonials with their consent. Only testimonials with valid consent reach any page."""

    model = Testimonial
    #: A testimonial can only be filed under a clinic the editor manages.
    edit_handler = ObjectList(Testimonial.panels, base_form_class=PatientRecordForm)
    url_helper_class = IdURLHelper
    index_view_class = NulFreeIndexView
    menu_label = _("Testimonials")
    menu_icon = "openquote"
    list_display = ("excerpt", "site", "consent_state_label", "consent_expires")
    list_filter = (("site", ClinicSiteFilter), ConsentStateFilter)
    search_fields = ("quote", "patient_name", "patient_email")
    inspect_view_enabled = True
    inspect_view_class = TestimonialInspectView
    edit_view_class = TestimonialEditView
    delete_view_class = TestimonialDeleteView
    history_view_class = TestimonialHistoryView
    permission_helper_class = PatientRecordPermissionHelper
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
        """Only the testimonials of the clinics the user manages, everywhere in this admin."""
        own = managed_testimonials(request.user).values("pk")
        queryset = super().get_queryset(request).filter(pk__in=own)
        return consent_state.with_consent_state(queryset).select_related("site")

    @admin.display(description=_("consent"))
    def consent_state_label(self, obj):
        return consent_state.ConsentState(obj.consent_state).label

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
    url_helper_class = IdURLHelper
    index_view_class = NulFreeIndexView
    menu_label = _("Treatments")
    menu_icon = "table"
    list_display = ("name", "category", "time_to_benefit")
    list_filter = ("category",)
    search_fields = ("name", "summary")
    inspect_view_enabled = True


class GuidelineAdmin(ModelAdmin):
    """The clinical guidelines treatments cite, with the version of each now in force."""

    model = Guideline
    url_helper_class = IdURLHelper
    index_view_class = NulFreeIndexView
    menu_label = _("Guidelines")
    menu_icon = "doc-full"
    list_display = ("code", "title", "authority", "strength_scheme", "current_version")
    search_fields = ("code", "title")
    inspect_view_enabled = True


class ClinicRecordsGroup(ModelAdminGroup):
    """What clinics keep: testimonials with consent, clinicians, treatments, guidelines."""

    menu_label = _("Clinic records")
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (TestimonialAdmin, ClinicianAdmin, TreatmentAdmin, GuidelineAdmin)
