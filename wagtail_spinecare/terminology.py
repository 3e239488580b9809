"""The words and numbers that differ between the countries a clinic can practise in.

Templates never hard-code "physiotherapy" or "999": they read a :class:`Terminology`
from the clinic's settings, so a UK clinic and a US clinic share one set of templates.
"""

import re
from dataclasses import dataclass, replace

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import conf, spellings


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
# says "doctor" too. Spellings follow the country (programme, program: see spellings.py).
# Urgent-help numbers are not swapped in text: the urgent-help cards show each clinic's own
# numbers.

#: The terminology fields whose words mark the country they come from.
DISTINCT_TERMS: dict[str, tuple[str, ...]] = {
    Region.UK: ("therapist", "therapy", "family_doctor"),
    Region.US: ("therapist", "therapy"),
}

_TAG = re.compile(r"(<[^>]*>)")
_NOT_TEXT = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.IGNORECASE)
#: Addresses written in text ("www.example.org/centre", an email address): never changed.
_ADDRESS = re.compile(r"((?:[a-z][a-z0-9+.-]*://|www\.)\S+|[^\s@<>]+@[^\s@<>]+)", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([A-Za-z][\w'’-]*)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+([A-Za-z])")


@dataclass(frozen=True)
class _Swaps:
    #: Every word to swap, in lower case, with an optional plural "s".
    pattern: re.Pattern
    #: The same, in any case: for text that lower() makes longer.
    any_case: re.Pattern
    #: {word, lower case: (the word as listed, its replacement)}
    words: dict


#: Swaps by (source region, target region, language), made once each; made again once
#: settings change (a project's spellings).
_made: dict = {}
_made_from = None


def _swaps(source: Terminology, target: Terminology, terms=True) -> "_Swaps | None":
    # A clinic overrides only its numbers, never these words: the country's words will do.
    global _made, _made_from
    if _made_from is not conf.settings_read():
        _made, _made_from = {}, conf.settings_read()
    # The words are translated, so the swaps depend on the language being served.
    key = (source.region, target.region, get_language(), terms)
    if key not in _made:
        _made[key] = _make_swaps(
            terminology_for(source.region), terminology_for(target.region), terms
        )
    return _made[key]


def _make_swaps(source: Terminology, target: Terminology, terms: bool) -> "_Swaps | None":
    extra = [entry for entry in conf.spellings() if not spellings.refusal(entry)]
    words = spellings.pairs(source.region, target.region, extra)
    for name in DISTINCT_TERMS.get(source.region, ()) if terms else ():
        old, new = str(getattr(source, name)), str(getattr(target, name))
        if old and new and old != new:
            words[old.lower()] = (old, new)
    if not words:
        return None
    # The word with an optional plural "s", not inside a longer word.
    expression = rf"\b({_alternatives(words)})(s?)\b"
    return _Swaps(re.compile(expression), re.compile(expression, re.IGNORECASE), words)


def _alternatives(words) -> str:
    """A regular expression matching any of ``words`` (lower case), as a tree of their
    letters: hundreds of words listed one after another took ten times as long to find."""
    tree: dict = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}

    def expression(node) -> str:
        branches = [re.escape(letter) + expression(rest) for letter, rest in node.items() if letter]
        if not branches:
            return ""
        # Longer words first: "programmes" is not "programme" and a plural "s".
        choice = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{choice})?" if "" in node else choice

    return expression(tree)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 200) : start].rstrip()
    return not before or before[-1] in ".!?:"


def _in_a_name(text: str, start: int, end: int) -> bool:
    """Whether a capitalised word is part of a name ("Harbourside Spine Centre"): the word
    before it or after it has a capital too."""
    before = _WORD_BEFORE.search(text, max(0, start - 60), start)
    after = _WORD_AFTER.match(text, end)
    return bool(before and before.group(1)[0].isupper() or after and after.group(1).isupper())


def _swap(text: str, match: re.Match, swaps: _Swaps) -> str:
    """The replacement of what ``match`` found at its place in ``text``."""
    start, word_end = match.span(1)
    found, plural = text[start:word_end], text[word_end : match.end()]
    listed, new = swaps.words[found.lower()]
    if re.search(rf"\b{re.escape(new)}\b", text, re.IGNORECASE):
        # Both are named on purpose ("postcode or ZIP code"): one of them would read twice.
        return found + plural
    if listed.isupper() and len(listed) > 1:
        # An abbreviation, not a capitalised word: "see your GP" -> "see your doctor".
        capital = not new.isupper() and _starts_sentence(text, start)
    elif found == listed:
        capital = False
    elif found.isupper() and len(found) > 1:
        return new.upper() + plural
    elif found[:1].isupper():
        if _in_a_name(text, start, match.end()):
            return found + plural
        capital = True
    else:
        capital = False
    return (new[:1].upper() + new[1:] if capital else new) + plural


def _adapt_words(text: str, swaps: _Swaps) -> str:
    parts = _ADDRESS.split(text) if ("@" in text or "/" in text or "www." in text) else [text]
    for index in range(0, len(parts), 2):  # odd parts are addresses
        part = parts[index]
        lowered = part.lower()
        if len(lowered) == len(part):  # found in lower case, a third of the time
            matches = swaps.pattern.finditer(lowered)
        else:
            matches = swaps.any_case.finditer(part)
        pieces, done = [], 0
        for match in matches:
            pieces += (part[done : match.start()], _swap(part, match, swaps))
            done = match.end()
        if pieces:
            parts[index] = "".join(pieces) + part[done:]
    return "".join(parts)


def adapt_text(text: str, source: Terminology, target: Terminology) -> str:
    """``text`` (plain text or HTML) written in ``source``'s words, in ``target``'s.

    In HTML only the text between tags changes, never a tag or its attributes (a link to
    ``/physiotherapy/`` keeps working). Addresses, and names written with capitals
    ("Harbourside Spine Centre"), are left alone.
    """
    if not text or source.region == target.region or _NOT_TEXT.match(text):
        return text
    return _adapted(text, _swaps(source, target))


def _adapted(text: str, swaps: "_Swaps | None") -> str:
    if swaps is None:
        return text
    parts = _TAG.split(text)
    for index in range(0, len(parts), 2):  # even parts are text, odd parts are tags
        parts[index] = _adapt_words(parts[index], swaps)
    return "".join(parts)


def respell(text: str, source_region: str, target_region: str) -> str:
    """``text`` in ``target_region``'s spelling, its terms ("physiotherapy") kept: for the
    package's own strings in each English (see the ``en_US`` catalogue)."""
    if source_region == target_region:
        return text
    source, target = terminology_for(source_region), terminology_for(target_region)
    return _adapted(text, _swaps(source, target, terms=False))


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
