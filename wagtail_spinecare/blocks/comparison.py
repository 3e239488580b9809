"""Treatment comparison tables, by evidence and guideline recommendation."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..compat import PreparedLookup
from ..models.clinic import ClinicSettings
from ..models.treatments import GuidelineRecommendation, Treatment
from .api import attributes
from .choosers import ViewSetChooserBlock, in_order
from .previews import BlockGroup, PreviewBlock, first_ids


def _recommendations_for(ids):
    return (
        GuidelineRecommendation.objects.filter(treatment_id__in=ids)
        .select_related("treatment", "guideline")
        .order_by("sort_order", "pk")
    )


#: Every comparison asks, so the SQL is compiled once per process and number of treatments.
_RECOMMENDATIONS_FOR = PreparedLookup(_recommendations_for)


def shown_recommendations(treatment, clinic) -> list:
    """``treatment``'s recommendations from the guidelines ``clinic`` follows, or all of them
    when it chose none: a comparison is never left empty for want of a choice.

    The treatment carries every guideline's recommendations (the page's body is the same for
    each clinic showing it), and the clinic its choice, each from the query that loads it.
    """
    chosen = clinic.chosen_guideline_ids if clinic is not None else frozenset()
    recommendations = treatment.recommendation_list
    if not chosen:
        return list(recommendations)
    return [r for r in recommendations if r.guideline_id in chosen]


def shown_treatment(treatment, clinic):
    """``treatment`` in ``clinic``'s words (its spelling, its country's terms)."""
    return treatment.in_words_of(clinic.terminology if clinic is not None else None)


@dataclass
class ComparisonRow:
    """One treatment of a comparison, with the recommendations its clinic shows."""

    treatment: Treatment
    recommendations: list

    @property
    def advised_against(self) -> bool:
        """Whether every recommendation shown says not to offer it."""
        return bool(self.recommendations) and all(
            recommendation.advises_against for recommendation in self.recommendations
        )


def guidelines_of(rows) -> list:
    """The guidelines whose recommendations ``rows`` show, each once, in order."""
    found = {}
    for row in rows:
        for recommendation in row.recommendations:
            found.setdefault(recommendation.guideline_id, recommendation.guideline)
    return list(found.values())


def clinic_of(context):
    """The clinic a block is drawn for: the page's, or the request's site's."""
    context = context or {}
    return context.get("clinic") or ClinicSettings.for_context(context)


class TreatmentChooserBlock(ViewSetChooserBlock):
    """Chooses a treatment; loads every treatment on a page with its recommendations at once."""

    model_path = "wagtail_spinecare.Treatment"
    viewset_path = "wagtail_spinecare.admin.choosers.treatment_chooser_viewset"

    def bulk_to_python(self, values):
        """One query for the usual case: the recommendations, each with its treatment.

        Treatments without any recommendation take a second query.
        """
        ids = {value for value in values if value is not None}
        found = {}
        for recommendation in _RECOMMENDATIONS_FOR(ids):
            treatment = found.get(recommendation.treatment_id)
            if treatment is None:
                treatment = found[recommendation.treatment_id] = recommendation.treatment
                treatment.recommendation_list = []
            recommendation.treatment = treatment
            treatment.recommendation_list.append(recommendation)
        missing = ids - found.keys()
        if missing:
            for treatment in self.model_class.objects.filter(pk__in=missing):
                treatment.recommendation_list = []
                found[treatment.pk] = treatment
        return in_order(values, found)

    class Meta:
        icon = "table"


