"""A testimonial's consent at a glance, for the testimonial list and its filter."""

from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    Q,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models.consent_records import ConsentRecord


class ConsentState(TextChoices):
    """A testimonial's consent at a glance, for the admin list and its filter (in this
    order)."""

    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring within 30 days")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    WORDING_CHANGED = "wording_changed", _("Quote edited since consent")
    NONE = "none", _("No consent")


def with_consent_state(queryset, at=None):
    """Annotate each testimonial with ``consent_state`` and ``consent_expires_on``.

    States describe the current consent record whatever its scope; whether a testimonial may
    appear on a given site and channel is :func:`valid_consents`' question alone.
    """
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
