"""What staff do with consent, and what follows: giving, withdrawing and expiring it, the
audit trail that records each act, and telling the caches and the search index.

Whether a testimonial may be shown is :mod:`wagtail_spinecare.consent`'s question alone;
these actions change the records it reads.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from .cache import invalidate_pages
from .consent import latest_expiry, longest_days
from .invalidation import purge_pages_showing
from .models.consent_records import Channel, ConsentEvent, ConsentRecord, Detail, acting_user
from .models.testimonials import Testimonial


def log(kind, testimonial, by=None, record=None, note=""):
    """Add an event of ``kind`` to the audit trail, which holds nothing about the patient."""
    return ConsentEvent.objects.create(
        kind=kind,
        testimonial=testimonial,
        testimonial_ref=testimonial.pk,
        consent_record_ref=record.pk if record else None,
        site_id=testimonial.site_id,
        by=acting_user(by),
        note=note,
    )


def delete_events(events) -> int:
    """Delete consent events (a queryset): the one way to, for example at the end of a
    retention period. Returns how many were deleted.

    The log is append-only: on PostgreSQL a trigger refuses any other DELETE, and any UPDATE
    but clearing a link or a note. This says, for this transaction only, that the deletion
    is meant.
    """
    connection = connections[events.db]
    if connection.vendor != "postgresql":
        return events.delete()[0]
    with transaction.atomic(using=events.db), connection.cursor() as cursor:
        cursor.execute("SET LOCAL wagtail_spinecare.erasing = 'on'")
        try:
            return events.delete()[0]
        finally:
            # Inside a larger transaction, SET LOCAL would last until it ends.
            cursor.execute("SET LOCAL wagtail_spinecare.erasing = 'off'")


def record_given(record, by=None):
    """Log a newly saved consent record, and the record it supersedes."""
    previous = (
        ConsentRecord.objects.filter(testimonial=record.testimonial, pk__lt=record.pk)
        .order_by("-pk")
        .first()
    )
    if previous is not None:
        log(ConsentEvent.Kind.SUPERSEDED, record.testimonial, by, previous)
    log(ConsentEvent.Kind.GIVEN, record.testimonial, by, record)
    on_visibility_change(record.testimonial)


@transaction.atomic
def withdraw(testimonial, channel="", by=None, at=None) -> bool:
    """Withdraw consent: the testimonial disappears everywhere on the next request.

    ``channel`` says how the patient asked (email, phone, in person…). Withdrawing twice
    does nothing more. Returns whether anything was withdrawn.
    """
    at = at or timezone.now()
    current = (
        ConsentRecord.objects.select_for_update()
        .filter(testimonial=testimonial, withdrawn_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    if current is None:
        return False
    ConsentRecord.objects.filter(testimonial=testimonial, withdrawn_at__isnull=True).update(
        withdrawn_at=at, withdrawal_channel=channel[:100]
    )
    log(ConsentEvent.Kind.WITHDRAWN, testimonial, by, current, note=channel[:200])
    on_visibility_change(testimonial)
    return True


def expire(at=None) -> list[Testimonial]:
    """Apply expiry to every testimonial whose current consent has run out and log it once."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    newer = ConsentRecord.objects.filter(testimonial=OuterRef("testimonial"), pk__gt=OuterRef("pk"))
    expired = (
        ConsentRecord.objects.filter(expires_on__lt=today, withdrawn_at__isnull=True)
        .filter(~Exists(newer))
        .exclude(
            Exists(
                ConsentEvent.objects.filter(
                    kind=ConsentEvent.Kind.EXPIRED, consent_record_ref=OuterRef("pk")
                )
            )
        )
        .select_related("testimonial")
    )
    done = []
    for record in expired:
        log(ConsentEvent.Kind.EXPIRED, record.testimonial, record=record)
        on_visibility_change(record.testimonial)
        done.append(record.testimonial)
    return done


def on_visibility_change(testimonial):
    """Whatever showed the testimonial must ask the rule again: search index and caches."""
    if Testimonial.objects.publishable().filter(pk=testimonial.pk).exists():
        index.insert_or_update_object(testimonial)
    else:
        index.remove_object(testimonial)
    invalidate_pages()
    purge_pages_showing(testimonial)


def give(
    testimonial,
    *,
    sites,
    expires_on,
    evidence,
    method,
    wording,
    wording_version,
    lawful_basis,
    channels=(Channel.WEB,),
    details=(),
    given_at=None,
    by=None,
    at=None,
) -> ConsentRecord:
    """Record a new consent for ``testimonial``'s present wording; it supersedes older ones.

    Refuses, with messages for the person recording it, consent with no evidence, no or a
    past expiry date, no site, no channel, or a date in the future. Nothing is saved then.
    ``at`` is when it is recorded (now, unless entering a paper record after the fact).
    """
    now = at or timezone.now()
    given_at = given_at or now
    sites = list(sites or ())
    channels = {Channel(channel) for channel in channels or ()}
    errors = {}
    if evidence is None:
        errors["evidence"] = _("Attach the signed form, email or recording as evidence.")
    today = timezone.localdate(now)
    if expires_on is None:
        errors["expires_on"] = _("Consent must have an expiry date.")
    elif expires_on <= today:
        errors["expires_on"] = _("The expiry date must be in the future.")
    elif expires_on > latest_expiry(today):
        errors["expires_on"] = _(
            "Consent can last at most %(days)d days from today: choose a date no later than "
            "%(latest)s, and ask the patient again before then."
        ) % {"days": longest_days(today), "latest": latest_expiry(today).isoformat()}
    if given_at > now:
        errors["given_at"] = _("Consent cannot be given in the future.")
    elif timezone.localdate(given_at) < today - timedelta(days=longest_days(today)):
        errors["given_at"] = _(
            "Consent given more than %(days)d days ago has run its course: ask the patient again."
        ) % {"days": longest_days(today)}
    if not sites:
        errors["sites"] = _("Choose at least one clinic site the patient agreed to appear on.")
    if not channels:
        errors["channels"] = _("Choose at least one place the testimonial may appear.")
    if not (wording or "").strip():
        errors["wording"] = _("Record the wording the patient agreed to.")
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        record = ConsentRecord(
            testimonial=testimonial,
            given_at=given_at,
            captured_by=acting_user(by),
            method=method,
            evidence=evidence,
            wording=wording,
            wording_version=wording_version,
            lawful_basis=lawful_basis,
            expires_on=expires_on,
            approved_quote=testimonial.quote,
            quote_hash=testimonial.quote_hash,
            **{f"channel_{channel.value}": channel in channels for channel in Channel},
            **{detail.field_name: detail in details for detail in Detail},
        )
        record.full_clean(exclude=["testimonial", "evidence"])
        record.save()
        record.sites.set(sites)
        record_given(record, by)
    return record
