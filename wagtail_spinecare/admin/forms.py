from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput
from wagtail.documents.widgets import AdminDocumentChooser
from wagtail.models import Site

from .. import consent
from ..models.testimonials import Channel, ConsentMethod, LawfulBasis

DETAIL_CHOICES = [
    ("name", _("Their name, as set on the story")),
    ("age", _("Their age band")),
    ("occupation", _("Their occupation")),
    ("photo", _("Their photo")),
]


class ConsentForm(forms.Form):
    """Record the patient's consent. Saving supersedes the previous consent record."""

    given_at = forms.DateTimeField(
        label=_("Consent given"), widget=AdminDateTimeInput, initial=timezone.now
    )
    method = forms.ChoiceField(label=_("How consent was given"), choices=ConsentMethod.choices)
    evidence = forms.ModelChoiceField(
        label=_("Evidence"),
        queryset=None,
        required=False,
        widget=AdminDocumentChooser,
        help_text=_("The signed form, email or recording. Upload it to a private collection."),
    )
    lawful_basis = forms.ChoiceField(label=_("Lawful basis"), choices=LawfulBasis.choices)
    wording = forms.CharField(
        label=_("What the patient was told"), widget=forms.Textarea(attrs={"rows": 4})
    )
    wording_version = forms.CharField(label=_("Wording version"), max_length=50)
    sites = forms.ModelMultipleChoiceField(
        label=_("Clinic sites"),
        queryset=Site.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("Where the story may appear"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.MultipleChoiceField(
        label=_("What may be shown with the story"),
        choices=DETAIL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(label=_("Consent expires"), widget=AdminDateInput, required=False)

    def __init__(self, *args, testimonial, user, **kwargs):
        from wagtail.documents import get_document_model

        super().__init__(*args, **kwargs)
        self.testimonial, self.user = testimonial, user
        self.fields["evidence"].queryset = get_document_model().objects.all()
        self.fields["sites"].initial = [testimonial.site_id]
        self.fields["channels"].initial = [Channel.WEB]

    def save(self):
        """Record the consent; on refusal, put each message on its field and return None."""
        data = self.cleaned_data
        try:
            return consent.give(
                self.testimonial,
                sites=data["sites"],
                expires_on=data["expires_on"],
                evidence=data["evidence"],
                method=data["method"],
                wording=data["wording"],
                wording_version=data["wording_version"],
                lawful_basis=data["lawful_basis"],
                channels=data["channels"],
                details=data["details"],
                given_at=data["given_at"],
                by=self.user,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return None


WITHDRAWAL_CHANNELS = [
    ("email", _("Email")),
    ("phone", _("Phone call")),
    ("in person", _("In person")),
    ("letter", _("Letter")),
    ("other", _("Other")),
]


class WithdrawForm(forms.Form):
    channel = forms.ChoiceField(label=_("How did the patient ask?"), choices=WITHDRAWAL_CHANNELS)
