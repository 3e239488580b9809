"""The consent rule: may this testimonial be shown here, through this channel, now?

Everything that shows a testimonial (page templates, blocks, previews, structured data,
the API, search and sitemaps) asks this module and nothing else.

A testimonial may be shown on a site, through a channel, at a time, when its *current*
consent record (of those given by then, the one recorded last) was not withdrawn by then,
has not expired, was given for the testimonial's present wording, and covers that site and
that channel.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connections, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import conf
from .models.testimonials import (
    Channel,
    ConsentEvent,
    ConsentRecord,
    Testimonial,
    acting_user,
)


def _conditions(site, channel, at):
    """The rule, as named conditions on ConsentRecord; each must hold."""
    channel = Channel(channel)
    newer = ConsentRecord.objects.filter(
        testimonial=OuterRef("testimonial"), pk__gt=OuterRef("pk"), given_at__lte=at
    )
    site_condition = Q(sites=site) if site is not None else Q(sites__isnull=False)
    return [
        ("none", _("no consent has been recorded"), Q(given_at__lte=at)),
        ("superseded", _("a newer consent record replaces this one"), ~Exists(newer)),
        (
            "withdrawn",
            _("the patient withdrew consent"),
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at),
        ),
        ("expired", _("consent has expired"), Q(expires_on__gte=timezone.localdate(at))),
        (
            "wording",
            _("the quote was edited after the patient approved it"),
            Q(quote_hash=F("testimonial__quote_hash")),
        ),
        ("site", _("consent does not cover this clinic's site"), site_condition),
        (
            "channel",
            _("consent does not cover this channel (%(channel)s)") % {"channel": channel.label},
            Q(**{f"channel_{channel.value}": True}),
        ),
    ]


def valid_consents(site=None, channel=Channel.WEB, at=None):
    """The consent records that, at ``at``, let their testimonial be shown on ``site``."""
    at = at or timezone.now()
    queryset = ConsentRecord.objects.all()
    for _code, _reason, condition in _conditions(site, channel, at):
        queryset = queryset.filter(condition)
    return queryset.distinct() if site is None else queryset


def may_show(testimonial, site, channel=Channel.WEB, at=None) -> bool:
    """Whether ``testimonial`` may be shown on ``site`` through ``channel`` at ``at`` (now)."""
    return Testimonial.objects.publishable(site, channel, at).filter(pk=testimonial.pk).exists()


def sites_showing(testimonial, channel=Channel.WEB, at=None):
    """The sites on which ``testimonial`` may be shown now."""
    from wagtail.models import Site

    return [site for site in Site.objects.all() if may_show(testimonial, site, channel, at)]


def why_hidden(testimonial, site, channel=Channel.WEB, at=None) -> str | None:
    """Why the rule hides ``testimonial`` here and now, for editors; None when it is shown.

    Checks the same conditions one by one, so it can never disagree with the rule.
    """
    at = at or timezone.now()
    records = ConsentRecord.objects.filter(testimonial=testimonial, given_at__lte=at)
    if not records.exists():
        return str(_("no consent has been recorded"))
    for _code, reason, condition in _conditions(site, channel, at)[1:]:
        records = records.filter(condition)
        if not records.exists():
            return str(reason)
    return None


@dataclass(frozen=True)
class ShownDetails:
    """What a valid consent lets a page show beside the quote."""

    name: bool
    age: bool
    occupation: bool
    photo: bool

    #: The consent record's fields, in the order of the fields above.
    RECORD_FIELDS = ("show_name", "show_age", "show_occupation", "show_photo")

    @classmethod
    def of(cls, record) -> "ShownDetails":
        """What ``record`` (a consent record) lets a page show."""
        return cls(*(getattr(record, name) for name in cls.RECORD_FIELDS))


def shown_details(site, channel=Channel.WEB, at=None) -> dict[int, ShownDetails]:
    """For every testimonial that may be shown on ``site``: which details may go with it.

    One query for the whole page, however many testimonials it refers to.
    """
    rows = valid_consents(site, channel, at).values_list(
        "testimonial_id", *ShownDetails.RECORD_FIELDS
    )
    return {row[0]: ShownDetails(*row[1:]) for row in rows}


def shown_details_for_request(request, channel=Channel.WEB) -> dict[int, ShownDetails]:
    """:func:`shown_details` for the request's site, worked out once per request."""
    return _shown_for_request(request, channel)[0]


def shown_testimonials_for_request(request, channel=Channel.WEB) -> dict[int, Testimonial]:
    """The testimonials :func:`shown_details_for_request` allows, by id, from the same query."""
    return _shown_for_request(request, channel)[1]


