"""Text as the package handles it: plain text from editors' rich text, for the content checks
and the structured data, and pages' HTML without their templates' indentation."""

import re
from html import unescape


def plain_text(html: str) -> str:
    """Rich text as plain text, one line per paragraph, heading or list item."""
    html = re.sub(r"</(p|h\d|li|blockquote)>|<br\s*/?>", "\n", html, flags=re.IGNORECASE)
    return unescape(re.sub(r"<[^>]+>", "", html))


#: A line break and the indentation or blank lines after it: how templates lay out their HTML.
_INDENTATION = re.compile(r"\n\s+")
#: Where whitespace shows as written, so must be kept.
_PREFORMATTED = re.compile(r"<(pre|textarea)[\s>]", re.IGNORECASE)


def without_indentation(html: str) -> str:
    """``html`` with each line break's indentation and blank lines dropped.

    A run of whitespace renders as one space, so a line break alone renders the same and a
    page loses about a tenth of its weight. HTML with preformatted text is left as it is.
    """
    if _PREFORMATTED.search(html):
        return html
    return _INDENTATION.sub("\n", html)


def _drop_indentation(response):
    response.content = without_indentation(response.content.decode(response.charset))


def served_without_indentation(response):
    """``response``, a page's, to be sent :func:`without_indentation` once rendered."""
    if hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(_drop_indentation)
    return response
