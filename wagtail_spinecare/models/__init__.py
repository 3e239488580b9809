from .clinic import BusinessType, ClinicSettings
from .clinicians import Clinician
from .pages import (
    QUICK_ANSWER_MAX_LENGTH,
    ConditionIndexPage,
    ConditionPage,
    TreatmentComparisonPage,
)
from .review import ClinicalReviewMixin
from .shared import Canonical, ClinicConditionPage, ConditionLibraryPage
from .sources import PageSource
from .testimonials import (
    AgeBand,
    Channel,
    ConsentEvent,
    ConsentMethod,
    ConsentRecord,
    LawfulBasis,
    MaterialConnection,
    Naming,
    Testimonial,
)
from .treatments import (
    Guideline,
    GuidelineRecommendation,
    Strength,
    Treatment,
    TreatmentCategory,
    superseded_recommendations,
)

__all__ = [
    "Canonical",
    "ClinicConditionPage",
    "ConditionLibraryPage",
    "PageSource",
    "ClinicalReviewMixin",
    "Guideline",
    "GuidelineRecommendation",
    "Strength",
    "Treatment",
    "TreatmentCategory",
    "TreatmentComparisonPage",
    "superseded_recommendations",
    "AgeBand",
    "Channel",
    "ConsentEvent",
    "ConsentMethod",
    "ConsentRecord",
    "LawfulBasis",
    "MaterialConnection",
    "Naming",
    "Testimonial",
    "BusinessType",
    "ClinicSettings",
    "Clinician",
    "ConditionIndexPage",
    "ConditionPage",
    "QUICK_ANSWER_MAX_LENGTH",
]
