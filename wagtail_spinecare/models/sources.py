"""The sources a page is based on, listed for patients."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class PageSource(Orderable):
    """One piece of evidence a clinical page draws on, listed for patients as 'Sources'."""

    page = ParentalKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="spinecare_sources"
    )
    title = models.CharField(
        _("title"),
        max_length=255,
        help_text=_("As published, e.g. 'Low back pain and sciatica in over 16s'."),
    )
    publisher = models.CharField(
        _("publisher"), max_length=150, help_text=_("e.g. 'NICE' or 'NHS'.")
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("The year it was published or last updated."),
    )
    url = models.URLField(
        _("link"), blank=True, help_text=_("Optional. Where patients can read it themselves.")
    )

    panels = [FieldPanel("title"), FieldPanel("publisher"), FieldPanel("year"), FieldPanel("url")]

    class Meta(Orderable.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return f"{self.title} ({self.publisher}, {self.year})"
