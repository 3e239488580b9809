"""The page cache and the fragment cache, with the one rule that keeps both fresh.

Entries carry the generation they were made in; anything that could change what a page
shows moves the generation on (:func:`invalidate_pages`). The generation lives where every
process reads it: in the cache when it is one every process shares (Redis, Memcached, the
database cache), otherwise in the database (``CacheGeneration``), read once a request,
usually within the clinic settings' query. What goes stale when, and the frontend cache, are
:mod:`wagtail_spinecare.invalidation`'s concern.

A cache that fails (unreachable, or holding something that cannot be read) never fails a
page: the page is rendered as if the cache were off, and the logger ``wagtail_spinecare.cache``
warns once per process for each kind of failure.
"""

import logging
import pickle
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Page, Site

from . import compat, conf
from .conf import fragment_cache_timeout, page_cache_timeout

# Page cache ---------------------------------------------------------------------------------
#
# Whole rendered pages, for anonymous visitors, in Django's cache framework. Switched on by
# WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT (seconds). Every entry carries the generation it was
# made in; anything that could change what a page shows (publishing, clinic settings,
# treatments, consent) moves the generation on, so no entry is ever served stale, however
# many pages showed what changed.

GENERATION_KEY = "spinecare:generation"

logger = logging.getLogger(__name__)

#: The kinds of failure (exception types) this process has warned of: an unreachable cache
#: fails every request, and one warning says so.
_warned: set = set()

#: Set while this process owes the cache a change of generation it could not make (the cache
#: was unreachable when something changed, or its generation could not be read). Until the
#: change is made, this process serves nothing from the cache and keeps nothing in it: an
#: entry made before a consent was withdrawn must not be served after it.
_stale_unconfirmed = threading.Event()

#: After the cache fails, this process leaves it alone for this many seconds (a change is
#: still made stale at once, or owed): an unreachable cache, which may take its whole
#: connection timeout to fail, then costs one request in that time, not every request.
RETRY_AFTER = 5
_resting_until = 0.0


#: This thread's cache, as (the settings it was found from, the cache, whether it holds the
#: generation, how to read the counters directly or None): found through Django's cache
#: handler on every call, the cache was a tenth of a hit's cost. Found again once settings
#: change (tests).
_thread = threading.local()


def _this_threads() -> tuple:
    found = getattr(_thread, "cache", None)
    if found is None or found[0] is not conf.settings_read():
        cache = caches[conf.page_cache_alias()]
        reader = compat.counter_reader(cache, COUNTERS)
        found = _thread.cache = (conf.settings_read(), cache, _is_shared(cache), reader)
    return found


def _cache():
    return _this_threads()[1]


#: Caches every process and server reads alike: only these can hold the generation. Any
#: other (local memory, files on one server) keeps the entries, but the generation is read
#: from the database.
SHARED_BACKENDS = (RedisCache, BaseMemcachedCache, DatabaseCache)


def _is_shared(cache) -> bool:
    return isinstance(cache, SHARED_BACKENDS) or type(cache).__module__.startswith("django_redis.")


def generation_in_cache() -> bool:
    """Whether the cache holds the generation (it is shared), rather than the database."""
    return _this_threads()[2]


def _model(name):
    # By name: the models import this module.
    return apps.get_model("wagtail_spinecare", name)


#: Where a request keeps the generation it read first: everything it renders afterwards was
#: read after it, so may be kept under it.
REQUEST_ATTRIBUTE = "_spinecare_generation"


def _database_generation(request, alone: bool) -> int:
    generation = getattr(request, REQUEST_ATTRIBUTE, None)
    if generation is None:
        generation = _read_generation(request, alone)
        if request is not None:
            setattr(request, REQUEST_ATTRIBUTE, generation)
    return generation


def _read_generation(request, alone: bool) -> int:
    """The generation; unless ``alone`` (the middleware, before routing, answering from
    the cache with one query), read with the site's clinic settings, which every page
    shows: one query for both (see ``ClinicSettings.base_queryset``)."""
    if not alone and request is not None and Site.find_for_request(request) is not None:
        clinic = _model("ClinicSettings").for_request(request)
        if hasattr(clinic, "spinecare_generation"):  # not when the row was just made
            return clinic.spinecare_generation or 0
    return _model("CacheGeneration").current()


