"""The "Patient records" panel on Wagtail's group edit page: one tick per clinic."""

from django import forms
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupSitePermission, Site

from ..clinic_collections import clinic_name, grant_evidence, revoke_evidence
from ..permissions import grant_patient_records, patient_record_permissions, revoke_patient_records


class ClinicChoiceField(forms.ModelMultipleChoiceField):
    """Clinic sites to tick, each named as staff know it: clinic name and host name."""

    def label_from_instance(self, site):
        """The clinic's name with its host name, or the host name alone if it has no name."""
        name = clinic_name(site)
        return site.hostname if name == site.hostname else f"{name} ({site.hostname})"


class PatientRecordsPermissionForm(forms.Form):
    """A panel on the group page: one tick per clinic gives the whole set of patient-record
    permissions for it, with its evidence collection; unticking takes them all away."""

    template_name = "wagtail_spinecare/admin/patient_records_permission_panel.html"
    icon = "openquote"

    sites = ClinicChoiceField(
        queryset=Site.objects.order_by("hostname"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Clinics"),
        help_text=_(
            "Choose which clinics' patient records (testimonials, consent records and evidence) "
            "this group may manage. Its members never see another clinic's patient records. "
            "Testimonial permissions ticked under “Object permissions” apply to every clinic."
        ),
    )

    def __init__(self, *args, instance=None, **kwargs):
        kwargs.setdefault("prefix", "spinecare_patient_records")
        self.instance = instance
        if instance is not None and instance.pk is not None:
            kwargs["initial"] = {"sites": list(self.granted_site_ids())}
        super().__init__(*args, **kwargs)

    def granted_site_ids(self):
        """The ids of the sites whose patient records the group may manage now."""
        return set(
            GroupSitePermission.objects.filter(
                group=self.instance, permission__in=patient_record_permissions()
            ).values_list("site_id", flat=True)
        )

    def as_admin_panel(self):
        """The panel's HTML on the group edit page."""
        return render_to_string(
            self.template_name,
            {
                "form": self,
                "heading": _("Patient records"),
                "panel_id": "spinecare-patient-records-permissions",
            },
        )

    @transaction.atomic
    def save(self):
        """Runs after the Documents permissions panel (see the hook's order), which would
        otherwise overwrite the evidence permissions given here. Evidence is granted only
        when a clinic is newly ticked, so a change made in that panel afterwards stands."""
        chosen = set(self.cleaned_data["sites"])
        granted = self.granted_site_ids()
        for site in chosen:
            grant_patient_records(self.instance, site)
            if site.pk not in granted:
                grant_evidence(self.instance, site)
        for site in Site.objects.filter(pk__in=granted - {site.pk for site in chosen}):
            revoke_patient_records(self.instance, site)
            revoke_evidence(self.instance, site)
