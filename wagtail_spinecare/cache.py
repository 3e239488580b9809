"""Purging cached copies of pages when what they show changes.

The frontend cache (``wagtail.contrib.frontend_cache``) is purged only when that app is
installed and configured; otherwise there is nothing to purge and nothing fails.
"""

from django.apps import apps
from django.conf import settings
from wagtail.models import Page, ReferenceIndex


def frontend_cache_enabled() -> bool:
    return apps.is_installed("wagtail.contrib.frontend_cache") and bool(
        getattr(settings, "WAGTAILFRONTENDCACHE", None)
    )


def purge_pages(pages) -> None:
    pages = [page for page in pages if page is not None and page.live]
    if not pages or not frontend_cache_enabled():
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(pages)
    batch.purge()


def pages_referring_to(obj):
    """Live pages whose content refers to ``obj`` (Wagtail's reference index)."""
    page_ids = {
        int(reference.object_id)
        for reference in ReferenceIndex.get_references_to(obj).filter(
            base_content_type=ReferenceIndex._get_base_content_type(Page)
        )
    }
    return list(Page.objects.filter(pk__in=page_ids).live().specific())


def purge_pages_showing(testimonial) -> None:
    pages = pages_referring_to(testimonial)
    if testimonial.condition_page_id:
        pages.append(testimonial.condition_page)
    purge_pages(pages)


# Page cache ---------------------------------------------------------------------------------
#
# Whole rendered pages, for anonymous visitors, in Django's cache framework. Switched on by
# WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT (seconds). Every entry carries the generation it was
# made in; anything that could change what a page shows (publishing, clinic settings,
# treatments, consent) moves the generation on, so no entry is ever served stale, however
# many pages showed what changed.

GENERATION_KEY = "spinecare:generation"


def page_cache_timeout() -> int:
    return int(getattr(settings, "WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT", 0) or 0)


def _cache():
    from django.core.cache import caches

    return caches[getattr(settings, "WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS", "default")]


def _next_generation() -> None:
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def invalidate_pages(*args, **kwargs) -> None:
    """Make every cached page stale at once (a signal receiver, hence the arguments).

    Once now, and once more when the transaction commits: a page rendered in between, from
    data not yet committed, must not outlive the change.
    """
    from django.db import transaction

    if not page_cache_timeout():
        return
    _next_generation()
    transaction.on_commit(_next_generation)


def _entry_timeout() -> int:
    """The configured timeout, but never past midnight, when consents expire by date."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, min(page_cache_timeout(), int((midnight - now).total_seconds()) + 1))


def _key(request, site_id) -> str:
    return f"spinecare:page:{site_id}:{request.path}"


def cacheable(request) -> bool:
    return (
        page_cache_timeout() > 0
        and request.method in ("GET", "HEAD")
        and not getattr(request, "is_preview", False)
        and not getattr(getattr(request, "user", None), "is_authenticated", False)
    )


def serve_cached(request, site_id, render):
    """Serve ``request`` from the page cache, or ``render()`` it and keep the result."""
    from django.http import HttpResponse

    if not cacheable(request):
        return render()
    cache, key = _cache(), _key(request, site_id)
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY, 0)
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        response = HttpResponse(entry[1], content_type=entry[2])
        response["X-Spinecare-Cache"] = "hit"
        return response
    response = render()
    if response.status_code == 200 and hasattr(response, "render"):
        response.render()
        cache.set(key, (generation, response.content, response["Content-Type"]), _entry_timeout())
        response["X-Spinecare-Cache"] = "miss"
    return response
