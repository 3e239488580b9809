"""What the blocks give Wagtail's API: display HTML, images as renditions, and no block
that shows patients nothing.

Wagtail's own representations give rich text as stored (``<a linktype="page" id="3">``)
and images as bare ids; a front end needs what the page shows. A block whose representation
is None shows nothing (a testimonials block with no story the consent allows, an empty
section) and is left out, as the page leaves it out.
"""

from wagtail import blocks
from wagtail.rich_text import expand_db_html


def attributes(obj, *names) -> dict:
    """``obj``'s attributes ``names``, by name."""
    return {name: getattr(obj, name) for name in names}


def child_api_value(block, value, context):
    """``value`` of ``block`` for the API: rich text as the HTML patients read."""
    if isinstance(block, blocks.RichTextBlock):
        return expand_db_html(value.source) if value is not None else ""
    return block.get_api_representation(value, context=context)


class StructAPIMixin:
    """A StructBlock's value with each child as :func:`child_api_value` gives it, without the
    fields named in ``editor_only``."""

    editor_only = ()

    def get_api_representation(self, value, context=None):
        return {
            name: child_api_value(child, value.get(name), context)
            for name, child in self.child_blocks.items()
            if name not in self.editor_only
        }


class StreamAPIMixin:
    """A StreamBlock's children as Wagtail gives them (type, value, id), each as
    :func:`child_api_value` gives it; a child whose value is None shows nothing and is left
    out. Each child knows its id as ``block_id``, as it does in the page's template."""

    def get_api_representation(self, value, context=None):
        items = []
        for child in value or ():
            child_context = {**(context or {}), "block_id": child.id}
            represented = child_api_value(child.block, child.value, child_context)
            if represented is not None:
                items.append({"type": child.block_type, "value": represented, "id": child.id})
        return items
