"""Page URLs from the request's site agree with Wagtail's, without its site root paths."""

import pytest
from django.core.cache import cache

from wagtail_spinecare.links import full_page_url, page_url


@pytest.fixture
def request_for(rf):
    def build(host):
        return rf.get("/", HTTP_HOST=host)

    return build


@pytest.mark.django_db
class TestPageUrls:
    def test_same_as_wagtail_on_the_requests_site(self, request_for, condition_page, uk_clinic):
        index, _site, _clinic = uk_clinic
        for page in (condition_page, index):
            assert page_url(page, request_for("uk.example")) == page.get_url(
                request_for("uk.example")
            )
            assert full_page_url(page, request_for("uk.example")) == page.get_full_url(
                request_for("uk.example")
            )
        assert page_url(condition_page, request_for("uk.example")) == "/facet-joint-back-pain/"

    def test_no_query_once_the_site_is_known(
        self, request_for, condition_page, django_assert_num_queries
    ):
        request = request_for("uk.example")
        page_url(condition_page, request)  # finds the site, as routing would have
        cache.clear()  # no site root paths to fall back on
        with django_assert_num_queries(0):
            assert full_page_url(condition_page, request) == (
                "http://uk.example/facet-joint-back-pain/"
            )

    def test_another_sites_page_goes_through_wagtail(self, request_for, condition_page, us_clinic):
        us_request = request_for("us.example")
        expected = condition_page.get_url(us_request)
        assert expected == "http://uk.example/facet-joint-back-pain/"
        assert page_url(condition_page, us_request) == expected
        assert full_page_url(condition_page, us_request) == expected

    def test_without_a_request_as_wagtail(self, condition_page):
        assert page_url(condition_page, None) == condition_page.get_url(None)
        assert full_page_url(condition_page, None) == condition_page.get_full_url(None)

    def test_a_page_type_with_its_own_urls_goes_through_wagtail(
        self, request_for, condition_page, monkeypatch
    ):
        from wagtail_spinecare.models import ConditionPage

        def custom(self, request=None):
            return (None, "https://elsewhere.example", "/custom/")

        monkeypatch.setattr(ConditionPage, "get_url_parts", custom)
        assert full_page_url(condition_page, request_for("uk.example")) == (
            "https://elsewhere.example/custom/"
        )
