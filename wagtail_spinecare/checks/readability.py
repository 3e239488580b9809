"""How a page reads: its reading age, sections that say the same thing twice, and recovery
times that disagree."""

import re
from difflib import SequenceMatcher

from django.utils.translation import gettext as _

from .findings import ERROR, WARNING, Finding

#: How far above plain English a section may read before editors are warned. Flesch-Kincaid
#: grade 10 is a reading age of about 15; NHS health content aims for 9 to 11.
MAX_READING_GRADE = 10.0
MIN_WORDS_FOR_READING_AGE = 40
MIN_SENTENCES_FOR_READING_AGE = 3
#: Two sections whose text is at least this similar say the same thing twice.
DUPLICATE_SIMILARITY = 0.85

RECOVERY_WORDS = re.compile(
    r"\b(recover\w*|relief|heal\w*|better|improve\w*|ease[sd]?|settle[sd]?)\b", re.IGNORECASE
)
DURATION = re.compile(
    r"\b(?P<qualifier>within|at least|up to|over|more than|less than|under)?\s*"
    r"(?P<low>\d+)(?:\s*(?:to|-|–|and)\s*(?P<high>\d+))?\s*(?P<unit>weeks?|months?)\b",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+(?:'[a-z]+)?", text)


def check_duplicates(sections) -> list[Finding]:
    """An error for each section whose text says nearly what an earlier one says."""
    findings = []
    normalised = [(path, label, " ".join(_words(text.lower()))) for path, label, text in sections]
    for i, (_path, first_label, first) in enumerate(normalised):
        for path, label, second in normalised[i + 1 :]:
            if len(first) < 40 or len(second) < 40:
                continue
            if SequenceMatcher(None, first, second, autojunk=False).ratio() >= DUPLICATE_SIMILARITY:
                findings.append(
                    Finding(
                        "section-duplicate",
                        ERROR,
                        _("This section repeats %s. Each section should say something new.")
                        % first_label,
                        label,
                        path,
                    )
                )
    return findings


def recovery_durations(text: str, where: str) -> list[tuple]:
    """Durations (in weeks) that sentences about getting better give."""
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if not RECOVERY_WORDS.search(sentence):
            continue
        for match in DURATION.finditer(sentence):
            factor = 4.345 if match["unit"].lower().startswith("month") else 1.0
            low = int(match["low"]) * factor
            high = int(match["high"]) * factor if match["high"] else low
            qualifier = (match["qualifier"] or "").lower()
            if qualifier in ("within", "up to", "under", "less than"):
                low = 0.0
            elif qualifier in ("at least", "over", "more than"):
                high = float("inf")
            found.append((low, high, sentence.strip(), where))
    return found


def check_recovery_times(durations) -> list[Finding]:
    """An error for the first two recovery times on the page that cannot both be true."""
    for i, (low, high, sentence, where) in enumerate(durations):
        for other_low, other_high, other_sentence, _other_where in durations[i + 1 :]:
            if high < other_low or other_high < low:
                return [
                    Finding(
                        "recovery-time-conflict",
                        ERROR,
                        _(
                            "The page gives recovery times that contradict each other: “%(a)s” "
                            "and “%(b)s”. Give one consistent answer."
                        )
                        % {"a": sentence, "b": other_sentence},
                        where,
                    )
                ]
    return []


def _syllables(word: str) -> int:
    word = word.lower()
    count = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and count > 1 and not word.endswith(("le", "ee")):
        count -= 1
    return max(1, count)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[.!?:;]+\s|\n+", text) if re.search(r"[A-Za-z]", s)]


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level; paragraphs and list items count as sentences."""
    words = _words(text)
    sentences = _sentences(text)
    if not words or not sentences:
        return 0.0
    syllables = sum(_syllables(word) for word in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syllables / len(words) - 15.59


def check_reading_age(sections) -> list[Finding]:
    """A warning for each section long enough to judge that reads above plain English."""
    findings = []
    for path, label, text in sections:
        # A reading age from a sentence or two says more about the sentence than the page.
        if (
            len(_words(text)) < MIN_WORDS_FOR_READING_AGE
            or len(_sentences(text)) < MIN_SENTENCES_FOR_READING_AGE
        ):
            continue
        grade = reading_grade(text)
        if grade > MAX_READING_GRADE:
            findings.append(
                Finding(
                    "reading-age",
                    WARNING,
                    _(
                        "This section needs a reading age of about %(age)d. Most patients read "
                        "health information more easily at 9 to 11: use shorter sentences and "
                        "everyday words."
                    )
                    % {"age": round(grade + 5)},
                    label,
                    path,
                )
            )
    return findings
