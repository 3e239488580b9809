from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.base import BlockWidget
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images import get_image_model

from ..models.consent_records import Channel
from ..stories import OTHER_CLINICS_STORY, Story, stories_for
from .choosers import ViewSetChooserBlock
from .images import RENDITION_SPECS
from .previews import BlockGroup, PreviewBlock

#: The block picker's preview shows this made-up story, never a patient's words.
EXAMPLE_STORY = {
    "quote": _(
        "I could barely tie my shoes. Six weeks of exercises later, I am back to my morning walks."
    ),
    "name": _("An example patient"),
}


#: The ``stories.StoryReader`` a StreamField is being drawn for, while it is (see ``ReaderWidget``).
_reader = ContextVar("spinecare_story_reader", default=None)


class ReaderWidget(BlockWidget):
    """A StreamField drawn for one user: a chosen story they may not read shows as "a story
    from another clinic", without its words or a link to edit it.

    Such a story is on a page when someone who manages both clinics chose it, or copied a
    page from one clinic's site to another's. It stays on the page when it is saved.
    """

    def __init__(self, widget: BlockWidget, reader):
        super().__init__(widget.block_def, attrs=widget.attrs)
        # What the form field set on the widget it wraps.
        self.is_required = widget.is_required
        self.is_localized = widget.is_localized
        self.reader = reader

    def render_with_errors(self, *args, **kwargs):
        """Draw the StreamField with the reader known to the story chooser blocks in it."""
        token = _reader.set(self.reader)
        try:
            return super().render_with_errors(*args, **kwargs)
        finally:
            _reader.reset(token)


class TestimonialChooserBlock(ViewSetChooserBlock):
    """Chooses a testimonial; loads every chosen one on a page, with photos, in bulk."""

    model_path = "wagtail_spinecare.Testimonial"
    viewset_path = "wagtail_spinecare.admin.choosers.testimonial_chooser_viewset"

    def get_form_state(self, value):
        """The chosen story as the editor sees it: "a story from another clinic", with no
        edit link, when it is not theirs to read."""
        state = super().get_form_state(value)
        reader = _reader.get()
        pk = getattr(value, "pk", value)
        if state and reader is not None and pk is not None and not reader.may_read(pk):
            title_key = self.widget.display_title_key
            return {**state, title_key: capfirst(str(OTHER_CLINICS_STORY)), "edit_url": None}
        return state

    def bulk_to_python(self, values):
        """The chosen testimonials in one query, with their photos' renditions."""
        renditions = (
            get_image_model().get_rendition_model().objects.filter(filter_spec__in=RENDITION_SPECS)
        )
        found = (
            self.model_class.objects.select_related("photo")
            .prefetch_related(
                Prefetch("photo__renditions", queryset=renditions, to_attr="prefetched_renditions")
            )
            .in_bulk([value for value in values if value is not None])
        )
        return [found.get(value) for value in values]

    def get_searchable_content(self, value):
        """Nothing: a page's search entry must never hold a patient's words, as consent can
        end."""
        return []

    def render_basic(self, value, context=None):
        """The story's label ("Patient story #42"), never its words. Wagtail's revision
        comparison draws a chosen story this way, for whoever compares, with no request to
        ask whose clinic's story it is."""
        return format_html("{}", value.label) if value is not None else ""

    class Meta:
        icon = "openquote"


class TestimonialsBlock(PreviewBlock, blocks.StructBlock):
    """Patient stories, each shown only while the patient's consent allows it here and now.

    Consent is checked every time the block is rendered, so a story whose consent ends
    disappears even from an old revision or a page nobody has republished.
    """

    heading = blocks.CharBlock(
        default=_("Patient stories"),
        max_length=100,
        help_text=_("e.g. 'What our patients say'."),
    )
    testimonials = blocks.ListBlock(
        TestimonialChooserBlock(),
        min_num=0,
        default=[],
        label=_("Chosen stories"),
        help_text=_("Stories to show, in this order. Any without valid consent are left out."),
    )
    latest_count = blocks.IntegerBlock(
        required=False,
        default=0,
        min_value=0,
        max_value=6,
        label=_("Latest stories"),
        help_text=_("Also show this many of the newest stories about this page's condition."),
    )

    class Meta:
        icon = "openquote"
        label = _("Patient stories")
        description = _("Testimonials, shown only with the patient's valid recorded consent.")
        template = "wagtail_spinecare/blocks/testimonials_block.html"
        group = BlockGroup.ENGAGEMENT

    def get_preview_value(self):
        return self.to_python(
            {"heading": "What our patients say", "testimonials": [], "latest_count": 2}
        )

    def clean(self, value):
        """Refuse a block that would show nothing: no story chosen and no latest stories."""
        value = super().clean(value)
        if not self.is_deferred_validation and not (
            any(value.get("testimonials") or []) or value.get("latest_count")
        ):
            raise StructBlockValidationError(
                block_errors={
                    "testimonials": ValidationError(
                        _("Choose at least one story, or show the latest stories.")
                    )
                }
            )
        return value

    def get_searchable_content(self, value):
        """The heading only, never a patient's words."""
        return [value.get("heading") or ""]

    def get_context(self, value, parent_context=None):
        """Adds ``stories`` that consent lets this page show now and, in a preview, the
        ``hidden`` ones: see :meth:`shown_stories`."""
        context = super().get_context(value, parent_context=parent_context)
        context.update(self.shown_stories(value, parent_context or {}))
        return context

    def shows_anything(self, value, context) -> bool:
        """Whether a story is shown or, in a preview, a notice of a hidden one."""
        shown = self.shown_stories(value, context)
        return bool(shown["stories"] or shown["hidden"])

    def shown_stories(self, value, context) -> dict:
        """:func:`stories.stories_for` ``value`` in ``context``, worked out once per request
        and page however often it is asked for; the block picker's preview shows a made-up
        story."""
        if context.get("spinecare_block_preview"):
            return {"stories": [Story(**EXAMPLE_STORY)], "hidden": []}
        request, page = context.get("request"), context.get("page")
        if request is None:
            return stories_for(value, context)
        found = request.__dict__.setdefault("_spinecare_shown_stories", {})
        key = (id(value), id(page))
        if key not in found:
            # The value and page are kept with the answer, so their ids cannot be reused.
            found[key] = (value, page, stories_for(value, context))
        return found[key][2]

    def get_api_representation(self, value, context=None):
        """The heading and the stories whose consent covers search engines and apps."""
        stories = stories_for(value, context or {}, channel=Channel.STRUCTURED_DATA)["stories"]
        return {
            "heading": value.get("heading"),
            "stories": [story.as_dict() for story in stories],
        }
