"""Test factories for client projects and this package's own tests.

Needs the ``testing`` extra: ``pip install wagtail-spinecare[testing]``.
"""

import datetime
import uuid

import factory
import wagtail_factories
from django.utils import timezone
from factory.django import DjangoModelFactory

from . import blocks, consent_actions, models


class ClinicianFactory(DjangoModelFactory):
    """A registered physiotherapist with a unique name and registration number."""

    name = factory.Sequence(lambda n: f"Clinician {n}")
    profession = "Physiotherapist"
    post_nominals = "MCSP"
    credentials = "BSc (Hons) Physiotherapy"
    registration_body = "Health and Care Professions Council"
    registration_number = factory.Sequence(lambda n: f"PH{n:06d}")

    class Meta:
        model = models.Clinician


class ClinicSettingsFactory(DjangoModelFactory):
    """A clinic with a name, phone and booking link; one per site."""

    site = factory.SubFactory(wagtail_factories.SiteFactory)
    clinic_name = factory.Sequence(lambda n: f"Clinic {n}")
    phone = "0117 496 0000"
    booking_url = "https://booking.example/clinic"

    class Meta:
        model = models.ClinicSettings
        django_get_or_create = ("site",)


class ConditionIndexPageFactory(wagtail_factories.PageFactory):
    """A clinic's list of conditions; pass ``parent`` to place it."""

    title = "Conditions we treat"
    intro = "Conditions our team helps with."

    class Meta:
        model = models.ConditionIndexPage


class ConditionPageFactory(wagtail_factories.PageFactory):
    """A condition page that passes its review checks: reviewed a month ago, due in 11 months."""

    title = factory.Sequence(lambda n: f"Condition {n}")
    quick_answer = "Most people get better with the right exercise and advice."
    reviewed_by = factory.SubFactory(ClinicianFactory)
    last_reviewed = factory.LazyFunction(
        lambda: datetime.date.today() - datetime.timedelta(days=30)
    )
    next_review_due = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=335)
    )

    class Meta:
        model = models.ConditionPage


class FAQItemBlockFactory(wagtail_factories.StructBlockFactory):
    """A numbered question with a one-line answer."""

    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "<p>An answer.</p>"

    class Meta:
        model = blocks.FAQItemBlock


class BookingCTABlockFactory(wagtail_factories.StructBlockFactory):
    """A booking button using the clinic's own booking link and phone number."""

    heading = "Book an assessment"
    text = ""
    label = "Book an assessment"
    link = ""
    show_phone = True
    open_in_new_tab = False

    class Meta:
        model = blocks.BookingCTABlock


# Raw StreamField data, for building whole pages in one go (``page.body = [...]``).


def stream_item(block_type: str, value) -> dict:
    """One item of raw stream data, with a fresh id."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def faq_data(count: int = 3, heading: str = "Common questions") -> dict:
    """A questions-and-answers block's value with ``count`` numbered questions."""
    return {
        "heading": heading,
        "items": [
            {"question": f"Question {i + 1}?", "answer": f"<p>Answer {i + 1}.</p>"}
            for i in range(count)
        ],
    }


def cta_data(**overrides) -> dict:
    """A booking button's value; ``overrides`` change any field."""
    return {
        "heading": "Book an assessment",
        "text": "",
        "label": "Book an assessment",
        "link": "",
        "show_phone": True,
        "open_in_new_tab": False,
        **overrides,
    }


def figure_data(image_id: int, alt_text: str = "A physiotherapist guiding an exercise") -> dict:
    """An image block's value: the image with alt text and no caption."""
    return {"image": {"image": image_id, "decorative": False, "alt_text": alt_text}, "caption": ""}


def care_card_data(
    level: str, body: str = "<ul><li>Numbness around your bottom</li></ul>", more_page=None
) -> dict:
    """A care card's value at ``level``, without a heading; ``more_page`` is a page or None."""
    return {
        "level": level,
        "heading": "",
        "body": body,
        "more_page": more_page.pk if more_page else None,
    }


def section_data(heading: str, aspect: str = "overview", content=()) -> dict:
    """A section's value; ``content`` is a list of :func:`stream_item` items."""
    return {"aspect": aspect, "heading": heading, "content": list(content)}


