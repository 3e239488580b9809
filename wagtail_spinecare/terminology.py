"""The words and numbers that differ between the countries a clinic can practise in.

Templates never hard-code "physiotherapy" or "999": they read a :class:`Terminology`
from the clinic's settings, so a UK clinic and a US clinic share one set of templates.
"""

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Terminology:
    """One country's words and numbers, as templates and the shared text adapter use them."""

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
    #: Where the urgent care service answers online, if it does (NHS 111 does).
    urgent_care_url: str = ""

    def with_overrides(self, **overrides: str) -> "Terminology":
        """Return a copy with the non-empty overrides applied."""
        return replace(self, **{key: value for key, value in overrides.items() if value})


class Region(models.TextChoices):
    """The countries whose words a clinic's pages (or a shared library) are written in."""

    UK = "uk", _("United Kingdom: physiotherapy, 999 and NHS 111")
    US = "us", _("United States: physical therapy, 911")


REGIONS: dict[str, Terminology] = {
    Region.UK: Terminology(
        region=Region.UK,
        language="en-GB",
        therapy=_("physiotherapy"),
        therapist=_("physiotherapist"),
        emergency_number="999",
        emergency_department=_("A&E"),
        urgent_care=_("NHS 111"),
        urgent_care_number="111",
        family_doctor=_("GP"),
        date_format="j F Y",
        urgent_care_url="https://111.nhs.uk/",
    ),
    Region.US: Terminology(
        region=Region.US,
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

DEFAULT_REGION = Region.UK


def terminology_for(region: str) -> Terminology:
    """The terminology of ``region``; the default country's for an unknown one."""
    return REGIONS.get(region, REGIONS[DEFAULT_REGION])


# Shared text ---------------------------------------------------------------------------------
#
# A group of clinics writes clinical text once, in the words of one country; each clinic's
# page shows it in its own words. Only words that belong to one country are swapped: "GP"
# becomes "doctor" on a US page, but "doctor" stays "doctor" on a UK page, because the UK
# says "doctor" too. Urgent-help numbers are not swapped in text: the urgent-help cards show
# each clinic's own numbers.

#: The terminology fields whose words mark the country they come from.
DISTINCT_TERMS: dict[str, tuple[str, ...]] = {
    Region.UK: ("therapist", "therapy", "family_doctor"),
    Region.US: ("therapist", "therapy"),
}

_TAG = re.compile(r"(<[^>]*>)")
_NOT_TEXT = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.IGNORECASE)


def _swaps(source: Terminology, target: Terminology) -> list[tuple[re.Pattern, str]]:
    # A clinic overrides only its numbers, never these words: the country's words will do.
    return _compiled_swaps(source.region, target.region, get_language())


@lru_cache(maxsize=64)
def _compiled_swaps(source_region: str, target_region: str, language) -> list:
    # The words are translated, so the patterns depend on the language being served.
    source, target = terminology_for(source_region), terminology_for(target_region)
    swaps = []
    for name in DISTINCT_TERMS.get(source.region, ()):
        old, new = str(getattr(source, name)), str(getattr(target, name))
        if old and new and old != new:
            # The word with an optional plural "s", not inside a longer word.
            swaps.append((re.compile(rf"\b({re.escape(old)})(s?)\b", re.IGNORECASE), new))
    return swaps


def _starts_sentence(match: re.Match) -> bool:
    before = match.string[: match.start()].rstrip()
    return not before or before[-1] in ".!?:"


def _swap(match: re.Match, new: str) -> str:
    found = match.group(1)
    abbreviation = found.isupper() and len(found) > 1 and not new.isupper()
    # "GP" is an abbreviation, not a capitalised word: "see your GP" -> "see your doctor".
    capital = _starts_sentence(match) if abbreviation else found[:1].isupper()
    replacement = new[:1].upper() + new[1:] if capital else new
    return replacement + match.group(2)


def adapt_text(text: str, source: Terminology, target: Terminology) -> str:
    """``text`` (plain text or HTML) written in ``source``'s words, in ``target``'s.

    In HTML only the text between tags changes, never a tag or its attributes (a link to
    ``/physiotherapy/`` keeps working). Strings that are addresses are left alone.
    """
    if not text or source.region == target.region or _NOT_TEXT.match(text):
        return text
    swaps = _swaps(source, target)
    if not swaps:
        return text
    parts = _TAG.split(text)
    for index in range(0, len(parts), 2):  # even parts are text, odd parts are tags
        for pattern, new in swaps:
            parts[index] = pattern.sub(lambda match, new=new: _swap(match, new), parts[index])
    return "".join(parts)


#: Keys of stream data whose strings are codes, ids or addresses, never text for patients.
_CODE_KEYS = frozenset({"type", "id", "aspect", "level", "link", "url", "page", "icon"})


def adapt_data(data, source: Terminology, target: Terminology):
    """Stream data (as stored: dicts, lists and strings) with its text in ``target``'s words."""
    if isinstance(data, str):
        return adapt_text(data, source, target)
    if isinstance(data, list):
        return [adapt_data(item, source, target) for item in data]
    if isinstance(data, dict):
        return {
            key: value if key in _CODE_KEYS else adapt_data(value, source, target)
            for key, value in data.items()
        }
    return data
