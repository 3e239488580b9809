"""The outline a new condition page starts with: the recommended sections, in order.

Each section comes with guidance for the editor. Guidance is kept in the section's editor
notes, which patients, search engines, the API and the structured data never see. A section
left empty is not shown, so an editor can leave out what does not apply.
"""

import uuid

from django.utils.translation import gettext_lazy as _

from .blocks.sections import Aspect

SECTIONS = [
    (
        Aspect.OVERVIEW,
        _("What is it?"),
        _(
            "Two or three short paragraphs: what the condition is, in plain words, and how "
            "common it is. Add a labelled diagram if it helps. Avoid jargon, or explain it."
        ),
    ),
    (
        Aspect.CAUSES,
        _("What causes it?"),
        _("The usual causes and what makes it more likely. A bullet list works well."),
    ),
    (
        Aspect.SYMPTOMS,
        _("Symptoms"),
        _("What patients notice, as a bullet list in their words: where it hurts, when."),
    ),
    (
        Aspect.WHEN_TO_GET_HELP,
        _("When to get help"),
        _(
            "Add care cards: an emergency card for red flags (call the emergency number), an "
            "urgent card, and when to see a doctor. The clinic's numbers are filled in for you."
        ),
    ),
    (
        Aspect.TREATMENT,
        _("How treatment helps"),
        _(
            "What your clinic offers and why. Add a 'Treatment comparison' block so patients "
            "can see the evidence side by side, rather than promising one."
        ),
    ),
    (
        Aspect.WHAT_TO_EXPECT,
        _("What to expect at your appointment"),
        _("The first visit step by step: how long, what to wear, what happens."),
    ),
    (
        Aspect.EXERCISES,
        _("Exercises"),
        _(
            "A few safe exercises, each with a picture and its alt text, and a 'Do and do not' "
            "list. Say to stop if pain gets worse."
        ),
    ),
    (
        Aspect.RECOVERY_TIMELINE,
        _("How long it takes to get better"),
        _(
            "Add a 'Recovery timeline' block. Give recovery times only there, so the page "
            "never contradicts itself."
        ),
    ),
    (
        Aspect.SELF_CARE,
        _("Looking after yourself"),
        _("What patients can do at home: keeping active, pain relief, sleep, work."),
    ),
    (
        Aspect.TESTIMONIALS,
        _("Testimonials"),
        _(
            "Add a 'Testimonials' block. Only testimonials with valid recorded consent are shown; "
            "the preview tells you which are hidden and why."
        ),
    ),
]


def condition_page_body() -> list[dict]:
    """Raw StreamField data for a new condition page's body."""
    body = [
        {
            "type": "section",
            "id": str(uuid.uuid4()),
            "value": {
                "aspect": aspect,
                "heading": str(heading),
                "editor_notes": str(guidance),
                "content": [],
            },
        }
        for aspect, heading, guidance in SECTIONS
    ]
    body.append(
        {
            "type": "faq",
            "id": str(uuid.uuid4()),
            "value": {"heading": str(_("Common questions")), "items": []},
        }
    )
    body.append(
        {
            "type": "booking_cta",
            "id": str(uuid.uuid4()),
            "value": {
                "heading": str(_("Book an assessment")),
                "text": "",
                "label": str(_("Book an assessment")),
                "link": "",
                "show_phone": True,
                "open_in_new_tab": False,
            },
        }
    )
    return body
