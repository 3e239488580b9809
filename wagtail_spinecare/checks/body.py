"""The checks of a page's body, block by block and across its sections."""

import re

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail import blocks

from .. import consent
from ..blocks.clinical import DO_NOT, CareCardBlock, CareLevel, DoDontBlock
from ..blocks.comparison import TreatmentComparisonBlock
from ..blocks.faq import FAQBlock
from ..blocks.images import AccessibleImageBlock
from ..blocks.sections import SectionBlock
from ..blocks.testimonials import TestimonialsBlock
from ..models.clinic import ClinicSettings
from ..streams import iter_blocks
from ..testimonial_display import hidden_testimonial
from ..text import plain_text
from .findings import ERROR, WARNING, Finding
from .readability import (
    check_duplicates,
    check_reading_age,
    check_recovery_times,
    recovery_durations,
)

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


def check_body(body, site, reader=None) -> list[Finding]:
    """Everything found in a page's body, block by block and across its sections."""
    findings = []
    if reader is not None:
        # Which of the page's chosen testimonials the reader may read: one query, none without any.
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
    compared = None  # (path, label) of the first comparison with a treatment
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
            compared = compared or (path, where)
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
    if compared is not None:
        findings += check_guidelines_chosen(site, *compared)
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


def check_testimonials(value, site, where, path, reader=None) -> list[Finding]:
    """A warning for each chosen testimonial that will not be shown on ``site``, told as far as
    ``reader``'s user may know of it (see ``testimonial_display.hidden_testimonial``)."""
    findings = []
    for testimonial in value.get("testimonials") or ():
        if testimonial is None:
            continue
        if site is not None and consent.may_show(testimonial, site):
            continue
        hidden = hidden_testimonial(testimonial, site, reader)
        if hidden.masked:
            message = _(
                "%(testimonial)s will not be shown. Only its clinic's editors can see why."
            ) % {"testimonial": capfirst(hidden.excerpt)}
        else:
            message = _("The testimonial “%(excerpt)s” will not be shown, because %(reason)s.") % {
                "excerpt": hidden.excerpt,
                "reason": hidden.reason,
            }
        findings.append(Finding("testimonial-not-publishable", WARNING, message, where, path))
    return findings


def check_guidelines_chosen(site, path, where) -> list[Finding]:
    """A warning when the page compares treatments on a clinic's site whose settings choose
    no guideline: its comparisons then show every guideline's recommendations, for whichever
    country each is written."""
    if site is None:
        return []
    clinic = ClinicSettings.for_site_or_defaults(site)
    if clinic.chosen_guideline_ids:
        return []
    return [
        Finding(
            "guidelines-not-chosen",
            WARNING,
            _(
                "%(clinic)s has not chosen the guidelines it follows, so this comparison shows "
                "what every guideline recommends, whichever country it is written for. Choose "
                "them under Settings, Clinic settings, Guidelines followed."
            )
            % {"clinic": clinic.display_name or site.hostname},
            where,
            path,
        )
    ]


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
