"""Editorial content checks: what is wrong with a page, told to the editor before patients see it.

``run_checks(page)`` works on any page, saved or not (the page editor passes the page as the
form would save it), and returns findings with a stable code, a severity, a message for a
clinic editor and where in the page the problem is. Errors block publishing.

Findings are written for the editor who reads them: ``reader`` (a ``stories.StoryReader``)
says which chosen patient stories are theirs to read. Without one, no story is named by its
words, nor is the reason its consent gives.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail import blocks

from . import consent
from .blocks.clinical import DO_NOT, CareCardBlock, CareLevel, DoDontBlock
from .blocks.comparison import TreatmentComparisonBlock
from .blocks.faq import FAQBlock
from .blocks.images import AccessibleImageBlock
from .blocks.sections import SectionBlock
from .blocks.testimonials import TestimonialsBlock
from .models.clinic import ClinicSettings
from .models.library import library_of
from .stories import hidden_story
from .streams import iter_blocks
from .text import plain_text

ERROR = "error"
WARNING = "warning"

#: How far above plain English a section may read before editors are warned. Flesch-Kincaid
#: grade 10 is a reading age of about 15; NHS health content aims for 9 to 11.
MAX_READING_GRADE = 10.0
MIN_WORDS_FOR_READING_AGE = 40
MIN_SENTENCES_FOR_READING_AGE = 3
#: Two sections whose text is at least this similar say the same thing twice.
DUPLICATE_SIMILARITY = 0.85


@dataclass(frozen=True)
class Finding:
    """One problem with a page: a stable ``code``, ``ERROR`` or ``WARNING``, a message for a
    clinic editor, and where it is (a label for the editor, a ``path`` into the body)."""

    code: str
    severity: str
    message: str
    location: str = ""
    path: tuple = field(default=())

    @property
    def is_error(self) -> bool:
        """Whether it blocks publishing."""
        return self.severity == ERROR

    def as_dict(self) -> dict:
        """The finding as JSON-ready data."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "location": self.location,
            "path": list(self.path),
        }


def run_checks(page, site=None, today: date | None = None, *, reader=None) -> list[Finding]:
    """Every finding for ``page``, as ``reader``'s user may be told them. Empty when the
    page is ready for patients."""
    today = today or timezone.localdate()
    site = site or _site_of(page)
    findings = check_clinic(site)
    if hasattr(page, "shared_page_id"):
        return findings + check_shared(page, site, today, reader)
    return findings + check_page(page, site, today, reader)


def check_page(page, site, today, reader=None) -> list[Finding]:
    """What is wrong with the page's own content: its review and its body."""
    findings = []
    if hasattr(page, "reviewed_by_id"):
        findings += check_review(page, site, today)
    body = getattr(page, "body", None)
    if body is not None:
        findings += check_body(body, site, reader)
    return findings


def errors(findings) -> list[Finding]:
    """The findings that block publishing."""
    return [finding for finding in findings if finding.is_error]


def _site_of(page):
    try:
        return page.get_site()
    except AttributeError:
        return None


# The clinic -------------------------------------------------------------------------------


def check_clinic(site) -> list[Finding]:
    """A clinic site whose settings were never filled in shows patients no name, phone or
    booking link: tell its editors where to fill them in."""
    if site is None:
        return []
    settings = ClinicSettings.objects.filter(site=site).first()
    if settings is not None and settings.clinic_name:
        return []
    return [
        Finding(
            "clinic-settings-missing",
            WARNING,
            _(
                "The clinic settings of %(site)s have not been filled in, so its pages show "
                "no clinic name, phone number or booking link. Fill them in under Settings, "
                "Clinic settings."
            )
            % {"site": site.site_name or site.hostname},
            _("Clinic settings"),
        )
    ]


# Shared content ---------------------------------------------------------------------------


def check_shared(page, site, today, reader=None) -> list[Finding]:
    """A clinic's page for a shared condition: is there something to show, and is it sound?

    The shared page's own findings are reported as this clinic sees them (its words, its
    patients' stories).
    """
    where = _("Shared condition page")
    shared = page.shared_page.specific if page.shared_page_id else None
    if shared is None:
        return [
            Finding(
                "shared-missing",
                ERROR,
                _(
                    "Choose the shared condition page this page shows. Until then, patients "
                    "are told the page is not available."
                ),
                where,
            )
        ]
    if library_of(shared) is None:
        return [
            Finding(
                "shared-not-in-library",
                ERROR,
                _(
                    "'%s' is not in a shared condition library. Choose a page from the "
                    "library, so that its words can be adapted to this clinic."
                )
                % shared.title,
                where,
            )
        ]
    if not shared.live:
        return [
            Finding(
                "shared-not-live",
                ERROR,
                _(
                    "The shared page '%s' is not published, so this page has nothing to show "
                    "patients. Publish the shared page first."
                )
                % shared.title,
                where,
            )
        ]
    clinic = ClinicSettings.for_site_or_defaults(site)
    stand_in = page.adapted(shared, clinic, library_of(shared))
    return [
        Finding(
            f.code, f.severity, f.message, f"{where}: {f.location}" if f.location else where, f.path
        )
        for f in check_page(stand_in, site, today, reader)
    ]