def full_condition_body(image_ids, repeat: int = 1, clinic_page=None) -> list[dict]:
    """A condition page body using every block type, ``repeat`` times over.

    Used to check that rendering cost does not grow with the amount of content.
    """
    body = []
    for r in range(repeat):
        first = image_ids[(2 * r) % len(image_ids)]
        second = image_ids[(2 * r + 1) % len(image_ids)]
        body.append(
            stream_item(
                "section",
                section_data(
                    f"What it is ({r + 1})",
                    "overview",
                    [
                        stream_item("paragraph", "<p>Facet joints guide how the spine moves.</p>"),
                        stream_item("figure", figure_data(first)),
                    ],
                ),
            )
        )
        body.append(
            stream_item(
                "section",
                section_data(
                    f"When to get help ({r + 1})",
                    "when_to_get_help",
                    [
                        stream_item("care_card", care_card_data("emergency")),
                        stream_item(
                            "care_card",
                            care_card_data(
                                "non_urgent",
                                "<ul><li>Pain lasting more than 6 weeks</li></ul>",
                                clinic_page,
                            ),
                        ),
                    ],
                ),
            )
        )
        body.append(
            stream_item(
                "section",
                section_data(
                    f"Looking after yourself ({r + 1})",
                    "self_care",
                    [
                        stream_item(
                            "do_dont",
                            {"do": ["keep moving"], "dont": ["do not stay in bed for days"]},
                        ),
                        stream_item("figure", figure_data(second)),
                        stream_item(
                            "recovery_timeline",
                            {
                                "phases": [
                                    {
                                        "label": "Settling",
                                        "start_week": 0,
                                        "end_week": 2,
                                        "description": "Pain starts to ease.",
                                    }
                                ],
                                "note": "",
                            },
                        ),
                        stream_item("faq", faq_data(2, "Questions about self-care")),
                    ],
                ),
            )
        )
        body.append(stream_item("faq", faq_data(3)))
        body.append(stream_item("booking_cta", cta_data()))
    return body


class TestimonialFactory(DjangoModelFactory):
    """A testimonial with no consent yet, so shown nowhere: see :func:`give_consent`."""

    site = factory.SubFactory(wagtail_factories.SiteFactory)
    quote = factory.Sequence(lambda n: f"Testimonial {n}: I am back to walking every day.")
    patient_name = factory.Sequence(lambda n: f"Patient Number{n}")
    patient_email = factory.Sequence(lambda n: f"patient{n}@patients.example")

    class Meta:
        model = models.Testimonial


def consent_kwargs(testimonial, **overrides) -> dict:
    """Arguments to ``consent_actions.give`` for valid consent: web, the testimonial's own site, a
    year."""
    return {
        "sites": [testimonial.site],
        "expires_on": timezone.localdate() + datetime.timedelta(days=365),
        "evidence": wagtail_factories.DocumentFactory(),
        "method": models.ConsentMethod.SIGNED_FORM,
        "wording": "I agree that the clinic may publish my testimonial exactly as written.",
        "wording_version": "2026-01",
        "lawful_basis": models.LawfulBasis.UK_GDPR_EXPLICIT,
        "channels": (models.Channel.WEB,),
        "details": ("name",),
        **overrides,
    }


def give_consent(testimonial, **overrides):
    """Record valid consent for ``testimonial``; ``overrides`` change any argument."""
    return consent_actions.give(testimonial, **consent_kwargs(testimonial, **overrides))


class GuidelineFactory(DjangoModelFactory):
    """A NICE guideline, found again by its code rather than made twice."""

    code = factory.Sequence(lambda n: f"NICE NG{n}")
    title = "Low back pain and sciatica in over 16s: assessment and management"
    authority = "NICE"
    current_version = "2020-12-11"
    url = "https://www.nice.org.uk/guidance/ng59"

    class Meta:
        model = models.Guideline
        django_get_or_create = ("code",)


class TreatmentFactory(DjangoModelFactory):
    """An exercise treatment with no recommendations."""

    name = factory.Sequence(lambda n: f"Treatment {n}")
    category = models.TreatmentCategory.EXERCISE
    summary = "Exercises chosen with you."

    class Meta:
        model = models.Treatment


class GuidelineRecommendationFactory(DjangoModelFactory):
    """A "consider" recommendation citing the guideline's current version."""

    treatment = factory.SubFactory(TreatmentFactory)
    guideline = factory.SubFactory(GuidelineFactory)
    guideline_version = factory.SelfAttribute("guideline.current_version")
    recommendation_id = "1.2.2"
    strength = models.Strength.CONSIDER
    source_url = "https://www.nice.org.uk/guidance/ng59/chapter/Recommendations"

    class Meta:
        model = models.GuidelineRecommendation
