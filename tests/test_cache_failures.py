"""A cache that fails, or holds what it should not, never fails a page and never serves a
withdrawn testimonial: the page is rendered as if the cache were off."""

import logging
import pickle

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from wagtail.models import Site

from wagtail_spinecare import cache as cache_module
from wagtail_spinecare import conf, consent_actions
from wagtail_spinecare.cache import GENERATION_KEY
from wagtail_spinecare.models import CacheGeneration, Testimonial

from .conftest import BACKENDS, MIDDLEWARE_WITH_PAGE_CACHE, cache_on

UK = "harbourside.localhost"
PAGE = "/facet-joint-back-pain/"
PAGE_KEY = f"spinecare:page:{UK}:{PAGE}"
LOGGER = "wagtail_spinecare.cache"

#: Redis on a port nothing listens on: every call fails as when Redis is down. The package's
#: caches are put in a cache of their own, as Wagtail keeps image renditions in "default".
UNREACHABLE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
}


class Failing:
    """Every call of the cache fails, counted on the class."""

    calls = 0

    def _fail(self, *args, **kwargs):
        type(self).calls += 1
        raise OSError("the cache is broken")

    get = get_many = set = add = incr = delete = _fail


class BrokenCache(Failing, RedisCache):
    """A shared cache (so it would hold the generation) that fails."""


class BrokenLocalCache(Failing, LocMemCache):
    """A cache of one process (the generation is in the database) that fails."""


BROKEN = {"BACKEND": f"{__name__}.BrokenCache", "LOCATION": "redis://127.0.0.1:1/0"}
BROKEN_LOCAL = {"BACKEND": f"{__name__}.BrokenLocalCache"}


@pytest.fixture(autouse=True)
def fresh_process():
    """Each test starts as a new process would: nothing warned of, nothing owed."""
    fresh()
    yield
    fresh()


def fresh() -> None:
    for state in (cache_module._warned, cache_module._stale_unconfirmed, conf._warned):
        state.clear()
    cache_module._near_clear()
    cache_module._resting_until = 0.0


def retry_after_has_passed() -> None:
    """Where the cache is left alone for a while after a failure, that while is over."""
    cache_module._resting_until = 0.0


@pytest.fixture
def redis_caches(demo, settings):
    """Both caches and the middleware on the test Redis."""
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE
    with cache_on("redis", page=600, fragment=600) as cache:
        yield cache


@pytest.fixture(params=["locmem", "redis"])
def both_caches(request, demo, settings):
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE
    with cache_on(request.param, page=600, fragment=600) as cache:
        yield cache


def get(client, path=PAGE):
    response = client.get(path, HTTP_HOST=UK)
    assert response.status_code == 200
    return response


def story():
    return Testimonial.objects.publishable(Site.objects.get(hostname=UK)).first()


def both_caches_in(backend):
    """Both caches on in ``backend``, a cache of their own."""
    return override_settings(
        CACHES={"default": BACKENDS["locmem"], "pages": backend},
        WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS="pages",
        WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=600,
        WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT=600,
    )


def generation_now(cache) -> int:
    """The generation, wherever it is kept."""
    if cache_module.generation_in_cache():
        return cache.get(GENERATION_KEY, 0)
    return CacheGeneration.current()


def write_raw(cache, key, data: bytes) -> None:
    """Store ``data`` at ``key`` as the bytes the backend reads back, past its pickling. The
    near copies are forgotten, as by a process that has none."""
    cache_module._near_clear()
    raw_key = cache.make_and_validate_key(key)
    if isinstance(cache, LocMemCache):
        cache._cache[raw_key] = data
        cache._expire_info[raw_key] = None
    else:
        cache._cache.get_client(key, write=True).set(raw_key, data)


def raw_keys(cache, contains: str) -> list[str]:
    """The keys, as the project names them, that hold ``contains``."""
    if isinstance(cache, LocMemCache):
        keys = list(cache._cache)
    else:
        keys = [key.decode() for key in cache._cache.get_client().keys("*")]
    return [key.split(":", 2)[2] for key in keys if contains in key]


# An unreachable cache ------------------------------------------------------------------------


