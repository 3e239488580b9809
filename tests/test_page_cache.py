"""The page cache: fast for anonymous visitors, never stale about consent or content."""

from datetime import timedelta

import pytest
from django.conf import settings as settings_module
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from wagtail_spinecare import consent_actions
from wagtail_spinecare.models import (
    ClinicConditionPage,
    ClinicSettings,
    ConditionPage,
    Testimonial,
    Treatment,
)

from .conftest import cache_on
from .settings import MIDDLEWARE

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
    consent_actions.withdraw(story, channel="email")
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
    consent_actions.expire()
    assert story.quote not in get(client, US).content.decode()


def test_publishing_shows_the_new_content(page_cache, client):
    get(client, UK)
    page = ConditionPage.objects.get(url_path="/shared-clinical-content/facet-joint-back-pain/")
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


@pytest.mark.parametrize("page_cache", ["redis"], indirect=True)
def test_invalidation_repeats_when_the_transaction_commits(
    page_cache, django_capture_on_commit_callbacks
):
    """In a shared cache, which a transaction does not hold back."""
    from wagtail_spinecare.cache import GENERATION_KEY, invalidate_pages

    before = 41
    page_cache.set(GENERATION_KEY, before, None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invalidate_pages()
        assert page_cache.get(GENERATION_KEY) == before + 1
    assert len(callbacks) == 1
    assert page_cache.get(GENERATION_KEY) == before + 2


@pytest.mark.parametrize("page_cache", ["locmem"], indirect=True)
def test_the_generation_moves_on_with_the_change(page_cache, client):
    """With a cache of one process, in the database, in the change's transaction: a change
    rolled back leaves the generation as it was, and a later change never takes the number
    the rolled-back one had, so nothing kept meanwhile is served."""
    from django.db import transaction

    from wagtail_spinecare.cache import invalidate_pages
    from wagtail_spinecare.models import CacheGeneration

    get(client, UK)
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"
    before = CacheGeneration.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        invalidate_pages()
        rolled_back = CacheGeneration.current()
        assert rolled_back != before
        assert get(client, UK)["X-Spinecare-Cache"] == "miss"  # kept under rolled_back
        raise RuntimeError("the change fails")
    assert CacheGeneration.current() == before
    # The entry kept meanwhile replaced the one before, and is not served.
    assert get(client, UK)["X-Spinecare-Cache"] == "miss"
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"
    invalidate_pages()
    assert CacheGeneration.current() not in (before, rolled_back)
    assert get(client, UK)["X-Spinecare-Cache"] == "miss"


def test_a_page_routed_before_a_publish_is_not_kept(
    page_cache, rf, django_capture_on_commit_callbacks
):
    """Routing loads the page before the generation is read: a page loaded just before a new
    revision was published, and rendered after, is served but not kept."""
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines
    from django.template.response import SimpleTemplateResponse

    from wagtail_spinecare.cache import serve_cached

    routed = ClinicConditionPage.objects.get(url_path__startswith="/harbourside/")
    with django_capture_on_commit_callbacks(execute=True):
        routed.shared_page.save_revision().publish()  # meanwhile, through another request
    request = rf.get(PAGE, HTTP_HOST=UK)
    request.user = AnonymousUser()

    def render():
        return SimpleTemplateResponse(engines["django"].from_string("the page as rendered"))

    assert serve_cached(request, routed, render).status_code == 200
    assert "X-Spinecare-Cache" not in serve_cached(request, routed, render)
    current = ClinicConditionPage.objects.get(pk=routed.pk)
    serve_cached(request, current, render)
    assert serve_cached(request, current, render)["X-Spinecare-Cache"] == "hit"


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


def test_middleware_serves_a_cached_page_without_a_query(
    with_middleware, client, django_assert_num_queries
):
    """No query with a shared cache; with a cache of one process, one: the generation."""
    from wagtail_spinecare.cache import generation_in_cache

    queries = 0 if generation_in_cache() else 1
    missed = get(client, UK)
    assert missed["X-Spinecare-Cache"] == "miss"
    with django_assert_num_queries(queries):
        hit = get(client, UK)
    assert hit["X-Spinecare-Cache"] == "hit"
    assert hit.content == missed.content
    # tracking parameters do not make a new entry
    with django_assert_num_queries(queries):
        assert get(client, UK, PAGE + "?utm_source=newsletter").content == missed.content


def test_middleware_keeps_each_clinic_apart(with_middleware, client):
    uk, us = get(client, UK), get(client, US)
    uk_again, us_again = get(client, UK), get(client, US)
    assert uk_again["X-Spinecare-Cache"] == us_again["X-Spinecare-Cache"] == "hit"
    assert b"Harbourside" in uk_again.content and b"Lakeview" not in uk_again.content
    assert b"Lakeview" in us_again.content and b"Harbourside" not in us_again.content
    assert uk_again.content == uk.content and us_again.content == us.content


def test_middleware_never_serves_a_withdrawn_story(with_middleware, client):
    site = Site.objects.get(hostname=UK)
    story = Testimonial.objects.publishable(site).first()
    get(client, UK)
    assert story.quote in get(client, UK).content.decode()
    consent_actions.withdraw(story, channel="phone")
    response = get(client, UK)
    assert response["X-Spinecare-Cache"] == "miss"
    assert story.quote not in response.content.decode()


def test_middleware_leaves_editors_alone(with_middleware, client):
    get(client, UK)
    user = get_user_model().objects.create_superuser("editor", "e@example.com", "pw")
    client.force_login(user)
    assert "X-Spinecare-Cache" not in get(client, UK)


def test_password_protected_page_is_never_cached(with_middleware, client):
    """The middleware answers before Wagtail checks restrictions, so such pages are not kept."""
    from wagtail.models import PageViewRestriction

    page = ClinicConditionPage.objects.get(url_path="/harbourside/facet-joint-back-pain/")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    session = client.session
    session["wagtail_passed_view_restrictions"] = list(
        page.get_view_restrictions().values_list("pk", flat=True)
    )
    session.save()
    assert "X-Spinecare-Cache" not in get(client, UK)
    client.cookies.clear()  # a visitor without the password
    response = client.get(PAGE, HTTP_HOST=UK)
    assert response.status_code == 200  # Wagtail's password form
    assert "X-Spinecare-Cache" not in response
    assert page.shared_page.quick_answer not in response.content.decode()


def test_unpublishing_takes_the_page_away_at_once(with_middleware, client):
    get(client, UK)
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"
    ClinicConditionPage.objects.get(url_path="/harbourside/facet-joint-back-pain/").unpublish()
    assert client.get(PAGE, HTTP_HOST=UK).status_code == 404


def test_site_changes_empty_the_cache(with_middleware, client):
    get(client, UK)
    site = Site.objects.get(hostname=UK)
    site.site_name = "Renamed"
    site.save()
    assert get(client, UK)["X-Spinecare-Cache"] == "miss"


class TestFrontendCachePurge:
    """With a frontend cache configured, what changed is purged from it too."""

    @pytest.fixture
    def on_commit(self, django_capture_on_commit_callbacks):
        return lambda: django_capture_on_commit_callbacks(execute=True)

    def test_treatment_change_purges_the_pages_comparing_it(self, demo, purges, on_commit):
        treatment = Treatment.objects.get(name="Exercise programme")
        with on_commit():
            treatment.summary = "Changed."
            treatment.save()
        urls = set(Site.objects.values_list("hostname", flat=True))
        purged = purges()
        comparing = {
            page.pk
            for page in ConditionPage.objects.live()
            if any(
                block.block_type == "section"
                and any(child.block_type == "comparison" for child in block.value["content"])
                for block in page.body
            )
        }
        assert comparing and comparing <= purged
        assert urls  # both clinics exist

    def test_clinic_settings_change_purges_that_clinic_only(self, demo, purges, on_commit):
        clinic = ClinicSettings.objects.get(site__hostname=UK)
        with on_commit():
            clinic.phone = "0117 496 0888"
            clinic.save()
        uk_pages = set(
            clinic.site.root_page.get_descendants(inclusive=True)
            .live()
            .values_list("pk", flat=True)
        )
        us_root = Site.objects.get(hostname=US).root_page
        us_pages = set(us_root.get_descendants(inclusive=True).values_list("pk", flat=True))
        assert purges() == uk_pages
        assert not purges() & us_pages

    def test_publishing_a_comparison_purges_the_conditions_it_links(self, demo, purges, on_commit):
        from wagtail_spinecare.models import TreatmentComparisonPage

        comparison = TreatmentComparisonPage.objects.filter(
            url_path__startswith="/harbourside/"
        ).get()
        with on_commit():
            comparison.save_revision().publish()
        linked = set(comparison.conditions.values_list("pk", flat=True))
        assert linked and linked <= purges()


@pytest.fixture(params=["locmem", "redis"])
def fragment_cache(request, demo):
    """The fragment cache alone, with the page cache off."""
    with cache_on(request.param, fragment=600) as cache:
        yield cache


class TestFragmentCache:
    def test_repeat_renders_reuse_the_body(self, fragment_cache, client, django_assert_num_queries):
        """The site, its root page, the clinic's page (with the shared page, its reviewer,
        its library and whether a view restriction applies), clinic settings (with the
        generation, when it is in the database) and the clinic's clinicians remain; the body
        costs nothing: 5."""
        first = get(client, UK)
        assert "X-Spinecare-Cache" not in first
        with django_assert_num_queries(5):
            again = get(client, UK)
        assert again.content == first.content
        us = get(client, US)
        assert b"Lakeview" in us.content and b"Harbourside" not in us.content

    def test_withdrawn_story_is_gone_on_the_next_render(self, fragment_cache, client):
        site = Site.objects.get(hostname=UK)
        story = Testimonial.objects.publishable(site).first()
        get(client, UK)
        assert story.quote in get(client, UK).content.decode()
        consent_actions.withdraw(story, channel="email")
        assert story.quote not in get(client, UK).content.decode()

    def test_reviewer_change_shows_at_once(self, fragment_cache, client):
        page = ConditionPage.objects.get(url_path="/shared-clinical-content/facet-joint-back-pain/")
        get(client, UK)
        page.reviewed_by.name = "Renamed Reviewer"
        page.reviewed_by.save()
        assert "Renamed Reviewer" in get(client, UK).content.decode()

    def test_editors_see_the_same_page_and_previews_are_never_cached(self, fragment_cache, client):
        from django.urls import reverse

        anonymous = get(client, UK).content
        user = get_user_model().objects.create_superuser("editor", "e@example.com", "pw")
        client.force_login(user)
        page = ClinicConditionPage.objects.get(url_path="/harbourside/facet-joint-back-pain/")
        page.introduction = "Draft introduction"
        page.save_revision()
        preview = client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))
        assert preview.status_code == 200
        assert "Draft introduction" in preview.content.decode()
        # the body fragment of the live page is still the published one
        live = get(client, UK).content
        assert b"Draft introduction" not in live
        assert live.split(b"<main")[1].split(b"</main>")[0].count(b"sc-section") == (
            anonymous.split(b"<main")[1].split(b"</main>")[0].count(b"sc-section")
        )


