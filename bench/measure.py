"""In-process measurements: SQL queries per request, and render times side by side."""

import math
import statistics
from time import perf_counter

from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


class Broken(Exception):
    """Something is wrong with a page, not merely slow."""


def get(client: Client, target):
    from django.test import override_settings

    timeout = 600 if target.fragment_cache else 0
    with override_settings(WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT=timeout):
        response = client.get(target.path, HTTP_HOST=target.host)
    if response.status_code != 200:
        raise Broken(f"{target.label}: HTTP {response.status_code} for {target.path}")
    if response.has_header("X-Spinecare-Cache"):
        raise Broken(f"{target.label}: served from the page cache, which should be off here")
    return response


def clear_caches() -> None:
    for cache in caches.all():
        cache.clear()


def drop_renditions() -> None:
    from wagtail.images import get_image_model

    get_image_model().get_rendition_model().objects.all().delete()


def _captured(client: Client, target) -> tuple[list[str], float, object]:
    with CaptureQueriesContext(connection) as captured:
        start = perf_counter()
        response = get(client, target)
        elapsed = (perf_counter() - start) * 1000
    # Read now: the captured queries are a view of a log the next request clears.
    return [query["sql"] for query in captured.captured_queries], elapsed, response


def query_counts(client: Client, target) -> dict:
    """Queries for one request: new, with the rendition cache cold, and warm.

    New: no renditions anywhere yet, so every one is made (an image just uploaded).
    Cold: the renditions exist in the database, but Django's caches are empty (after a
    restart, or with the rendition cache evicted). Warm: the same request again.
    """
    drop_renditions()
    clear_caches()
    new, new_ms, _response = _captured(client, target)
    clear_caches()
    cold, cold_ms, _response = _captured(client, target)
    get(client, target)
    warm, _ms, response = _captured(client, target)
    return {
        "queries_new": len(new),
        "queries_cold": len(cold),
        "queries_warm": len(warm),
        "new_ms": round(new_ms, 1),
        "cold_ms": round(cold_ms, 1),
        "html_bytes": len(response.content),
        "cold_sql": cold,
        "warm_sql": warm,
    }


def percentile(values, fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def render_times(client: Client, groups, requests: int, warmup: int) -> dict[str, dict]:
    """Median and p90 milliseconds per page, the pages of each group requested in turn.

    Every round requests each group's pages one after the other, reversing the order every
    other round, so all see the same machine load.
    """
    samples = {target.key: [] for group in groups for target in group}
    for round_ in range(warmup + requests):
        for group in groups:
            for target in group if round_ % 2 == 0 else group[::-1]:
                start = perf_counter()
                get(client, target)
                elapsed = (perf_counter() - start) * 1000
                if round_ >= warmup:
                    samples[target.key].append(elapsed)
    return {
        key: {
            "median_ms": round(statistics.median(values), 2),
            "p90_ms": round(percentile(values, 0.9), 2),
            "requests": len(values),
        }
        for key, values in samples.items()
    }
