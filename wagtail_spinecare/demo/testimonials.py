"""Demo testimonials with consent records: two shown per clinic, two held back by the gate.

The patients are fictional; the testimonials are written for the demo.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model

from .. import consent_actions
from ..clinic_collections import evidence_collection
from ..models import ConsentRecord, Testimonial

CONSENT_WORDING = (
    "I agree that {clinic} may publish the quote above, exactly as written, with the details "
    "I have ticked, on the places I have ticked, until the expiry date. I can withdraw at any "
    "time by email, phone or in person, and it will be taken down straight away."
)


@dataclass(frozen=True)
class DemoTestimonial:
    """One demo patient's testimonial and the consent recorded for it; ``state`` sets whether the
    consent is valid, expired or withdrawn."""

    email: str
    patient_name: str
    quote: str
    naming: str = "first_name_initial"
    age_band: str = ""
    occupation: str = ""
    claims_outcome: bool = False
    outcome_evidence: str = ""
    material_connection: str = ""
    details: tuple = ("name",)
    channels: tuple = ("web",)
    state: str = "valid"  # valid, expired or withdrawn
    extra: dict = field(default_factory=dict)


TESTIMONIALS = {
    "uk": [
        DemoTestimonial(
            email="margaret.w@patients.example",
            patient_name="Margaret Wells",
            quote=(
                "My back was stiff every morning and I had almost given up on the garden. "
                "Six weeks of simple exercises at home changed that, and I now know what to do "
                "when it grumbles."
            ),
            age_band="60-69",
            occupation="Retired teacher",
            claims_outcome=True,
            outcome_evidence="Clinical record HP-2291, discharge summary",
            details=("name", "age", "occupation"),
            channels=("web", "structured_data"),
        ),
        DemoTestimonial(
            email="dev.p@patients.example",
            patient_name="Dev Patel",
            quote=(
                "I was sure I would need an injection. My physiotherapist explained what was "
                "going on and fitted the plan around my shifts. I felt listened to from day one."
            ),
            occupation="Warehouse supervisor",
            material_connection="discounted_treatment",
            details=("name", "occupation"),
        ),
        DemoTestimonial(
            email="old.consent@patients.example",
            patient_name="Alan Brooks",
            quote="This testimonial's consent has expired, so no page shows it.",
            state="expired",
        ),
        DemoTestimonial(
            email="changed.mind@patients.example",
            patient_name="Rosa Klein",
            quote="This patient withdrew consent, so no page shows this testimonial.",
            state="withdrawn",
        ),
    ],
    "us": [
        DemoTestimonial(
            email="janet.r@patients.example",
            patient_name="Janet Rivera",
            quote=(
                "Sitting at my desk used to leave my lower back aching by lunchtime. My "
                "physical therapist gave me a short routine and a plan for my workday, and "
                "after two months I rarely think about it."
            ),
            age_band="40-49",
            occupation="Accountant",
            claims_outcome=True,
            outcome_evidence="Chart LPT-5180, progress note",
            details=("name", "age", "occupation"),
            channels=("web", "structured_data"),
        ),
        DemoTestimonial(
            email="tom.h@patients.example",
            patient_name="Tom Hughes",
            quote=(
                "The team took time to show me which movements were safe. I went from "
                "avoiding stairs to walking my dog around the lake every evening."
            ),
            naming="initials",
            claims_outcome=True,
            outcome_evidence="Chart LPT-5233, discharge note",
            details=("name",),
        ),
        DemoTestimonial(
            email="expired.us@patients.example",
            patient_name="Carl Odom",
            quote="This testimonial's authorization has expired, so no page shows it.",
            state="expired",
        ),
        DemoTestimonial(
            email="withdrawn.us@patients.example",
            patient_name="Lena Park",
            quote="This patient revoked the authorization, so no page shows this testimonial.",
            state="withdrawn",
        ),
    ],
}


def ensure_testimonials(
    region: str, site, clinic_name: str, condition_page, lawful_basis
) -> list[int]:
    """Create the clinic's demo testimonials and their consent once; return their ids in order."""
    Document = get_document_model()
    collection = evidence_collection(site)
    ids = []
    for entry in TESTIMONIALS[region]:
        testimonial, _created = Testimonial.objects.update_or_create(
            site=site,
            patient_email=entry.email,
            defaults={
                "patient_name": entry.patient_name,
                "quote": entry.quote,
                "naming": entry.naming,
                "age_band": entry.age_band,
                "occupation": entry.occupation,
                "claims_outcome": entry.claims_outcome,
                "outcome_evidence": entry.outcome_evidence,
                "material_connection": entry.material_connection,
                "condition_page": condition_page,
            },
        )
        ids.append(testimonial.pk)
        if ConsentRecord.objects.filter(testimonial=testimonial).exists():
            continue
        evidence = Document(title=f"Consent form #{testimonial.pk}", collection=collection)
        evidence.file.save(
            f"consent-{testimonial.pk}.txt",
            ContentFile(b"Demo consent form: signed copy held on paper at the clinic.\n"),
            save=False,
        )
        evidence.save()
        now = timezone.now()
        given_at = (
            now - timedelta(days=400) if entry.state == "expired" else now - timedelta(days=20)
        )
        consent_actions.give(
            testimonial,
            sites=[site],
            expires_on=(given_at + timedelta(days=365)).date(),
            evidence=evidence,
            method="signed_form",
            wording=CONSENT_WORDING.format(clinic=clinic_name),
            wording_version="2026-01",
            lawful_basis=lawful_basis,
            channels=entry.channels,
            details=entry.details,
            given_at=given_at,
            at=given_at,
        )
        if entry.state == "withdrawn":
            consent_actions.withdraw(testimonial, channel="email")
    return ids
