"""Clinical blocks: care cards (when to get help), do and don't lists, recovery timelines."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

from ..booking import tel_href
from ..models.clinic import ClinicSettings
from .api import child_api_value
from .choices import TextChoiceBlock
from .previews import BlockGroup, PreviewBlock

TEXT_FEATURES = ["h3", "h4", "bold", "italic", "link", "ol", "ul"]
LIST_FEATURES = ["bold", "italic", "link", "ul"]


class CareLevel(models.TextChoices):
    """How soon a care card tells patients to act: the three levels of NHS pages."""

    NON_URGENT = "non_urgent", _("Non-urgent: see a GP, doctor or us")
    URGENT = "urgent", _("Urgent: get advice today")
    EMERGENCY = "emergency", _("Emergency: call the emergency number now")


def care_card_heading(level: str, terms) -> str:
    """The default heading of a care card, with the clinic's own services and numbers."""
    if level == CareLevel.EMERGENCY:
        return _("Call %(number)s or go to %(department)s now if:") % {
            "number": terms.emergency_number,
            "department": terms.emergency_department,
        }
    if level == CareLevel.URGENT:
        if terms.urgent_care_number:
            return _(
                "Ask for an urgent %(doctor)s appointment or get help from %(service)s if:"
            ) % {
                "doctor": terms.family_doctor,
                "service": terms.urgent_care,
            }
        return _("Call your %(doctor)s today or go to %(service)s if:") % {
            "doctor": terms.family_doctor,
            "service": terms.urgent_care,
        }
    return _("See a %(doctor)s or a %(therapist)s if:") % {
        "doctor": terms.family_doctor,
        "therapist": terms.therapist,
    }


def care_card_actions(level: str, terms) -> list[tuple[str, str]]:
    """The numbers to call (as ``tel:`` links), and the urgent service's website, that a care
    card at ``level`` offers; none for a non-urgent card."""
    if level == CareLevel.EMERGENCY:
        number = terms.emergency_number
        return [(_("Call %(number)s") % {"number": number}, tel_href(number))] if number else []
    if level != CareLevel.URGENT:
        return []
    actions = []
    if terms.urgent_care_number:
        number = terms.urgent_care_number
        actions.append((_("Call %(number)s") % {"number": number}, tel_href(number)))
    if terms.urgent_care_url:
        actions.append(
            (
                _("Get help online from %(service)s") % {"service": terms.urgent_care},
                terms.urgent_care_url,
            )
        )
    return actions


