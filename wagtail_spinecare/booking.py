"""Booking links: the URL a 'Book' button points to, with campaign tracking added."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def add_tracking(url: str, **utm: str) -> str:
    """Add ``utm_<name>`` parameters to ``url``.

    Parameters already in the URL win: an editor who pasted a link with its own
    ``utm_campaign`` meant it.
    """
    if not url:
        return ""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    for name, value in utm.items():
        key = f"utm_{name}"
        if value and key not in present:
            query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def tel_href(phone: str) -> str:
    """A ``tel:`` URL for a number as people write it.

    '+44 (0)117 496 0123' becomes 'tel:+441174960123'.
    """
    number = re.sub(r"\(0\)", "", phone or "")
    digits = re.sub(r"[^\d+]", "", number)
    if not re.search(r"\d", digits):
        return ""
    return f"tel:{digits[0]}{digits[1:].replace('+', '')}"
