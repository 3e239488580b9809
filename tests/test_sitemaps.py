"""Each clinic's /sitemap.xml: its own condition, comparison and clinic pages, each changed
when it was last published or clinically reviewed, whichever is later."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from wagtail_spinecare.factories import ConditionPageFactory, TreatmentFactory, stream_item
from wagtail_spinecare.models import (
    Canonical,
    ConditionLibraryPage,
    ConditionPage,
    TreatmentComparisonPage,
)
from wagtail_spinecare.models.review import latest_change

from .conftest import clinic_page

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day))


def published_on(page, day: str):
    """Say ``page`` was last published on ``day``, as a page published then would say."""
    type(page).objects.filter(pk=page.pk).update(last_published_at=at(day))


def sitemap(client, site) -> dict[str, str | None]:
    """Each address the site's sitemap lists, with its lastmod."""
    response = client.get("/sitemap.xml", HTTP_HOST=site.hostname)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


@pytest.fixture
def pages(uk_clinic, us_clinic, shared):
    """Each clinic's page of the shared condition; the UK clinic's own condition page and a
    comparison of treatments for it."""
    uk_index, us_index = uk_clinic[0], us_clinic[0]
    ConditionPage.objects.filter(pk=shared.pk).update(last_reviewed=datetime.date(2025, 6, 1))
    published_on(shared, "2025-03-01T09:00:00")
    uk_shared = clinic_page(uk_index, shared)
    us_shared = clinic_page(us_index, shared)
    published_on(uk_shared, "2025-01-10T09:00:00")
    published_on(us_shared, "2025-09-20T09:00:00")
    own = ConditionPageFactory(
        parent=uk_index, title="Sciatica", slug="sciatica", last_reviewed=datetime.date(2025, 8, 4)
    )
    own.save_revision().publish()
    published_on(own, "2025-02-01T09:00:00")
    comparison = uk_index.add_child(
        instance=TreatmentComparisonPage(
            title="Treatments for sciatica",
            slug="treatments",
            intro="What helps.",
            last_reviewed=datetime.date(2024, 5, 5),
            body=[
                stream_item(
                    "comparison",
                    {"caption": "Compared", "intro": "", "treatments": [TreatmentFactory().pk]},
                )
            ],
        )
    )
    comparison.save_revision().publish()
    published_on(comparison, "2025-04-02T09:00:00")
    for index in (uk_index, us_index):
        published_on(index, "2025-01-01T09:00:00")
    return {"uk_shared": uk_shared, "us_shared": us_shared, "own": own}


class TestEachSite:
    def test_a_clinic_lists_its_own_pages_with_the_later_of_publishing_and_review(
        self, client, pages, uk_site
    ):
        assert sitemap(client, uk_site) == {
            "http://uk.example/": "2025-01-01",
            # Published 1 February, reviewed 4 August.
            "http://uk.example/sciatica/": "2025-08-04",
            # Reviewed 5 May 2024, published 2 April 2025.
            "http://uk.example/treatments/": "2025-04-02",
            # Published 10 January; the shared page published 1 March and reviewed 1 June.
            "http://uk.example/facet-joint-pain/": "2025-06-01",
        }

    def test_another_clinic_lists_only_its_own(self, client, pages, us_site):
        assert sitemap(client, us_site) == {
            "http://us.example/": "2025-01-01",
            # Published 20 September, after the shared page's review.
            "http://us.example/facet-joint-pain/": "2025-09-20",
        }

    def test_a_page_with_nothing_to_show_is_not_listed(self, client, pages, shared, us_site):
        shared.unpublish()
        assert sitemap(client, us_site) == {"http://us.example/": "2025-01-01"}

    def test_a_clinic_page_whose_shared_page_is_private_is_not_listed(
        self, client, pages, shared, us_site
    ):
        PageViewRestriction.objects.create(page=shared, restriction_type="login")
        assert sitemap(client, us_site) == {"http://us.example/": "2025-01-01"}

    def test_a_draft_or_private_page_is_not_listed(self, client, pages, uk_clinic, uk_site):
        ConditionPageFactory(parent=uk_clinic[0], title="Draft", slug="draft", live=False)
        private = ConditionPageFactory(parent=uk_clinic[0], title="Private", slug="private")
        PageViewRestriction.objects.create(page=private, restriction_type="login")
        listed = sitemap(client, uk_site)
        assert "http://uk.example/draft/" not in listed
        assert "http://uk.example/private/" not in listed
        assert len(listed) == 4


class TestCanonical:
    def test_only_the_authoritative_clinics_page_is_listed(
        self, client, library, pages, uk_site, us_site
    ):
        library.canonical = Canonical.AUTHORITATIVE
        library.authoritative_site = uk_site
        library.save_revision().publish()
        assert "http://uk.example/facet-joint-pain/" in sitemap(client, uk_site)
        assert sitemap(client, us_site) == {"http://us.example/": "2025-01-01"}


class TestTheLibrary:
    def test_the_library_and_its_pages_are_never_listed(self, client, root_page, pages, shared):
        # A site whose root holds everything: the library is inside it, and both clinics.
        everything = Site.objects.create(hostname="all.example", port=80, root_page=root_page)
        listed = sitemap(client, everything)
        assert not [url for url in listed if "/shared/" in url]
        assert [url for url in listed if url.endswith("/sciatica/")]
        library = ConditionLibraryPage.objects.get()
        assert library.get_sitemap_urls() == []
        assert ConditionPage.objects.get(pk=shared.pk).get_sitemap_urls() == []

    def test_a_page_outside_every_library_is_listed(self, pages):
        own = ConditionPage.objects.get(pk=pages["own"].pk)
        assert [url["location"] for url in own.get_sitemap_urls()] == [
            "http://uk.example/sciatica/"
        ]


class TestLatestChange:
    def test_review_dates_are_read_as_the_start_of_their_day(self):
        assert latest_change(at("2025-01-01T10:00:00"), datetime.date(2025, 1, 1)) == at(
            "2025-01-01T10:00:00"
        )
        assert latest_change(at("2025-01-01T10:00:00"), datetime.date(2025, 1, 2)) == at(
            "2025-01-02T00:00:00"
        )

    def test_nothing_known_is_none(self):
        assert latest_change(None, None) is None
        assert latest_change() is None
