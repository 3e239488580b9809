"""Each clinic's settings: its name, logo, words, numbers, booking link, footer and brand colour."""

from dataclasses import replace
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, router, transaction
from django.db.models import Aggregate, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from ..colour import HEX_COLOUR, contrast_ratio
from ..compat import PreparedQuery
from ..terminology import DEFAULT_REGION, Region, Terminology, terminology_for
from .cache_generation import CacheGeneration

#: Text on the brand colour (booking buttons) and the page background behind brand-coloured
#: links are both white, so the brand colour must contrast with white.
BRAND_TEXT_COLOUR = "#ffffff"
DEFAULT_BRAND_COLOUR = "#0b5c7a"
MIN_CONTRAST = 4.5

#: A medical disclaimer is a paragraph or two; far longer text is a paste gone wrong.
DISCLAIMER_MAX_LENGTH = 2000

DEFAULT_DISCLAIMER = _(
    "This page is general information, not a diagnosis or a substitute for advice from a "
    "qualified clinician who has assessed you. If you are worried about your symptoms, "
    "speak to a health professional."
)


DEFAULT_TYPICALITY = _(
    "Individual results vary. Most people with back pain improve over weeks to a few months "
    "with exercise-based treatment; your own recovery may be quicker or slower."
)


class BusinessType(models.TextChoices):
    """The schema.org type that tells search engines what kind of practice a clinic is."""

    PHYSIOTHERAPY = "Physiotherapy", _("Physiotherapy practice")
    MEDICAL_CLINIC = "MedicalClinic", _("Medical clinic")
    MEDICAL_BUSINESS = "MedicalBusiness", _("Other health business")


def validate_brand_colour(value: str) -> None:
    """Refuse a brand colour that is not ``#rrggbb`` or too light for white text on it."""
    if not HEX_COLOUR.fullmatch(value or ""):
        raise ValidationError(
            _("Enter the colour as a # followed by six hexadecimal digits, for example #0b5c7a."),
            code="invalid",
        )
    ratio = contrast_ratio(value, BRAND_TEXT_COLOUR)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "This colour is too light: white text on it has a contrast of %(ratio).1f:1, and "
                "patients with low vision need at least 4.5:1. Choose a darker shade."
            ),
            code="low_contrast",
            params={"ratio": ratio},
        )


