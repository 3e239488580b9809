"""The clinicians who review pages and treat patients."""

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index


class Clinician(index.Indexed, models.Model):
    """A clinician who reviews pages: patients see their name and credentials on each page."""

    name = models.CharField(_("name"), max_length=150, help_text=_("Full name, e.g. 'Priya Shah'."))
    profession = models.CharField(
        _("profession"),
        max_length=100,
        help_text=_("Job title patients will recognise, e.g. 'Clinical lead physiotherapist'."),
    )
    post_nominals = models.CharField(
        _("letters after name"),
        max_length=100,
        blank=True,
        help_text=_("e.g. 'MSc MCSP'. Shown after the name."),
    )
    credentials = models.TextField(
        _("qualifications"),
        blank=True,
        max_length=2000,
        help_text=_("One qualification per line, e.g. 'MSc Advanced Musculoskeletal Practice'."),
    )
    registration_body = models.CharField(
        _("registration body"),
        max_length=150,
        blank=True,
        help_text=_("e.g. 'Health and Care Professions Council' or a state licensing board."),
    )
    registration_number = models.CharField(
        _("registration number"),
        max_length=50,
        blank=True,
        help_text=_("Lets patients check the register, e.g. 'PH123456'."),
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional. A clear head-and-shoulders photo."),
    )
    profile_url = models.URLField(
        _("profile link"),
        blank=True,
        help_text=_("Optional. A page about this clinician, on your site or a register."),
    )
    sites = models.ManyToManyField(
        "wagtailcore.Site",
        verbose_name=_("clinics they work for"),
        blank=True,
        related_name="+",
        help_text=_(
            "The clinics this clinician works for. They may sign off those clinics' pages, "
            "and be chosen as a clinic's own reviewer there."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admin account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spinecare_clinician",
        help_text=_(
            "Optional. The clinician's own login to this admin. With it they can approve the "
            "clinical sign-off step of a workflow for the clinics they work for."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("profession"),
        FieldPanel("post_nominals"),
        FieldPanel("credentials"),
        MultiFieldPanel(
            [FieldPanel("registration_body"), FieldPanel("registration_number")],
            heading=_("Professional registration"),
        ),
        FieldPanel("photo"),
        FieldPanel("profile_url"),
        MultiFieldPanel(
            [FieldPanel("sites", widget=forms.CheckboxSelectMultiple), FieldPanel("user")],
            heading=_("Clinical sign-off"),
        ),
    ]

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("profession"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinician")
        verbose_name_plural = _("clinicians")

    def __str__(self):
        return f"{self.name} {self.post_nominals}".strip()

    @property
    def credential_list(self) -> list[str]:
        """The qualifications, one per line as entered, without blank lines."""
        return [line.strip() for line in self.credentials.splitlines() if line.strip()]

    @property
    def registration(self) -> str:
        """Registration body and number in one line, for patients to check the register."""
        return " ".join(part for part in (self.registration_body, self.registration_number) if part)

    def works_for(self, site) -> bool:
        """Whether this clinician works for the clinic of ``site``."""
        return site is not None and self.sites.filter(pk=site.pk).exists()
