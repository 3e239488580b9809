"""Treatments, the guidelines that recommend them, and how strongly."""

from copy import copy

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from ..terminology import DEFAULT_REGION, Region, adapt_text, terminology_for


class StrengthScheme(models.TextChoices):
    """The words a guideline grades its recommendations in: each guideline has its own."""

    NICE = "nice", _("NICE: offer, consider, do not offer")
    ACP = "acp", _("American College of Physicians: strong or weak, with the quality of evidence")


class Strength(models.TextChoices):
    """A recommendation's strength in the words guidelines use, never a colour or a score.

    One list for every scheme, so that a strength's words are found without a query (see
    ``GuidelineRecommendation.strength_label``); :data:`SCHEME_STRENGTHS` says which belong
    to which scheme.
    """

    OFFER = "offer", _("Offer")
    CONSIDER = "consider", _("Consider")
    CONSIDER_WITH_EXERCISE = (
        "consider_with_exercise",
        _("Consider, only as part of a package including exercise"),
    )
    DO_NOT_OFFER = "do_not_offer", _("Do not offer")
    STRONG_HIGH = "strong_high", _("Strong recommendation, high-quality evidence")
    STRONG_MODERATE = "strong_moderate", _("Strong recommendation, moderate-quality evidence")
    STRONG_LOW = "strong_low", _("Strong recommendation, low-quality evidence")
    WEAK_HIGH = "weak_high", _("Weak recommendation, high-quality evidence")
    WEAK_MODERATE = "weak_moderate", _("Weak recommendation, moderate-quality evidence")
    WEAK_LOW = "weak_low", _("Weak recommendation, low-quality evidence")


#: The strengths each scheme's guidelines use.
SCHEME_STRENGTHS = {
    StrengthScheme.NICE: (
        Strength.OFFER,
        Strength.CONSIDER,
        Strength.CONSIDER_WITH_EXERCISE,
        Strength.DO_NOT_OFFER,
    ),
    StrengthScheme.ACP: (
        Strength.STRONG_HIGH,
        Strength.STRONG_MODERATE,
        Strength.STRONG_LOW,
        Strength.WEAK_HIGH,
        Strength.WEAK_MODERATE,
        Strength.WEAK_LOW,
    ),
}

#: The strength choices grouped by scheme, as editors pick them.
STRENGTH_CHOICES = [
    (scheme.label, [(strength.value, strength.label) for strength in strengths])
    for scheme, strengths in SCHEME_STRENGTHS.items()
]


