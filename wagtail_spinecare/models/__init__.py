from .clinic import BusinessType, ClinicSettings
from .clinicians import Clinician
from .pages import QUICK_ANSWER_MAX_LENGTH, ConditionIndexPage, ConditionPage

__all__ = [
    "BusinessType",
    "ClinicSettings",
    "Clinician",
    "ConditionIndexPage",
    "ConditionPage",
    "QUICK_ANSWER_MAX_LENGTH",
]
