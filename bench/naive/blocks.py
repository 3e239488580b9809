"""StreamField blocks made of Wagtail's own blocks only."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock()
    caption = blocks.CharBlock(required=False)

    class Meta:
        template = "naive/blocks/figure.html"


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock()
    answer = blocks.RichTextBlock()


class FAQBlock(blocks.StructBlock):
    heading = blocks.CharBlock()
    items = blocks.ListBlock(FAQItemBlock())

    class Meta:
        template = "naive/blocks/faq.html"


class CTABlock(blocks.StructBlock):
    heading = blocks.CharBlock()
    text = blocks.TextBlock(required=False)
    label = blocks.CharBlock()
    link = blocks.URLBlock()

    class Meta:
        template = "naive/blocks/cta.html"


class TestimonialsBlock(blocks.StructBlock):
    heading = blocks.CharBlock()
    testimonials = blocks.ListBlock(SnippetChooserBlock("naive.NaiveTestimonial"))

    class Meta:
        template = "naive/blocks/testimonials.html"


class TreatmentRowBlock(blocks.StructBlock):
    treatment = SnippetChooserBlock("naive.NaiveTreatment")


class ComparisonBlock(blocks.StructBlock):
    caption = blocks.CharBlock()
    intro = blocks.TextBlock(required=False)
    rows = blocks.ListBlock(TreatmentRowBlock())

    class Meta:
        template = "naive/blocks/comparison.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(template="naive/blocks/heading.html")
    paragraph = blocks.RichTextBlock()
    figure = FigureBlock()
    faq = FAQBlock()
    cta = CTABlock()
    testimonials = TestimonialsBlock()
    comparison = ComparisonBlock()