def _warn_once(doing: str, error: Exception) -> None:
    if type(error) not in _warned:
        _warned.add(type(error))
        logger.warning(
            "The page and fragment caches could not %s (%s: %s); pages are rendered "
            "without them meanwhile. Further failures of this kind are not logged.",
            doing,
            type(error).__name__,
            error,
        )


def _failed(doing: str, error: Exception) -> None:
    """The cache failed: nothing is served from it until this process has made every entry
    stale (see :func:`_make_stale`)."""
    _warn_once(doing, error)
    _stale_unconfirmed.set()


def _rest() -> None:
    """Leave the cache alone for :data:`RETRY_AFTER` seconds."""
    global _resting_until
    _resting_until = time.monotonic() + RETRY_AFTER


def _unreachable(doing: str, error: Exception) -> None:
    _failed(doing, error)
    _rest()


def _resting() -> bool:
    return time.monotonic() < _resting_until


def _next_generation() -> None:
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except Exception:
        # Gone (the cache was emptied or restarted), unreachable (then this fails too), or
        # holding something that is not a number: a generation no entry can have been kept
        # in, here or in any process's near copies. Counting up from it, the clock overtakes.
        cache.set(GENERATION_KEY, time.time_ns(), None)


def _start_generation(found: dict) -> bool:
    """The cache was emptied (or is new): start from a generation never used, as
    :func:`_next_generation` does, into ``found``; False if another process just did."""
    generation = time.time_ns()
    try:
        if not _cache().add(GENERATION_KEY, generation, None):
            return False
    except Exception as error:
        _unreachable("start a generation", error)
        return False
    found[GENERATION_KEY] = generation
    return True


def _make_stale() -> bool:
    """Move the generation on; False, and owed by this process, if the cache failed."""
    try:
        _next_generation()
    except Exception as error:
        _unreachable("make cached pages stale", error)
        return False
    _stale_unconfirmed.clear()
    return True


#: While a change is on its way to the database, no entry is served or kept (see
#: :func:`invalidate_pages`); a change whose transaction is rolled back holds them off for
#: at most this many seconds.
PENDING_KEY = "spinecare:pending"
PENDING_TIMEOUT = 60
#: What every hit reads of the shared cache.
COUNTERS = (GENERATION_KEY, PENDING_KEY)


def _pending(step: int) -> None:
    cache = _cache()
    try:
        cache.add(PENDING_KEY, 0, PENDING_TIMEOUT)
        try:
            if cache.incr(PENDING_KEY, step) < 0:
                cache.set(PENDING_KEY, 0, PENDING_TIMEOUT)
        except Exception:
            # Gone, or not a number: unreachable caches fail here too.
            cache.set(PENDING_KEY, max(step, 0), PENDING_TIMEOUT)
    except Exception as error:
        _unreachable("mark a change as pending", error)


def _committed() -> None:
    _make_stale()
    _pending(-1)


def _generation_used() -> bool:
    """Whether anything reads the generation: the page or fragment cache, or the check that
    keeps a frontend cache from holding a page rendered during a change."""
    return bool(page_cache_timeout() or fragment_cache_timeout() or conf.frontend_cache_enabled())


def invalidate_pages(*args, **kwargs) -> None:
    """Make every cached page stale at once (a signal receiver, hence the arguments).

    In the database, the generation moves on in the change's own transaction, so other
    processes see both at once. In a shared cache: once now, and once more when the
    transaction commits; in between, caches are passed by: a page rendered then, from data
    not yet committed, would otherwise be served to a request that starts after the commit
    but before the cache hears of it.
    """
    if not _generation_used():
        return
    if not generation_in_cache():
        _model("CacheGeneration").move_on()
        return
    _make_stale()
    _pending(1)
    transaction.on_commit(_committed)


