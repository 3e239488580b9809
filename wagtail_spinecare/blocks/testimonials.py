"""The testimonials block, and the chooser that picks them."""

from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.base import BlockWidget
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images import get_image_model

from ..compat import PreparedLookup
from ..consent import API_CHANNEL
from ..renditions import load_renditions
from ..testimonial_display import OTHER_CLINICS_TESTIMONIAL, ShownTestimonial, testimonials_for
from .choosers import ViewSetChooserBlock
from .images import RENDITION_SPECS, image_api_value
from .previews import BlockGroup, PreviewBlock
from .visibility import once_per_request

#: The block picker's preview shows this made-up testimonial, never a patient's words.
EXAMPLE_TESTIMONIAL = {
    "quote": _(
        "I could barely tie my shoes. Six weeks of exercises later, I am back to my morning walks."
    ),
    "name": _("An example patient"),
}


#: The ``testimonial_display.TestimonialReader`` a StreamField is being drawn for, while it
#: is (see ``ReaderWidget``).
_reader = ContextVar("spinecare_testimonial_reader", default=None)


class ReaderWidget(BlockWidget):
    """A StreamField drawn for one user: a chosen testimonial they may not read shows as "a
    testimonial from another clinic", without its words or a link to edit it.

    Such a testimonial is on a page when someone who manages both clinics chose it, or copied a
    page from one clinic's site to another's. It stays on the page when it is saved.
    """

    def __init__(self, widget: BlockWidget, reader):
        super().__init__(widget.block_def, attrs=widget.attrs)
        # What the form field set on the widget it wraps.
        self.is_required = widget.is_required
        self.is_localized = widget.is_localized
        self.reader = reader

    def render_with_errors(self, *args, **kwargs):
        """Draw the StreamField with the reader known to the testimonial chooser blocks in it."""
        token = _reader.set(self.reader)
        try:
            return super().render_with_errors(*args, **kwargs)
        finally:
            _reader.reset(token)


#: Per testimonial model: its prepared lookup by id (see ``TestimonialChooserBlock._chosen``).
_CHOSEN = {}


class TestimonialChooserBlock(ViewSetChooserBlock):
    """Chooses a testimonial; loads every chosen one on a page, with photos, in bulk."""

    model_path = "wagtail_spinecare.Testimonial"
    viewset_path = "wagtail_spinecare.admin.choosers.testimonial_chooser_viewset"

    def get_form_state(self, value):
        """The chosen testimonial as the editor sees it: "a testimonial from another clinic",
        with no edit link, when it is not theirs to read."""
        state = super().get_form_state(value)
        reader = _reader.get()
        pk = getattr(value, "pk", value)
        if state and reader is not None and pk is not None and not reader.may_read(pk):
            title_key = self.widget.display_title_key
            return {**state, title_key: capfirst(str(OTHER_CLINICS_TESTIMONIAL)), "edit_url": None}
        return state

    def _chosen(self, ids):
        """Testimonials by id. Every page with testimonials asks, and blocks are made anew
        (the stories endpoint makes one a request), so the SQL is kept by model, compiled
        once per process and number of testimonials."""
        model = self.model_class
        lookup = _CHOSEN.get(model)
        if lookup is None:
            lookup = _CHOSEN[model] = PreparedLookup(
                lambda pks: model.objects.select_related("photo").filter(pk__in=pks)
            )
        return lookup(ids)

    def bulk_to_python(self, values):
        """The chosen testimonials in one query, with their photos' renditions."""
        found = {
            testimonial.pk: testimonial
            for testimonial in self._chosen(value for value in values if value is not None)
        }
        renditions = (
            get_image_model().get_rendition_model().objects.filter(filter_spec__in=RENDITION_SPECS)
        )
        prefetch_related_objects(
            [testimonial for testimonial in found.values() if testimonial.photo_id],
            Prefetch("photo__renditions", queryset=renditions, to_attr="prefetched_renditions"),
        )
        return [found.get(value) for value in values]

    def get_searchable_content(self, value):
        """Nothing: a page's search entry must never hold a patient's words, as consent can
        end."""
        return []

    def render_basic(self, value, context=None):
        """The testimonial's label ("Testimonial #42"), never its words. Wagtail's revision
        comparison draws a chosen testimonial this way, for whoever compares, with no request to
        ask whose clinic's testimonial it is."""
        return format_html("{}", value.label) if value is not None else ""

    class Meta:
        icon = "openquote"


