"""Testimonials: patients' own accounts, in words they approved, shown only while their
consent allows."""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import ModelLogEntry, ReferenceIndex
from wagtail.search import index

from .. import consent
from .consent_records import Channel, ConsentEvent, ConsentRecord, acting_user


class Naming(models.TextChoices):
    """How a testimonial names its patient, when their consent lets the name be shown."""

    FULL_NAME = "full_name", _("Full name (Sarah Jones)")
    FIRST_NAME_INITIAL = "first_name_initial", _("First name and initial (Sarah J.)")
    INITIALS = "initials", _("Initials (S. J.)")
    ANONYMOUS = "anonymous", _("Anonymous (a patient)")


class AgeBand(models.TextChoices):
    """A patient's age as a ten-year band, which tells readers less about them than an age."""

    UNDER_30 = "18-29", _("18 to 29")
    THIRTIES = "30-39", _("30 to 39")
    FORTIES = "40-49", _("40 to 49")
    FIFTIES = "50-59", _("50 to 59")
    SIXTIES = "60-69", _("60 to 69")
    OVER_70 = "70+", _("70 or over")


class MaterialConnection(models.TextChoices):
    """Ties to the clinic that readers should know of; a testimonial with one says so beside it."""

    NONE = "", _("None")
    FREE_TREATMENT = "free_treatment", _("Received free treatment")
    DISCOUNTED_TREATMENT = "discounted_treatment", _("Received discounted treatment")
    STAFF = "staff", _("Works for the clinic")
    FAMILY = "family", _("Family or friend of clinic staff")
    OTHER = "other", _("Other connection")


def quote_hash(text: str) -> str:
    """A fingerprint of the approved wording; whitespace differences do not count as edits."""
    return hashlib.sha256(" ".join((text or "").split()).encode()).hexdigest()


def _used_elsewhere(image) -> bool:
    """Whether a patient's photo is another testimonial's, or used by a page or anything else
    Wagtail's reference index knows of."""
    return (
        Testimonial.objects.filter(photo=image).exists()
        or ReferenceIndex.get_references_to(image)
        .exclude(base_content_type=ContentType.objects.get_for_model(Testimonial))
        .exists()
    )


class TestimonialQuerySet(models.QuerySet):
    """Testimonials; :meth:`publishable` asks the consent rule which of them may be shown."""

    def publishable(self, site=None, channel=Channel.WEB, at=None):
        """The testimonials that may be shown on ``site`` through ``channel`` at ``at``.

        One query. With no site: those that may be shown on at least one site.
        The rule itself lives in :mod:`wagtail_spinecare.consent`.
        """
        return self.filter(
            models.Exists(
                consent.valid_consents(site=site, channel=channel, at=at).filter(
                    testimonial=models.OuterRef("pk")
                )
            )
        )


