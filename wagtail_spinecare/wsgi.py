"""Answering the page cache in front of Django: the fastest cached pages.

Wrap the project's WSGI application (``wsgi.py``)::

    from django.core.wsgi import get_wsgi_application
    from wagtail_spinecare.wsgi import with_page_cache

    application = with_page_cache(get_wsgi_application())

A cached page is then answered before Django handles the request at all: no middleware, no
signals, no routing; one read of the generation. Pages are kept as they leave Django, with
every header Django and its middleware added (security headers, X-Frame-Options, a content
security policy), so a cached page is the same page with the same headers. The rules are
those of ``PageCacheMiddleware`` (see :mod:`wagtail_spinecare.cache`): anonymous GET and
HEAD requests only, never one with a session cookie or credentials, never a preview; a page
that sets a cookie or is compressed is not kept. Without the page cache switched on
(``WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT``) every request goes straight to Django.
"""

from django.db import connections

from .conf import page_cache_timeout


def with_page_cache(application):
    """``application``, answering from the page cache first and keeping what it serves."""
    # Here, not at the top: a project's wsgi.py imports this module before Django is set up,
    # and the cache reads models; get_wsgi_application() has set it up by now.
    from .cache import ENTRY_ENVIRON, cached_page, generation_in_cache, keep_page

    def serve(environ, start_response):
        if not page_cache_timeout():
            return application(environ, start_response)
        try:
            page = cached_page(environ)
        finally:
            if not generation_in_cache():  # the generation was read from the database
                _close_old_connections()
        if page is None:
            return kept(environ, start_response)
        content, headers = page
        start_response("200 OK", list(headers.items()))
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else content]

    def kept(environ, start_response):
        """Django's answer, kept in the page cache if the page said it may be."""
        answer = {}

        def starting(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        result = application(environ, starting)
        if ENTRY_ENVIRON not in environ or getattr(result, "streaming", False):
            return result
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()  # Django's end of the request (request_finished)
        keep_page(environ, answer.get("status", ""), answer.get("headers", []), content)
        return [content]

    return serve


def _close_old_connections() -> None:
    """What Django does at the end of each request it handles: close a database connection
    past ``CONN_MAX_AGE`` or unusable. Not one inside a transaction (a test's)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
