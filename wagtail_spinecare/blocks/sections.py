"""Sections of a condition page, and the StreamBlocks pages are built from."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .api import StreamAPIMixin, StructAPIMixin
from .choices import TextChoiceBlock
from .clinical import TEXT_FEATURES, CareCardBlock, DoDontBlock, RecoveryTimelineBlock
from .comparison import TreatmentComparisonBlock
from .cta import BookingCTABlock
from .faq import FAQBlock
from .images import FigureBlock
from .previews import PREVIEW_TEMPLATE, BlockGroup, PreviewBlock
from .testimonials import TestimonialsBlock
from .visibility import once_per_request, shows_anything


class Aspect(models.TextChoices):
    """What a section of a condition page is about, as the NHS website models its pages.

    The aspect names the section for search engines (a schema.org health aspect) and
    for the content checks; the heading is the editor's own words.
    """

    OVERVIEW = "overview", _("Overview: what it is")
    CAUSES = "causes", _("Causes")
    SYMPTOMS = "symptoms", _("Symptoms")
    WHEN_TO_GET_HELP = "when_to_get_help", _("When to get help (red flags)")
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    TREATMENT = "treatment", _("Treatment")
    WHAT_TO_EXPECT = "what_to_expect", _("What to expect")
    EXERCISES = "exercises", _("Exercises")
    RECOVERY_TIMELINE = "recovery_timeline", _("Recovery timeline")
    SELF_CARE = "self_care", _("Self-care")
    LIVING_WITH = "living_with", _("Living with it")
    PREVENTION = "prevention", _("Prevention")
    TESTIMONIALS = "success_stories", _("Testimonials")


#: Limits no clinic reaches with real text: a whole page of paragraphs is under 10,000
#: characters; far more is a paste gone wrong.
TEXT_MAX_LENGTH = 20000
EDITOR_NOTES_MAX_LENGTH = 2000


def text_block():
    """Paragraphs of text, as every stream of this app offers them."""
    return blocks.RichTextBlock(
        features=TEXT_FEATURES,
        max_length=TEXT_MAX_LENGTH,
        label=_("Text"),
        icon="pilcrow",
        help_text=_("Short paragraphs and plain words. Use bullet lists for lists."),
        description=_("Paragraphs, sub-headings and lists, in plain words."),
        group=BlockGroup.LAYOUT,
        preview_value="<p>Most back pain gets better within a few weeks. Keeping gently "
        "active helps more than resting.</p>",
        preview_template=PREVIEW_TEMPLATE,
    )


class SectionContentBlock(StreamAPIMixin, blocks.StreamBlock):
    """What a section can hold: text and pictures, the clinical blocks, testimonials,
    questions and a booking button."""

    paragraph = text_block()
    figure = FigureBlock()
    care_card = CareCardBlock()
    do_dont = DoDontBlock()
    recovery_timeline = RecoveryTimelineBlock()
    comparison = TreatmentComparisonBlock()
    testimonials = TestimonialsBlock()
    faq = FAQBlock()
    booking_cta = BookingCTABlock()

    class Meta:
        label = _("Section content")


class SectionBlock(StructAPIMixin, PreviewBlock, blocks.StructBlock):
    """One titled part of a condition page, such as 'Symptoms' or 'When to get help'."""

    #: Fields for editors only: never rendered, indexed, checked or sent through the API.
    editor_only = ("editor_notes",)

    aspect = TextChoiceBlock(
        choices=Aspect.choices,
        default=Aspect.OVERVIEW,
        help_text=_("What this section is about. Patients do not see this; search engines do."),
    )
    heading = blocks.CharBlock(
        max_length=120,
        help_text=_("The heading patients see, e.g. 'What are facet joints?'"),
    )
    editor_notes = blocks.TextBlock(
        required=False,
        max_length=EDITOR_NOTES_MAX_LENGTH,
        label=_("Guidance for editors"),
        help_text=_(
            "Notes for whoever edits this section, such as what belongs in it. Patients never "
            "see them."
        ),
    )
    content = SectionContentBlock(
        required=False,
        help_text=_("A section left empty is not shown to patients."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Section")
        description = _("A titled part of the page: text, images, care cards, lists and more.")
        template = "wagtail_spinecare/blocks/section_block.html"
        group = BlockGroup.LAYOUT

    def get_preview_value(self):
        return self.to_python(
            {
                "aspect": Aspect.OVERVIEW,
                "heading": "What are facet joints?",
                "editor_notes": "",
                "content": [
                    {
                        "type": "paragraph",
                        "value": "<p>Facet joints are the small joints at the back of the "
                        "spine. They let you bend and twist.</p>",
                    }
                ],
            }
        )

    def get_searchable_content(self, value):
        """Only what patients can read: editor notes are never indexed."""
        return [
            content
            for name, child in self.child_blocks.items()
            if name not in self.editor_only
            for content in child.get_searchable_content(value.get(name))
        ]

    def get_api_representation(self, value, context=None):
        """The section without its editor-only fields; None (left out) when none of its
        content shows anything, as the page leaves it out."""
        representation = super().get_api_representation(value, context=context)
        return representation if representation["content"] else None

    def shown_content(self, value, context) -> list:
        """The children of the content that show anything in ``context``, known before any
        renders.

        A section can look full to the editor and still show patients nothing, for example
        when every testimonial in it lacks consent; it is then left out whole, as its heading must
        not stand alone.
        """
        return once_per_request(
            context,
            "shown_content",
            value,
            lambda: [
                child
                for child in value.get("content") or ()
                if shows_anything(child.block, child.value, context)
            ],
        )

    def shows_anything(self, value, context) -> bool:
        """Whether any of the content shows anything: the page's structured data describes
        the sections this says are shown."""
        return bool(self.shown_content(value, context))

    def get_context(self, value, parent_context=None):
        """Adds ``shown_content``: the children the template renders (see
        :meth:`shown_content`)."""
        context = super().get_context(value, parent_context=parent_context)
        context["shown_content"] = self.shown_content(value, context)
        return context


def shown_sections(body, context) -> list:
    """The sections of a page's ``body`` that show anything in ``context``, in order: those
    its contents list links to and its structured data names."""
    return [
        child
        for child in body or ()
        if isinstance(child.block, SectionBlock)
        and child.block.shows_anything(child.value, context)
    ]


class ConditionBodyBlock(StreamAPIMixin, blocks.StreamBlock):
    """A condition page's body: sections, questions and booking buttons.

    Text goes inside a section, so every part of the page says what it is about, for search
    engines and for the content checks.
    """

    section = SectionBlock()
    faq = FAQBlock()
    booking_cta = BookingCTABlock()

    class Meta:
        label = _("Page content")


class PageContentBlock(StreamAPIMixin, blocks.StreamBlock):
    """Content for pages around the condition pages: text, questions and booking buttons."""

    paragraph = text_block()
    testimonials = TestimonialsBlock()
    faq = FAQBlock()
    booking_cta = BookingCTABlock()

    class Meta:
        label = _("Page content")


class ComparisonPageBlock(StreamAPIMixin, blocks.StreamBlock):
    """A treatment comparison page's body: text, comparisons, questions and booking buttons.

    The page form requires at least one comparison before the page can be published.
    """

    paragraph = text_block()
    comparison = TreatmentComparisonBlock()
    faq = FAQBlock()
    booking_cta = BookingCTABlock()

    class Meta:
        label = _("Page content")
