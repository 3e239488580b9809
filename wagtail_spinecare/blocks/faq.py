"""Questions and answers, usable on any page."""

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from .api import StructAPIMixin
from .previews import BlockGroup, PreviewBlock

ANSWER_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class FAQItemBlock(StructAPIMixin, blocks.StructBlock):
    """One question a patient asks, with its answer; both are required."""

    question = blocks.CharBlock(
        max_length=200,
        help_text=_("Write it as a patient would ask it, e.g. 'Will I need an injection?'"),
    )
    answer = blocks.RichTextBlock(
        features=ANSWER_FEATURES,
        max_length=5000,
        help_text=_("Answer in a few short sentences. Start with the direct answer."),
    )

    class Meta:
        icon = "help"
        label = _("Question and answer")

    def clean(self, value):
        """Refuse an answer left empty, when the page is published rather than saved as a
        draft."""
        value = super().clean(value)
        answer = value.get("answer")
        # An emptied rich text editor can still hold an empty paragraph.
        if (
            not self.is_deferred_validation
            and answer is not None
            and not strip_tags(answer.source).strip()
        ):
            raise StructBlockValidationError(
                block_errors={"answer": ValidationError(_("Write the answer to this question."))}
            )
        return value


# An answer whose question was lost is the commonest FAQ defect: say so plainly.
FAQItemBlock.base_blocks["question"].field.error_messages["required"] = _(
    "Every answer needs its question: write the question this answer replies to."
)


class FAQBlock(PreviewBlock, blocks.StructBlock):
    """Questions patients ask, each opening to its answer; works without JavaScript."""

    heading = blocks.CharBlock(
        default=_("Common questions"),
        max_length=100,
        help_text=_("e.g. 'Common questions about facet joint pain'."),
    )
    items = blocks.ListBlock(
        FAQItemBlock(),
        label=_("Questions"),
        help_text=_("Add the questions patients ask. With no questions, nothing is shown."),
    )

    class Meta:
        icon = "help"
        label = _("Questions and answers")
        description = _("Frequently asked questions that open to show their answers.")
        template = "wagtail_spinecare/blocks/faq_block.html"
        group = BlockGroup.ENGAGEMENT

    def get_preview_value(self):
        return self.to_python(
            {
                "heading": "Common questions",
                "items": [
                    {
                        "question": "Will I need a scan?",
                        "answer": "<p>Usually not. Scans rarely change the treatment.</p>",
                    },
                    {
                        "question": "How many sessions will I need?",
                        "answer": "<p>Most people need between three and six.</p>",
                    },
                ],
            }
        )

    def shows_anything(self, value, context) -> bool:
        """Whether there is a question: with none, the block shows nothing."""
        return bool(value.get("items"))
