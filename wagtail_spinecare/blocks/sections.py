from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .clinical import TEXT_FEATURES, CareCardBlock, DoDontBlock, RecoveryTimelineBlock
from .comparison import TreatmentComparisonBlock
from .cta import BookingCTABlock
from .faq import FAQBlock
from .images import FigureBlock
from .testimonials import TestimonialsBlock


class Aspect:
    """What a section of a condition page is about, as the NHS website models its pages.

    The aspect names the section for search engines (a schema.org health aspect) and
    for the content checks; the heading is the editor's own words.
    """

    OVERVIEW = "overview"
    CAUSES = "causes"
    SYMPTOMS = "symptoms"
    WHEN_TO_GET_HELP = "when_to_get_help"
    DIAGNOSIS = "diagnosis"
    TREATMENT = "treatment"
    WHAT_TO_EXPECT = "what_to_expect"
    EXERCISES = "exercises"
    RECOVERY_TIMELINE = "recovery_timeline"
    SELF_CARE = "self_care"
    LIVING_WITH = "living_with"
    PREVENTION = "prevention"
    SUCCESS_STORIES = "success_stories"

    choices = [
        (OVERVIEW, _("Overview: what it is")),
        (CAUSES, _("Causes")),
        (SYMPTOMS, _("Symptoms")),
        (WHEN_TO_GET_HELP, _("When to get help (red flags)")),
        (DIAGNOSIS, _("Diagnosis")),
        (TREATMENT, _("Treatment")),
        (WHAT_TO_EXPECT, _("What to expect")),
        (EXERCISES, _("Exercises")),
        (RECOVERY_TIMELINE, _("Recovery timeline")),
        (SELF_CARE, _("Self-care")),
        (LIVING_WITH, _("Living with it")),
        (PREVENTION, _("Prevention")),
        (SUCCESS_STORIES, _("Patient stories")),
    ]


class SectionContentBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=TEXT_FEATURES,
        label=_("Text"),
        icon="pilcrow",
        help_text=_("Short paragraphs and plain words. Use bullet lists for lists."),
    )
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


class SectionBlock(blocks.StructBlock):
    """One titled part of a condition page, such as 'Symptoms' or 'When to get help'."""

    aspect = blocks.ChoiceBlock(
        choices=Aspect.choices,
        default=Aspect.OVERVIEW,
        help_text=_("What this section is about. Patients do not see this; search engines do."),
    )
    heading = blocks.CharBlock(
        max_length=120,
        help_text=_("The heading patients see, e.g. 'What are facet joints?'"),
    )
    content = SectionContentBlock()

    class Meta:
        icon = "doc-full"
        label = _("Section")
        description = _("A titled part of the page: text, images, care cards, lists and more.")
        template = "wagtail_spinecare/blocks/section_block.html"

    def get_context(self, value, parent_context=None):
        """Render the content first, so a section with nothing visible is left out whole.

        A section can look full to the editor and still show patients nothing, for example
        when every story in it lacks consent; its heading must not stand alone.
        """
        context = super().get_context(value, parent_context=parent_context)
        base = dict(context)
        parts = []
        for child in value.get("content") or ():
            html = child.render(context={**base, "heading_level": 3, "block_id": child.id})
            if html.strip():
                parts.append(html)
        context["parts"] = parts
        visible = context.get("spinecare_visible_sections")
        if parts and visible is not None and context.get("block_id"):
            # What the page shows is what its structured data may describe.
            visible.add(context["block_id"])
        return context


class ConditionBodyBlock(blocks.StreamBlock):
    section = SectionBlock()
    faq = FAQBlock()
    booking_cta = BookingCTABlock()

    class Meta:
        label = _("Page content")


class PageContentBlock(blocks.StreamBlock):
    """Content for pages around the condition pages: text, questions and booking buttons."""

    paragraph = blocks.RichTextBlock(features=TEXT_FEATURES, label=_("Text"), icon="pilcrow")
    testimonials = TestimonialsBlock()
    faq = FAQBlock()
    booking_cta = BookingCTABlock()

    class Meta:
        label = _("Page content")


class ComparisonPageBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=TEXT_FEATURES, label=_("Text"), icon="pilcrow")
    comparison = TreatmentComparisonBlock()
    faq = FAQBlock()
    booking_cta = BookingCTABlock()

    class Meta:
        label = _("Page content")
