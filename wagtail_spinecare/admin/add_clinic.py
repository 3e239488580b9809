"""The admin's "Add a clinic" screen: what ``manage.py spinecare_add_clinic`` does, for a
superuser who has no shell."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views import View

from ..clinic_setup import add_clinic
from ..terminology import DEFAULT_REGION, Region


class AddClinicForm(forms.Form):
    """What a superuser gives to set up a clinic; the rest is filled in for them."""

    clinic_name = forms.CharField(
        label=_("Clinic name"),
        max_length=150,
        help_text=_("As patients know it, e.g. 'Harbourside Physiotherapy'."),
    )
    hostname = forms.CharField(
        label=_("Web address (host name)"),
        max_length=255,
        help_text=_("The address the clinic's site answers on, e.g. 'harbourside.example.com'."),
    )
    port = forms.IntegerField(
        label=_("Port"),
        initial=80,
        min_value=1,
        max_value=65535,
        help_text=_("Leave as 80 unless your developer says otherwise."),
    )
    region = forms.ChoiceField(
        label=_("Country"),
        choices=Region.choices,
        initial=DEFAULT_REGION,
        help_text=_("Sets the clinic's words and emergency numbers."),
    )


class AddClinicView(View):
    """Superusers only: add a clinic, then list what was made and what already existed."""

    template_name = "wagtail_spinecare/admin/add_clinic.html"
    page_title = _("Add a clinic")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, setup=None):
        return TemplateResponse(
            self.request, self.template_name, {"view": self, "form": form, "setup": setup}
        )

    def get(self, request):
        return self.render(AddClinicForm())

    def post(self, request):
        form = AddClinicForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        data = form.cleaned_data
        try:
            setup = add_clinic(data["hostname"], data["clinic_name"], data["region"], data["port"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
            return self.render(form)
        return self.render(AddClinicForm(), setup=setup)
