"""A marker on every response the view stack rendered, to tell it from a cached copy."""

import itertools
import os

HEADER = "X-Bench-Render"
_renders = itertools.count(1)


class RenderStampMiddleware:
    """Stamps a response with this process and a counter, unless it already has a stamp.

    A copy replayed from a cache keeps the stamp it was stored with, so the same stamp seen
    twice means the second response came from a cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = f"{os.getpid()}-{next(_renders)}"
        return response
