"""The link between a clinic's site and each of its own collections."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection, Site


class CollectionKind(models.TextChoices):
    """What a clinic keeps in one of its collections."""

    EVIDENCE = "evidence", _("consent evidence")
    IMAGES = "images", _("images")


class ClinicCollection(models.Model):
    """Which collection holds one clinic's consent evidence, or its images.

    The clinic's collections are found by this link, never by their names, so staff may
    rename a collection (or the clinic) freely. Made by ``clinic_collections``; not edited
    in the admin.
    """

    # Deleting the site or the collection deletes the link with it, and nothing else: the
    # collection keeps its documents and images, and a clinic whose collection was deleted
    # gets a new one the next time it needs it.
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("clinic site"),
        help_text=_("The clinic whose media the collection holds."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=CollectionKind.choices,
        help_text=_("What the clinic keeps in the collection."),
    )
    collection = models.OneToOneField(
        Collection,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("collection"),
        help_text=_("The collection, under whatever name staff give it."),
    )

    class Meta:
        verbose_name = _("clinic collection")
        verbose_name_plural = _("clinic collections")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind"], name="wagtail_spinecare_one_collection_per_clinic_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.collection}"
