"""Clinical review: who reviewed a page, when, and when it is due again, and the one rule
that says where a page stands: never reviewed, overdue, due soon or current."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class ReviewStatus(models.TextChoices):
    """Where a page's clinical review stands, as the report, dashboard and command say it."""

    NEVER_REVIEWED = "never_reviewed", _("Never reviewed")
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due within 30 days")
    CURRENT = "current", _("Current")


#: How far ahead a review counts as due soon: the admin's report and dashboard warn this
#: many days before the date.
DUE_SOON_DAYS = 30


#: The statuses that ask an editor to act.
NEEDS_REVIEW = (ReviewStatus.NEVER_REVIEWED, ReviewStatus.OVERDUE, ReviewStatus.DUE_SOON)


def review_status_expression(due_field: str, today: date, days: int = DUE_SOON_DAYS) -> models.Case:
    """The rule, as a database expression over the next-review date ``due_field``: no date
    is never reviewed, a date before ``today`` overdue, one within ``days`` of it due soon,
    a later one current."""
    return models.Case(
        models.When(
            **{f"{due_field}__isnull": True}, then=models.Value(ReviewStatus.NEVER_REVIEWED)
        ),
        models.When(**{f"{due_field}__lt": today}, then=models.Value(ReviewStatus.OVERDUE)),
        models.When(
            **{f"{due_field}__lte": today + timedelta(days=days)},
            then=models.Value(ReviewStatus.DUE_SOON),
        ),
        default=models.Value(ReviewStatus.CURRENT),
        output_field=models.CharField(),
    )


def latest_change(*moments) -> datetime | None:
    """The latest of ``moments``: publishing times, and clinical review dates (read as the
    start of that day); None when there are none. What a sitemap gives as a page's lastmod."""
    times = [
        moment
        if isinstance(moment, datetime)
        else timezone.make_aware(datetime.combine(moment, time.min))
        for moment in moments
        if moment
    ]
    return max(times, default=None)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter): how far
    ahead a clinic's longest interval between reviews reaches."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # Past the calendar's ends (a review dated 9999-12-31), the nearest date there is.
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


class ClinicalReviewMixin(models.Model):
    """Who clinically checked a page, when, and when it must be checked again.

    Patients see it at the foot of the page.
    """

    reviewed_by = models.ForeignKey(
        "wagtail_spinecare.Clinician",
        verbose_name=_("clinically reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The clinician who checked this page is accurate and safe."),
    )
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("The date the clinician last checked the whole page."),
    )
    next_review_due = models.DateField(
        _("next review due"),
        null=True,
        blank=True,
        help_text=_("When the page must be checked again, usually within a year."),
    )

    review_panels = [
        MultiFieldPanel(
            [FieldPanel("reviewed_by"), FieldPanel("last_reviewed"), FieldPanel("next_review_due")],
            heading=_("Clinical review"),
        )
    ]

    class Meta:
        abstract = True

    def clean(self):
        """Refuse a next review that does not come after the last one."""
        super().clean()
        if (
            self.last_reviewed
            and self.next_review_due
            and self.next_review_due <= self.last_reviewed
        ):
            raise ValidationError(
                {
                    "next_review_due": _(
                        "The next review must come after the last review (%(date)s)."
                    )
                    % {"date": self.last_reviewed.isoformat()}
                }
            )

    def get_sitemap_urls(self, request=None):
        """Wagtail's entry, changed when the page was last published or clinically reviewed,
        whichever is later: a review changes what the page tells patients they can trust."""
        urls = super().get_sitemap_urls(request)
        for url in urls:
            url["lastmod"] = latest_change(url.get("lastmod"), self.last_reviewed)
        return urls