class _JoinedIds(Aggregate):
    """Ids joined by commas, in one column (SQLite's ``GROUP_CONCAT``, PostgreSQL's
    ``STRING_AGG``): the settings' query carries the chosen guidelines with no query of its
    own."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s::text, ',')",
            **extra_context,
        )


#: Each settings model's query for one site's settings (see ``ClinicSettings.for_site``).
_SITE_QUERIES: dict = {}


@register_setting(icon="site")
class ClinicSettings(BaseSiteSetting):
    """Everything about one clinic that its pages show: name, words, numbers and booking link.

    One per Wagtail Site, so one install can serve several clinics.
    """

    clinic_name = models.CharField(
        _("clinic name"),
        max_length=150,
        blank=True,
        help_text=_("As patients know it, e.g. 'Harbourside Physiotherapy'."),
    )
    business_type = models.CharField(
        _("type of practice"),
        max_length=40,
        choices=BusinessType.choices,
        default=BusinessType.PHYSIOTHERAPY,
        help_text=_("Tells search engines what kind of practice this is."),
    )
    region = models.CharField(
        _("country"),
        max_length=10,
        choices=Region.choices,
        default=DEFAULT_REGION,
        help_text=_(
            "Sets the words used on every page ('physiotherapy' or 'physical therapy') and "
            "the emergency numbers shown on urgent-help cards."
        ),
    )
    emergency_number = models.CharField(
        _("emergency number"),
        max_length=20,
        blank=True,
        help_text=_("Leave blank to use the national number for the country (999 or 911)."),
    )
    urgent_care_number = models.CharField(
        _("urgent advice number"),
        max_length=20,
        blank=True,
        help_text=_("Leave blank to use the national service for the country (NHS 111 in the UK)."),
    )
    phone = models.CharField(
        _("phone number"),
        max_length=30,
        blank=True,
        help_text=_("The number patients call to book, as it should be dialled."),
    )
    street_address = models.CharField(
        _("street address"),
        max_length=200,
        blank=True,
        help_text=_(
            "e.g. '12 Quay Street'. The address is shown at the foot of the clinic's pages and "
            "given to search engines."
        ),
    )
    address_locality = models.CharField(
        _("town or city"), max_length=100, blank=True, help_text=_("e.g. 'Portsea Quay'.")
    )
    address_region = models.CharField(
        _("county or state"),
        max_length=100,
        blank=True,
        help_text=_("Optional, e.g. 'Hampshire' or 'Iowa'."),
    )
    postal_code = models.CharField(
        _("postcode or ZIP code"), max_length=20, blank=True, help_text=_("e.g. 'PQ1 2AB'.")
    )
    booking_provider = models.CharField(
        _("booking system"),
        max_length=100,
        blank=True,
        help_text=_("The online booking service you use, e.g. Cliniko or Jane. For your records."),
    )
    booking_url = models.URLField(
        _("booking link"),
        blank=True,
        help_text=_(
            "Where 'Book' buttons go unless a button has its own link. Tracking details "
            "(UTM parameters) are added automatically."
        ),
    )
    utm_source = models.CharField(
        _("tracking source"),
        max_length=100,
        blank=True,
        help_text=_("Added to booking links as utm_source. Leave blank to use the site's address."),
    )
    utm_medium = models.CharField(
        _("tracking medium"),
        max_length=100,
        default="website",
        help_text=_("Added to booking links as utm_medium."),
    )
    brand_colour = models.CharField(
        _("brand colour"),
        max_length=7,
        default=DEFAULT_BRAND_COLOUR,
        validators=[validate_brand_colour],
        help_text=_(
            "Used for buttons and links, with white text on it. It must be dark enough to read "
            "easily; a colour that is too light is refused."
        ),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("longest time between clinical reviews (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_(
            "A page's next review must be due within this many months of its last review. "
            "At most 36."
        ),
    )
    typicality_statement = models.TextField(
        _("statement on typical results"),
        default=DEFAULT_TYPICALITY,
        max_length=400,
        help_text=_(
            "Shown under every testimonial that describes a result, so patients know what "
            "to expect for themselves."
        ),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Shown beside the clinic's name at the top of every page, at 48 pixels high. "
            "Use a version of the logo that reads on white, without the clinic's name in it "
            "if you can: the name is written next to it."
        ),
    )
    icon = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("site icon"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The small square picture in browser tabs and on phone home screens. A square "
            "image at least 180 pixels wide; it is cropped to a square if it is not one."
        ),
    )
    opening_hours = models.TextField(
        _("opening hours"),
        blank=True,
        max_length=500,
        help_text=_(
            "One line each, e.g. 'Monday to Friday: 8am to 7pm'. Shown at the foot of pages."
        ),
    )
    map_url = models.URLField(
        _("map link"),
        blank=True,
        help_text=_(
            "A link to the clinic on a map. Leave blank to link to a map search for the "
            "address above."
        ),
    )
    privacy_url = models.URLField(
        _("privacy notice link"),
        blank=True,
        help_text=_("The page that says how the clinic uses patients' information."),
    )
    complaints_url = models.URLField(
        _("complaints link"),
        blank=True,
        help_text=_("The page that says how to make a complaint and who to escalate it to."),
    )
    regulator_name = models.CharField(
        _("regulator"),
        max_length=150,
        blank=True,
        help_text=_(
            "Who regulates the clinic or its clinicians, e.g. 'Care Quality Commission', "
            "'Health and Care Professions Council' or a state licensing board."
        ),
    )
    regulator_url = models.URLField(
        _("regulator link"),
        blank=True,
        help_text=_("Where patients can check the registration, e.g. the regulator's register."),
    )
    regulator_registration = models.CharField(
        _("registration number"),
        max_length=50,
        blank=True,
        help_text=_("The clinic's number with the regulator, if it has one, e.g. '1-123456789'."),
    )
    default_disclaimer = models.TextField(
        _("medical disclaimer"),
        default=DEFAULT_DISCLAIMER,
        max_length=DISCLAIMER_MAX_LENGTH,
        help_text=_("Shown at the foot of every condition page unless the page has its own."),
    )
    guidelines = models.ManyToManyField(
        "wagtail_spinecare.Guideline",
        verbose_name=_("guidelines followed"),
        blank=True,
        related_name="clinics",
        help_text=_(
            "The clinical guidelines this clinic follows, usually your country's: treatment "
            "comparisons show only what these recommend, each in its own words. If you choose "
            "none, every guideline's recommendations are shown, and the content checks remind "
            "you to choose."
        ),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("clinic_name"), FieldPanel("business_type"), FieldPanel("region")],
            heading=_("Clinic"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("phone"),
                FieldPanel("street_address"),
                FieldPanel("address_locality"),
                FieldPanel("address_region"),
                FieldPanel("postal_code"),
            ],
            heading=_("Contact details"),
        ),
        MultiFieldPanel(
            [FieldPanel("emergency_number"), FieldPanel("urgent_care_number")],
            heading=_("Urgent help"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("booking_provider"),
                FieldPanel("booking_url"),
                FieldPanel("utm_source"),
                FieldPanel("utm_medium"),
            ],
            heading=_("Booking"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("opening_hours"),
                FieldPanel("map_url"),
                FieldPanel("privacy_url"),
                FieldPanel("complaints_url"),
                FieldPanel("regulator_name"),
                FieldPanel("regulator_url"),
                FieldPanel("regulator_registration"),
            ],
            heading=_("Page footer"),
            help_text=_("Each is optional: what is left blank is not shown."),
        ),
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("icon"), FieldPanel("brand_colour")],
            heading=_("Look"),
        ),
        FieldPanel("guidelines", widget=forms.CheckboxSelectMultiple),
        FieldPanel("review_interval_months"),
        FieldPanel("typicality_statement"),
        FieldPanel("default_disclaimer"),
    ]

    # The header and the page's icons need both images on every page: no query each.
    select_related = ["logo", "icon"]

    @classmethod
    def base_queryset(cls):
        """With the page and fragment caches' generation (see ``wagtail_spinecare.cache``)
        and the ids of the guidelines chosen: every page needs them."""
        chosen = (
            cls.guidelines.through.objects.filter(clinicsettings_id=OuterRef("pk"))
            .values("clinicsettings_id")
            .annotate(ids=_JoinedIds("guideline_id"))
            .values("ids")
        )
        return (
            super()
            .base_queryset()
            .annotate(
                spinecare_generation=CacheGeneration.subquery(),
                spinecare_guideline_ids=Subquery(chosen),
            )
        )

    @classmethod
    def for_site(cls, site):
        """Wagtail's: the site's settings, made if it has none yet. Every page asks, so the
        query is compiled once per process (see ``compat.PreparedQuery``)."""
        if site is None:
            return super().for_site(site)
        query = _SITE_QUERIES.get(cls)
        if query is None:
            query = _SITE_QUERIES[cls] = PreparedQuery(
                lambda site_id: cls.base_queryset().filter(site_id=site_id)[:1]
            )
        found = query(site.pk)
        return found[0] if found else cls._made_for(site)

    @classmethod
    def _made_for(cls, site):
        """New settings for ``site``, as Wagtail's ``get_or_create`` makes them; those
        another process has just made, if it was first."""
        try:
            with transaction.atomic(using=router.db_for_write(cls)):
                return cls.objects.create(site=site)
        except IntegrityError:
            return super().for_site(site)

    class Meta:
        verbose_name = _("clinic settings")
        verbose_name_plural = _("clinic settings")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The clinic's name, or its site's name when the clinic name is not filled in."""
        if self.clinic_name:
            return self.clinic_name
        site = self.site if self.site_id else None
        return site.site_name if site and site.site_name else ""

    @property
    def terminology(self) -> Terminology:
        """The country's words and numbers, with this clinic's own numbers where it has them."""
        terms = terminology_for(self.region)
        urgent_number = self.urgent_care_number
        terms = terms.with_overrides(
            emergency_number=self.emergency_number,
            urgent_care_number=urgent_number,
            urgent_care=urgent_number,
        )
        # The country's service answers online; a clinic's own urgent number may not.
        return replace(terms, urgent_care_url="") if urgent_number else terms

    @property
    def chosen_guideline_ids(self) -> frozenset:
        """The ids of the guidelines this clinic follows; empty when it chose none (then its
        comparisons show every guideline's recommendations)."""
        if "spinecare_guideline_ids" in self.__dict__:
            joined = self.spinecare_guideline_ids or ""
            return frozenset(int(pk) for pk in joined.split(",") if pk)
        if self.pk is None:
            return frozenset()
        return frozenset(self.guidelines.values_list("pk", flat=True))

    @property
    def brand_colour_css(self) -> str:
        """The brand colour, safe to place in a stylesheet whatever is stored."""
        return (
            self.brand_colour
            if HEX_COLOUR.fullmatch(self.brand_colour or "")
            else DEFAULT_BRAND_COLOUR
        )

    @property
    def has_address(self) -> bool:
        """Whether there is enough of an address to show patients and search engines."""
        return bool(self.street_address or self.address_locality or self.postal_code)

    @property
    def address_lines(self) -> list[str]:
        """The address as patients read it: street, then town, county and postcode."""
        place = ", ".join(part for part in (self.address_locality, self.address_region) if part)
        town = " ".join(part for part in (place, self.postal_code) if part)
        return [line for line in (self.street_address, town) if line]

    @property
    def map_href(self) -> str:
        """The clinic's own map link, or a map search for its address."""
        if self.map_url or not self.has_address:
            return self.map_url
        query = ", ".join([self.display_name, *self.address_lines])
        return "https://www.openstreetmap.org/search?" + urlencode({"query": query})

    @property
    def opening_hours_lines(self) -> list[str]:
        """The opening hours, one line each as entered, without blank lines."""
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]

    @classmethod
    def for_site_or_defaults(cls, site) -> "ClinicSettings":
        """The site's settings, or unsaved defaults; unlike ``for_site`` it never writes."""
        existing = cls.base_queryset().filter(site=site).first() if site else None
        return existing or cls()

    @classmethod
    def for_context(cls, context) -> "ClinicSettings":
        """The settings of the site being rendered, or unsaved defaults when there is none.

        Blocks call this while rendering; it must never fail, even outside a request
        (block previews) or when no Site answers the request (no default site either).
        Like Wagtail's ``for_request``, it creates the settings row of a site that has none.
        """
        request = context.get("request") if context else None
        if request is not None and Site.find_for_request(request) is not None:
            return cls.for_request(request)
        return cls()
