"""Plain text from editors' rich text, for the content checks and the structured data."""

import re
from html import unescape


def plain_text(html: str) -> str:
    """Rich text as plain text, one line per paragraph, heading or list item."""
    html = re.sub(r"</(p|h\d|li|blockquote)>|<br\s*/?>", "\n", html, flags=re.IGNORECASE)
    return unescape(re.sub(r"<[^>]+>", "", html))