class TreatmentComparisonBlock(PreviewBlock, blocks.StructBlock):
    """Treatments side by side: what each involves, what guidelines recommend, and the source.

    A table with a caption and header cells for screen readers; one card per treatment on a
    phone, with CSS alone. Strength is always written out, never shown by colour alone.
    """

    caption = blocks.CharBlock(
        max_length=150,
        help_text=_("Says what the table compares, e.g. 'Treatments for facet joint back pain'."),
    )
    intro = blocks.TextBlock(
        required=False,
        max_length=500,
        help_text=_("Optional. A sentence or two on how to read the comparison."),
    )
    treatments = blocks.ListBlock(
        TreatmentChooserBlock(label=_("Treatment")),
        min_num=1,
        label=_("Treatments"),
        help_text=_("In the order patients should read them, usually the most recommended first."),
    )

    class Meta:
        icon = "table"
        label = _("Treatment comparison")
        description = _("A table of treatments with guideline recommendations and sources.")
        template = "wagtail_spinecare/blocks/treatment_comparison_block.html"
        group = BlockGroup.CLINICAL

    def get_preview_value(self):
        return self.to_python(
            {
                "caption": "Treatments compared",
                "intro": "",
                "treatments": first_ids("wagtail_spinecare.Treatment", 3),
            }
        )

    def get_context(self, value, parent_context=None):
        """Adds ``rows``: the chosen treatments that still exist, each with the
        recommendations the clinic shows; and ``guidelines``: whose those are."""
        context = super().get_context(value, parent_context=parent_context)
        rows = self.shown_rows(value, clinic_of(parent_context))
        context["rows"] = rows
        context["guidelines"] = ", ".join(
            guideline.display_name for guideline in guidelines_of(rows)
        )
        return context

    def shown_rows(self, value, clinic) -> list[ComparisonRow]:
        """:meth:`rows`, each with what the guidelines ``clinic`` follows recommend."""
        return [
            ComparisonRow(
                shown_treatment(treatment, clinic), shown_recommendations(treatment, clinic)
            )
            for treatment in self.rows(value)
        ]

    def rows(self, value) -> list:
        """The chosen treatments that still exist: a deleted one leaves its row out rather
        than breaking the page."""
        return [treatment for treatment in value.get("treatments") or () if treatment]

    def shows_anything(self, value, context) -> bool:
        """Whether a row is left, or this is the block picker's preview, which describes the
        block instead."""
        return bool(self.rows(value) or context.get("spinecare_block_preview"))

    def get_api_representation(self, value, context=None):
        """The table as the page shows it: each treatment with what guidelines recommend."""
        rows = self.shown_rows(value, clinic_of(context))
        if not rows:
            return None
        return {
            "caption": value.get("caption") or "",
            "intro": value.get("intro") or "",
            "guidelines": [guideline_api_value(guideline) for guideline in guidelines_of(rows)],
            "treatments": [treatment_api_value(row) for row in rows],
        }

    def get_searchable_content(self, value):
        """The caption, and each treatment's name and summary as the table shows them."""
        content = [value.get("caption") or ""]
        for treatment in value.get("treatments") or ():
            if treatment is not None:
                content += [treatment.name, treatment.summary]
        return content


def guideline_api_value(guideline) -> dict:
    """A guideline as a comparison names it."""
    return {
        "name": guideline.display_name,
        **attributes(guideline, "code", "authority", "title", "current_version", "url"),
        "strength_scheme": guideline.strength_scheme,
    }


def treatment_api_value(row) -> dict:
    """A treatment as a comparison table shows it, with the recommendations its clinic
    shows."""
    treatment = row.treatment
    return {
        "id": treatment.pk,
        **attributes(
            treatment,
            "name",
            "category",
            "summary",
            "involves",
            "time_to_benefit",
            "typical_course",
        ),
        "recommendations": [
            {
                "guideline": recommendation.guideline.code,
                "guideline_name": recommendation.guideline.display_name,
                "authority": recommendation.guideline.authority,
                "strength_label": str(recommendation.strength_label),
                **attributes(
                    recommendation,
                    "guideline_version",
                    "recommendation_id",
                    "strength",
                    "caveats",
                    "source_url",
                ),
            }
            for recommendation in row.recommendations
        ],
    }
