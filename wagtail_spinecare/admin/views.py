"""Admin views for testimonials: consent, withdrawal and data subject requests."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Site
from wagtail_modeladmin.views import (
    DeleteView,
    EditView,
    HistoryView,
    InspectView,
    WMABaseView,
)

from .. import consent, consent_actions, subjects
from ..models.consent_records import ConsentEvent
from ..permissions import PATIENT_RECORD_ACTIONS, has_any_clinic, managed_sites, patient_records
from .forms import ConsentForm, WithdrawForm
from .ids import object_id


def check_clinic(user, testimonial):
    """Stop anyone who may not see ``testimonial``: users of no clinic are refused as
    for any admin area; another clinic's testimonial does not exist for them."""
    if not has_any_clinic(user):
        raise PermissionDenied
    if not patient_records.user_has_any_permission_for_instance(
        user, PATIENT_RECORD_ACTIONS, testimonial
    ):
        raise Http404


class ClinicScopedMixin:
    """For modeladmin's views of one testimonial, which load it without asking the admin."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            check_clinic(request.user, self.instance)
        return super().dispatch(request, *args, **kwargs)


class TestimonialEditView(ClinicScopedMixin, EditView):
    """Edit a testimonial of one of the user's clinics."""


class TestimonialDeleteView(ClinicScopedMixin, DeleteView):
    """Delete a testimonial of one of the user's clinics; deleting is an erasure (see
    ``Testimonial.delete``)."""


class TestimonialHistoryView(ClinicScopedMixin, HistoryView):
    """A testimonial's history, for anyone who may inspect the testimonial."""

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_inspect_obj(user, self.instance)


class TestimonialInspectView(ClinicScopedMixin, InspectView):
    """A testimonial with its whole consent history, audit trail and actions."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        testimonial = self.instance
        user = self.request.user
        own_sites = set(managed_sites(user).values_list("pk", flat=True))

        def may(action):
            return patient_records.user_has_permission_for_instance(user, action, testimonial)

        # Consent may cover other clinics' sites too; this user is shown only their own.
        record_sites = Prefetch("sites", queryset=Site.objects.filter(pk__in=own_sites))
        context.update(
            consent_records=testimonial.consent_records.prefetch_related(
                record_sites
            ).select_related("captured_by", "evidence"),
            events=ConsentEvent.objects.filter(testimonial_ref=testimonial.pk).select_related("by"),
            shown_on=[site for site in consent.sites_showing(testimonial) if site.pk in own_sites],
            can_record=may("record_consent"),
            can_withdraw=may("withdraw_consent"),
            can_handle_requests=may("handle_subject_requests"),
        )
        for action in ("record_consent", "withdraw", "export", "erase"):
            context[f"{action}_url"] = self.url_helper.get_action_url(action, testimonial.pk)
        return context

    def get_template_names(self):
        return ["wagtail_spinecare/admin/testimonial_inspect.html"]

    def get_field_label(self, field_name, field=None):
        """Labels as the edit form writes them: "Condition", not "condition"."""
        return capfirst(super().get_field_label(field_name, field))

    def get_field_display_value(self, field_name, field=None):
        """Yes or No for a tick box, where Wagtail would show True or False."""
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return value


class TestimonialActionView(WMABaseView):
    """Base for an action on one testimonial, allowed by one patient-record ``action``."""

    action = None
    template_name = None

    def dispatch(self, request, *args, **kwargs):
        if not has_any_clinic(request.user):
            raise PermissionDenied
        # The admin's queryset holds only the testimonials of the user's clinics.
        self.instance = get_object_or_404(
            self.model_admin.get_queryset(request),
            pk=object_id(self.model, kwargs["instance_pk"]),
        )
        if not patient_records.user_has_permission_for_instance(
            request.user, self.action, self.instance
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def subject_sites(self):
        """The clinics whose records a data request from this user may cover."""
        return managed_sites(self.request.user, ["handle_subject_requests"])

    def inspect_url(self):
        return self.url_helper.get_action_url("inspect", self.instance.pk)

    def render(self, **context):
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "view": self,
                "testimonial": self.instance,
                "inspect_url": self.inspect_url(),
                **context,
            },
        )


class RecordConsentView(TestimonialActionView):
    """Record the patient's consent for the testimonial as it reads now."""

    action = "record_consent"
    template_name = "wagtail_spinecare/admin/record_consent.html"
    page_title = gettext_lazy("Record consent")

    def get(self, request, *args, **kwargs):
        return self.render(form=ConsentForm(testimonial=self.instance, user=request.user))

    def post(self, request, *args, **kwargs):
        form = ConsentForm(request.POST, testimonial=self.instance, user=request.user)
        if form.is_valid() and form.save() is not None:
            messages.success(request, _("Consent recorded."))
            return redirect(self.inspect_url())
        messages.error(request, _("The consent was not recorded. Please correct the errors."))
        return self.render(form=form)


class WithdrawConsentView(TestimonialActionView):
    """Withdraw consent at the patient's request: the testimonial leaves every page at once."""

    action = "withdraw_consent"
    template_name = "wagtail_spinecare/admin/withdraw_consent.html"
    page_title = gettext_lazy("Withdraw consent")

    def get(self, request, *args, **kwargs):
        return self.render(form=WithdrawForm())

    def post(self, request, *args, **kwargs):
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            return self.render(form=form)
        if consent_actions.withdraw(
            self.instance, channel=form.cleaned_data["channel"], by=request.user
        ):
            messages.success(
                request, _("Consent withdrawn. The testimonial is no longer shown anywhere.")
            )
        else:
            messages.info(request, _("There was no active consent to withdraw."))
        return redirect(self.inspect_url())


class ExportSubjectView(TestimonialActionView):
    """Download, as JSON, everything the user's clinics hold about the testimonial's patient."""

    action = "handle_subject_requests"

    http_method_names = ["post"]  # an export is logged; a prefetched link must not make one

    def post(self, request, *args, **kwargs):
        return self.render_export()

    def render_export(self):
        try:
            data = subjects.export(
                self.instance.patient_email, by=self.request.user, sites=self.subject_sites()
            )
        except subjects.UnknownSubject:
            messages.error(self.request, _("This testimonial has no patient email to search by."))
            return redirect(self.inspect_url())
        response = HttpResponse(
            json.dumps(data, indent=2), content_type="application/json; charset=utf-8"
        )
        filename = f"patient-data-{slugify(self.instance.patient_email)}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class EraseSubjectView(TestimonialActionView):
    """Erase everything the user's clinics hold about the testimonial's patient, after asking."""

    action = "handle_subject_requests"
    template_name = "wagtail_spinecare/admin/erase_subject.html"
    page_title = gettext_lazy("Erase a patient's data")

    def get(self, request, *args, **kwargs):
        try:
            count = subjects.testimonials_of(
                self.instance.patient_email, self.subject_sites()
            ).count()
        except subjects.UnknownSubject:
            count = 0
        return self.render(count=count)

    def post(self, request, *args, **kwargs):
        email = self.instance.patient_email
        if not email:
            messages.error(request, _("This testimonial has no patient email to search by."))
            return redirect(self.inspect_url())
        erased = subjects.erase(email, by=request.user, sites=self.subject_sites())
        messages.success(
            request,
            _("Erased %(count)d testimonials and their consent records.") % {"count": erased},
        )
        return redirect(self.url_helper.index_url)
