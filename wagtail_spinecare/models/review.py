"""Clinical review: who reviewed a page, when, and when it is due again."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


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
