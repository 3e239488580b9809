from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageBlock, ImageChooserBlock

#: Widths rendered for every content image; the template offers them as a srcset.
IMAGE_WIDTHS = (400, 800, 1200)
RENDITION_SPECS = tuple(f"width-{width}" for width in IMAGE_WIDTHS)


class PrefetchingImageChooserBlock(ImageChooserBlock):
    """Loads every image of a page, and their renditions, in two queries.

    StreamField converts all blocks of one type together (``bulk_to_python``), so
    however many images a page has, rendering it costs the same number of queries.
    """

    def bulk_to_python(self, values):
        images = super().bulk_to_python(values)
        loaded = [image for image in images if image is not None]
        if loaded:
            renditions = (
                get_image_model()
                .get_rendition_model()
                .objects.filter(filter_spec__in=RENDITION_SPECS)
            )
            prefetch_related_objects(
                loaded,
                Prefetch("renditions", queryset=renditions, to_attr="prefetched_renditions"),
            )
        return images


class AccessibleImageBlock(ImageBlock):
    """Wagtail's image block (alt text required unless decorative), loading images in bulk."""

    def __init__(self, required=True, **kwargs):
        super().__init__(required=required, **kwargs)
        replacements = {
            "image": PrefetchingImageChooserBlock(required=required),
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
        # ``required`` is a named argument here, so StructBlock's kwargs do not hold it.
        kwargs = dict(self._constructor_kwargs)
        if not self.child_blocks["image"].required:
            kwargs["required"] = False
        return ("wagtail_spinecare.blocks.images.AccessibleImageBlock", [], kwargs)

    def clean(self, value):
        value = super().clean(value)
        # Wagtail's ImageBlock checks alt text is present but not its length.
        if value is not None and value.contextual_alt_text:
            try:
                self.child_blocks["alt_text"].clean(value.contextual_alt_text)
            except ValidationError as error:
                raise StructBlockValidationError(block_errors={"alt_text": error}) from error
        return value


class FigureBlock(blocks.StructBlock):
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
