"""Admin views for patient stories: consent, withdrawal and data subject requests."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail_modeladmin.views import InspectView, WMABaseView

from .. import consent, subjects
from ..models.testimonials import ConsentEvent, Testimonial
from .forms import ConsentForm, WithdrawForm


class TestimonialInspectView(InspectView):
    """A story with its whole consent history, audit trail and actions."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        testimonial = self.instance
        user = self.request.user
        context.update(
            consent_records=testimonial.consent_records.prefetch_related("sites").select_related(
                "captured_by", "evidence"
            ),
            events=ConsentEvent.objects.filter(testimonial_ref=testimonial.pk).select_related("by"),
            shown_on=consent.sites_showing(testimonial),
            can_record=user.has_perm("wagtail_spinecare.add_consentrecord"),
            can_withdraw=user.has_perm("wagtail_spinecare.withdraw_consent"),
            can_handle_requests=user.has_perm("wagtail_spinecare.handle_subject_requests"),
        )
        for action in ("record_consent", "withdraw", "export", "erase"):
            context[f"{action}_url"] = self.url_helper.get_action_url(action, testimonial.pk)
        return context

    def get_template_names(self):
        return ["wagtail_spinecare/admin/testimonial_inspect.html"]


class TestimonialActionView(WMABaseView):
    """Base for an action on one story, allowed by one permission."""

    permission = None
    template_name = None

    def dispatch(self, request, *args, **kwargs):
        self.instance = get_object_or_404(
            self.model_admin.get_queryset(request), pk=kwargs["instance_pk"]
        )
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

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
    permission = "wagtail_spinecare.add_consentrecord"
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
    permission = "wagtail_spinecare.withdraw_consent"
    template_name = "wagtail_spinecare/admin/withdraw_consent.html"
    page_title = gettext_lazy("Withdraw consent")

    def get(self, request, *args, **kwargs):
        return self.render(form=WithdrawForm())

    def post(self, request, *args, **kwargs):
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            return self.render(form=form)
        if consent.withdraw(self.instance, channel=form.cleaned_data["channel"], by=request.user):
            messages.success(
                request, _("Consent withdrawn. The story is no longer shown anywhere.")
            )
        else:
            messages.info(request, _("There was no active consent to withdraw."))
        return redirect(self.inspect_url())


class ExportSubjectView(TestimonialActionView):
    permission = "wagtail_spinecare.handle_subject_requests"

    http_method_names = ["post"]  # an export is logged; a prefetched link must not make one

    def post(self, request, *args, **kwargs):
        return self.render_export()

    def render_export(self):
        try:
            data = subjects.export(self.instance.patient_email, by=self.request.user)
        except subjects.UnknownSubject:
            messages.error(self.request, _("This story has no patient email to search by."))
            return redirect(self.inspect_url())
        response = HttpResponse(
            json.dumps(data, indent=2), content_type="application/json; charset=utf-8"
        )
        filename = f"patient-data-{slugify(self.instance.patient_email)}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class EraseSubjectView(TestimonialActionView):
    permission = "wagtail_spinecare.handle_subject_requests"
    template_name = "wagtail_spinecare/admin/erase_subject.html"
    page_title = gettext_lazy("Erase a patient's data")

    def get(self, request, *args, **kwargs):
        count = (
            Testimonial.objects.filter(patient_email__iexact=self.instance.patient_email).count()
            if self.instance.patient_email
            else 0
        )
        return self.render(count=count)

    def post(self, request, *args, **kwargs):
        email = self.instance.patient_email
        if not email:
            messages.error(request, _("This story has no patient email to search by."))
            return redirect(self.inspect_url())
        erased = subjects.erase(email, by=request.user)
        messages.success(
            request, _("Erased %(count)d stories and their consent records.") % {"count": erased}
        )
        return redirect(self.url_helper.index_url)
