"""Demo treatments for facet joint back pain, with what two guidelines recommend.

The UK demo clinic follows NICE NG59, as last updated on 11 December 2020; the US demo
clinic the American College of Physicians' guideline of 2017 (Qaseem et al., Ann Intern Med
2017;166:514-530), which covers only noninvasive treatments: it makes no recommendation on
injections, radiofrequency denervation, surgery or back supports. The recommendations are
summarised in our own words. They are demo data: a clinician must check them against each
guideline before a clinic publishes its own (each demo guideline's note tells editors so).
"""

from ..models import Guideline, GuidelineRecommendation, Treatment
from ..models.treatments import StrengthScheme

#: Shown to editors on each demo guideline.
DEMO_NOTE = (
    "Demo data: these recommendations are summarised for the demo and have not been checked "
    "by a clinician. Check each one against the guideline before publishing it."
)

NG59 = {
    "code": "NICE NG59",
    "title": "Low back pain and sciatica in over 16s: assessment and management",
    "authority": "NICE",
    "current_version": "2020-12-11",
    "url": "https://www.nice.org.uk/guidance/ng59",
    "strength_scheme": StrengthScheme.NICE,
    "note": DEMO_NOTE,
}
ACP = {
    "code": "ACP 2017",
    "title": (
        "Noninvasive treatments for acute, subacute, and chronic low back pain: a clinical "
        "practice guideline from the American College of Physicians"
    ),
    "authority": "American College of Physicians",
    "current_version": "2017-04-04",
    "url": "https://www.acpjournals.org/doi/10.7326/M16-2367",
    "strength_scheme": StrengthScheme.ACP,
    "note": DEMO_NOTE,
}
#: Each guideline by the key the recommendations below name it with, with the link to its
#: recommendations.
GUIDELINES = {
    "nice": (NG59, "https://www.nice.org.uk/guidance/ng59/chapter/Recommendations"),
    "acp": (ACP, "https://www.acpjournals.org/doi/10.7326/M16-2367"),
}

