"""The page cache answered in front of Django (``wagtail_spinecare.wsgi``)."""

import logging

import pytest
from django.conf import settings as settings_module
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory, override_settings
from wagtail.models import Site

from wagtail_spinecare import consent_actions
from wagtail_spinecare.models import Testimonial
from wagtail_spinecare.wsgi import with_page_cache

from .conftest import BACKENDS
from .settings import MIDDLEWARE
from .test_cache_failures import BROKEN, UNREACHABLE, fresh, write_raw
from .test_page_cache import EARLY, PAGE, UK, SetsACookie

CACHE_HEADER = "X-Spinecare-Cache"


@pytest.fixture(autouse=True)
def connections_kept():
    """As Django's test client does: called directly, Django's handler would close the
    database connection at each request's start and end, and with it the test's
    transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class Django:
    """Django's WSGI handler, counting the requests it handles."""

    def __init__(self):
        self.handler, self.handled = WSGIHandler(), 0

    def __call__(self, environ, start_response):
        self.handled += 1
        return self.handler(environ, start_response)


X_FRAME_OPTIONS = "django.middleware.clickjacking.XFrameOptionsMiddleware"


def wrapped(settings, middleware):
    """Django with ``middleware``, wrapped; its handler loads the middleware as it starts."""
    settings.MIDDLEWARE = middleware
    settings.X_FRAME_OPTIONS = "DENY"
    django = Django()
    served = with_page_cache(django)
    served.django = django
    return served


@pytest.fixture
def app(page_cache, settings):
    """The project's middleware with X-Frame-Options and no PageCacheMiddleware."""
    return wrapped(settings, [*MIDDLEWARE, X_FRAME_OPTIONS])


def call(app, path=PAGE, host=UK, method="GET", **extra):
    """(status, headers, body) as a WSGI server would send them."""
    environ = RequestFactory().generic(method, path, HTTP_HOST=host, **extra).environ
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return started["status"], started["headers"], body


