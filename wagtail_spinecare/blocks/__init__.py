"""StreamField blocks. FAQBlock and BookingCTABlock work in any page's StreamField."""

from .clinical import CareCardBlock, DoDontBlock, RecoveryPhaseBlock, RecoveryTimelineBlock
from .comparison import TreatmentChooserBlock, TreatmentComparisonBlock
from .cta import BookingCTABlock
from .faq import FAQBlock, FAQItemBlock
from .images import AccessibleImageBlock, FigureBlock
from .sections import (
    Aspect,
    ComparisonPageBlock,
    ConditionBodyBlock,
    PageContentBlock,
    SectionBlock,
    SectionContentBlock,
)
from .testimonials import TestimonialChooserBlock, TestimonialsBlock

__all__ = [
    "AccessibleImageBlock",
    "Aspect",
    "ComparisonPageBlock",
    "BookingCTABlock",
    "CareCardBlock",
    "ConditionBodyBlock",
    "DoDontBlock",
    "FAQBlock",
    "FAQItemBlock",
    "FigureBlock",
    "PageContentBlock",
    "RecoveryPhaseBlock",
    "RecoveryTimelineBlock",
    "SectionBlock",
    "SectionContentBlock",
    "TestimonialChooserBlock",
    "TreatmentChooserBlock",
    "TreatmentComparisonBlock",
    "TestimonialsBlock",
]
