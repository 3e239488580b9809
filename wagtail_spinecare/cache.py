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
    """Purge ``pages`` and every clinic's page that shows one of them as shared content."""
    pages = [page for page in pages if page is not None and page.live]
    if not pages or not frontend_cache_enabled():
        return
    pages += with_clinic_pages(pages)
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(pages)
    batch.purge()


def with_clinic_pages(pages) -> list:
    """The live clinic pages drawing on any of ``pages`` (shared condition pages)."""
    from .models import ClinicConditionPage

    ids = [page.pk for page in pages]
    return list(ClinicConditionPage.objects.live().filter(shared_page_id__in=ids))


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


def pages_affected_by(instance) -> list:
    """Live pages whose rendering shows ``instance`` (a treatment, a clinic's settings…).

    A shared condition page among them stands for the clinics' pages that show it: see
    :func:`purge_pages`.
    """
    from .models import (
        ClinicConditionPage,
        Clinician,
        ClinicSettings,
        ConditionLibraryPage,
        ConditionPage,
        Guideline,
        GuidelineRecommendation,
        TreatmentComparisonPage,
    )
    from .models.treatments import Treatment

    if isinstance(instance, ClinicSettings):
        root = instance.site.root_page
        return list(root.get_descendants(inclusive=True).live().specific())
    if isinstance(instance, Treatment):
        return pages_referring_to(instance)
    if isinstance(instance, GuidelineRecommendation):
        return pages_referring_to(instance.treatment)
    if isinstance(instance, Guideline):
        treatments = Treatment.objects.filter(recommendations__guideline=instance).distinct()
        return [page for treatment in treatments for page in pages_referring_to(treatment)]
    if isinstance(instance, Clinician):
        # Pages name their reviewer; clinics' pages name their clinicians.
        return [
            *ConditionPage.objects.live().filter(reviewed_by=instance),
            *TreatmentComparisonPage.objects.live().filter(reviewed_by=instance),
            *ClinicConditionPage.objects.live().filter(clinicians=instance),
        ]
    if isinstance(instance, ConditionPage):
        # A shared page: purge_pages adds the clinics' pages that show it.
        return [instance]
    if isinstance(instance, ConditionLibraryPage):
        # Its words and canonical choice show on every clinic page of its shared pages.
        return list(ConditionPage.objects.child_of(instance).live())
    if isinstance(instance, TreatmentComparisonPage):
        # Condition pages list the comparisons that link to them.
        return list(instance.conditions.live())
    return []


def content_changed(sender, instance=None, **kwargs) -> None:
    """A signal receiver: cached copies of whatever shows ``instance`` are now stale."""
    invalidate_pages()
    if instance is not None and frontend_cache_enabled():
        from django.db import transaction

        # After commit, so that the purged pages are fetched again from committed data.
        pages = pages_affected_by(instance)
        transaction.on_commit(lambda: purge_pages(pages))


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


def fragment_cache_timeout() -> int:
    return int(getattr(settings, "WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT", 0) or 0)


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

    if not (page_cache_timeout() or fragment_cache_timeout()):
        return
    _next_generation()
    transaction.on_commit(_next_generation)


def _entry_timeout(timeout=None) -> int:
    """The configured timeout, but never past midnight, when consents expire by date."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    timeout = page_cache_timeout() if timeout is None else timeout
    return max(1, min(timeout, int((midnight - now).total_seconds()) + 1))


def _key(request) -> str:
    """Host (with port) and path: Wagtail picks the site by host, so this is per site.

    The query string is left out: these pages do not read it, and tracking parameters
    (``?utm_source=…``) must not make every visit a miss.
    """
    return f"spinecare:page:{request.get_host().lower()}:{request.path}"


def cacheable(request) -> bool:
    return (
        page_cache_timeout() > 0
        and request.method in ("GET", "HEAD")
        and not getattr(request, "is_preview", False)
        and not getattr(getattr(request, "user", None), "is_authenticated", False)
    )


def _current(key):
    """(value, generation): what ``key`` holds if it was kept in the current generation
    (otherwise None), and that generation, in one round trip to the cache."""
    found = _cache().get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY, 0)
    entry = found.get(key)
    return (entry[1] if entry is not None and entry[0] == generation else None), generation


def _keep(key, generation, value, timeout) -> None:
    _cache().set(key, (generation, value), timeout)


def _lookup(request):
    """(the cached page for ``request`` or None, the current generation)."""
    from django.http import HttpResponse

    value, generation = _current(_key(request))
    if value is None:
        return None, generation
    content, content_type = value
    response = HttpResponse(content, content_type=content_type)
    response["X-Spinecare-Cache"] = "hit"
    return response, generation


def cached_response(request):
    """The cached page for ``request``, or None; an entry from an older generation is stale."""
    return _lookup(request)[0] if cacheable(request) else None


def serve_cached(request, page, render):
    """Serve ``request`` from the page cache, or ``render()`` it and keep the result.

    Pages behind a view restriction (a password, a login) are never kept: the middleware
    serves cached pages before Wagtail checks restrictions.
    """
    if not cacheable(request):
        return render()
    response, generation = _lookup(request)
    if response is not None:
        return response
    response = render()
    if (
        response.status_code == 200
        and hasattr(response, "render")
        and not page.get_view_restrictions().exists()
    ):
        response.render()
        _keep(
            _key(request),
            generation,
            (response.content, response["Content-Type"]),
            _entry_timeout(),
        )
        response["X-Spinecare-Cache"] = "miss"
    return response


# Fragment cache -----------------------------------------------------------------------------
#
# The expensive part of a page (its body, sources, review and structured data), rendered
# once per site and generation: the same rule as the page cache, so just as fresh, but it
# also serves editors and visitors the page cache does not. Switched on by
# WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT (seconds).


def cached_fragment(context, name, render):
    """``render()``, or its HTML from the fragment cache while nothing it shows has changed."""
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language
    from wagtail.models import Site

    request, page = context.get("request"), context.get("page")
    timeout = fragment_cache_timeout()
    if (
        not timeout
        or request is None
        or getattr(page, "pk", None) is None
        or getattr(request, "is_preview", False)
    ):
        return render()
    site = Site.find_for_request(request)
    key = f"spinecare:fragment:{name}:{get_language()}:{getattr(site, 'pk', 0)}:{page.pk}"
    html, generation = _current(key)
    if html is not None:
        return mark_safe(html)  # noqa: S308 - HTML this template rendered
    html = render()
    _keep(key, generation, str(html), _entry_timeout(timeout))
    return html