def test_a_hit_is_answered_before_django_with_every_header_of_the_page(
    app, django_assert_num_queries
):
    from wagtail_spinecare.cache import generation_in_cache

    status, missed, page = call(app)
    assert status == "200 OK" and missed[CACHE_HEADER] == "miss"
    with django_assert_num_queries(0 if generation_in_cache() else 1):
        status, hit, body = call(app)
    assert status == "200 OK" and hit[CACHE_HEADER] == "hit"
    assert app.django.handled == 1
    assert body == page
    del missed[CACHE_HEADER], hit[CACHE_HEADER]
    assert hit == missed
    # SecurityMiddleware's headers, outside any middleware the page cache could be.
    assert {"X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} <= set(hit)


def test_head_is_answered_without_the_body(app):
    call(app)
    status, headers, body = call(app, method="HEAD")
    assert status == "200 OK" and headers[CACHE_HEADER] == "hit" and body == b""


def test_a_withdrawn_story_is_gone_on_the_very_next_request(app):
    shown = Testimonial.objects.publishable(Site.objects.get(hostname=UK)).first()
    for _ in range(2):
        assert shown.quote.encode() in call(app)[2]
    consent_actions.withdraw(shown, channel="phone")
    _status, headers, body = call(app)
    assert headers[CACHE_HEADER] == "miss"
    assert shown.quote.encode() not in body


def test_an_editor_or_a_session_is_never_answered_in_front(app, client):
    call(app)
    editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(editor)
    session = client.cookies[settings_module.SESSION_COOKIE_NAME].value
    cookie = f"{settings_module.SESSION_COOKIE_NAME}={session}"
    _status, headers, _body = call(app, HTTP_COOKIE=cookie)
    assert CACHE_HEADER not in headers  # the page knows an editor, and does not cache
    assert app.django.handled == 2
    _status, headers, _body = call(app, HTTP_AUTHORIZATION="Basic ZWRpdG9yOnB3")
    assert app.django.handled == 3


def test_a_page_that_sets_a_cookie_is_not_kept(page_cache, settings):
    app = wrapped(settings, [*MIDDLEWARE, f"{SetsACookie.__module__}.SetsACookie"])
    for _ in range(2):
        _status, headers, _body = call(app)
        assert headers[CACHE_HEADER] == "miss"
    assert app.django.handled == 2


def test_a_host_django_refuses_is_refused_as_django_would(app, settings):
    call(app)
    settings.ALLOWED_HOSTS = ["harbourside.localhost"]
    handled = app.django.handled
    for _ in range(2):  # the second time too, when the host has been seen
        status, _headers, _body = call(app, host="evil.example")
        assert status.startswith("400")
    assert app.django.handled == handled + 2


def test_only_the_session_cookie_itself_sends_a_request_to_django(app):
    name = settings_module.SESSION_COOKIE_NAME
    call(app)
    _status, headers, _body = call(app, HTTP_COOKIE=f"theme=dark; not{name}=1; {name}x=2")
    assert headers[CACHE_HEADER] == "hit" and app.django.handled == 1
    call(app, HTTP_COOKIE=f"theme=dark; {name}=abc")
    assert app.django.handled == 2  # the page knows whether the session is an editor's


def test_paths_without_end_are_remembered_within_bounds(app, monkeypatch):
    """Each host and path is worked out once, as Django would; a visitor asking for ever new
    paths makes the package forget them all at once, not grow."""
    from wagtail_spinecare import cache as cache_module

    monkeypatch.setattr(cache_module, "FRONT_KEYS", 5)
    call(app)
    for number in range(12):
        assert call(app, path=f"/no-such-page-{number}/")[0].startswith("404")
        assert len(cache_module._front_keys) <= 5
    status, headers, _body = call(app)
    assert status == "200 OK" and headers[CACHE_HEADER] == "hit"


def test_with_page_cache_middleware_too_the_page_is_kept_once_with_every_header(
    page_cache, settings, monkeypatch
):
    """PageCacheMiddleware inside keeps nothing: a copy it kept would lack the headers of
    the middleware above it, until replaced."""
    from wagtail_spinecare import cache as cache_module

    app = wrapped(settings, [*EARLY, X_FRAME_OPTIONS])
    kept, keep = [], cache_module._keep
    monkeypatch.setattr(
        cache_module, "_keep", lambda key, g, value, t: kept.append(value) or keep(key, g, value, t)
    )
    _status, missed, _body = call(app)
    assert [dict(headers) for _content, headers in kept] == [
        {k: v for k, v in missed.items() if k != CACHE_HEADER}
    ]
    _status, hit, _body = call(app)
    assert hit[CACHE_HEADER] == "hit" and app.django.handled == 1


def test_off_without_the_page_cache(demo, settings):
    settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 0
    app = wrapped(settings, MIDDLEWARE)
    for _ in range(2):
        status, headers, _body = call(app)
        assert status == "200 OK" and CACHE_HEADER not in headers
    assert app.django.handled == 2


def test_a_page_kept_by_the_middleware_alone_is_never_answered_in_front(page_cache, settings):
    """Kept inside SecurityMiddleware, it lacks that middleware's headers: as after a
    deploy that adds the wrapper to a project using PageCacheMiddleware."""
    app = wrapped(settings, [*EARLY, X_FRAME_OPTIONS])
    django = app.django.handler
    for _ in range(2):
        _status, headers, _body = call(django)  # Django alone, as before the deploy
    assert headers[CACHE_HEADER] == "hit"
    _status, headers, _body = call(app)
    assert headers[CACHE_HEADER] == "miss" and app.django.handled == 1
    _status, headers, _body = call(app)
    assert headers[CACHE_HEADER] == "hit" and "Referrer-Policy" in headers


@pytest.mark.parametrize("broken", [UNREACHABLE, BROKEN], ids=["redis-down", "raising-backend"])
def test_a_failing_cache_renders_the_page_and_warns_once(demo, settings, caplog, broken):
    fresh()
    app = wrapped(settings, [*MIDDLEWARE, X_FRAME_OPTIONS])
    try:
        with (
            override_settings(
                CACHES={"default": BACKENDS["locmem"], "pages": broken},
                WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS="pages",
                WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=600,
            ),
            caplog.at_level(logging.WARNING, logger="wagtail_spinecare.cache"),
        ):
            answers = [call(app) for _ in range(3)]
    finally:
        fresh()
    assert [status for status, _headers, _body in answers] == ["200 OK"] * 3
    assert all(headers[CACHE_HEADER] == "miss" for _status, headers, _body in answers)
    assert app.django.handled == 3
    assert len([r for r in caplog.records if r.name == "wagtail_spinecare.cache"]) == 1


def test_a_garbled_page_is_rendered_anew_and_replaced(app, page_cache):
    _status, _headers, page = call(app)
    key = f"spinecare:front:{UK}:{PAGE}"
    write_raw(page_cache, key, b"\x80\x04not a pickle")
    status, headers, body = call(app)
    assert status == "200 OK" and headers[CACHE_HEADER] == "miss" and body == page
    assert call(app)[1][CACHE_HEADER] == "hit"