def _entry_timeout(timeout=None) -> int:
    """The configured timeout, but never past midnight, when consents expire by date."""
    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    timeout = page_cache_timeout() if timeout is None else timeout
    return max(1, min(timeout, int((midnight - now).total_seconds()) + 1))


def _key(request) -> str:
    """Host (with port) and path: Wagtail picks the site by host, so this is per site.

    The query string is left out: these pages do not read it, and tracking parameters
    (``?utm_source=…``) must not make every visit a miss. Pages kept in front of Django
    (see :func:`cached_page`) have keys of their own: they carry the headers of every
    middleware, and one kept by ``PageCacheMiddleware`` lacks those of the middleware above
    it, so must never be answered in front.
    """
    kind = "front" if request.META.get(KEPT_IN_FRONT) else "page"
    return f"spinecare:{kind}:{request.get_host().lower()}:{request.path}"


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
    # Pickled rather than repr(): a page is tens of kilobytes, signed on every hit.
    message = pickle.dumps((key, generation, value), protocol=pickle.HIGHEST_PROTOCOL)
    return salted_hmac("wagtail_spinecare.cache", message, algorithm="sha256").hexdigest()


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _counters() -> dict:
    """The generation and the pending count, as ``get_many`` gives them."""
    _settings, cache, _shared, reader = _this_threads()
    if reader is None:
        return cache.get_many(COUNTERS)
    return {key: value for key, value in zip(COUNTERS, reader(), strict=True) if value is not None}


def _read(key):
    """What the cache holds at ``key`` (if any) and the generation and pending keys, or None
    if the cache failed. An entry that cannot be unpickled reads as missing, so it is
    replaced."""
    read_error = None
    if key:
        try:
            return _cache().get_many([key, *COUNTERS])
        except Exception as error:
            read_error = error
    try:
        found = _counters()
    except Exception as error:
        _unreachable("be read", error)
        return None
    if read_error is not None and all(map(_is_count, found.values())):
        # Otherwise it was the generation that could not be read: the caller says so.
        _warn_once("read a cached entry", read_error)
    return found


#: The generation of a request that began while it could not be known: nothing it renders
#: is kept.
_UNKNOWN = object()


# Near copies ----------------------------------------------------------------------------
#
# With a shared cache, each process also keeps the entries it used last in its own memory,
# with the generation they were kept in. A hit then reads only the generation from the
# shared cache (a few bytes, not the page), and needs no signature check: this process
# checked the entry when it took it. At most NEAR_BYTES of pages and fragments, the least
# recently used dropped first.

NEAR_BYTES = 16 * 1024 * 1024
_near: OrderedDict = OrderedDict()
_near_size = 0
_near_lock = threading.Lock()


def _size(value) -> int:
    content = value[0] if isinstance(value, tuple) else value
    return len(content) if isinstance(content, bytes | str) else 0


def _near_get(key):
    """(generation, value) this process keeps for ``key``, or None."""
    with _near_lock:
        found = _near.get(key)
        if found is not None:
            _near.move_to_end(key)
        return found


def _near_put(key, generation, value) -> None:
    global _near_size
    size = _size(value)
    with _near_lock:
        old = _near.pop(key, None)
        if old is not None:
            _near_size -= _size(old[1])
        if size > NEAR_BYTES:
            return
        _near[key] = (generation, value)
        _near_size += size
        while _near_size > NEAR_BYTES:
            _key_dropped, (_generation, dropped) = _near.popitem(last=False)
            _near_size -= _size(dropped)


def _near_clear() -> None:
    global _near_size
    with _near_lock:
        _near.clear()
        _near_size = 0


def begin(request) -> None:
    """Note the generation as a page starts being served, before it reads anything: what the
    request renders is kept under that generation, and only if it is still current then. A
    change committed meanwhile may have come too late for something the page read."""
    if (
        request is not None
        and getattr(request, REQUEST_ATTRIBUTE, None) is None
        and _generation_used()
    ):
        _current(None, request)


