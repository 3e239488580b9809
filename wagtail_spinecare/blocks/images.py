"""Images with the alternative text patients need, and figures with captions."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageBlock, ImageChooserBlock

from ..compat import PreparedLookup
from ..renditions import filter_for
from .choosers import in_order
from .previews import BlockGroup, PreviewBlock

#: Widths rendered for every content image; the template offers them as a srcset.
IMAGE_WIDTHS = (400, 800, 1200)
RENDITION_SPECS = tuple(f"width-{width}" for width in IMAGE_WIDTHS)


def _renditions_of(ids):
    return (
        get_image_model()
        .get_rendition_model()
        .objects.filter(image_id__in=ids, filter_spec__in=RENDITION_SPECS)
        .select_related("image")
    )


#: Every page asks, so the SQL is compiled once per process and number of images.
_RENDITIONS_OF = PreparedLookup(_renditions_of)


def image_api_value(image, alt_text, request=None) -> dict | None:
    """An image as the page shows it: its alt text (empty for a decorative image), size, and
    the renditions the page's ``srcset`` offers, with absolute URLs when there is a request.

    The renditions come from those the image's chooser loaded with it (see
    ``PrefetchingImageChooserBlock``); a missing one is made, as the page would make it.
    """
    if image is None:
        return None
    renditions = []
    for rendition in image.get_renditions(*map(filter_for, RENDITION_SPECS)).values():
        url = request.build_absolute_uri(rendition.url) if request else rendition.url
        renditions.append({"url": url, "width": rendition.width, "height": rendition.height})
    return {
        "id": image.pk,
        "alt": alt_text or "",
        "width": image.width,
        "height": image.height,
        "renditions": renditions,
    }


class PrefetchingImageChooserBlock(ImageChooserBlock):
    """Loads every image of a page with its renditions, in one query.

    StreamField converts all blocks of one type together (``bulk_to_python``), so however
    many images a page has, rendering it costs the same. The images come with their
    renditions; only images that have no rendition yet (a new upload) take a second query.
    """

    def bulk_to_python(self, values):
        """The images for ``values``, in order, each with its renditions already loaded."""
        ids = {value for value in values if value is not None}
        if not ids:
            return [None for _value in values]
        images = {}
        for rendition in _RENDITIONS_OF(ids):
            image = images.setdefault(rendition.image_id, rendition.image)
            image.__dict__.setdefault("prefetched_renditions", []).append(rendition)
            rendition.image = image
        missing = ids - images.keys()
        if missing:
            for image in get_image_model().objects.filter(pk__in=missing):
                image.prefetched_renditions = []
                images[image.pk] = image
        return in_order(values, images)


class AccessibleImageBlock(ImageBlock):
    """Wagtail's image block (alt text required unless decorative), loading images in bulk."""

    def __init__(self, required=True, **kwargs):
        super().__init__(required=required, **kwargs)
        replacements = {
            "image": PrefetchingImageChooserBlock(
                required=required,
                help_text=_("Choose a picture from the image library, or upload a new one."),
            ),
            "decorative": blocks.BooleanBlock(
                default=False,
                required=False,
                label=_("Image is decorative"),
                help_text=_(
                    "Tick only if the image adds nothing a patient needs, such as a background "
                    "pattern. Screen readers will skip it."
                ),
            ),
            "alt_text": blocks.CharBlock(
                required=False,
                max_length=250,
                label=_("Alt text"),
                help_text=_(
                    "Describe what the image shows for patients who cannot see it, e.g. "
                    "'A physiotherapist guiding a patient through a back stretch'. Not a file name."
                ),
            ),
        }
        for name, block in replacements.items():
            block.set_name(name)
            self.child_blocks[name] = block

    def deconstruct(self):
        """As this class, with ``required``: Wagtail's ImageBlock deconstructs as a plain
        ImageBlock without it, which migrations would then rebuild."""
        _path, args, kwargs = super().deconstruct()
        kwargs = dict(kwargs)
        if not self.child_blocks["image"].required:
            kwargs["required"] = False
        return ("wagtail_spinecare.blocks.images.AccessibleImageBlock", args, kwargs)

    def clean(self, value):
        """Wagtail's checks, and alt text no longer than the alt text field allows."""
        value = super().clean(value)
        # Wagtail's ImageBlock checks alt text is present but not its length.
        if value is not None and value.contextual_alt_text:
            try:
                self.child_blocks["alt_text"].clean(value.contextual_alt_text)
            except ValidationError as error:
                raise StructBlockValidationError(block_errors={"alt_text": error}) from error
        return value


class FigureBlock(PreviewBlock, blocks.StructBlock):
    """An image with required alt text and an optional visible caption."""

    image = AccessibleImageBlock()
    caption = blocks.CharBlock(
        required=False,
        max_length=250,
        help_text=_("Optional. Shown under the image for everyone to read."),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        description = _("A picture with a description for screen readers and an optional caption.")
        template = "wagtail_spinecare/blocks/figure_block.html"
        group = BlockGroup.LAYOUT

    def get_preview_value(self):
        image = get_image_model().objects.order_by("pk").first()
        return self.to_python(
            {
                "image": {
                    "image": image.pk if image else None,
                    "decorative": False,
                    "alt_text": "An example picture",
                },
                "caption": "A caption everyone can read.",
            }
        )

    def shows_anything(self, value, context) -> bool:
        """Whether there is an image (a deleted one leaves nothing), or this is the block
        picker's preview, which describes the block instead."""
        return bool(value.get("image") or context.get("spinecare_block_preview"))

    def get_api_representation(self, value, context=None):
        """The image with its alt text and renditions, and the caption; None (left out)
        when the image was deleted, as the page leaves it out."""
        image = value.get("image")
        if image is None:
            return None
        alt_text = "" if getattr(image, "decorative", False) else image.contextual_alt_text
        request = (context or {}).get("request")
        return {
            "image": image_api_value(image, alt_text, request),
            "decorative": bool(getattr(image, "decorative", False)),
            "caption": value.get("caption") or "",
        }