class Guideline(models.Model):
    """A clinical guideline, e.g. NICE NG59, with the version now in force.

    When the guideline is updated, change its current version here: every recommendation
    still citing the old version is then listed for review.
    """

    code = models.CharField(
        _("short name"), max_length=50, unique=True, help_text=_("e.g. 'NICE NG59'.")
    )
    title = models.CharField(
        _("title"),
        max_length=255,
        help_text=_("e.g. 'Low back pain and sciatica in over 16s: assessment and management'."),
    )
    authority = models.CharField(
        _("published by"),
        max_length=150,
        help_text=_("e.g. 'NICE' or 'American College of Physicians'."),
    )
    current_version = models.CharField(
        _("current version"),
        max_length=50,
        help_text=_("The version or last-updated date now in force, e.g. '2020-12-11'."),
    )
    url = models.URLField(_("link"), help_text=_("The guideline's official page."))
    strength_scheme = models.CharField(
        _("strength words"),
        max_length=20,
        choices=StrengthScheme.choices,
        default=StrengthScheme.NICE,
        help_text=_(
            "The words this guideline grades its recommendations in. Its recommendations are "
            "shown in these words, and a strength from another guideline's words is refused."
        ),
    )
    note = models.TextField(
        _("note for editors"),
        max_length=500,
        blank=True,
        help_text=_("Not shown to patients, e.g. who checked these recommendations, and when."),
    )

    panels = [
        FieldPanel("code"),
        FieldPanel("title"),
        FieldPanel("authority"),
        FieldPanel("current_version"),
        FieldPanel("url"),
        FieldPanel("strength_scheme"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")

    def __str__(self):
        return self.code

    def clean(self):
        """Refuse other strength words while recommendations still use the old ones: they
        would be shown in words the guideline does not use."""
        super().clean()
        if self.pk is None:
            return
        stranded = self.recommendations.exclude(strength__in=self.strengths)
        if stranded.exists():
            raise ValidationError(
                {
                    "strength_scheme": _(
                        "%(count)d of this guideline's recommendations use other strength "
                        "words. Change their strengths first, or keep these words."
                    )
                    % {"count": stranded.count()}
                }
            )

    @property
    def display_name(self) -> str:
        """How pages name it: its short name when that names the authority ("NICE NG59"),
        else the authority with the short name ("American College of Physicians (ACP
        2017)"), so no guideline is left to pass for "the national guideline"."""
        if self.code.casefold().startswith(self.authority.casefold()):
            return self.code
        return f"{self.authority} ({self.code})"

    @property
    def strengths(self) -> tuple:
        """The strengths its recommendations may have, in its scheme's words."""
        return SCHEME_STRENGTHS.get(self.strength_scheme, ())


class TreatmentCategory(models.TextChoices):
    """Kinds of treatment; exercise and manual therapy are marked up as physical therapy."""

    EXERCISE = "exercise", _("Exercise")
    MANUAL_THERAPY = "manual_therapy", _("Manual therapy")
    PSYCHOLOGICAL = "psychological", _("Psychological therapy")
    MEDICINES = "medicines", _("Medicines")
    INJECTIONS = "injections", _("Injections")
    RADIOFREQUENCY = "radiofrequency", _("Radiofrequency denervation")
    SURGERY = "surgery", _("Surgery")
    DEVICES = "devices", _("Devices and aids")


#: A treatment's text a patient reads, in the words of the country it was written for.
SHOWN_TEXT = ("name", "summary", "involves", "time_to_benefit", "typical_course")


class Treatment(index.Indexed, ClusterableModel):
    """A treatment, described once for every clinic, with what guidelines say about it."""

    name = models.CharField(
        _("name"), max_length=120, unique=True, help_text=_("e.g. 'Exercise therapy'.")
    )
    category = models.CharField(
        _("type"),
        max_length=30,
        choices=TreatmentCategory.choices,
        help_text=_(
            "What kind of treatment it is. Filters the list of treatments, and tells search "
            "engines whether it is a physical therapy."
        ),
    )
    summary = models.TextField(
        _("summary"),
        max_length=400,
        help_text=_("One or two plain sentences a patient can follow."),
    )
    involves = models.TextField(
        _("what it involves"),
        max_length=600,
        blank=True,
        help_text=_("What happens, from the patient's side."),
    )
    time_to_benefit = models.CharField(
        _("typical time to benefit"),
        max_length=100,
        blank=True,
        help_text=_("e.g. '2 to 6 weeks'. Leave blank when there is no benefit to expect."),
    )
    typical_course = models.CharField(
        _("typical course"),
        max_length=100,
        blank=True,
        help_text=_("e.g. '6 to 8 sessions over 12 weeks'."),
    )
    written_in = models.CharField(
        _("written in"),
        max_length=2,
        choices=Region.choices,
        default=DEFAULT_REGION,
        help_text=_(
            "The country whose English this treatment is written in. A clinic in another "
            "country shows it in its own spelling and words ('programme' or 'program')."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("category"),
        FieldPanel("written_in"),
        FieldPanel("summary"),
        FieldPanel("involves"),
        MultiFieldPanel(
            [FieldPanel("time_to_benefit"), FieldPanel("typical_course")],
            heading=_("What to expect"),
        ),
        InlinePanel(
            "recommendations",
            label=_("Guideline recommendations"),
            min_num=1,
            help_text=_("What each guideline says about this treatment, in its own terms."),
        ),
    ]

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("treatment")
        verbose_name_plural = _("treatments")

    @cached_property
    def recommendation_list(self) -> list:
        """Its recommendations in order; a page's comparison block sets this in bulk."""
        return list(self.recommendations.select_related("guideline").order_by("sort_order", "pk"))

    def in_words_of(self, terminology) -> "Treatment":
        """This treatment as a clinic with ``terminology`` shows it: itself, or a copy with
        its text in that clinic's words."""
        if terminology is None or terminology.region == self.written_in:
            return self
        shown, source = copy(self), terminology_for(self.written_in)
        for name in SHOWN_TEXT:
            setattr(shown, name, adapt_text(getattr(self, name), source, terminology))
        return shown

    @property
    def advised_against(self) -> bool:
        """Whether every guideline that speaks of it says not to offer it."""
        recommendations = self.recommendation_list
        return bool(recommendations) and all(r.advises_against for r in recommendations)

    def __str__(self):
        return self.name


class GuidelineRecommendation(Orderable):
    """What one guideline says about one treatment, in the guideline's own words and numbering.

    It cites the guideline version it was read in, so a newer version in force flags it
    for review (see :func:`superseded_recommendations`).
    """

    treatment = ParentalKey(Treatment, on_delete=models.CASCADE, related_name="recommendations")
    guideline = models.ForeignKey(
        Guideline,
        verbose_name=_("guideline"),
        on_delete=models.PROTECT,
        related_name="recommendations",
        help_text=_("The guideline this recommendation comes from."),
    )
    guideline_version = models.CharField(
        _("guideline version cited"),
        max_length=50,
        help_text=_("The version you read it in, e.g. '2020-12-11'."),
    )
    recommendation_id = models.CharField(
        _("recommendation number"),
        max_length=30,
        help_text=_("As the guideline numbers it, e.g. '1.2.7'."),
    )
    strength = models.CharField(
        _("strength"),
        max_length=30,
        choices=STRENGTH_CHOICES,
        help_text=_(
            "In the guideline's own terms: pick from the words of the guideline chosen above."
        ),
    )
    caveats = models.CharField(
        _("conditions"),
        max_length=300,
        blank=True,
        help_text=_("Who it applies to, or when, in plain words."),
    )
    source_url = models.URLField(
        _("source link"), help_text=_("A link to the recommendation in the guideline.")
    )

    panels = [
        FieldPanel("guideline"),
        FieldPanel("guideline_version"),
        FieldPanel("recommendation_id"),
        FieldPanel("strength"),
        FieldPanel("caveats"),
        FieldPanel("source_url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("guideline recommendation")
        verbose_name_plural = _("guideline recommendations")

    def __str__(self):
        return f"{self.guideline} {self.recommendation_id}: {self.strength_label}"

    def clean(self):
        """Refuse a strength in another guideline's words."""
        super().clean()
        guideline = self.guideline if self.guideline_id else None
        if guideline is not None and self.strength and self.strength not in guideline.strengths:
            raise ValidationError(
                {
                    "strength": _(
                        "%(guideline)s does not use this strength. Choose one of its own: "
                        "%(strengths)s."
                    )
                    % {
                        "guideline": guideline.display_name,
                        "strengths": ", ".join(str(s.label) for s in guideline.strengths),
                    }
                }
            )

    @property
    def strength_label(self):
        """The strength in words, as ``get_strength_display()`` gives it, for a fraction of
        its cost: every comparison table shows one a treatment."""
        try:
            return Strength(self.strength).label
        except ValueError:
            return self.strength

    @property
    def advises_against(self) -> bool:
        """Whether the guideline says not to offer the treatment."""
        return self.strength == Strength.DO_NOT_OFFER

    @property
    def is_superseded(self) -> bool:
        """Whether it cites an older version of the guideline than the one now in force."""
        return self.guideline_version != self.guideline.current_version


def superseded_recommendations():
    """Recommendations that cite a guideline version older than the one now in force."""
    return (
        GuidelineRecommendation.objects.exclude(
            guideline_version=models.F("guideline__current_version")
        )
        .select_related("guideline", "treatment")
        .order_by("treatment__name", "sort_order")
    )
