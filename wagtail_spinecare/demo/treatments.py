"""Demo treatments for facet joint back pain with NICE NG59 recommendations.

Recommendation numbers and strengths follow NG59 as last updated on 11 December 2020. They
are demo data: a clinic must check them against the guideline before publishing its own.
"""

from ..models import Guideline, GuidelineRecommendation, Treatment

NG59 = {
    "code": "NICE NG59",
    "title": "Low back pain and sciatica in over 16s: assessment and management",
    "authority": "NICE",
    "current_version": "2020-12-11",
    "url": "https://www.nice.org.uk/guidance/ng59",
}
SOURCE = "https://www.nice.org.uk/guidance/ng59/chapter/Recommendations"

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
                "1.2.2",
                "consider",
                "A group programme, with the type of exercise chosen to suit you.",
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
            ("1.2.7", "consider_with_exercise", "Not on its own: only with exercise."),
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
            ("1.2.13", "consider_with_exercise", "Only as part of a plan that includes exercise."),
            (
                "1.2.14",
                "consider",
                "A combined physical and psychological programme, when other treatments have "
                "not worked or worry is holding recovery back.",
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
                "1.3.2",
                "consider",
                "Referral for assessment when other treatments have not worked and the pain is "
                "moderate or severe and thought to come from the facet joints.",
            ),
            (
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
            ("1.3.1", "do_not_offer", "Spinal injections are not recommended for low back pain."),
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
            ("1.3.5", "do_not_offer", "Disc replacement is not recommended for low back pain."),
            ("1.3.6", "do_not_offer", "Spinal fusion only within a research trial."),
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
            ("1.2.3", "do_not_offer", "Belts or corsets."),
            ("1.2.4", "do_not_offer", "Foot orthotics (shoe inserts)."),
            ("1.2.5", "do_not_offer", "Rocker-sole shoes."),
        ],
    },
]


def ensure_treatments() -> list[int]:
    """Create or update the shared demo treatments; return their ids in table order."""
    guideline, _created = Guideline.objects.update_or_create(code=NG59["code"], defaults=NG59)
    ids = []
    for data in TREATMENTS:
        data = dict(data)
        recommendations = data.pop("recommendations")
        treatment, _created = Treatment.objects.update_or_create(name=data["name"], defaults=data)
        wanted = [
            GuidelineRecommendation(
                treatment=treatment,
                guideline=guideline,
                guideline_version=NG59["current_version"],
                recommendation_id=number,
                strength=strength,
                caveats=caveats,
                source_url=SOURCE,
                sort_order=order,
            )
            for order, (number, strength, caveats) in enumerate(recommendations)
        ]
        existing = [
            (r.recommendation_id, r.strength, r.caveats, r.guideline_version)
            for r in treatment.recommendations.order_by("sort_order")
        ]
        if existing != [
            (r.recommendation_id, r.strength, r.caveats, r.guideline_version) for r in wanted
        ]:
            treatment.recommendations.all().delete()
            GuidelineRecommendation.objects.bulk_create(wanted)
        ids.append(treatment.pk)
    return ids
