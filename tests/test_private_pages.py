"""A page that stops being public leaves every cache at once: page, fragment and frontend."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import override_settings
from wagtail.models import Page, PageViewRestriction, Site

from wagtail_spinecare import cache as cache_module
from wagtail_spinecare.cache import _keep, _key, fragment_cache_timeout
from wagtail_spinecare.models import ClinicConditionPage, ConditionLibraryPage

from .test_page_cache import PAGE, UK, US, get

CLINIC_PAGE = "/harbourside/facet-joint-back-pain/"


def restrict(page, kind=PageViewRestriction.LOGIN):
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, password="x")


def anonymous_status(client, host=UK, path=PAGE):
    client.cookies.clear()
    return client.get(path, HTTP_HOST=host)


class TestPageCache:
    """The middleware answers before Wagtail checks restrictions: a page cached while it was
    public must not be served once it is not."""

    def test_a_login_restriction_takes_the_cached_page_away(self, with_middleware, client):
        get(client, UK)
        assert get(client, UK)["X-Spinecare-Cache"] == "hit"
        restrict(ClinicConditionPage.objects.get(url_path=CLINIC_PAGE))
        response = anonymous_status(client)
        assert response.status_code == 302
        assert "/login/" in response["Location"] or "login" in response["Location"]

    def test_a_restriction_on_an_ancestor_takes_it_away_too(self, with_middleware, client):
        get(client, UK)
        assert get(client, UK)["X-Spinecare-Cache"] == "hit"
        restrict(Site.objects.get(hostname=UK).root_page)
        assert anonymous_status(client).status_code == 302

    def test_a_group_restriction_takes_it_away(self, with_middleware, client):
        get(client, UK)
        restriction = restrict(
            ClinicConditionPage.objects.get(url_path=CLINIC_PAGE), PageViewRestriction.GROUPS
        )
        restriction.groups.add(Group.objects.create(name="Patients' portal"))
        assert anonymous_status(client).status_code == 302

    def test_the_other_clinic_keeps_its_cached_page(self, with_middleware, client):
        get(client, US)
        restrict(ClinicConditionPage.objects.get(url_path=CLINIC_PAGE))
        # Every entry is stale (one generation for all), but the US page is still public.
        assert anonymous_status(client, US).status_code == 200

    def test_removing_the_restriction_serves_the_page_again(
        self, with_middleware, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            restriction = restrict(ClinicConditionPage.objects.get(url_path=CLINIC_PAGE))
        assert anonymous_status(client).status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            restriction.delete()
        assert get(client, UK)["X-Spinecare-Cache"] == "miss"
        assert get(client, UK)["X-Spinecare-Cache"] == "hit"


@pytest.fixture
def fragment_cache(demo):
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem, WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT=600):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


class TestSharedPageRestrictions:
    """A clinic's page shows a shared page's content: the shared page's restrictions and its
    library's are the clinic page's too."""

    def test_a_private_shared_page_is_private_on_every_clinic_page(self, demo, client):
        shared = ClinicConditionPage.objects.get(url_path=CLINIC_PAGE).shared_page
        assert anonymous_status(client, UK).status_code == 200
        restrict(shared)
        assert anonymous_status(client, UK).status_code == 302
        assert anonymous_status(client, US).status_code == 302

    def test_a_private_library_is_private_on_every_clinic_page(self, demo, client):
        # Visited first: routing then knows the page's type, and asks for its restrictions
        # (the shared page's ancestors' included) in the query that finds it.
        assert anonymous_status(client, UK).status_code == 200
        restrict(ConditionLibraryPage.objects.get())
        assert anonymous_status(client, UK).status_code == 302
        assert anonymous_status(client, US).status_code == 302

    def test_a_password_on_the_shared_page_asks_for_it(self, demo, client):
        shared = ClinicConditionPage.objects.get(url_path=CLINIC_PAGE).shared_page
        restrict(shared, PageViewRestriction.PASSWORD)
        response = anonymous_status(client, UK)
        assert response.status_code == 200
        assert shared.quick_answer not in response.content.decode()
        assert b'name="password"' in response.content

    def test_the_restriction_takes_the_cached_page_away(self, with_middleware, client):
        get(client, UK)
        assert get(client, UK)["X-Spinecare-Cache"] == "hit"
        restrict(ConditionLibraryPage.objects.get())
        assert anonymous_status(client, UK).status_code == 302

    def test_no_query_is_added_to_the_page(self, demo, client, django_assert_num_queries):
        # The shared page's restrictions are asked in the query that routes to the page
        # (see tests/test_demo.py for the count).
        get(client, UK)
        with django_assert_num_queries(5):
            get(client, UK)


class TestFrontendCache:
    @pytest.fixture
    def on_commit(self, django_capture_on_commit_callbacks):
        def run():
            return django_capture_on_commit_callbacks(execute=True)

        return run

    def test_a_restriction_purges_the_page_and_those_below_it(self, demo, purges, on_commit):
        root = Site.objects.get(hostname=UK).root_page
        below = set(root.get_descendants(inclusive=True).live().values_list("pk", flat=True))
        with on_commit():
            restrict(root)
        assert below <= purges()

    @staticmethod
    def shared_and_clinic_pages():
        shared = ClinicConditionPage.objects.get(url_path=CLINIC_PAGE).shared_page
        clinic_pages = ClinicConditionPage.objects.filter(shared_page=shared)
        return shared, set(clinic_pages.values_list("pk", flat=True))

    def test_a_restriction_on_a_shared_page_purges_every_clinic_page(self, demo, purges, on_commit):
        shared, clinic_pages = self.shared_and_clinic_pages()
        assert len(clinic_pages) == 2
        with on_commit():
            restrict(shared)
        assert clinic_pages <= purges()

    def test_unpublishing_a_shared_page_purges_every_clinic_page(self, demo, purges, on_commit):
        shared, clinic_pages = self.shared_and_clinic_pages()
        with on_commit():
            shared.unpublish()
        assert clinic_pages <= purges()

    def test_a_move_purges_the_old_addresses(self, demo, purges, on_commit):
        page = ClinicConditionPage.objects.get(url_path=CLINIC_PAGE)
        old_url = page.get_full_url()
        section = Site.objects.get(hostname=UK).root_page.add_child(
            instance=Page(title="Members", slug="members")
        )
        with on_commit():
            page.move(section, pos="last-child")
        assert old_url in purges.urls()
        assert page.pk in purges()

    def test_a_new_address_for_a_site_purges_the_old_one(self, demo, purges, on_commit):
        site = Site.objects.get(hostname=UK)
        old_url = ClinicConditionPage.objects.get(url_path=CLINIC_PAGE).get_full_url()
        with on_commit():
            site.hostname = "harbourside-old.localhost"
            site.save()
        assert old_url in purges.urls()

    def test_a_deleted_site_purges_its_pages(self, demo, purges, on_commit):
        site = Site.objects.get(hostname=UK)
        old_url = ClinicConditionPage.objects.get(url_path=CLINIC_PAGE).get_full_url()
        with on_commit():
            site.delete()
        assert old_url in purges.urls()


class TestSignedEntries:
    """Whatever else can write to the cache cannot make the site serve its HTML."""

    def test_a_forged_page_entry_is_not_served(self, with_middleware, client):
        get(client, UK)
        cache = caches["default"]
        key = f"spinecare:page:{UK}:{PAGE}"
        generation, value, signature = cache.get(key)
        forged = (b"<script>alert(1)</script>", value[1])
        cache.set(key, (generation, forged, signature))
        cache_module._near_clear()  # as a process that has no copy of its own
        response = get(client, UK)
        assert b"<script>alert(1)</script>" not in response.content
        assert response["X-Spinecare-Cache"] == "miss"

    def test_an_entry_of_another_shape_is_ignored(self, with_middleware, client):
        caches["default"].set(f"spinecare:page:{UK}:{PAGE}", "not a page")
        cache_module._near_clear()
        assert get(client, UK)["X-Spinecare-Cache"] == "miss"

    def test_a_forged_fragment_is_not_marked_safe(self, fragment_cache, client):
        assert fragment_cache_timeout() == 600
        first = get(client, UK).content.decode()
        forged = 0
        for key in list(fragment_cache._cache):
            name = key.split(":", 2)[-1]
            if name.startswith("spinecare:fragment:"):
                generation, html, _signature = fragment_cache.get(name)
                _keep_forged = (generation, html + "<script>alert(1)</script>", _signature)
                fragment_cache.set(name, _keep_forged)
                forged += 1
        assert forged
        again = get(client, UK).content.decode()
        assert "<script>alert(1)</script>" not in again
        assert again == first

    def test_entries_are_kept_signed(self, fragment_cache, rf):
        request = rf.get(PAGE, HTTP_HOST=UK)
        _keep(_key(request), 0, (b"page", "text/html"), 60)
        assert len(fragment_cache.get(_key(request))) == 3


def test_the_cache_header_is_sent_only_when_asked_for(with_middleware, client, settings):
    settings.WAGTAIL_SPINECARE_CACHE_HEADER = False
    get(client, UK)
    response = get(client, UK)
    assert "X-Spinecare-Cache" not in response


@pytest.mark.parametrize("page_cache", ["redis"], indirect=True)
class TestPendingChanges:
    """Between a change and its commit, a shared cache is passed by: a page rendered from
    the data before the change must not be served after it. (With the generation in the
    database, the change and the generation commit together: see
    tests/test_page_cache.py.)"""

    def test_nothing_is_served_or_kept_while_a_change_is_pending(
        self, with_middleware, client, django_capture_on_commit_callbacks
    ):
        from wagtail_spinecare.cache import invalidate_pages

        get(client, UK)
        assert get(client, UK)["X-Spinecare-Cache"] == "hit"
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            invalidate_pages()
            assert get(client, UK)["X-Spinecare-Cache"] == "miss"
            assert get(client, UK)["X-Spinecare-Cache"] == "miss"  # and was not kept
        for callback in callbacks:
            callback()
        assert get(client, UK)["X-Spinecare-Cache"] == "miss"
        assert get(client, UK)["X-Spinecare-Cache"] == "hit"

    def test_a_rolled_back_change_holds_caches_off_for_a_minute_at_most(self, with_middleware):
        from wagtail_spinecare.cache import PENDING_KEY, PENDING_TIMEOUT, invalidate_pages

        invalidate_pages()  # its transaction never commits
        assert with_middleware.get(PENDING_KEY) == 1
        assert PENDING_TIMEOUT == 60
        if hasattr(with_middleware, "_expire_info"):
            import time

            key = with_middleware.make_and_validate_key(PENDING_KEY)
            assert with_middleware._expire_info[key] - time.time() <= PENDING_TIMEOUT