TREATMENTS = [
    {
        "name": "Exercise programme",
        "category": "exercise",
        "summary": (
            "Exercises chosen with you, such as strengthening, stretching, walking, yoga or "
            "Pilates, in a group or on your own."
        ),
        "involves": "A few supervised sessions, then a routine you keep up at home.",
        "time_to_benefit": "2 to 6 weeks",
        "typical_course": "6 to 12 weeks",
        "recommendations": [
            (
                "nice",
                "1.2.2",
                "consider",
                "A group programme, with the type of exercise chosen to suit you.",
            ),
            (
                "acp",
                "Recommendation 2",
                "strong_moderate",
                "For back pain lasting more than 12 weeks, among the first treatments to try. "
                "Yoga, tai chi and motor control exercise are recommended too, on weaker "
                "(low-quality) evidence.",
            ),
        ],
    },
    {
        "name": "Manual therapy alongside exercise",
        "category": "manual_therapy",
        "summary": "Hands-on treatment: joint mobilisation, manipulation or massage.",
        "involves": "Short sessions with your therapist, always with an exercise plan.",
        "time_to_benefit": "Days to a few weeks, for short-term relief",
        "typical_course": "a few sessions within an exercise plan",
        "recommendations": [
            ("nice", "1.2.7", "consider_with_exercise", "Not on its own: only with exercise."),
            (
                "acp",
                "Recommendation 1",
                "strong_low",
                "For back pain of less than 12 weeks: spinal manipulation or massage, among "
                "the first treatments to try. Most people get better in this time whatever "
                "the treatment.",
            ),
            (
                "acp",
                "Recommendation 2",
                "strong_low",
                "For back pain lasting more than 12 weeks: spinal manipulation, among the "
                "first treatments to try.",
            ),
        ],
    },
    {
        "name": "Psychological support for pain",
        "category": "psychological",
        "summary": (
            "Help with the worry, low mood and poor sleep that long-lasting pain can bring, "
            "using a cognitive behavioural approach."
        ),
        "involves": "Sessions with a trained clinician, often in a group, alongside exercise.",
        "time_to_benefit": "4 to 12 weeks",
        "typical_course": "6 to 8 sessions",
        "recommendations": [
            (
                "nice",
                "1.2.13",
                "consider_with_exercise",
                "Only as part of a plan that includes exercise.",
            ),
            (
                "nice",
                "1.2.14",
                "consider",
                "A combined physical and psychological programme, when other treatments have "
                "not worked or worry is holding recovery back.",
            ),
            (
                "acp",
                "Recommendation 2",
                "strong_moderate",
                "For back pain lasting more than 12 weeks: mindfulness-based stress reduction, "
                "or a rehabilitation program combining physical and psychological care.",
            ),
            (
                "acp",
                "Recommendation 2",
                "strong_low",
                "For back pain lasting more than 12 weeks: cognitive behavioral therapy.",
            ),
        ],
    },
    {
        "name": "Radiofrequency denervation",
        "category": "radiofrequency",
        "summary": (
            "A specialist uses heat to quieten the small nerves that carry pain from the facet "
            "joints."
        ),
        "involves": "A numbing test injection first; if it helps, a day-case procedure.",
        "time_to_benefit": "2 to 4 weeks; relief can wear off over months",
        "typical_course": "one procedure, sometimes repeated",
        "recommendations": [
            (
                "nice",
                "1.3.2",
                "consider",
                "Referral for assessment when other treatments have not worked and the pain is "
                "moderate or severe and thought to come from the facet joints.",
            ),
            (
                "nice",
                "1.3.3",
                "consider",
                "Only after a numbing test (medial branch block) has eased the pain.",
            ),
        ],
    },
    {
        "name": "Facet joint injections",
        "category": "injections",
        "summary": "Steroid or anaesthetic injected into or around the facet joints.",
        "involves": "An injection guided by X-ray or ultrasound.",
        "time_to_benefit": "",
        "typical_course": "",
        "recommendations": [
            (
                "nice",
                "1.3.1",
                "do_not_offer",
                "Spinal injections are not recommended for low back pain.",
            ),
        ],
    },
    {
        "name": "Spinal surgery",
        "category": "surgery",
        "summary": "Operations such as spinal fusion or disc replacement.",
        "involves": "An operation in hospital and a long recovery.",
        "time_to_benefit": "",
        "typical_course": "",
        "recommendations": [
            (
                "nice",
                "1.3.5",
                "do_not_offer",
                "Disc replacement is not recommended for low back pain.",
            ),
            ("nice", "1.3.6", "do_not_offer", "Spinal fusion only within a research trial."),
        ],
    },
    {
        "name": "Back belts, corsets and shoe aids",
        "category": "devices",
        "summary": "Supports worn on the back, shoe inserts and rocker-sole shoes.",
        "involves": "Devices bought or fitted to wear every day.",
        "time_to_benefit": "",
        "typical_course": "",
        "recommendations": [
            ("nice", "1.2.3", "do_not_offer", "Belts or corsets."),
            ("nice", "1.2.4", "do_not_offer", "Foot orthotics (shoe inserts)."),
            ("nice", "1.2.5", "do_not_offer", "Rocker-sole shoes."),
        ],
    },
]


def ensure_guidelines() -> dict:
    """Create or update the demo guidelines; return them by key, with their links."""
    return {
        key: (Guideline.objects.update_or_create(code=data["code"], defaults=data)[0], source)
        for key, (data, source) in GUIDELINES.items()
    }


def ensure_treatments() -> list[int]:
    """Create or update the shared demo treatments; return their ids in table order."""
    guidelines = ensure_guidelines()
    ids = []
    for data in TREATMENTS:
        data = dict(data)
        recommendations = data.pop("recommendations")
        treatment, _created = Treatment.objects.update_or_create(name=data["name"], defaults=data)
        wanted = []
        for order, (key, number, strength, caveats) in enumerate(recommendations):
            guideline, source = guidelines[key]
            recommendation = GuidelineRecommendation(
                treatment=treatment,
                guideline=guideline,
                guideline_version=guideline.current_version,
                recommendation_id=number,
                strength=strength,
                caveats=caveats,
                source_url=source,
                sort_order=order,
            )
            recommendation.full_clean(exclude=["treatment"])
            wanted.append(recommendation)
        if _fields(treatment.recommendations.order_by("sort_order")) != _fields(wanted):
            treatment.recommendations.all().delete()
            GuidelineRecommendation.objects.bulk_create(wanted)
        ids.append(treatment.pk)
    return ids


def _fields(recommendations) -> list[tuple]:
    return [
        (
            r.guideline_id,
            r.recommendation_id,
            r.strength,
            r.caveats,
            r.guideline_version,
            r.source_url,
        )
        for r in recommendations
    ]
