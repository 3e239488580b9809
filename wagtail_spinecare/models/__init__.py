from .cache_generation import CacheGeneration
from .clinic import BusinessType, ClinicSettings
from .clinic_collections import ClinicCollection, CollectionKind
from .clinicians import Clinician
from .consent_records import Channel, ConsentEvent, ConsentMethod, ConsentRecord, LawfulBasis
from .index import ConditionIndexPage
from .library import Canonical, ConditionLibraryPage
from .pages import QUICK_ANSWER_MAX_LENGTH, ConditionPage, TreatmentComparisonPage
from .review import ClinicalReviewMixin
from .shared import ClinicConditionPage
from .signoff import ClinicalSignOffTask
from .sources import PageSource
from .testimonials import AgeBand, MaterialConnection, Naming, Testimonial
from .treatments import (
    Guideline,
    GuidelineRecommendation,
    Strength,
    Treatment,
    TreatmentCategory,
    superseded_recommendations,
)

__all__ = [
    "CacheGeneration",
    "Canonical",
    "ClinicConditionPage",
    "ConditionLibraryPage",
    "PageSource",
    "ClinicalReviewMixin",
    "ClinicalSignOffTask",
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
    "ClinicCollection",
    "CollectionKind",
    "Clinician",
    "ConditionIndexPage",
    "ConditionPage",
    "QUICK_ANSWER_MAX_LENGTH",
]
