"""The ceiling of cached throughput: a bare WSGI callable answering every request with the
same page (``BENCH_CEILING_BODY``, a file), as fast as gunicorn can serve it."""

import os
from pathlib import Path

BODY = Path(os.environ["BENCH_CEILING_BODY"]).read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
