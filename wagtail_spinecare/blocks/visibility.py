"""Whether a block shows the reader anything, known from its value before it renders."""

from wagtail import blocks


def shows_anything(block, value, context) -> bool:
    """Whether ``block`` renders anything for ``value`` in ``context``, without rendering it.

    This app's blocks that can render nothing answer through their own ``shows_anything``
    method; rich text shows something unless it is blank; any other block is taken to.
    """
    method = getattr(block, "shows_anything", None)
    if method is not None:
        return method(value, context or {})
    if isinstance(block, blocks.RichTextBlock):
        return bool(value and value.source.strip())
    return True
