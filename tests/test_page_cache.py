"""The page cache: fast for anonymous visitors, never stale about consent or content."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from wagtail_spinecare import consent
from wagtail_spinecare.models import ClinicSettings, ConditionPage, Testimonial, Treatment

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_available() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception:
        return False


BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
}


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, demo):
    if request.param == "redis" and not redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    caches_setting = {"default": BACKENDS[request.param]}
    with override_settings(CACHES=caches_setting, WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=600):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


UK, US = "harbourside.localhost", "lakeview.localhost"
PAGE = "/facet-joint-back-pain/"


def get(client, host, path=PAGE):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return response


def test_second_request_is_served_from_the_cache(page_cache, client):
    assert get(client, UK)["X-Spinecare-Cache"] == "miss"
    first = get(client, UK)
    assert first["X-Spinecare-Cache"] == "hit"
    # per site: the other clinic's page is not the UK one
    other = get(client, US)
    assert other["X-Spinecare-Cache"] == "miss"
    assert b"Lakeview" in other.content and b"Lakeview" not in first.content


def test_withdrawn_story_is_gone_on_the_very_next_request(page_cache, client):
    site = Site.objects.get(hostname=UK)
    story = Testimonial.objects.publishable(site).first()
    for _ in range(2):
        assert story.quote in get(client, UK).content.decode()
    consent.withdraw(story, channel="email")
    response = get(client, UK)
    assert story.quote not in response.content.decode()
    assert response["X-Spinecare-Cache"] == "miss"


def test_expired_consent_is_gone_after_the_expiry_run(page_cache, client):
    site = Site.objects.get(hostname=US)
    story = Testimonial.objects.publishable(site).first()
    assert story.quote in get(client, US).content.decode()
    record = story.consent_records.order_by("-pk").first()
    type(record).objects.filter(pk=record.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    consent.expire()
    assert story.quote not in get(client, US).content.decode()


def test_publishing_shows_the_new_content(page_cache, client):
    get(client, UK)
    page = ConditionPage.objects.get(url_path="/harbourside/facet-joint-back-pain/")
    page.quick_answer = "A new quick answer, just published."
    page.save_revision().publish()
    assert "A new quick answer, just published." in get(client, UK).content.decode()


def test_clinic_settings_change_shows_at_once(page_cache, client):
    get(client, UK)
    clinic = ClinicSettings.objects.get(site__hostname=UK)
    clinic.phone = "0117 496 0999"
    clinic.save()
    assert "0117 496 0999" in get(client, UK).content.decode()


def test_treatment_change_shows_at_once(page_cache, client):
    get(client, US)
    treatment = Treatment.objects.get(name="Exercise programme")
    treatment.summary = "Exercises you choose with your therapist."
    treatment.save()
    assert "Exercises you choose with your therapist." in get(client, US).content.decode()


def test_editors_and_previews_are_never_cached(page_cache, client):
    user = get_user_model().objects.create_superuser("editor", "e@example.com", "pw")
    client.force_login(user)
    get(client, UK)
    response = get(client, UK)
    assert "X-Spinecare-Cache" not in response


@override_settings(WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=0)
def test_off_by_default(demo, client):
    get(client, UK)
    assert "X-Spinecare-Cache" not in get(client, UK)


def test_entries_never_outlive_midnight(settings):
    """Consent expires by date, so no cached page may be served past local midnight."""
    from datetime import datetime
    from unittest import mock

    from wagtail_spinecare import cache as page_cache_module

    settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 3600
    late = timezone.make_aware(datetime(2026, 11, 23, 23, 50, 0))
    with mock.patch.object(timezone, "localtime", return_value=late):
        assert page_cache_module._entry_timeout() == 601
    early = timezone.make_aware(datetime(2026, 11, 23, 9, 0, 0))
    with mock.patch.object(timezone, "localtime", return_value=early):
        assert page_cache_module._entry_timeout() == 3600


def test_invalidation_repeats_when_the_transaction_commits(
    page_cache, django_capture_on_commit_callbacks
):
    from wagtail_spinecare.cache import GENERATION_KEY, invalidate_pages

    before = page_cache.get(GENERATION_KEY, 0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invalidate_pages()
        assert page_cache.get(GENERATION_KEY) == before + 1
    assert len(callbacks) == 1
    assert page_cache.get(GENERATION_KEY) == before + 2


def test_cached_entries_are_stored_until_midnight_at_most(page_cache, client):
    from unittest import mock

    from wagtail_spinecare import cache as page_cache_module

    with (
        mock.patch.object(page_cache_module, "_entry_timeout", return_value=7) as timeout,
        mock.patch.object(page_cache, "set", wraps=page_cache.set) as stored,
    ):
        get(client, UK)
    assert timeout.called
    assert stored.call_args.args[2] == 7