@pytest.mark.parametrize("broken", [UNREACHABLE, BROKEN], ids=["redis-down", "raising-backend"])
def test_a_failing_cache_renders_the_page_and_warns_once(demo, settings, client, caplog, broken):
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE
    quote = story().quote
    with (
        override_settings(
            CACHES={"default": BACKENDS["locmem"], "pages": broken},
            WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS="pages",
            WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=600,
            WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT=600,
        ),
        caplog.at_level(logging.WARNING, logger=LOGGER),
    ):
        pages = [get(client) for _ in range(3)]
    assert all(quote in page.content.decode() for page in pages)
    assert pages[0].content == pages[2].content
    assert all(page["X-Spinecare-Cache"] == "miss" for page in pages)
    warnings = [record for record in caplog.records if record.name == LOGGER]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "rendered without them" in warnings[0].getMessage()


def test_consent_withdrawn_while_the_cache_is_down_is_never_served_after(
    redis_caches, client, caplog
):
    """The cache comes back with the pages it held, kept before the withdrawal: none of
    them is served."""
    testimonial = story()
    get(client)
    assert get(client)["X-Spinecare-Cache"] == "hit"
    generation = redis_caches.get(GENERATION_KEY, 0)
    with (
        override_settings(
            CACHES={"default": BACKENDS["redis"], "pages": UNREACHABLE},
            WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS="pages",
        ),
        caplog.at_level(logging.WARNING, logger=LOGGER),
    ):
        consent_actions.withdraw(testimonial, channel="phone")
        while_down = get(client)
    assert testimonial.consent_records.order_by("-pk").first().withdrawn_at is not None
    assert testimonial.quote not in while_down.content.decode()
    assert len([record for record in caplog.records if record.name == LOGGER]) == 1
    # Back: the old page and fragments are still in Redis, from the old generation.
    assert caches["default"].get(PAGE_KEY) is not None
    assert testimonial.quote not in get(client).content.decode()
    retry_after_has_passed()
    back = get(client)
    assert back["X-Spinecare-Cache"] == "miss"
    assert testimonial.quote not in back.content.decode()
    assert caches["default"].get(GENERATION_KEY) > generation
    again = get(client)
    assert again["X-Spinecare-Cache"] == "hit"
    assert testimonial.quote not in again.content.decode()


def test_nothing_is_served_while_the_generation_cannot_be_read(redis_caches, client, caplog):
    quote = story().quote
    get(client)
    assert get(client)["X-Spinecare-Cache"] == "hit"
    write_raw(redis_caches, GENERATION_KEY, b"\x80\x05garbled")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        unknown = get(client)
    assert unknown["X-Spinecare-Cache"] == "miss"
    assert quote in unknown.content.decode()
    assert [record.name for record in caplog.records].count(LOGGER) == 1
    # The next request once the cache is tried again gives it a new generation: the old
    # entry is stale.
    retry_after_has_passed()
    assert get(client)["X-Spinecare-Cache"] == "miss"
    assert isinstance(redis_caches.get(GENERATION_KEY), int)
    assert get(client)["X-Spinecare-Cache"] == "hit"


def test_a_generation_of_another_type_is_replaced(redis_caches, client):
    get(client)
    redis_caches.set(GENERATION_KEY, "7")
    assert get(client)["X-Spinecare-Cache"] == "miss"
    # Held off for a minute, as while a change is pending; made stale meanwhile.
    assert redis_caches.get(cache_module.PENDING_KEY) == 1
    assert isinstance(redis_caches.get(GENERATION_KEY), int)
    redis_caches.delete(cache_module.PENDING_KEY)
    assert get(client)["X-Spinecare-Cache"] == "miss"
    assert get(client)["X-Spinecare-Cache"] == "hit"


def test_a_failing_cache_is_left_alone_for_a_while(demo, settings, client):
    """It is tried by one request, not by every request and every fragment of it."""
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE
    BrokenCache.calls = 0
    with both_caches_in(BROKEN):
        for _ in range(3):
            get(client)
        # The combined read, and the read that tells a bad entry from a failing cache.
        assert BrokenCache.calls == 2
        retry_after_has_passed()
        get(client)
        # Made stale first (incr, then set), as the failure may have hidden a change.
        assert BrokenCache.calls == 4


def test_a_failing_local_cache_is_left_alone_for_a_while(demo, settings, client):
    """With the generation in the database, a failing read is taken for an entry that
    cannot be read; failing to keep what was rendered tells the cache is down."""
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE
    BrokenLocalCache.calls = 0
    with both_caches_in(BROKEN_LOCAL):
        get(client)
        first_request = BrokenLocalCache.calls
        assert first_request > 0
        for _ in range(2):
            get(client)
        assert BrokenLocalCache.calls == first_request
        retry_after_has_passed()
        get(client)
        assert BrokenLocalCache.calls > first_request


