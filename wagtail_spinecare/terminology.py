"""The words and numbers that differ between the countries a clinic can practise in.

Templates never hard-code "physiotherapy" or "999": they read a :class:`Terminology`
from the clinic's settings, so a UK clinic and a US clinic share one set of templates.
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Terminology:
    region: str
    language: str
    therapy: str
    therapist: str
    emergency_number: str
    emergency_department: str
    urgent_care: str
    urgent_care_number: str
    family_doctor: str
    date_format: str

    def with_overrides(self, **overrides: str) -> "Terminology":
        """Return a copy with the non-empty overrides applied."""
        return replace(self, **{key: value for key, value in overrides.items() if value})


UK = "uk"
US = "us"

REGION_CHOICES = [
    (UK, _("United Kingdom: physiotherapy, 999 and NHS 111")),
    (US, _("United States: physical therapy, 911")),
]

REGIONS: dict[str, Terminology] = {
    UK: Terminology(
        region=UK,
        language="en-GB",
        therapy=_("physiotherapy"),
        therapist=_("physiotherapist"),
        emergency_number="999",
        emergency_department=_("A&E"),
        urgent_care=_("NHS 111"),
        urgent_care_number="111",
        family_doctor=_("GP"),
        date_format="j F Y",
    ),
    US: Terminology(
        region=US,
        language="en-US",
        therapy=_("physical therapy"),
        therapist=_("physical therapist"),
        emergency_number="911",
        emergency_department=_("the emergency room"),
        urgent_care=_("an urgent care center"),
        urgent_care_number="",
        family_doctor=_("doctor"),
        date_format="F j, Y",
    ),
}

DEFAULT_REGION = UK


def terminology_for(region: str) -> Terminology:
    return REGIONS.get(region, REGIONS[DEFAULT_REGION])
