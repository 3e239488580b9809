"""The admin's forms for patient records: the testimonial form, recording and withdrawing
consent."""

import operator
from functools import reduce

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput
from wagtail.documents import get_document_model
from wagtail.documents.widgets import AdminDocumentChooser
from wagtail.models import Site

from .. import consent, consent_actions
from ..clinic_collections import evidence_collections, find_evidence_collection, photos_for
from ..compat import permission_policy_for
from ..models import ConditionLibraryPage, ConditionPage
from ..models.consent_records import (
    CONSENT_WORDING_MAX_LENGTH,
    Channel,
    ConsentMethod,
    ConsentRecord,
    Detail,
    LawfulBasis,
)
from ..permissions import managed_sites


class PatientRecordForm(WagtailAdminModelForm):
    """The testimonial form: a testimonial can only be filed under a clinic the editor manages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("site")
        if field is not None and self.for_user is not None:
            action = "change" if self.instance.pk else "add"
            field.queryset = managed_sites(self.for_user, [action]).order_by("hostname")
        photo = self.fields.get("photo")
        if photo is not None and self.for_user is not None:
            photo.queryset = photos_for(self.for_user)
        condition = self.fields.get("condition_page")
        if condition is not None and self.for_user is not None:
            condition.queryset = condition_pages_for(self.for_user)


def condition_pages_for(user):
    """The condition pages a testimonial of ``user``'s clinics may be about: the shared ones, and
    those on the clinics' own sites."""
    roots = [
        *ConditionLibraryPage.objects.values_list("path", flat=True),
        *managed_sites(user).values_list("root_page__path", flat=True),
    ]
    if not roots:
        return ConditionPage.objects.none()
    return ConditionPage.objects.filter(
        reduce(operator.or_, (Q(path__startswith=path) for path in roots))
    )


def evidence_for(user, own_collection=None):
    """Documents ``user`` may attach as evidence: those they may choose, but never another
    clinic's evidence, plus anything in the testimonial's own clinic's evidence collection."""
    model = get_document_model()
    choosable = permission_policy_for(model).instances_user_has_any_permission_for(user, ["choose"])
    condition = Q(pk__in=choosable.values("pk")) & ~Q(collection__in=evidence_collections())
    if own_collection is not None:
        condition |= Q(collection=own_collection)
    return model.objects.filter(condition)


class EvidenceChooser(AdminDocumentChooser):
    """The document chooser, opening on the clinic's evidence collection."""

    def __init__(self, collection=None, **kwargs):
        self.collection = collection
        super().__init__(**kwargs)

    def get_chooser_modal_url(self):
        url = super().get_chooser_modal_url()
        return f"{url}?collection_id={self.collection.pk}" if self.collection else url


class ConsentForm(forms.Form):
    """Record the patient's consent. Saving supersedes the previous consent record.

    Fields that are stored as they are entered take their help from the consent record's
    fields, so the form and the record explain them in the same words.
    """

    given_at = forms.DateTimeField(
        label=_("Consent given"),
        widget=AdminDateTimeInput,
        initial=timezone.now,
        help_text=ConsentRecord._meta.get_field("given_at").help_text,
    )
    method = forms.ChoiceField(
        label=_("How consent was given"),
        choices=ConsentMethod.choices,
        help_text=ConsentRecord._meta.get_field("method").help_text,
    )
    evidence = forms.ModelChoiceField(
        label=_("Evidence"),
        queryset=None,
        required=False,
        widget=EvidenceChooser,
        help_text=_(
            "The signed form, email or recording. Upload it to your clinic's collection under "
            "“Consent evidence”, where only your clinic's editors can open it."
        ),
    )
    lawful_basis = forms.ChoiceField(
        label=_("Lawful basis"),
        choices=LawfulBasis.choices,
        help_text=ConsentRecord._meta.get_field("lawful_basis").help_text,
    )
    wording = forms.CharField(
        label=_("What the patient was told"),
        max_length=CONSENT_WORDING_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=ConsentRecord._meta.get_field("wording").help_text,
    )
    wording_version = forms.CharField(
        label=_("Wording version"),
        max_length=50,
        help_text=ConsentRecord._meta.get_field("wording_version").help_text,
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Clinic sites"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The clinic sites the patient agreed to appear on. Only the clinics you manage are "
            "listed."
        ),
    )
    channels = forms.MultipleChoiceField(
        label=_("Where the testimonial may appear"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick only what the patient agreed to. This site shows testimonials on web pages and "
            "to apps; social media and print are recorded for the staff who use them."
        ),
    )
    details = forms.MultipleChoiceField(
        label=_("What may be shown with the testimonial"),
        choices=Detail.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick only what the patient agreed to. Without their name, the testimonial says "
            "'A patient'."
        ),
    )
    expires_on = forms.DateField(label=_("Consent expires"), widget=AdminDateInput, required=False)

    def __init__(self, *args, testimonial, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.testimonial, self.user = testimonial, user
        own = find_evidence_collection(testimonial.site)
        self.fields["evidence"].queryset = evidence_for(user, own)
        self.fields["evidence"].widget.collection = own
        self.fields["sites"].queryset = managed_sites(user, ["record_consent"]).order_by("hostname")
        self.fields["sites"].initial = [testimonial.site_id]
        self.fields["channels"].initial = [Channel.WEB]
        self.fields["expires_on"].help_text = _(
            "The last day the testimonial may be shown: at most %(days)d days from today."
        ) % {"days": consent.longest_days()}

    def save(self):
        """Record the consent; on refusal, put each message on its field and return None."""
        data = self.cleaned_data
        try:
            return consent_actions.give(
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
    """How the patient asked to withdraw consent; the testimonial is taken down either way."""

    channel = forms.ChoiceField(
        label=_("How did the patient ask?"),
        choices=WITHDRAWAL_CHANNELS,
        help_text=_("Kept in the consent history and the audit trail."),
    )