# Clinical review --------------------------------------------------------------------------


def check_review(page, site, today) -> list[Finding]:
    """Reviewer and dates present, last review not in the future, next one due within the
    clinic's longest interval, and a warning once it is overdue."""
    findings = []
    missing = [
        label
        for label, present in (
            (_("the reviewing clinician"), page.reviewed_by_id),
            (_("the date it was last reviewed"), page.last_reviewed),
            (_("the date the next review is due"), page.next_review_due),
        )
        if not present
    ]
    if missing:
        findings.append(
            Finding(
                "review-missing",
                ERROR,
                _("This page needs a clinical review before it is published. Missing: %s.")
                % ", ".join(str(item) for item in missing),
                _("Clinical review"),
            )
        )
    if page.last_reviewed and page.last_reviewed > today:
        findings.append(
            Finding(
                "review-date-future",
                ERROR,
                _("The last review date (%s) is in the future.") % page.last_reviewed.isoformat(),
                _("Clinical review"),
            )
        )
    if page.last_reviewed and page.next_review_due:
        months = ClinicSettings.for_site_or_defaults(site).review_interval_months
        if page.next_review_due > _add_months(page.last_reviewed, months):
            findings.append(
                Finding(
                    "review-interval-too-long",
                    ERROR,
                    _(
                        "The next review must be due within %(months)d months of the last "
                        "review (by %(date)s)."
                    )
                    % {
                        "months": months,
                        "date": _add_months(page.last_reviewed, months).isoformat(),
                    },
                    _("Clinical review"),
                )
            )
    if page.next_review_due and page.next_review_due < today:
        findings.append(
            Finding(
                "review-overdue",
                WARNING,
                _("The clinical review was due on %s. Ask a clinician to check the page again.")
                % page.next_review_due.isoformat(),
                _("Clinical review"),
            )
        )
    return findings


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # Past the calendar's ends (a review dated 9999-12-31), the nearest date there is.
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


# Content ----------------------------------------------------------------------------------


FILE_NAME = re.compile(
    r"\.(jpe?g|png|gif|webp|avif|tiff?|heic|svg)\b"
    r"|\b(img|dsc|dscn|pxl|screenshot)[_ -]?\d{3,}"
    r"|\b\d{4}[ _-]\d{2}[ _-]\d{2}\b"
    r"|\b(utc|converted|cropped image|stock photo|shutterstock|istock|getty ?images|adobestock)\b"
    r"|^[\w-]*[_-][\w-]*$",
    re.IGNORECASE,
)
COMPARISON_PROMISE = re.compile(
    r"\bhow (they|these|the treatments|the options) compare\b|\bcompared? (below|here)\b"
    r"|\bside[- ]by[- ]side\b|\bcomparison (below|table)\b|\bthe table (below|shows)\b",
    re.IGNORECASE,
)
FAQ_HEADING = re.compile(r"\b(faqs?|frequently asked|questions)\b", re.IGNORECASE)
RECOVERY_WORDS = re.compile(
    r"\b(recover\w*|relief|heal\w*|better|improve\w*|ease[sd]?|settle[sd]?)\b", re.IGNORECASE
)
DURATION = re.compile(
    r"\b(?P<qualifier>within|at least|up to|over|more than|less than|under)?\s*"
    r"(?P<low>\d+)(?:\s*(?:to|-|–|and)\s*(?P<high>\d+))?\s*(?P<unit>weeks?|months?)\b",
    re.IGNORECASE,
)


