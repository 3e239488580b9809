from .clinic import BusinessType, ClinicSettings
from .clinicians import Clinician
from .pages import QUICK_ANSWER_MAX_LENGTH, ConditionIndexPage, ConditionPage
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

__all__ = [
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
