"""Words spelled, or called, differently in UK and US English.

Shared text is written once, in one country's English; :mod:`wagtail_spinecare.terminology`
shows it in each clinic's own, with these words swapped. Each entry is a UK word and its US
counterpart, swapped both ways, or only one way where the other country uses the word too
("practise" is a UK verb, but "practice" is a UK noun as well). Plurals ("programmes") and
capitals ("Programme", "PROGRAMME") follow; words inside longer words do not change.

A project adds its own entries with ``WAGTAIL_SPINECARE_SPELLINGS``: ``(uk, us)`` for both
ways, ``(uk, us, "us")`` for UK text on US pages only, ``(uk, us, "uk")`` for US text on UK
pages only. Entries are words (letters, spaces, hyphens and apostrophes), never anything that
could be part of an address or a tag.
"""

import re

#: Swapped in both directions unless marked.
BOTH, TO_US, TO_UK = "both", "us", "uk"

#: -ise verbs spelled -ize in US English (not "exercise", "advise" or "supervise", spelled
#: -ise in both): each gives its -ise, -ised, -ising and -isation forms.
_IZE = (
    "apolog", "categor", "emphas", "familiar", "general", "hospital", "immobil", "immun",
    "individual", "initial", "internal", "maxim", "memor", "minim", "mobil", "normal",
    "optim", "organ", "personal", "priorit", "real", "recogn", "special", "stabil",
    "standard", "steril", "summar", "symbol", "util", "visual",
)  # fmt: skip

#: -yse verbs spelled -yze in US English.
_YZE = ("anal", "paral", "dial", "catal")

#: -our words spelled -or in US English, each with its -ours and -oural forms.
_OR = (
    "behavi", "col", "fav", "flav", "hon", "hum", "lab", "neighb", "od", "rum", "tum",
    "vig", "harb",
)  # fmt: skip

#: Everything else, as (UK, US) or (UK, US, direction).
_WORDS = (
    ("programme", "program"),
    ("centre", "center"),
    ("fibre", "fiber"),
    ("litre", "liter"),
    ("millimetre", "millimeter"),
    ("centimetre", "centimeter"),
    ("kilometre", "kilometer"),
    ("metre", "meter", TO_US),  # a UK "meter" measures things
    ("manoeuvre", "maneuver"),
    ("manoeuvres", "maneuvers"),
    ("anaesthetic", "anesthetic"),
    ("anaesthesia", "anesthesia"),
    ("anaesthetist", "anesthesiologist"),
    ("orthopaedic", "orthopedic"),
    ("orthopaedics", "orthopedics"),
    ("orthopaedist", "orthopedist"),
    ("paediatric", "pediatric"),
    ("paediatrics", "pediatrics"),
    ("paediatrician", "pediatrician"),
    ("oedema", "edema"),
    ("oesophagus", "esophagus"),
    ("oestrogen", "estrogen"),
    ("haematoma", "hematoma"),
    ("haemorrhage", "hemorrhage"),
    ("haemoglobin", "hemoglobin"),
    ("anaemia", "anemia"),
    ("leukaemia", "leukemia"),
    ("diarrhoea", "diarrhea"),
    ("gynaecologist", "gynecologist"),
    ("gynaecology", "gynecology"),
    ("ischaemic", "ischemic"),
    ("coeliac", "celiac"),
    ("foetal", "fetal"),
    ("ageing", "aging"),
    ("greying", "graying"),
    ("grey", "gray"),
    ("judgement", "judgment", TO_US),  # both are UK spellings
    ("enrol", "enroll"),
    ("enrolment", "enrollment"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("skilful", "skillful"),
    ("instalment", "installment"),
    ("travelled", "traveled"),
    ("travelling", "traveling"),
    ("cancelled", "canceled"),
    ("cancelling", "canceling"),
    ("counselling", "counseling"),
    ("counsellor", "counselor"),
    ("labelled", "labeled"),
    ("labelling", "labeling"),
    ("modelling", "modeling"),
    ("signalling", "signaling"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("licence", "license", TO_US),  # the UK verb is "license"
    ("practise", "practice", TO_US),  # the UK noun is "practice"
    ("practised", "practiced", TO_US),
    ("practising", "practicing", TO_US),
    ("sceptical", "skeptical"),
    ("pyjamas", "pajamas"),
    ("whilst", "while", TO_US),
    ("amongst", "among", TO_US),
    ("towards", "toward", TO_US),
    ("afterwards", "afterward", TO_US),
    ("enquiry", "inquiry", TO_US),
    ("enquiries", "inquiries", TO_US),
    ("paracetamol", "acetaminophen"),
    ("mum", "mom"),
    ("car park", "parking lot"),
    ("postcode", "ZIP code"),
    ("mobile phone", "cell phone"),
    ("fit note", "doctor's note", TO_US),
    ("sick note", "doctor's note", TO_US),
)


def _expanded():
    for stem in _IZE:
        for uk, us in (("ise", "ize"), ("ised", "ized"), ("ising", "izing")):
            yield stem + uk, stem + us, BOTH
        yield stem + "isation", stem + "ization", BOTH
    for stem in _YZE:
        for uk, us in (("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing")):
            yield stem + uk, stem + us, BOTH
    for stem in _OR:
        yield stem + "our", stem + "or", BOTH
        yield stem + "oural", stem + "oral", BOTH
    for entry in _WORDS:
        yield entry if len(entry) == 3 else (*entry, BOTH)


#: The package's entries, as (UK, US, direction).
SPELLINGS: tuple[tuple[str, str, str], ...] = tuple(_expanded())

#: What an entry's words may hold: words, never a character of an address or a tag.
WORD = re.compile(r"[A-Za-z](?:[A-Za-z' -]*[A-Za-z])?")


def refusal(entry) -> str:
    """Why ``entry`` (of ``WAGTAIL_SPINECARE_SPELLINGS``) cannot be used, or ""."""
    if not isinstance(entry, list | tuple) or len(entry) not in (2, 3):
        return f"{entry!r} is not a pair (uk, us) or a triple (uk, us, direction)"
    uk, us, *direction = entry
    for word in (uk, us):
        if not isinstance(word, str) or not WORD.fullmatch(word):
            return (
                f"{word!r} in {entry!r} is not a word: an entry may hold only letters, spaces, "
                "hyphens and apostrophes, so that it can never change a link address or a tag"
            )
    if uk.lower() == us.lower():
        return f"{entry!r} swaps a word for itself"
    if direction and direction[0] not in (BOTH, TO_US, TO_UK):
        return f"the direction in {entry!r} is {direction[0]!r}, not {TO_US!r} or {TO_UK!r}"
    return ""


def pairs(source: str, target: str, extra=()) -> dict[str, tuple[str, str]]:
    """{word in ``source``'s spelling, lower case: (that word as listed, the word in
    ``target``'s)} for the regions "uk" and "us", with ``extra`` entries (a project's, already
    checked) after the package's: a project's entry for a word replaces the package's."""
    if {source, target} != {TO_UK, TO_US}:
        return {}
    found = {}
    for entry in (*SPELLINGS, *extra):
        uk, us, direction = entry if len(entry) == 3 else (*entry, BOTH)
        if direction in (BOTH, target):
            old, new = (uk, us) if target == TO_US else (us, uk)
            found[old.lower()] = (old, new)
    return found
