"""Page URLs worked out from the request's site.

Wagtail builds a page URL from the root paths of every site, a query whenever Django's cache
is empty. A page of the site being served needs only that site, which routing has already
loaded. Anything else (another site's page, a page type with its own URL scheme, a project
with Wagtail's i18n on) goes through Wagtail.
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from wagtail.coreutils import WAGTAIL_APPEND_SLASH
from wagtail.models import Page, Site


def _same_site_path(page, request) -> str | None:
    if request is None or getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    if type(page).get_url_parts is not Page.get_url_parts:
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    root_path = site.root_page.url_path
    if not page.url_path.startswith(root_path):
        return None
    try:
        path = reverse("wagtail_serve", args=(page.url_path[len(root_path) :],))
    except NoReverseMatch:
        return None
    if not WAGTAIL_APPEND_SLASH and path != "/":
        path = path.rstrip("/")
    return path


def page_url(page, request) -> str | None:
    """As ``page.get_url(request)``: relative on the request's own site."""
    path = _same_site_path(page, request)
    return path if path is not None else page.get_url(request)


def full_page_url(page, request) -> str | None:
    """As ``page.get_full_url(request)``."""
    path = _same_site_path(page, request)
    if path is None:
        return page.get_full_url(request)
    return Site.find_for_request(request).root_url + path