class Testimonial(index.Indexed, models.Model):
    """A patient's testimonial in their approved words, shown only while their consent allows.

    Pages refer to testimonials; they never copy the text. The patient's identity and
    contact details are kept for consent and data requests and are never shown.
    """

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("clinic"),
        on_delete=models.CASCADE,
        related_name="spinecare_testimonials",
        help_text=_("The clinic site this patient was treated at."),
    )
    quote = models.TextField(
        _("approved quote"),
        max_length=1200,
        help_text=_(
            "Exactly the words the patient approved. Changing them after consent hides the "
            "testimonial until the patient approves the new wording."
        ),
    )
    naming = models.CharField(
        _("how the patient is named"),
        max_length=30,
        choices=Naming.choices,
        default=Naming.FIRST_NAME_INITIAL,
        help_text=_("Only used if the patient's consent allows their name to be shown."),
    )
    patient_name = models.CharField(
        _("patient's full name"),
        max_length=150,
        help_text=_("Private. Used to build the displayed name and to find their data."),
    )
    patient_email = models.EmailField(
        _("patient's email"),
        blank=True,
        help_text=_("Private. Lets you find everything held about them if they ask."),
    )
    patient_phone = models.CharField(
        _("patient's phone"), max_length=30, blank=True, help_text=_("Private.")
    )
    age_band = models.CharField(
        _("age band"),
        max_length=10,
        choices=AgeBand.choices,
        blank=True,
        help_text=_("Optional. Only shown if the patient's consent allows their age band."),
    )
    occupation = models.CharField(
        _("occupation"), max_length=100, blank=True, help_text=_("e.g. 'Nurse'. Optional.")
    )
    condition_page = models.ForeignKey(
        "wagtail_spinecare.ConditionPage",
        verbose_name=_("condition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="testimonials",
        help_text=_(
            "The condition this testimonial is about: the shared condition page, or your clinic's "
            "own page for it. The testimonial can then appear on your clinic's page for it."
        ),
    )
    claims_outcome = models.BooleanField(
        _("describes a result of treatment"),
        default=False,
        help_text=_(
            "Tick if the testimonial says treatment helped, e.g. 'back to golf in six weeks'. Such "
            "testimonials are shown with your clinic's statement on typical results."
        ),
    )
    outcome_evidence = models.CharField(
        _("evidence for the result"),
        max_length=255,
        blank=True,
        help_text=_("Where the claimed result is recorded, e.g. a clinical record reference."),
    )
    material_connection = models.CharField(
        _("connection to the clinic"),
        max_length=30,
        choices=MaterialConnection.choices,
        blank=True,
        default=MaterialConnection.NONE,
        help_text=_(
            "Anything patients should know, e.g. free treatment. It is shown with the testimonial."
        ),
    )
    material_connection_detail = models.CharField(
        _("connection details"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional, e.g. 'Treated at half price as a member of staff's partner'. Shown after "
            "the connection chosen above; not shown if there is none."
        ),
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional. Shown only if the consent allows a photo."),
    )
    quote_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TestimonialQuerySet.as_manager()

    panels = [
        FieldPanel("site"),
        FieldPanel("quote"),
        FieldPanel("condition_page"),
        MultiFieldPanel(
            [
                FieldPanel("patient_name"),
                FieldRowPanel([FieldPanel("patient_email"), FieldPanel("patient_phone")]),
            ],
            heading=_("The patient (private, never shown)"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("naming"),
                FieldPanel("age_band"),
                FieldPanel("occupation"),
                FieldPanel("photo"),
            ],
            heading=_("What may be shown about them, if their consent allows"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("claims_outcome"),
                FieldPanel("outcome_evidence"),
                FieldPanel("material_connection"),
                FieldPanel("material_connection_detail"),
            ],
            heading=_("Advertising rules"),
        ),
    ]

    search_fields = [
        index.SearchField("quote"),
        index.AutocompleteField("quote"),
        index.FilterField("site"),
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("testimonial")
        verbose_name_plural = _("testimonials")
        permissions = [
            ("record_consent", _("Can record consent for testimonials")),
            ("withdraw_consent", _("Can withdraw consent for testimonials")),
            ("handle_subject_requests", _("Can export and erase a patient's data")),
        ]

    def __str__(self):
        # What Wagtail's history, logs and delete screens record: never the patient's words,
        # which must go with an erasure while those records stay.
        return self.label

    def save(self, *args, **kwargs):
        """Fingerprint the quote on every save, so an edit after consent is noticed."""
        self.quote_hash = quote_hash(self.quote)
        super().save(*args, **kwargs)

    @transaction.atomic
    def delete(self, *args, by=None, **kwargs):
        """Delete the testimonial with its consent records, evidence files and the patient's photo
        (unless something else uses it); keep one audit event holding only the testimonial's id.
        Deleting in the admin is an erasure too.

        Wagtail's history of the testimonial keeps its entries (who did what, when) under the
        testimonial's label, never its words."""
        documents = list(
            {record.evidence for record in self.consent_records.select_related("evidence")}
        )
        photo = self.photo if self.photo_id else None
        ref, site_id = self.pk, self.site_id
        ConsentEvent.objects.filter(testimonial_ref=ref).update(note="")
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Testimonial), object_id=str(ref)
        ).update(label=self.label, data={})
        result = super().delete(*args, **kwargs)
        for document in documents:
            if not ConsentRecord.objects.filter(evidence=document).exists():
                document.file.delete(save=False)
                document.delete()
        if photo is not None and not _used_elsewhere(photo):
            photo.delete()
        ConsentEvent.objects.create(
            kind=ConsentEvent.Kind.ERASED,
            testimonial_ref=ref,
            site_id=site_id,
            by=acting_user(by),
        )
        return result

    @property
    def label(self) -> str:
        """The testimonial named without personal data: "Testimonial #42"."""
        return _("Testimonial #%(id)s") % {"id": self.pk or "?"}

    @property
    def editor_title(self) -> str:
        """How choosers name the testimonial to editors of its clinic: its first words."""
        return f"“{self.excerpt}” (#{self.pk})"

    @property
    def excerpt(self) -> str:
        """The quote's first words, on one line, for lists and choosers in the admin."""
        text = " ".join(self.quote.split())
        return text if len(text) <= 60 else text[:59].rstrip() + "…"

    def display_name(self, show_name: bool) -> str:
        """The name patients see, as the editor chose and only as far as consent allows."""
        parts = self.patient_name.split()
        if not show_name or not parts or self.naming == Naming.ANONYMOUS:
            return str(_("A patient"))
        if self.naming == Naming.FULL_NAME:
            return " ".join(parts)
        if self.naming == Naming.INITIALS:
            return " ".join(f"{part[0]}." for part in parts)
        return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else parts[0]

    @classmethod
    def get_indexed_objects(cls):
        """The search index only ever holds testimonials that may be shown somewhere now."""
        return cls.objects.publishable()
