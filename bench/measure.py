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


def render_times(
    client: Client, groups, requests: int, warmup: int, sparse_groups=(), every: int = 1
) -> dict[str, dict]:
    """Median and p90 milliseconds per page, the pages of each group requested in turn.

    Every round requests each group's pages one after the other, reversing the order every
    other round, so all see the same machine load. ``sparse_groups`` are requested in the
    same way, but only in every ``every``-th round: fewer requests, spread over the same time
    as the others, so that their times compare with those measured beside them.
    """
    samples = {target.key: [] for group in (*groups, *sparse_groups) for target in group}
    for round_ in range(warmup + requests):
        due = [(group, round_) for group in groups]
        if round_ % every == 0:
            due += [(group, round_ // every) for group in sparse_groups]
        for group, turn in due:
            for target in group if turn % 2 == 0 else group[::-1]:
                start = perf_counter()
                get(client, target)
                elapsed = (perf_counter() - start) * 1000
                if round_ >= warmup:
                    samples[target.key].append(elapsed)
    return {
        key: {
            "median_ms": round(statistics.median(values), 2) if values else None,
            "p90_ms": round(percentile(values, 0.9), 2) if values else None,
            "requests": len(values),
        }
        for key, values in samples.items()
    }


def word_swap_times(rounds: int) -> dict[str, float]:
    """Median milliseconds of adapting the shared page to each clinic, by the clinic's region.

    What a clinic page drawing on shared content does before rendering, on every request:
    a copy of the shared page, and with other words than the library's, its text and
    StreamField data with the words swapped (``in_clinic_words``). The page is fetched afresh
    each time, outside the timing, as each request does.
    """
    from wagtail_spinecare.models import ClinicConditionPage, ClinicSettings
    from wagtail_spinecare.models.library import in_clinic_words, library_of

    from . import pages

    times = {}
    for host, region in pages.CLINIC_REGIONS.items():
        clinic = ClinicSettings.objects.get(site__hostname=host)
        clinic_page = ClinicConditionPage.objects.descendant_of(clinic.site.root_page).get(
            slug=pages.SHARED_SLUG
        )
        library = library_of(clinic_page.shared_page)
        samples = []
        for _ in range(rounds):
            shared = type(clinic_page.shared_page).objects.get(pk=clinic_page.shared_page_id)
            start = perf_counter()
            in_clinic_words(shared, library, clinic)
            samples.append((perf_counter() - start) * 1000)
        times[region] = round(statistics.median(samples), 3)
    return times
