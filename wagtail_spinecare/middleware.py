"""Serving cached pages before Django and Wagtail do any work for the request."""

from .cache import cached_response, keep_response


class PageCacheMiddleware:
    """Answer from the page cache without routing, and keep pages with their headers.

    Put it right after ``SecurityMiddleware`` (whose redirect to HTTPS must still run), before
    every other middleware: a cached page is then answered before they run, with the headers
    they added when the page was rendered (X-Frame-Options, a content security policy, ...),
    so it is the same page with the same headers, at a fraction of the cost. A request with a
    session cookie or credentials is left to the page, which knows whether it comes from an
    editor; previews are never cached. A middleware that compresses pages (``GZipMiddleware``)
    goes before it.

    Placed anywhere else it is still right: the middleware above it add their headers to a
    cached page on the way out, as to any other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cached = cached_response(request)
        if cached is not None:
            return cached
        response = self.get_response(request)
        keep_response(request, response)
        return response
