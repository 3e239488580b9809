"""The clinic's brand colour as a stylesheet of its own.

Pages link a small per-site stylesheet (see ``views.brand_stylesheet``) rather than carrying
an inline ``<style>``, so a site can send a Content-Security-Policy without
``'unsafe-inline'`` for styles. A nonce would not do: whole pages are kept in the page cache
and served to every visitor. The link carries a version, a short hash of the stylesheet, so
browsers may keep it for a year and still see a new colour at once.

A project that has not included ``wagtail_spinecare.urls`` still gets the colour, as an
inline style; the system check ``wagtail_spinecare.W001`` says how to do without it.
"""

import hashlib

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

URL_NAME = "wagtail_spinecare:brand_stylesheet"
#: Everything the package draws in the brand colour, whichever base template holds it.
SELECTOR = ".sc-page, .sc-site-header, .sc-site-footer, .sc-action-bar"
#: Long enough that no two colours a group of clinics picks share a version.
VERSION_LENGTH = 10


def css(colour: str) -> str:
    """The stylesheet for ``colour``, a clinic's ``brand_colour_css`` (so always a safe value)."""
    return f"{SELECTOR} {{ --sc-brand: {colour}; }}\n"


def version(colour: str) -> str:
    """Changes whenever the stylesheet does: with the colour, or with what ``css`` writes."""
    return hashlib.sha256(css(colour).encode()).hexdigest()[:VERSION_LENGTH]


def stylesheet_url(site_id: int, colour: str) -> str | None:
    """The versioned address of a site's stylesheet; None when the project's URLconf does not
    include ``wagtail_spinecare.urls``."""
    try:
        path = reverse(URL_NAME, kwargs={"site_id": site_id})
    except NoReverseMatch:
        return None
    return f"{path}?v={version(colour)}"


def stylesheet_tag(clinic) -> str:
    """The HTML that gives a page ``clinic``'s brand colour.

    Settings of no site (unsaved defaults) need nothing: the package's stylesheet already
    declares the default colour.
    """
    if not clinic.site_id:
        return ""
    colour = clinic.brand_colour_css
    url = stylesheet_url(clinic.site_id, colour)
    if url is None:
        return format_html("<style>{}</style>", css(colour))
    return format_html('<link rel="stylesheet" href="{}">', url)
