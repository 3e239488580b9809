"""Data subject requests: everything held about one patient, exported or erased."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict

from . import consent_actions
from .models.consent_records import ConsentEvent
from .models.testimonials import Testimonial


class UnknownSubject(LookupError):
    """Nothing is held for this email address (or no address was given)."""


def testimonials_of(email: str, sites=None):
    """The patient's testimonials; with ``sites``, only those of these clinic sites.

    The admin passes the sites the editor manages, so a clinic only ever exports or erases
    its own records; management commands pass none and cover every clinic.
    """
    email = (email or "").strip()
    if not email:
        raise UnknownSubject(email)
    testimonials = Testimonial.objects.filter(patient_email__iexact=email)
    if sites is not None:
        testimonials = testimonials.filter(site__in=sites)
    if not testimonials.exists():
        raise UnknownSubject(email)
    return testimonials


def export(email: str, by=None, sites=None) -> dict:
    """Everything held about the patient with this email: testimonials in every state, every
    consent record (with the wording they approved each time) and the audit events.

    With ``sites``, only what those clinic sites hold."""
    data = {"email": email, "testimonials": []}
    for testimonial in testimonials_of(email, sites).prefetch_related(
        "consent_records__sites", "events"
    ):
        item = model_to_dict(testimonial, exclude=["photo"])
        item["photo"] = testimonial.photo_id
        item["site"] = testimonial.site.hostname
        item["consent_records"] = [
            {
                **model_to_dict(record, exclude=["sites", "evidence"]),
                "given_at": record.given_at,
                "withdrawn_at": record.withdrawn_at,
                "approved_quote": record.approved_quote,
                "sites": [site.hostname for site in record.sites.all()],
                "evidence": record.evidence.title if record.evidence_id else None,
            }
            for record in testimonial.consent_records.all()
        ]
        item["events"] = [
            {"kind": event.kind, "at": event.at, "note": event.note}
            for event in testimonial.events.all()
        ]
        data["testimonials"].append(item)
        consent_actions.log(ConsentEvent.Kind.EXPORTED, testimonial, by)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@transaction.atomic
def erase(email: str, by=None, sites=None) -> int:
    """Erase every testimonial and consent record of this patient, with their evidence files;
    with ``sites``, only those of these clinic sites.

    Each erased testimonial leaves one audit event holding only its id. Returns how many
    testimonials were erased.
    """
    testimonials = list(testimonials_of(email, sites))
    for testimonial in testimonials:
        consent_actions.withdraw(testimonial, channel="erasure request", by=by)
        testimonial.delete(by=by)
    return len(testimonials)
