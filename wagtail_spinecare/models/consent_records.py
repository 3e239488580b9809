"""Consent records and the audit trail of consent events.

A testimonial is shown only while its current consent record allows; the rule that reads
these records is :mod:`wagtail_spinecare.consent`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CONSENT_WORDING_MAX_LENGTH = 10000


class Channel(models.TextChoices):
    """Where a testimonial may appear. Consent names each channel separately."""

    WEB = "web", _("Web pages")
    STRUCTURED_DATA = "structured_data", _("Search engines and apps (structured data and API)")
    SOCIAL = "social", _("Social media")
    PRINT = "print", _("Print")


class Detail(models.TextChoices):
    """What a consent record may let a page show beside the quote: each has a ``show_<value>``
    field on :class:`ConsentRecord`."""

    NAME = "name", _("Their name, as set on the testimonial")
    AGE = "age", _("Their age band")
    OCCUPATION = "occupation", _("Their occupation")
    PHOTO = "photo", _("Their photo")

    @property
    def field_name(self) -> str:
        """The consent record's field for this detail."""
        return f"show_{self.value}"


def acting_user(user):
    """The user to record as having acted, or None for anonymous and system actions."""
    return user if user is not None and user.is_authenticated else None


class ConsentMethod(models.TextChoices):
    """How a patient gave consent; the evidence attached to the record should match it."""

    SIGNED_FORM = "signed_form", _("Signed paper form")
    E_SIGNATURE = "e_signature", _("Electronic signature")
    EMAIL = "email", _("Email from the patient")
    RECORDED_VERBAL = "recorded_verbal", _("Recorded verbal consent")


class LawfulBasis(models.TextChoices):
    """The law that lets the clinic publish a patient's health testimonial with their consent."""

    UK_GDPR_EXPLICIT = "uk_gdpr_explicit", _("UK GDPR explicit consent (Article 9(2)(a))")
    HIPAA_AUTHORIZATION = "hipaa_authorization", _("HIPAA authorization (45 CFR 164.508)")


class ConsentRecord(models.Model):
    """One act of consent for one testimonial. A newer record supersedes older ones.

    Records are never edited, except to note a withdrawal.
    """

    testimonial = models.ForeignKey(
        "wagtail_spinecare.Testimonial",
        verbose_name=_("testimonial"),
        on_delete=models.CASCADE,
        related_name="consent_records",
        help_text=_("The testimonial this consent is for."),
    )
    given_at = models.DateTimeField(
        _("consent given"),
        help_text=_(
            "When the patient gave consent, e.g. the date they signed the form, not the day "
            "you record it. It cannot be in the future."
        ),
    )
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The member of staff who recorded this consent. Filled in for you."),
    )
    method = models.CharField(
        _("how consent was given"),
        max_length=30,
        choices=ConsentMethod.choices,
        help_text=_("How the patient said yes. The evidence you attach should show it."),
    )
    evidence = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("evidence"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The signed form, email or recording. Kept in a private collection."),
    )
    wording = models.TextField(
        _("what the patient was told"),
        max_length=CONSENT_WORDING_MAX_LENGTH,
        help_text=_(
            "The consent wording the patient agreed to, exactly as it reads on the form, in the "
            "email or in the recording."
        ),
    )
    wording_version = models.CharField(
        _("wording version"),
        max_length=50,
        help_text=_(
            "Which version of your consent form the wording comes from, e.g. '2026-01', so you "
            "can tell later which patients agreed to which wording."
        ),
    )
    lawful_basis = models.CharField(
        _("lawful basis"),
        max_length=30,
        choices=LawfulBasis.choices,
        help_text=_(
            "The law that lets you publish a patient's health information with their consent: "
            "explicit consent under UK GDPR in the UK, a HIPAA authorization in the US. Choose "
            "the one your consent form was written for."
        ),
    )
    sites = models.ManyToManyField(
        "wagtailcore.Site",
        verbose_name=_("clinic sites"),
        related_name="+",
        help_text=_("The clinic sites the patient agreed to appear on."),
    )
    channel_web = models.BooleanField(
        _("web pages"),
        default=True,
        help_text=_("The testimonial may appear on the web pages of the clinic sites chosen."),
    )
    channel_structured_data = models.BooleanField(
        _("search engines and apps"),
        default=False,
        help_text=_(
            "The testimonial may be passed to other apps with the page's data (the API). It is "
            "never given to search engines as a review."
        ),
    )
    channel_social = models.BooleanField(
        _("social media"),
        default=False,
        help_text=_(
            "The testimonial may be posted on the clinic's social media. A record for staff who do "
            "that: this site posts nothing."
        ),
    )
    channel_print = models.BooleanField(
        _("print"),
        default=False,
        help_text=_(
            "The testimonial may be used in leaflets and other print. A record for staff: this "
            "site prints nothing."
        ),
    )
    show_name = models.BooleanField(
        _("may show name"),
        default=False,
        help_text=_(
            "The testimonial may name the patient, in the form chosen on the testimonial (e.g. "
            "'Sarah J.'). Otherwise it says 'A patient'."
        ),
    )
    show_age = models.BooleanField(
        _("may show age band"),
        default=False,
        help_text=_("The testimonial may show the patient's age band, e.g. '60 to 69'."),
    )
    show_occupation = models.BooleanField(
        _("may show occupation"),
        default=False,
        help_text=_("The testimonial may show the patient's occupation."),
    )
    show_photo = models.BooleanField(
        _("may show photo"),
        default=False,
        help_text=_("The testimonial may show the patient's photo."),
    )
    expires_on = models.DateField(
        _("consent expires"),
        help_text=_("The last day the testimonial may be shown. Ask the patient again before it."),
    )
    approved_quote = models.TextField(
        _("approved wording"),
        editable=False,
        help_text=_("The quote as it was when consent was given."),
    )
    quote_hash = models.CharField(
        max_length=64,
        editable=False,
        help_text=_(
            "A fingerprint of the approved wording. While the testimonial's quote differs from it, "
            "the testimonial is not shown."
        ),
    )
    withdrawn_at = models.DateTimeField(
        _("withdrawn"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the patient withdrew this consent. Empty while it stands."),
    )
    withdrawal_channel = models.CharField(
        _("withdrawn through"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("How the patient asked to withdraw, e.g. by email or phone."),
    )
    created_at = models.DateTimeField(
        auto_now_add=True, help_text=_("When this record was entered, not when consent was given.")
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self):
        return _("Consent given %(date)s") % {"date": self.given_at.date().isoformat()}

    def channel_names(self) -> list[str]:
        """The places this consent lets the testimonial appear, as staff read them."""
        return [label for value, label in Channel.choices if getattr(self, f"channel_{value}")]


class ConsentEvent(models.Model):
    """Append-only audit trail. Holds no personal data: ids, kinds and times only."""

    class Kind(models.TextChoices):
        GIVEN = "given", _("Consent given")
        SUPERSEDED = "superseded", _("Consent superseded")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")
        EXPIRED = "expired", _("Consent expired")
        EXPORTED = "exported", _("Data exported")
        ERASED = "erased", _("Data erased")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    testimonial = models.ForeignKey(
        "wagtail_spinecare.Testimonial",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    testimonial_ref = models.PositiveBigIntegerField(
        help_text=_("The testimonial's id, kept after erasure.")
    )
    consent_record_ref = models.PositiveBigIntegerField(null=True, blank=True)
    site = models.ForeignKey(
        "wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.testimonial_ref}"
