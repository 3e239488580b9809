"""Block previews in the block picker, and the groups the picker shows blocks in."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from ..models.clinic import ClinicSettings

PREVIEW_TEMPLATE = "wagtail_spinecare/admin/block_preview.html"


class BlockGroup:
    """The groups the block picker sorts this app's blocks into."""

    LAYOUT = _("Layout")
    CLINICAL = _("Clinical content")
    ENGAGEMENT = _("Testimonials and engagement")


class PreviewBlock:
    """A block previewed in the clinic's stylesheet, with the clinic's settings and words.

    Mixed into this app's blocks; their ``Meta`` gives the group and the preview value.
    """

    def get_preview_context(self, value, parent_context=None):
        """Adds the clinic, its words, and a flag that blocks use to show made-up examples."""
        context = dict(super().get_preview_context(value, parent_context=parent_context))
        clinic = ClinicSettings.for_context(context)
        context.update(clinic=clinic, terms=clinic.terminology, spinecare_block_preview=True)
        return context

    def get_preview_template(self, value, context=None):
        """A page around the block that loads this app's stylesheet."""
        return PREVIEW_TEMPLATE


def first_ids(model_path: str, count: int) -> list[int]:
    """Ids of a few records to preview a chooser block with; none in an empty library."""
    model = apps.get_model(model_path)
    return list(model.objects.order_by("pk").values_list("pk", flat=True)[:count])