class TestimonialsBlock(PreviewBlock, blocks.StructBlock):
    """Testimonials, each shown only while the patient's consent allows it here and now.

    Consent is checked every time the block is rendered, so a testimonial whose consent ends
    disappears even from an old revision or a page nobody has republished.
    """

    heading = blocks.CharBlock(
        default=_("Testimonials"),
        max_length=100,
        help_text=_("e.g. 'What our patients say'."),
    )
    testimonials = blocks.ListBlock(
        TestimonialChooserBlock(),
        min_num=0,
        default=[],
        label=_("Chosen testimonials"),
        help_text=_("Testimonials to show, in this order. Any without valid consent are left out."),
    )
    latest_count = blocks.IntegerBlock(
        required=False,
        default=0,
        min_value=0,
        max_value=6,
        label=_("Latest testimonials"),
        help_text=_("Also show this many of the newest testimonials about this page's condition."),
    )

    class Meta:
        icon = "openquote"
        label = _("Testimonials")
        description = _("Testimonials, shown only with the patient's valid recorded consent.")
        template = "wagtail_spinecare/blocks/testimonials_block.html"
        group = BlockGroup.ENGAGEMENT

    def get_preview_value(self):
        return self.to_python(
            {"heading": "What our patients say", "testimonials": [], "latest_count": 2}
        )

    def clean(self, value):
        """Refuse a block that would show nothing: no testimonial chosen and no latest
        testimonials."""
        value = super().clean(value)
        if not self.is_deferred_validation and not (
            any(value.get("testimonials") or []) or value.get("latest_count")
        ):
            raise StructBlockValidationError(
                block_errors={
                    "testimonials": ValidationError(
                        _("Choose at least one testimonial, or show the latest testimonials.")
                    )
                }
            )
        return value

    def get_searchable_content(self, value):
        """The heading only, never a patient's words."""
        return [value.get("heading") or ""]

    def get_context(self, value, parent_context=None):
        """Adds the ``testimonials`` that consent lets this page show now and, in a preview,
        the ``hidden`` ones: see :meth:`shown_testimonials`."""
        context = super().get_context(value, parent_context=parent_context)
        context.update(self.shown_testimonials(value, parent_context or {}))
        return context

    def shows_anything(self, value, context) -> bool:
        """Whether a testimonial is shown or, in a preview, a notice of a hidden one."""
        shown = self.shown_testimonials(value, context)
        return bool(shown["testimonials"] or shown["hidden"])

    def shown_testimonials(self, value, context) -> dict:
        """:func:`testimonial_display.testimonials_for` ``value`` in ``context``, worked out
        once per request and page however often it is asked for; the block picker's preview
        shows a made-up testimonial."""
        if context.get("spinecare_block_preview"):
            return {"testimonials": [ShownTestimonial(**EXAMPLE_TESTIMONIAL)], "hidden": []}
        return once_per_request(
            context, "shown_testimonials", value, lambda: testimonials_for(value, context)
        )

    def get_api_representation(self, value, context=None):
        """The heading and the testimonials whose consent covers the API (see
        ``consent.API_CHANNEL``), each with only the details it allows; None (left out) when
        there is none."""
        context = context or {}
        shown = testimonials_for(value, context, channel=API_CHANNEL)["testimonials"]
        if not shown:
            return None
        load_renditions([(story.photo, RENDITION_SPECS) for story in shown])
        return {
            "heading": value.get("heading"),
            "testimonials": [story_api_value(story, context.get("request")) for story in shown],
        }


def story_api_value(shown, request=None) -> dict:
    """A ``ShownTestimonial`` for the API: its words, the details its consent allows, and its
    photo only when the consent allows it."""
    photo = shown.photo
    return {
        **shown.as_dict(),
        "photo": image_api_value(photo, photo.contextual_alt_text, request) if photo else None,
    }
