"""Purging cached copies of pages when what they show changes.

The frontend cache (``wagtail.contrib.frontend_cache``) is purged only when that app is
installed and configured; otherwise there is nothing to purge and nothing fails.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.crypto import constant_time_compare, salted_hmac
from wagtail.models import Page, ReferenceIndex, Site

from . import conf
from .conf import fragment_cache_timeout, page_cache_timeout


def frontend_cache_enabled() -> bool:
    """Whether the project has Wagtail's frontend cache app installed and configured."""
    return apps.is_installed("wagtail.contrib.frontend_cache") and bool(
        getattr(settings, "WAGTAILFRONTENDCACHE", None)
    )


def purge_pages(pages, urls=()) -> None:
    """Purge ``pages`` and every clinic's page that shows one of them as shared content
    (also when the shared page itself has just been unpublished), and ``urls``."""
    pages = [page for page in pages if page is not None]
    if not (pages or urls) or not frontend_cache_enabled():
        return
    pages = [page for page in pages + with_clinic_pages(pages) if page.live]
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(pages)
    batch.add_urls(urls)
    batch.purge()


def with_clinic_pages(pages) -> list:
    """The live clinic pages drawing on any of ``pages`` (shared condition pages)."""
    from .models import ClinicConditionPage

    ids = [page.pk for page in pages]
    if not ids:
        return []
    return list(ClinicConditionPage.objects.live().filter(shared_page_id__in=ids))


def pages_referring_to(obj):
    """Live pages whose content refers to ``obj`` (Wagtail's reference index)."""
    page_ids = {
        int(reference.object_id)
        for reference in ReferenceIndex.get_references_to(obj).filter(
            base_content_type=ContentType.objects.get_for_model(Page)
        )
    }
    return list(Page.objects.filter(pk__in=page_ids).live().specific())


def purge_pages_showing(testimonial) -> None:
    """Purge the pages that chose ``testimonial``, and its condition's page, whose latest
    stories may show it."""
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
        purge_on_commit(pages_affected_by(instance))


def purge_on_commit(pages, urls=()) -> None:
    """Purge after commit, so that the purged pages are fetched again from committed data."""
    from django.db import transaction

    transaction.on_commit(lambda: purge_pages(pages, urls))


# Pages that stop being public --------------------------------------------------------------
#
# A view restriction (login, password, groups), a move under a restricted section or a
# change of a site's address must not leave a public copy of a page in any cache. The page
# and fragment caches are made stale at once; the frontend cache is purged at the addresses
# the pages had.


def restriction_changed(sender, instance, **kwargs) -> None:
    """A signal receiver for ``PageViewRestriction``: its page, the pages below it and the
    clinics' pages drawing on any of them are no longer (or newly) public."""
    invalidate_pages()
    if frontend_cache_enabled():
        page = Page.objects.filter(pk=instance.page_id).first()
        if page is not None:
            purge_on_commit(list(page.get_descendants(inclusive=True).specific()))


def page_moved(sender, instance, url_path_before="", url_path_after="", **kwargs) -> None:
    """A signal receiver for ``post_page_move``: the page and those below it answer at new
    addresses, perhaps inside a restricted section; their old addresses are purged too."""
    invalidate_pages()
    if not frontend_cache_enabled():
        return
    pages = list(instance.get_descendants(inclusive=True).specific())
    old_paths = [
        url_path_before + page.url_path[len(url_path_after) :]
        for page in pages
        if url_path_before and page.url_path.startswith(url_path_after)
    ]
    purge_on_commit(pages, urls_of(old_paths))


def urls_of(url_paths, roots=None) -> list[str]:
    """Full URLs of the pages at ``url_paths`` on every site whose root holds them.

    ``roots`` are (root page path, root URL) pairs; by default every site's.
    """
    if roots is None:
        roots = [(root[1], root[2]) for root in Site.get_site_root_paths()]
    return [
        f"{root_url.rstrip('/')}/{url_path[len(root_path) :]}"
        for url_path in url_paths
        for root_path, root_url in roots
        if url_path.startswith(root_path)
    ]


def site_saving(sender, instance, **kwargs) -> None:
    """Remember where a site answered before it is saved or deleted (see
    :func:`site_changed`); only a frontend cache needs to know."""
    if not frontend_cache_enabled():
        return
    old = Site.objects.filter(pk=instance.pk).select_related("root_page").first()
    instance._spinecare_before = (old.root_page.url_path, old.root_url) if old else None


def site_changed(sender, instance, **kwargs) -> None:
    """A site's address or root page changed: cached pages are keyed by host name, so
    whichever site answers at the old address next must not find them."""
    invalidate_pages()
    before = getattr(instance, "_spinecare_before", None)
    if before and (instance.root_page.url_path, instance.root_url) != before:
        _purge_old_addresses(before)