def _current(key, request, alone=False):
    """(value, generation): what ``key`` holds if it was kept in the current generation
    and is signed (otherwise None), and the generation to keep a new entry under, None when
    nothing may be kept: the generation moved on since the request began (see :func:`begin`),
    a change is pending, or the generation cannot be known (the cache failed, or this process
    could not make it stale).
    """
    value, generation = _looked_up(key, request, alone)
    if request is None:
        return value, generation
    began = getattr(request, REQUEST_ATTRIBUTE, None)
    if began is None:
        began = _UNKNOWN if generation is None else generation
        setattr(request, REQUEST_ATTRIBUTE, began)
    return value, (generation if generation == began else None)


def _looked_up(key, request, alone):
    """(value, current generation), as :func:`_current` says, without the request's."""
    if _resting():
        return None, None
    if not generation_in_cache():
        generation = _database_generation(request, alone)
        if key is None:
            return None, generation
        try:
            entry = _cache().get(key)
        except Exception as error:
            # Unreadable, or unreachable: either way missing; keeping an entry tells which.
            _warn_once("read a cached entry", error)
            entry = None
        return _verified(key, entry, generation), generation
    if _stale_unconfirmed.is_set() and not _make_stale():
        return None, None
    near = _near_get(key) if key else None
    found = _read(None if near else key)
    if found is None:
        return None, None
    if GENERATION_KEY not in found and not _start_generation(found):
        return None, None
    pending, generation = found.get(PENDING_KEY, 0), found[GENERATION_KEY]
    if not (_is_count(pending) and _is_count(generation)):
        # Not written by this package: made stale (next time), and held off for a minute.
        _failed("read the generation", TypeError(f"{generation!r}, {pending!r}"))
        _pending(1)
        return None, None
    if pending > 0:
        return None, None
    if not key:
        return None, generation
    if near and near[0] == generation:
        return near[1], generation
    if near:  # kept in an older generation here; another process may have a newer one
        found = _read(key) or {}
    value = _verified(key, found.get(key), generation)
    if value is not None:
        _near_put(key, generation, value)
    return value, generation


def _verified(key, entry, generation):
    """The value of ``entry`` if it was kept in ``generation`` and is signed, else None."""
    try:
        kept_in, value, signature = entry
    except (TypeError, ValueError):
        return None
    if kept_in != generation or not constant_time_compare(
        signature, _signature(key, kept_in, value)
    ):
        return None
    return value


def _keep(key, generation, value, timeout) -> None:
    if generation is None:
        return
    if generation_in_cache():
        _near_put(key, generation, value)
    try:
        _cache().set(key, (generation, value, _signature(key, generation, value)), timeout)
    except Exception as error:
        _warn_once("keep an entry", error)
        _rest()


def cache_header(response, state: str) -> None:
    """Say whether a page came from the cache, only where the project asked for it
    (``WAGTAIL_SPINECARE_CACHE_HEADER``): otherwise visitors could learn what is cached."""
    if conf.cache_header():
        response["X-Spinecare-Cache"] = state


def _cached_page(request, alone=False):
    """((content, headers) of the cached page for ``request`` or None, the generation)."""
    return _page_at(_key(request), request, alone)


def _page_at(key, request, alone):
    """As :func:`_cached_page`, for the page kept at ``key``."""
    value, generation = _current(key, request, alone)
    try:
        content, headers = value
        headers = dict(headers)
    except (TypeError, ValueError):
        return None, generation
    if not (isinstance(content, bytes) and all(isinstance(v, str) for v in headers.values())):
        # A page kept in another shape (by an older version): rendered anew.
        return None, generation
    if conf.cache_header():
        headers["X-Spinecare-Cache"] = "hit"
    return (content, headers), generation


def _lookup(request, alone=False):
    """(the cached page for ``request`` as a response or None, the current generation)."""
    page, generation = _cached_page(request, alone)
    if page is None:
        return None, generation
    content, headers = page
    response = HttpResponse(content)
    for name, header in headers.items():
        response[name] = header
    return response, generation


#: Set on a request by ``PageCacheMiddleware``, which keeps the page as it leaves, with the
#: headers the middleware inside it added.
KEPT_BY_MIDDLEWARE = "_spinecare_kept_by_middleware"
#: Set on a response that may be kept: (key, generation, timeout).
ENTRY = "_spinecare_entry"


