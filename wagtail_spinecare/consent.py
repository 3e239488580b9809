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

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from . import conf
from .compat import PreparedQuery
from .models.consent_records import Channel, ConsentRecord, Detail

#: The channel Wagtail's API answers through: consent's "Search engines and apps (structured
#: data and API)". The JSON-LD never holds a testimonial (see ``structured_data``), so this
#: consent lets a story reach apps reading the API, never a search engine as a review.
API_CHANNEL = Channel.STRUCTURED_DATA


def _conditions(site, channel, at, today=None):
    """The rule, as named conditions on ConsentRecord; each must hold.

    ``site`` is a Site or its id; ``today`` is ``at``'s date where the site is (worked out
    from ``at`` when not given).
    """
    channel = Channel(channel)
    today = timezone.localdate(at) if today is None else today
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
        ("expired", _("consent has expired"), Q(expires_on__gte=today)),
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


def valid_consents(site=None, channel=Channel.WEB, at=None, today=None):
    """The consent records that, at ``at``, let their testimonial be shown on ``site`` (a
    Site or its id)."""
    at = at or timezone.now()
    queryset = ConsentRecord.objects.all()
    for _code, _reason, condition in _conditions(site, channel, at, today):
        queryset = queryset.filter(condition)
    return queryset.distinct() if site is None else queryset


#: Per channel: a site's valid records now, each with its testimonial and photo. Every page
#: showing testimonials asks, so the SQL is compiled once per process (see
#: ``compat.PreparedQuery``); it is the SQL of ``valid_consents``, with other values.
_SHOWN_QUERIES = {}


def _shown_records(site, channel, at=None):
    query = _SHOWN_QUERIES.get(channel)
    if query is None:
        query = _SHOWN_QUERIES[channel] = PreparedQuery(
            lambda site_id, at, today: valid_consents(site_id, channel, at, today).select_related(
                "testimonial", "testimonial__photo"
            )
        )
    at = at or timezone.now()
    return query(site.pk, at, timezone.localdate(at))


def may_show(testimonial, site, channel=Channel.WEB, at=None) -> bool:
    """Whether ``testimonial`` may be shown on ``site`` through ``channel`` at ``at`` (now)."""
    return valid_consents(site, channel, at).filter(testimonial=testimonial).exists()


def sites_showing(testimonial, channel=Channel.WEB, at=None):
    """The sites on which ``testimonial`` may be shown now."""
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
    RECORD_FIELDS = tuple(detail.field_name for detail in Detail)

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


def shown_testimonials_for_request(request, channel=Channel.WEB) -> dict:
    """The testimonials :func:`shown_details_for_request` allows, by id, from the same query."""
    return _shown_for_request(request, channel)[1]


def _shown_for_request(request, channel):
    cache = request.__dict__.setdefault("_spinecare_consent", {})
    if channel not in cache:
        site = Site.find_for_request(request)
        details, testimonials = {}, {}
        if site is not None:
            # A site's valid records are one per testimonial: the current one.
            for record in _shown_records(site, Channel(channel)):
                details[record.testimonial_id] = ShownDetails.of(record)
                testimonials[record.testimonial_id] = record.testimonial
        cache[channel] = (details, testimonials)
    return cache[channel]


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