class CareCardBlock(PreviewBlock, blocks.StructBlock):
    """When and where to get help, in the three levels patients know from the NHS website.

    The phone numbers come from the clinic's settings, so a US clinic shows 911 and a UK
    clinic 999 from the same card.
    """

    level = TextChoiceBlock(
        choices=CareLevel.choices,
        default=CareLevel.URGENT,
        help_text=_("How quickly the patient must act if the symptoms below apply."),
    )
    heading = blocks.CharBlock(
        required=False,
        max_length=150,
        help_text=_(
            "Leave blank for the standard wording with your clinic's numbers, e.g. "
            "'Call 999 or go to A&E now if:'."
        ),
    )
    body = blocks.RichTextBlock(
        features=LIST_FEATURES,
        max_length=2000,
        help_text=_("A short bulleted list of the symptoms that mean this level of care."),
    )
    more_page = blocks.PageChooserBlock(
        required=False,
        label=_("Read more page"),
        help_text=_("Optional page with more detail. Not allowed on emergency cards."),
    )

    class Meta:
        icon = "warning"
        label = _("Care card")
        description = _("Red flags: symptoms that need a GP, urgent advice or an ambulance.")
        template = "wagtail_spinecare/blocks/care_card_block.html"
        group = BlockGroup.CLINICAL

    def get_preview_value(self):
        return self.to_python(
            {
                "level": CareLevel.URGENT,
                "heading": "",
                "body": "<ul><li>pain that spreads down both legs</li>"
                "<li>numbness or tingling that is getting worse</li></ul>",
                "more_page": None,
            }
        )

    def clean(self, value):
        """Refuse a "Read more" link on an emergency card: the patient must act, not read."""
        value = super().clean(value)
        if value.get("level") == CareLevel.EMERGENCY and value.get("more_page"):
            raise StructBlockValidationError(
                block_errors={
                    "more_page": ValidationError(
                        _(
                            "Remove this link: someone in an emergency must act now, not read "
                            "another page. Choose a lower level if the link is needed."
                        )
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        """Adds ``card_heading``: the editor's heading, or the standard one with the clinic's
        numbers; and ``card_actions``: what a patient can tap, as (text, link) pairs."""
        context = super().get_context(value, parent_context=parent_context)
        terms = ClinicSettings.for_context(parent_context).terminology
        context["card_heading"] = value.get("heading") or care_card_heading(
            value.get("level"), terms
        )
        context["card_actions"] = care_card_actions(value.get("level"), terms)
        return context

    def get_api_representation(self, value, context=None):
        """The card as the page shows it: its heading and actions with the clinic's numbers."""
        context = self.get_context(value, parent_context=context or {})
        more_page = value.get("more_page")
        return {
            "level": value.get("level"),
            "heading": str(context["card_heading"]),
            "body": child_api_value(self.child_blocks["body"], value.get("body"), context),
            "actions": [
                {"text": str(text), "href": href} for text, href in context["card_actions"]
            ],
            "more_page": more_page.pk if more_page is not None else None,
        }


DO_NOT = re.compile(r"^\s*do not\b", re.IGNORECASE)


class DoDontBlock(PreviewBlock, blocks.StructBlock):
    """Two short lists: what helps, and what to avoid."""

    do = blocks.ListBlock(
        blocks.CharBlock(max_length=200, help_text=_("e.g. 'keep moving gently'.")),
        label=_("Do"),
        min_num=1,
    )
    dont = blocks.ListBlock(
        blocks.CharBlock(
            max_length=200, help_text=_("Start with 'do not', e.g. 'do not stay in bed'.")
        ),
        label=_("Don't"),
        min_num=1,
    )

    class Meta:
        icon = "list-ul"
        label = _("Do and don't")
        description = _("A list of things that help and a list of things to avoid.")
        template = "wagtail_spinecare/blocks/do_dont_block.html"
        group = BlockGroup.CLINICAL

    def get_preview_value(self):
        return self.to_python(
            {
                "do": ["keep moving gently", "use heat to ease stiffness"],
                "dont": ["do not stay in bed for long", "do not lift heavy things yet"],
            }
        )

    def clean(self, value):
        """Refuse a "don't" item that does not start with "do not"."""
        value = super().clean(value)
        item_errors = {
            index: ValidationError(
                _(
                    "Start this item with 'do not', e.g. 'do not lift heavy objects'. "
                    'It is clearer than "don\'t" for many readers.'
                )
            )
            for index, item in enumerate(value.get("dont") or [])
            if item and not DO_NOT.match(item)
        }
        if item_errors:
            raise StructBlockValidationError(
                block_errors={"dont": ListBlockValidationError(block_errors=item_errors)}
            )
        return value


def weeks_label(start: int | None, end: int | None) -> str:
    """'Weeks 2 to 6', 'Week 3' or 'From week 8', for one phase of a recovery timeline."""
    if start is None:
        return ""
    if end is None:
        return _("From week %(start)s") % {"start": start}
    if end == start:
        return _("Week %(start)s") % {"start": start}
    return _("Weeks %(start)s to %(end)s") % {"start": start, "end": end}


class RecoveryPhaseBlock(blocks.StructBlock):
    """One phase of a recovery timeline: its name, the weeks it covers, what happens in it."""

    label = blocks.CharBlock(max_length=80, help_text=_("e.g. 'Settling the pain'."))
    start_week = blocks.IntegerBlock(
        min_value=0, max_value=520, help_text=_("Week the phase starts. 0 is the first visit.")
    )
    end_week = blocks.IntegerBlock(
        required=False,
        min_value=0,
        max_value=520,
        help_text=_("Week the phase usually ends. Leave blank if it carries on."),
    )
    description = blocks.TextBlock(
        max_length=400, help_text=_("What the patient does and can expect in this phase.")
    )

    class Meta:
        icon = "time"
        label = _("Phase")

    def clean(self, value):
        """Refuse a phase that ends before it starts."""
        value = super().clean(value)
        start, end = value.get("start_week"), value.get("end_week")
        if start is not None and end is not None and end < start:
            raise StructBlockValidationError(
                block_errors={
                    "end_week": ValidationError(
                        _("The phase cannot end (week %(end)s) before it starts (week %(start)s).")
                        % {"end": end, "start": start}
                    )
                }
            )
        return value


class RecoveryTimelineBlock(PreviewBlock, blocks.StructBlock):
    """The usual course of recovery, phase by phase, with durations in weeks.

    Durations are numbers rather than prose, so a page can never give two different
    recovery times without the content checks seeing it.
    """

    phases = blocks.ListBlock(RecoveryPhaseBlock(), min_num=1, label=_("Phases"))
    note = blocks.CharBlock(
        required=False,
        max_length=250,
        help_text=_("Optional, e.g. 'Everyone recovers at their own pace.'"),
    )

    class Meta:
        icon = "date"
        label = _("Recovery timeline")
        description = _("Phases of recovery with how many weeks each usually takes.")
        template = "wagtail_spinecare/blocks/recovery_timeline_block.html"
        group = BlockGroup.CLINICAL

    def get_preview_value(self):
        return self.to_python(
            {
                "phases": [
                    {
                        "label": "Settling the pain",
                        "start_week": 0,
                        "end_week": 2,
                        "description": "Gentle movement and advice on pain relief.",
                    },
                    {
                        "label": "Getting stronger",
                        "start_week": 2,
                        "end_week": 6,
                        "description": "Exercises that build strength and confidence.",
                    },
                ],
                "note": "Everyone recovers at their own pace.",
            }
        )