def site_deleted(sender, instance, **kwargs) -> None:
    """A signal receiver for a deleted site: no cached page of it may be served again."""
    invalidate_pages()
    before = getattr(instance, "_spinecare_before", None)
    if before:
        _purge_old_addresses(before)


def _purge_old_addresses(before) -> None:
    """Purge the live pages under a site's old root page at the site's old root URL."""
    if not frontend_cache_enabled():
        return
    root_path, _root_url = before
    paths = Page.objects.filter(url_path__startswith=root_path).live()
    purge_on_commit([], urls_of(list(paths.values_list("url_path", flat=True)), [before]))


# Page cache ---------------------------------------------------------------------------------
#
# Whole rendered pages, for anonymous visitors, in Django's cache framework. Switched on by
# WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT (seconds). Every entry carries the generation it was
# made in; anything that could change what a page shows (publishing, clinic settings,
# treatments, consent) moves the generation on, so no entry is ever served stale, however
# many pages showed what changed.

GENERATION_KEY = "spinecare:generation"


def _cache():
    from django.core.cache import caches

    return caches[conf.page_cache_alias()]


def _next_generation() -> None:
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


#: While a change is on its way to the database, no entry is served or kept (see
#: :func:`invalidate_pages`); a change whose transaction is rolled back holds them off for
#: at most this many seconds.
PENDING_KEY = "spinecare:pending"
PENDING_TIMEOUT = 60


def _pending(step: int) -> None:
    cache = _cache()
    cache.add(PENDING_KEY, 0, PENDING_TIMEOUT)
    try:
        if cache.incr(PENDING_KEY, step) < 0:
            cache.set(PENDING_KEY, 0, PENDING_TIMEOUT)
    except ValueError:
        cache.set(PENDING_KEY, max(step, 0), PENDING_TIMEOUT)


def _committed() -> None:
    _next_generation()
    _pending(-1)


def invalidate_pages(*args, **kwargs) -> None:
    """Make every cached page stale at once (a signal receiver, hence the arguments).

    Once now, and once more when the transaction commits. In between, caches are passed by:
    a page rendered then, from data not yet committed, would otherwise be served to a
    request that starts after the commit but before the cache hears of it.
    """
    from django.db import transaction

    if not (page_cache_timeout() or fragment_cache_timeout()):
        return
    _next_generation()
    _pending(1)
    transaction.on_commit(_committed)


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
    """Whether the page cache may answer ``request``: it is on, and this is an anonymous
    visitor's GET or HEAD, not a preview."""
    return (
        page_cache_timeout() > 0
        and request.method in ("GET", "HEAD")
        and not getattr(request, "is_preview", False)
        and not getattr(getattr(request, "user", None), "is_authenticated", False)
    )


def _signature(key, generation, value) -> str:
    """Entries are signed with the project's secret key: a cache shared with other software
    (or written to by anyone who can reach it) cannot make the site serve HTML it did not
    render, as a page or as a fragment marked safe."""
    return salted_hmac(
        "wagtail_spinecare.cache", f"{key}|{generation}|{value!r}", algorithm="sha256"
    ).hexdigest()


def _current(key):
    """(value, generation): what ``key`` holds if it was kept in the current generation
    and is signed (otherwise None), and that generation, in one round trip to the cache.

    While a change is pending, (None, None): nothing is served, and nothing kept.
    """
    found = _cache().get_many([key, GENERATION_KEY, PENDING_KEY])
    if found.get(PENDING_KEY, 0) > 0:
        return None, None
    generation = found.get(GENERATION_KEY, 0)
    entry = found.get(key)
    try:
        kept_in, value, signature = entry
    except (TypeError, ValueError):
        return None, generation
    if kept_in != generation or not constant_time_compare(
        signature, _signature(key, kept_in, value)
    ):
        return None, generation
    return value, generation


def _keep(key, generation, value, timeout) -> None:
    if generation is not None:
        _cache().set(key, (generation, value, _signature(key, generation, value)), timeout)


def cache_header(response, state: str) -> None:
    """Say whether a page came from the cache, only where the project asked for it
    (``WAGTAIL_SPINECARE_CACHE_HEADER``): otherwise visitors could learn what is cached."""
    if conf.cache_header():
        response["X-Spinecare-Cache"] = state


def _lookup(request):
    """(the cached page for ``request`` or None, the current generation)."""
    from django.http import HttpResponse

    value, generation = _current(_key(request))
    if value is None:
        return None, generation
    content, content_type = value
    response = HttpResponse(content, content_type=content_type)
    cache_header(response, "hit")
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
        cache_header(response, "miss")
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
        # Safe: HTML this template rendered, kept signed (see _signature).
        return mark_safe(html)  # noqa: S308 # nosec B308, B703
    html = render()
    _keep(key, generation, str(html), _entry_timeout(timeout))
    return html