def check_body(body, site, reader=None) -> list[Finding]:
    """Everything found in a page's body, block by block and across its sections."""
    findings = []
    if reader is not None:
        # Which of the page's chosen stories the reader may read: one query, none without any.
        reader.readable(
            {
                testimonial.pk
                for _path, block, value in iter_blocks(body)
                if isinstance(block, TestimonialsBlock)
                for testimonial in value.get("testimonials") or ()
                if testimonial is not None
            }
        )
    sections = []  # (path, label, text)
    promise = None  # (path, label) of a comparison promised and not yet given
    durations = []  # (weeks_low, weeks_high, sentence, label)
    section_labels = {}
    for path, block, value in iter_blocks(body):
        top = path[0]
        if isinstance(block, SectionBlock):
            label = _("Section “%s”") % (value.get("heading") or "")
            section_labels[top] = label
            # The heading is left out: a question mark in it is not a question answered.
            text = text_of(block.child_blocks["content"], value.get("content"))
            sections.append((path, label, text))
            if FAQ_HEADING.search(value.get("heading") or "") and "?" not in text:
                findings.append(
                    Finding(
                        "faq-missing-question",
                        ERROR,
                        _(
                            "This section looks like questions and answers, but has no "
                            "questions. Use a questions-and-answers block and give every answer "
                            "its question."
                        ),
                        label,
                        path,
                    )
                )
        where = section_labels.get(top, _("Page content"))
        if len(path) == 1:
            durations += recovery_durations(text_of(block, value), where)
        if (
            isinstance(block, blocks.RichTextBlock)
            and value is not None
            and promise is None
            and COMPARISON_PROMISE.search(plain_text(value.source))
        ):
            promise = (path, where)
        if isinstance(block, TreatmentComparisonBlock) and any(value.get("treatments") or ()):
            promise = None
            findings += check_guidelines(value, where, path)
        if isinstance(block, AccessibleImageBlock) and value is not None:
            alt = (getattr(value, "contextual_alt_text", "") or "").strip()
            if alt and FILE_NAME.search(alt):
                findings.append(
                    Finding(
                        "alt-text-filename",
                        ERROR,
                        _(
                            "The image description “%s” looks like a file name or a stock photo "
                            "reference. Describe what the picture shows for people who cannot "
                            "see it."
                        )
                        % alt,
                        where,
                        path,
                    )
                )
        if isinstance(block, FAQBlock):
            for index, item in enumerate(value.get("items") or ()):
                if not (item.get("question") or "").strip():
                    findings.append(
                        Finding(
                            "faq-missing-question",
                            ERROR,
                            _("Answer %d has no question. Write the question it answers.")
                            % (index + 1),
                            where,
                            (*path, "items", index),
                        )
                    )
        if (
            isinstance(block, CareCardBlock)
            and value.get("level") == CareLevel.EMERGENCY
            and value.get("more_page")
        ):
            findings.append(
                Finding(
                    "emergency-card-link",
                    ERROR,
                    _(
                        "An emergency care card must not link to another page: someone in an "
                        "emergency needs to act now. Remove the link."
                    ),
                    where,
                    path,
                )
            )
        if isinstance(block, DoDontBlock):
            for index, item in enumerate(value.get("dont") or ()):
                if item and not DO_NOT.match(item):
                    findings.append(
                        Finding(
                            "dont-without-do-not",
                            ERROR,
                            _("Start “%s” with “do not”.") % item,
                            where,
                            (*path, "dont", index),
                        )
                    )
        if isinstance(block, TestimonialsBlock):
            findings += check_testimonials(value, site, where, path, reader)

    if promise is not None:
        findings.append(
            Finding(
                "comparison-promised",
                ERROR,
                _(
                    "The text promises a comparison of treatments, but none follows. Add a "
                    "treatment comparison, or remove the promise."
                ),
                promise[1],
                promise[0],
            )
        )
    findings += check_duplicates(sections)
    findings += check_recovery_times(durations)
    findings += check_reading_age(sections)
    return findings


def text_of(block, value) -> str:
    """The words a block shows, with a line break between paragraphs and items."""
    if value is None:
        return ""
    if isinstance(block, blocks.RichTextBlock):
        return plain_text(value.source)
    if isinstance(block, (blocks.CharBlock, blocks.TextBlock)):
        return f"{value}\n"
    if isinstance(block, blocks.StructBlock) and not isinstance(block, AccessibleImageBlock):
        return "".join(
            text_of(child, value.get(name))
            for name, child in block.child_blocks.items()
            if not isinstance(child, blocks.ChoiceBlock)
            and name not in getattr(block, "editor_only", ())
        )
    if isinstance(block, blocks.ListBlock):
        return "".join(text_of(block.child_block, item) for item in value)
    if isinstance(block, blocks.StreamBlock):
        return "".join(text_of(child.block, child.value) for child in value)
    return ""


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


def check_testimonials(value, site, where, path, reader=None) -> list[Finding]:
    """A warning for each chosen story that will not be shown on ``site``, told as far as
    ``reader``'s user may know of it (see ``stories.hidden_story``)."""
    findings = []
    for testimonial in value.get("testimonials") or ():
        if testimonial is None:
            continue
        if site is not None and consent.may_show(testimonial, site):
            continue
        hidden = hidden_story(testimonial, site, reader)
        if hidden.masked:
            message = _("%(story)s will not be shown. Only its clinic's editors can see why.") % {
                "story": capfirst(hidden.excerpt)
            }
        else:
            message = _("The story “%(excerpt)s” will not be shown, because %(reason)s.") % {
                "excerpt": hidden.excerpt,
                "reason": hidden.reason,
            }
        findings.append(Finding("testimonial-not-publishable", WARNING, message, where, path))
    return findings


def check_guidelines(value, where, path) -> list[Finding]:
    """A warning for each compared treatment citing a guideline version no longer in force."""
    findings = []
    for treatment in value.get("treatments") or ():
        if treatment is None:
            continue
        for recommendation in treatment.recommendations.all():
            if recommendation.is_superseded:
                findings.append(
                    Finding(
                        "guideline-superseded",
                        WARNING,
                        _(
                            "“%(treatment)s” cites %(guideline)s %(number)s from version "
                            "%(cited)s; the current version is %(current)s. Check the "
                            "recommendation and update the treatment."
                        )
                        % {
                            "treatment": treatment.name,
                            "guideline": recommendation.guideline.code,
                            "number": recommendation.recommendation_id,
                            "cited": recommendation.guideline_version,
                            "current": recommendation.guideline.current_version,
                        },
                        where,
                        path,
                    )
                )
    return findings