def served_while_changing(client, path, monkeypatch, change):
    """GET ``path``; ``change()`` commits as the page first looks in the cache, after it
    began and read its data. The response."""
    from wagtail_spinecare import cache as cache_module

    looked_up, changed = cache_module._looked_up, []

    def change_first(key, *args):
        if key is not None and not changed:
            changed.append(key)
            change()
        return looked_up(key, *args)

    monkeypatch.setattr(cache_module, "_looked_up", change_first)
    response = client.get(path, HTTP_HOST="uk.example")
    monkeypatch.setattr(cache_module, "_looked_up", looked_up)
    assert changed
    return response


def get_while_changing(client, path, monkeypatch, change) -> str:
    """GET ``path`` twice, the first time as :func:`served_while_changing`. The second
    request's HTML."""
    served_while_changing(client, path, monkeypatch, change)
    return client.get(path, HTTP_HOST="uk.example").content.decode()


@pytest.mark.parametrize(
    ("kept_by", "path"),
    [("page cache", "/"), ("page cache", "/{slug}/"), ("fragment cache", "/{slug}/")],
    ids=["index, page cache", "condition page, page cache", "condition page, fragment cache"],
)
@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_a_change_committed_while_a_page_is_served_is_not_kept(
    condition_page, client, monkeypatch, backend, kept_by, path, django_capture_on_commit_callbacks
):
    """What a request read before a change committed may be served to it, but is not kept:
    the next request shows the change."""
    old, new = "The quick answer as first published.", "The quick answer published meanwhile."
    condition_page.quick_answer = old
    condition_page.save_revision().publish()
    path = path.format(slug=condition_page.slug)

    def publish():
        fresh = ConditionPage.objects.get(pk=condition_page.pk)
        fresh.quick_answer = new
        with django_capture_on_commit_callbacks(execute=True):
            fresh.save_revision().publish()

    with cache_on(backend, page=600 if kept_by == "page cache" else 0, fragment=600):
        assert old in client.get(path, HTTP_HOST="uk.example").content.decode()
        html = get_while_changing(client, path, monkeypatch, publish)
    assert old not in html and new in html


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_settings_changed_while_a_page_is_served_are_not_kept_in_its_body(
    condition_page, uk_clinic, client, monkeypatch, backend, django_capture_on_commit_callbacks
):
    """The page reads the clinic's settings before its body is looked for in the fragment
    cache; a change to them committed in between must not leave the old number in the body
    kept for the next request."""
    _index, _site, clinic = uk_clinic
    old, new = clinic.phone, "0117 496 0999"
    path = f"/{condition_page.slug}/"

    def change_phone():
        with django_capture_on_commit_callbacks(execute=True):
            ClinicSettings.objects.filter(pk=clinic.pk).update(phone=new)
            ClinicSettings.objects.get(pk=clinic.pk).save()  # as the admin saves

    with cache_on(backend, fragment=600):
        first = client.get(path, HTTP_HOST="uk.example").content.decode()
        body_start = first.index('class="sc-condition__aside')
        assert old in first[body_start:]  # the booking box in the cached part names it
        html = get_while_changing(client, path, monkeypatch, change_phone)
    assert old not in html and new in html