def _anonymous(request) -> bool:
    """Whether the page cache may answer ``request`` before the session and authentication
    middleware: a request with a session cookie or credentials may be an editor's, and is
    left to the page, which knows."""
    return (
        cacheable(request)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def cached_response(request):
    """The cached page for ``request``, or None; an entry from an older generation is stale.
    For ``PageCacheMiddleware``."""
    setattr(request, KEPT_BY_MIDDLEWARE, True)
    return _lookup(request, alone=True)[0] if _anonymous(request) else None


#: The WSGI environ keys of :func:`cached_page`'s callers: set when the page cache is
#: answered in front of Django, which then keeps pages as they leave Django; and the entry
#: the page said may be kept, (key, generation, timeout).
KEPT_IN_FRONT = "wagtail_spinecare.kept_in_front"
ENTRY_ENVIRON = "wagtail_spinecare.entry"


def cached_page(environ):
    """(content, headers) of the cached page for the request in the WSGI ``environ``, or
    None. For ``wagtail_spinecare.wsgi``, which answers before Django, and then keeps the
    page. The rules are :func:`_anonymous`'s, read off the environ: a request Django would
    make of it costs a hit more than the rest together."""
    environ[KEPT_IN_FRONT] = True
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ:
        return None
    if "HTTP_COOKIE" in environ and settings.SESSION_COOKIE_NAME in parse_cookie(
        environ["HTTP_COOKIE"]
    ):
        return None
    key = _front_key(environ)
    if key is None:
        return None
    # Alone, the generation is read without a request, from the cache or the database.
    return _page_at(key, None, alone=True)[0]


#: The page cache key of each (host, path) seen in front of Django (None: a host Django
#: refuses), as worked out from a request: at most FRONT_KEYS of them, forgotten all at
#: once when there are more, or once settings change.
_front_keys: dict = {}
_front_keys_settings = None
FRONT_KEYS = 10_000
#: The environ values the key (Django's ``get_host()`` and ``path``) is made of.
_KEYED_BY = (
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
)


def _front_key(environ):
    global _front_keys, _front_keys_settings
    if _front_keys_settings is not conf.settings_read():
        _front_keys, _front_keys_settings = {}, conf.settings_read()
    seen = tuple(environ.get(name) for name in _KEYED_BY)
    try:
        return _front_keys[seen]
    except KeyError:
        pass
    try:
        key = _key(WSGIRequest(environ))
    except DisallowedHost:  # Django answers it as it would any other
        key = None
    if len(_front_keys) >= FRONT_KEYS:
        _front_keys = {}
    _front_keys[seen] = key
    return key


def keep_page(environ, status: str, headers, content: bytes) -> None:
    """Keep a page as it leaves Django, with every header Django and its middleware added,
    if the page said it may be kept (see :func:`keep_response` for what is never kept)."""
    entry = environ.get(ENTRY_ENVIRON)
    names = {name.lower() for name, _value in headers}
    if entry is None or not status.startswith("200 ") or names & {"set-cookie", "content-encoding"}:
        return
    key, generation, timeout = entry
    kept = tuple((k, v) for k, v in headers if k.lower() != "x-spinecare-cache")
    _keep(key, generation, (content, kept), timeout)


def keep_response(request, response) -> None:
    """Keep ``response`` as it leaves ``PageCacheMiddleware``, if the page said it may be
    kept, with every header but the cache's own. Not a response that sets a cookie (a copy
    would not), nor one compressed by a middleware inside (a copy would be compressed for
    every browser)."""
    entry = getattr(response, ENTRY, None)
    if (
        entry is None
        or request.META.get(KEPT_IN_FRONT)  # kept in front of Django, with all its headers
        or response.cookies
        or response.has_header("Content-Encoding")
    ):
        return
    key, generation, timeout = entry
    headers = tuple((k, v) for k, v in response.items() if k.lower() != "x-spinecare-cache")
    _keep(key, generation, (response.content, headers), timeout)


def serve_cached(request, page, render):
    """Serve ``request`` from the page cache, or ``render()`` it and keep the result.

    Pages behind a view restriction (a password, a login) are never kept: the middleware
    serves cached pages before Wagtail checks restrictions.
    """
    if not cacheable(request):
        begin(request)  # for the fragment cache
        return _for_shared_caches(request, page, render())
    response, generation = _lookup(request)
    if response is not None:
        return response
    response = _for_shared_caches(request, page, render())
    if (
        response.status_code == 200
        and hasattr(response, "render")
        and not page.get_view_restrictions().exists()
        and _still_published(page)
    ):
        response.render()
        if "no-store" in response.get("Cache-Control", ""):  # see _for_shared_caches
            cache_header(response, "miss")
            return response
        entry = (_key(request), generation, _entry_timeout())
        setattr(response, ENTRY, entry)
        if request.META.get(KEPT_IN_FRONT):
            request.META[ENTRY_ENVIRON] = entry
        elif not getattr(request, KEPT_BY_MIDDLEWARE, False):
            keep_response(request, response)
        cache_header(response, "miss")
    return response


def _for_shared_caches(request, page, response):
    """``response``, marked ``Cache-Control: private, no-store`` when a frontend cache (a CDN,
    Varnish) must not keep it: something it shows may have changed while it was rendered.

    Wagtail purges the frontend cache when a page is published, before the change commits;
    a copy rendered from the data before the commit, and reaching the frontend cache after
    the purge that follows the commit, would otherwise be served until it expires. Costs a
    read of the generation and one query, and only with ``WAGTAILFRONTENDCACHE`` set.
    """
    if not conf.frontend_cache_enabled() or response.status_code != 200:
        return response

    def check(rendered):
        if not (unchanged_since_begin(request) and _still_published(page)):
            patch_cache_control(rendered, private=True, no_store=True)

    if getattr(response, "is_rendered", True):
        check(response)
    else:  # a template response, rendered on its way out: checked once it is
        response.add_post_render_callback(check)
    return response


def unchanged_since_begin(request) -> bool:
    """Whether no change can have reached what ``request`` read: the generation it began with
    is known, no change is pending, and the generation has not moved on since."""
    began = getattr(request, REQUEST_ATTRIBUTE, None)
    if began is None or began is _UNKNOWN or _resting():
        return False
    if not generation_in_cache():
        return _model("CacheGeneration").current() == began
    try:
        found = _counters()
    except Exception as error:
        _warn_once("read the generation", error)
        return False
    return found.get(PENDING_KEY, 0) == 0 and found.get(GENERATION_KEY) == began


def _still_published(page) -> bool:
    """Whether the pages ``page`` shows are still at the revisions it was rendered from.

    Routing loads the page before the request reads the generation: a page routed just
    before a new revision was published, and rendered after, must not be kept.
    """
    shown = page.revisions_shown() if hasattr(page, "revisions_shown") else {}
    if not shown:
        return True
    return dict(Page.objects.filter(pk__in=shown).values_list("pk", "live_revision_id")) == shown


# Fragment cache -----------------------------------------------------------------------------
#
# The expensive part of a page (its body, sources, review and structured data), rendered
# once per site, page revision and generation: the same rule as the page cache, so just as
# fresh, but it also serves editors and visitors the page cache does not. On by default;
# WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT (seconds, 0 for off).


def cached_fragment(context, name, render):
    """``render()``, or its HTML from the fragment cache while nothing it shows has changed."""
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
    # The revision: a page routed just before a change was published must not be kept
    # under the generation that change made.
    version = getattr(page, "cache_version", "")
    key = f"spinecare:fragment:{name}:{get_language()}:{getattr(site, 'pk', 0)}:{page.pk}:{version}"
    html, generation = _current(key, request)
    if isinstance(html, str):
        # Safe: HTML this template rendered, kept signed (see _signature).
        return mark_safe(html)  # noqa: S308 # nosec B308, B703
    html = render()
    _keep(key, generation, str(html), _entry_timeout(timeout))
    return html
