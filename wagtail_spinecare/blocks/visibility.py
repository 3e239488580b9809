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


def once_per_request(context, name: str, value, work):
    """``work()``, worked out once per request and page for ``value`` however often it is
    asked for (what a page shows is asked by its contents, its structured data and its
    templates); afresh where there is no request, or for the block picker's preview."""
    request = context.get("request")
    if request is None or context.get("spinecare_block_preview"):
        return work()
    page = context.get("page")
    found = request.__dict__.setdefault(f"_spinecare_{name}", {})
    key = (id(value), id(page))
    if key not in found:
        # The value and page are kept with the answer, so their ids cannot be reused.
        found[key] = (value, page, work())
    return found[key][2]