# Entries that cannot be read as a page -------------------------------------------------------


def garbled_copy(cache, key) -> bytes:
    """The entry at ``key`` as the backend stores it, cut in half."""
    value = cache.get(key)
    assert value is not None
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return data[: len(data) // 2]


def test_a_garbled_page_is_rendered_anew_and_replaced(both_caches, client, caplog):
    first = get(client)
    write_raw(both_caches, PAGE_KEY, garbled_copy(both_caches, PAGE_KEY))
    with pytest.raises(Exception):  # noqa: B017, PT011 # the backend's own unpickling error
        both_caches.get(PAGE_KEY)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        rendered = get(client)
    assert rendered["X-Spinecare-Cache"] == "miss"
    assert rendered.content == first.content
    assert len([record for record in caplog.records if record.name == LOGGER]) == 1
    assert both_caches.get(PAGE_KEY)[0] == generation_now(both_caches)
    assert get(client)["X-Spinecare-Cache"] == "hit"


def test_a_garbled_fragment_is_rendered_anew_and_replaced(both_caches, client, settings):
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE[:-1]
    settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 0
    first = get(client)
    fragments = raw_keys(both_caches, "spinecare:fragment:")
    assert fragments
    for key in fragments:
        write_raw(both_caches, key, garbled_copy(both_caches, key))
    assert get(client).content == first.content
    for key in fragments:
        assert isinstance(both_caches.get(key)[1], str)
    assert get(client).content == first.content


@pytest.mark.parametrize(
    "entry",
    [
        "<html>a page as a string</html>",
        42,
        (1, 2),
        ["a", "list", "of", "four"],
    ],
    ids=["string", "number", "short-tuple", "list"],
)
def test_an_entry_of_another_type_is_ignored_and_replaced(both_caches, client, entry):
    first = get(client)
    both_caches.set(PAGE_KEY, entry)
    cache_module._near_clear()  # as a process that has no copy of its own
    rendered = get(client)
    assert rendered["X-Spinecare-Cache"] == "miss"
    assert rendered.content == first.content
    assert get(client)["X-Spinecare-Cache"] == "hit"


@pytest.mark.parametrize(
    "value",
    [
        ("<html>a page with headers</html>", "text/html", {"Vary": "Cookie"}),
        {"content": b"<html></html>", "content_type": "text/html"},
        ("<html>text, not bytes</html>", "text/html"),
        (b"<html></html>", None),
        (b"<html></html>", "text/html; charset=utf-8"),
    ],
    ids=["three-parts", "dict", "text", "no-content-type", "content-type-only"],
)
def test_a_signed_page_of_another_shape_is_ignored_and_replaced(both_caches, client, value):
    """As an older version of the package might have kept it, signed with the same key."""
    first = get(client)
    generation = generation_now(both_caches)
    both_caches.set(
        PAGE_KEY, (generation, value, cache_module._signature(PAGE_KEY, generation, value))
    )
    cache_module._near_clear()  # as a process that has no copy of its own
    rendered = get(client)
    assert rendered["X-Spinecare-Cache"] == "miss"
    assert rendered.content == first.content
    assert get(client)["X-Spinecare-Cache"] == "hit"


def test_a_signed_fragment_that_is_not_html_is_rendered_anew(both_caches, client, settings):
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE[:-1]
    settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 0
    first = get(client)
    generation = generation_now(both_caches)
    for key in raw_keys(both_caches, "spinecare:fragment:"):
        value = ["not", "html"]
        both_caches.set(key, (generation, value, cache_module._signature(key, generation, value)))
        cache_module._near_clear()  # as a process that has no copy of its own
    assert get(client).content == first.content
    assert b"&#x27;not&#x27;" not in get(client).content


# A wrong timeout, where `manage.py check` was not run ----------------------------------------


@pytest.mark.parametrize("timeout", ["10 minutes", -1, True], ids=repr)
def test_a_wrong_timeout_serves_pages_without_the_cache(demo, settings, client, timeout):
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE
    settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = timeout
    settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = timeout
    quote = story().quote
    for _ in range(2):
        response = get(client)
        assert "X-Spinecare-Cache" not in response
        assert quote in response.content.decode()
    assert raw_keys(caches["default"], "spinecare:") == []