# A frontend cache (a CDN, Varnish) in front ------------------------------------------------


def kept_by_frontend_caches(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_a_page_rendered_while_a_change_commits_is_private_to_frontend_caches(
    condition_page, client, monkeypatch, backend, django_capture_on_commit_callbacks, purges
):
    """Wagtail purges the frontend cache before a publish commits: a page rendered from the
    data before the commit must not be kept by the frontend cache, which may get it after
    the purge that follows the commit. The next page, rendered after it, may be kept."""
    monkeypatch.setattr("wagtail_spinecare.conf.frontend_cache_enabled", lambda: True)
    path = f"/{condition_page.slug}/"

    def publish():
        fresh = ConditionPage.objects.get(pk=condition_page.pk)
        fresh.quick_answer = "The quick answer published meanwhile."
        with django_capture_on_commit_callbacks(execute=True):
            fresh.save_revision().publish()

    with cache_on(backend, fragment=600):
        assert kept_by_frontend_caches(client.get(path, HTTP_HOST="uk.example"))
        during = served_while_changing(client, path, monkeypatch, publish)
        after = client.get(path, HTTP_HOST="uk.example")
    assert during.status_code == 200
    assert "private" in during["Cache-Control"] and "no-store" in during["Cache-Control"]
    assert kept_by_frontend_caches(after)
    assert "published meanwhile" in after.content.decode()


def test_a_page_routed_before_a_publish_is_private_to_frontend_caches(
    page_cache, rf, django_capture_on_commit_callbacks, monkeypatch
):
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines
    from django.template.response import SimpleTemplateResponse

    from wagtail_spinecare.cache import serve_cached

    monkeypatch.setattr("wagtail_spinecare.conf.frontend_cache_enabled", lambda: True)
    routed = ClinicConditionPage.objects.get(url_path__startswith="/harbourside/")
    with django_capture_on_commit_callbacks(execute=True):
        routed.shared_page.save_revision().publish()  # meanwhile, through another request

    def render():
        return SimpleTemplateResponse(engines["django"].from_string("the page as rendered"))

    def serve(page):
        request = rf.get(PAGE, HTTP_HOST=UK)
        request.user = AnonymousUser()
        return serve_cached(request, page, render).render()  # as Django's handler does

    assert not kept_by_frontend_caches(serve(routed))
    assert kept_by_frontend_caches(serve(ClinicConditionPage.objects.get(pk=routed.pk)))


def test_a_page_sent_private_is_not_kept_in_the_page_cache(page_cache, client, monkeypatch):
    """Kept, every visitor would get it private, and the frontend cache keep nothing."""
    monkeypatch.setattr("wagtail_spinecare.conf.frontend_cache_enabled", lambda: True)
    monkeypatch.setattr("wagtail_spinecare.cache.unchanged_since_begin", lambda request: False)
    first = get(client, UK)
    assert "no-store" in first["Cache-Control"]
    assert get(client, UK)["X-Spinecare-Cache"] == "miss"


def test_without_a_frontend_cache_pages_say_nothing_of_caching(page_cache, client):
    response = get(client, UK)
    assert "Cache-Control" not in response


# PageCacheMiddleware early in MIDDLEWARE ---------------------------------------------------

EARLY = [
    *MIDDLEWARE[:1],  # SecurityMiddleware
    "wagtail_spinecare.middleware.PageCacheMiddleware",
    *MIDDLEWARE[1:],
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


@pytest.fixture
def early(page_cache, settings):
    settings.MIDDLEWARE = EARLY
    settings.X_FRAME_OPTIONS = "DENY"
    return page_cache


def test_first_in_middleware_a_hit_has_every_header_of_the_page(
    early, client, django_assert_num_queries
):
    """The headers the middleware below it added (X-Frame-Options, the security headers)
    come with the cached page; no other middleware runs for it."""
    from wagtail_spinecare.cache import generation_in_cache

    missed = get(client, UK)
    assert missed["X-Spinecare-Cache"] == "miss"
    assert missed["X-Frame-Options"] == "DENY"
    with django_assert_num_queries(0 if generation_in_cache() else 1):
        hit = get(client, UK)
    assert hit["X-Spinecare-Cache"] == "hit"
    assert hit.content == missed.content
    shown = {name: value for name, value in missed.items() if name != "X-Spinecare-Cache"}
    assert {name: value for name, value in hit.items() if name != "X-Spinecare-Cache"} == shown
    assert {"X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} <= set(shown)


def test_first_in_middleware_an_editor_is_never_served_the_cached_page(early, client):
    get(client, UK)
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"
    editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(editor)
    response = get(client, UK)
    assert "X-Spinecare-Cache" not in response
    client.logout()
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"


def test_first_in_middleware_a_visitor_with_a_session_is_served_by_the_page(early, client):
    """Not from the middleware, which cannot yet tell an editor's session from a visitor's,
    but still from the cache, by the page, which can."""
    get(client, UK)
    client.cookies[settings_module.SESSION_COOKIE_NAME] = "not-a-session"
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"


def test_first_in_middleware_a_page_that_sets_a_cookie_is_not_kept(early, client, settings):
    """A copy would not set it (a form's CSRF cookie, say)."""
    settings.MIDDLEWARE = [*EARLY, f"{__name__}.SetsACookie"]
    for _ in range(2):
        response = get(client, UK)
        assert response["X-Spinecare-Cache"] == "miss"
        assert response.cookies["flavour"].value == "oat"


class SetsACookie:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.set_cookie("flavour", "oat")
        return response


@pytest.mark.parametrize("page_cache", ["redis"], indirect=True)
def test_an_emptied_cache_starts_from_a_generation_never_used(page_cache, client):
    """Each process keeps near copies of what it served, by generation: after the shared
    cache is emptied (Redis restarted), counting again from a number used before would make
    them current again."""
    from wagtail_spinecare.cache import GENERATION_KEY

    get(client, UK)
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"
    before = page_cache.get(GENERATION_KEY)
    page_cache.clear()
    assert get(client, UK)["X-Spinecare-Cache"] == "miss"
    assert page_cache.get(GENERATION_KEY) > before
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"


@pytest.mark.parametrize("page_cache", ["redis"], indirect=True)
def test_a_hit_from_a_near_copy_reads_only_the_generation(page_cache, client, monkeypatch):
    """The page itself is not read from the shared cache again, nor checked again."""
    from wagtail_spinecare import cache as cache_module

    get(client, UK)
    read, counted = [], []
    real_get_many = page_cache.get_many
    monkeypatch.setattr(
        page_cache, "get_many", lambda keys: read.append(keys) or real_get_many(keys)
    )
    monkeypatch.setattr(page_cache, "get", lambda *args, **kwargs: read.append(args))
    settings_read, cache, shared, counters = cache_module._this_threads()
    monkeypatch.setattr(
        cache_module._thread,
        "cache",
        (settings_read, cache, shared, lambda: counted.append(1) or counters()),
    )
    monkeypatch.setattr(cache_module, "_signature", None)  # not called on a near hit
    assert get(client, UK)["X-Spinecare-Cache"] == "hit"
    assert not read  # Redis was asked for the two counters alone, in one round trip
    assert counted == [1]
