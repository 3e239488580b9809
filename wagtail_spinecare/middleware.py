"""Serving cached pages before Wagtail routes the request."""

from .cache import cached_response


class PageCacheMiddleware:
    """Answer from the page cache without touching the database.

    Optional: without it, cached pages are still served, but only after Wagtail has found
    the site and routed the request (about six queries). Put it last in ``MIDDLEWARE``: it
    needs ``AuthenticationMiddleware`` before it (editors are never served from the cache),
    and every other middleware still adds its headers (X-Frame-Options, security headers)
    to the cached page on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return cached_response(request) or self.get_response(request)