def _shown_for_request(request, channel):
    from wagtail.models import Site

    cache = request.__dict__.setdefault("_spinecare_consent", {})
    if channel not in cache:
        site = Site.find_for_request(request)
        details, testimonials = {}, {}
        if site is not None:
            # A site's valid records are one per testimonial: the current one.
            records = valid_consents(site, channel).select_related(
                "testimonial", "testimonial__photo"
            )
            for record in records:
                details[record.testimonial_id] = ShownDetails.of(record)
                testimonials[record.testimonial_id] = record.testimonial
        cache[channel] = (details, testimonials)
    return cache[channel]


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


def expiring_soon(days=30, at=None):
    """Current, unwithdrawn consent records that expire within ``days`` days."""
    today = timezone.localdate(at or timezone.now())
    newer = ConsentRecord.objects.filter(testimonial=OuterRef("testimonial"), pk__gt=OuterRef("pk"))
    return (
        ConsentRecord.objects.filter(
            withdrawn_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=days),
        )
        .filter(~Exists(newer))
        .select_related("testimonial", "testimonial__site")
        .order_by("expires_on")
    )


def on_visibility_change(testimonial):
    """Whatever showed the testimonial must ask the rule again: search index and caches."""
    from wagtail.search import index

    from .cache import invalidate_pages, purge_pages_showing

    if Testimonial.objects.publishable().filter(pk=testimonial.pk).exists():
        index.insert_or_update_object(testimonial)
    else:
        index.remove_object(testimonial)
    invalidate_pages()
    purge_pages_showing(testimonial)


class ConsentState:
    """A testimonial's consent at a glance, for the admin list and its filter."""

    NONE = "none"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    WORDING_CHANGED = "wording_changed"
    EXPIRING = "expiring"
    VALID = "valid"

    choices = [
        (VALID, _("Valid")),
        (EXPIRING, _("Expiring within 30 days")),
        (EXPIRED, _("Expired")),
        (WITHDRAWN, _("Withdrawn")),
        (WORDING_CHANGED, _("Quote edited since consent")),
        (NONE, _("No consent")),
    ]
    labels = dict(choices)


def with_consent_state(queryset, at=None):
    """Annotate each testimonial with ``consent_state`` and ``consent_expires_on``.

    States describe the current consent record whatever its scope; whether a story may
    appear on a given site and channel is :func:`valid_consents`' question alone.
    """
    from django.db.models import Case, CharField, Subquery, Value, When

    today = timezone.localdate(at or timezone.now())
    current = ConsentRecord.objects.filter(testimonial=OuterRef("pk")).order_by("-pk")
    queryset = queryset.annotate(
        consent_expires_on=Subquery(current.values("expires_on")[:1]),
        consent_withdrawn_at=Subquery(current.values("withdrawn_at")[:1]),
        consent_quote_hash=Subquery(current.values("quote_hash")[:1]),
    )
    return queryset.annotate(
        consent_state=Case(
            When(consent_expires_on__isnull=True, then=Value(ConsentState.NONE)),
            When(consent_withdrawn_at__isnull=False, then=Value(ConsentState.WITHDRAWN)),
            When(consent_expires_on__lt=today, then=Value(ConsentState.EXPIRED)),
            When(~Q(consent_quote_hash=F("quote_hash")), then=Value(ConsentState.WORDING_CHANGED)),
            When(
                consent_expires_on__lte=today + timedelta(days=30),
                then=Value(ConsentState.EXPIRING),
            ),
            default=Value(ConsentState.VALID),
            output_field=CharField(),
        )
    )


def longest_days(today=None) -> int:
    """How many days from ``today`` a consent being recorded may last at most: the setting
    ``WAGTAIL_SPINECARE_CONSENT_MAX_DAYS``, three years unless set (never past the calendar)."""
    today = today or timezone.localdate()
    days = conf.consent_max_days()
    return max(1, min(days, (date.max - today).days))


def latest_expiry(today=None):
    """The furthest a consent recorded ``today`` may be set to expire."""
    today = today or timezone.localdate()
    return today + timedelta(days=longest_days(today))


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
    from django.core.exceptions import ValidationError

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
        errors["channels"] = _("Choose at least one place the story may appear.")
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
            **{f"show_{detail}": detail in details for detail in SHOWABLE_DETAILS},
        )
        record.full_clean(exclude=["testimonial", "evidence"])
        record.save()
        record.sites.set(sites)
        record_given(record, by)
    return record


SHOWABLE_DETAILS = ("name", "age", "occupation", "photo")
