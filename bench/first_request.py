"""The very first request after a restart: django.setup() and one GET, in a fresh process.

Run as ``python -m bench.first_request HOST PATH`` with the benchmark's environment; prints
the timings as JSON.
"""

import json
import os
import sys
from time import perf_counter


def main(host: str, path: str) -> dict:
    start = perf_counter()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    ready = perf_counter()
    from django.test import Client

    response = Client().get(path, HTTP_HOST=host)
    done = perf_counter()
    return {
        "status": response.status_code,
        "setup_ms": round((ready - start) * 1000, 1),
        "first_get_ms": round((done - ready) * 1000, 1),
        "total_ms": round((done - start) * 1000, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3])))
