"""Site search for patients: each clinic's own pages, in its own words, never a patient's.

Runs on Wagtail's database search backend, on SQLite (FTS5) and on PostgreSQL, which rank
differently: see :class:`TestRanking`.
"""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import override_settings
from wagtail.models import PageViewRestriction
from wagtail.search.backends import get_search_backend

from wagtail_spinecare import consent_actions
from wagtail_spinecare.factories import (
    ConditionPageFactory,
    TestimonialFactory,
    TreatmentFactory,
    give_consent,
    section_data,
    stream_item,
)
from wagtail_spinecare.models import (
    ClinicConditionPage,
    ClinicSettings,
    Testimonial,
    TreatmentComparisonPage,
)
from wagtail_spinecare.search import RESULTS_PER_PAGE, cleaned_query, page_number

from .conftest import shared_body


def search(client, site, query, page=None, status=200):
    data = {"query": query, **({"page": page} if page is not None else {})}
    response = client.get("/search/", data, HTTP_HOST=site.hostname)
    assert response.status_code == status
    return response


def found(response) -> list[str]:
    """The addresses of the results shown, in order."""
    soup = BeautifulSoup(response.content, "html.parser")
    return [link["href"] for link in soup.select(".sc-search__results h2 a")]


def result_count(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(soup.find(role="status").get_text().split())


class TestClinicWords:
    def test_each_clinic_finds_the_shared_page_in_its_own_words(
        self, client, uk_page, us_page, uk_site, us_site
    ):
        assert found(search(client, us_site, "physical therapy")) == ["/facet-joint-pain/"]
        assert found(search(client, uk_site, "physical therapy")) == []
        assert found(search(client, uk_site, "physiotherapy")) == ["/facet-joint-pain/"]
        assert found(search(client, us_site, "physiotherapy")) == []
        # "GP" is "doctor" on a US clinic's pages.
        assert found(search(client, us_site, "doctor")) == ["/facet-joint-pain/"]

    def test_a_result_shows_the_quick_answer_in_the_clinics_words(self, client, us_page, us_site):
        soup = BeautifulSoup(search(client, us_site, "facet").content, "html.parser")
        item = soup.select_one(".sc-search__results li")
        assert item.h2.get_text(strip=True) == "Facet joint pain"
        assert item.p.get_text(strip=True) == (
            "Most people get better with exercise guided by a physical therapist."
        )

    def test_the_clinics_own_introduction_is_found(self, client, us_page, us_site):
        assert found(search(client, us_site, "Elm Avenue")) == ["/facet-joint-pain/"]

    def test_publishing_the_shared_page_indexes_every_clinic_page_again(
        self, client, shared, uk_page, us_page, uk_site, us_site
    ):
        shared.quick_answer = "Spondylosis can also cause it; a physiotherapist can help."
        revision = shared.save_revision()
        # A draft is not what patients read: not found yet.
        assert found(search(client, uk_site, "spondylosis")) == []
        revision.publish()
        assert found(search(client, uk_site, "spondylosis")) == ["/facet-joint-pain/"]
        assert found(search(client, us_site, "spondylosis physical")) == ["/facet-joint-pain/"]

    def test_a_library_changing_its_words_is_indexed_again(self, client, library, us_page, us_site):
        # Written in US words now: the US clinic's page keeps the text as it is.
        library.region = "us"
        library.save_revision().publish()
        assert found(search(client, us_site, "physiotherapy")) == ["/facet-joint-pain/"]

    def test_a_clinic_changing_its_words_is_indexed_again(self, client, uk_page, uk_site):
        clinic = ClinicSettings.objects.get(site=uk_site)
        clinic.region = "us"
        clinic.save()
        assert found(search(client, uk_site, "physical therapy")) == ["/facet-joint-pain/"]


class TestWhatIsFound:
    def test_a_site_finds_only_its_own_pages_never_the_library(
        self, client, library, shared, uk_page, us_page, uk_site, us_site, uk_clinic
    ):
        own = ConditionPageFactory(parent=uk_clinic[0], title="Facet joint stiffness")
        own.save_revision().publish()
        assert sorted(found(search(client, uk_site, "facet"))) == [
            "/facet-joint-pain/",
            "/facet-joint-stiffness/",
        ]
        assert found(search(client, us_site, "facet")) == ["/facet-joint-pain/"]
        # The library and its pages are indexed (editors search them in the admin), but no
        # site's search returns them.
        assert found(search(client, us_site, "shared")) == []

    def test_a_clinic_page_with_nothing_to_show_is_not_found(
        self, client, shared, uk_page, us_page, uk_site
    ):
        shared.unpublish()
        assert result_count(search(client, uk_site, "facet")) == "0 results for “facet”"

    def test_a_clinic_page_whose_shared_page_is_private_is_not_found(
        self, client, shared, uk_page, uk_site
    ):
        PageViewRestriction.objects.create(page=shared, restriction_type="login")
        assert found(search(client, uk_site, "facet")) == []

    def test_drafts_and_private_pages_are_not_found(self, client, uk_clinic, uk_site):
        index, _site, _clinic = uk_clinic
        ConditionPageFactory(parent=index, title="Draft spondylolisthesis", live=False)
        private = ConditionPageFactory(parent=index, title="Private spondylolisthesis")
        PageViewRestriction.objects.create(page=private, restriction_type="login")
        assert found(search(client, uk_site, "spondylolisthesis")) == []

    def test_treatments_are_found_on_the_comparison_pages_that_compare_them(
        self, client, uk_clinic, uk_site
    ):
        treatment = TreatmentFactory(name="Radiofrequency denervation", summary="Heat on nerves.")
        comparison = uk_clinic[0].add_child(
            instance=TreatmentComparisonPage(
                title="Treatments compared",
                slug="compared",
                intro="What helps.",
                body=[
                    stream_item(
                        "comparison",
                        {"caption": "Compared", "intro": "", "treatments": [treatment.pk]},
                    )
                ],
            )
        )
        comparison.save_revision().publish()
        response = search(client, uk_site, "denervation")
        assert found(response) == ["/compared/"]
        assert "What helps." in response.content.decode()

    def test_section_headings_and_other_names_are_found(self, client, shared, uk_page, uk_site):
        shared.alternative_names = "zygapophyseal arthropathy"
        shared.save_revision().publish()
        assert found(search(client, uk_site, "zygapophyseal")) == ["/facet-joint-pain/"]
        assert found(search(client, uk_site, "physiotherapy helps")) == ["/facet-joint-pain/"]


class TestTestimonials:
    """The design: no page's search entry ever holds a patient's words (the testimonial blocks
    give the index nothing but their heading), so a story is never found through a page, with
    consent or without. Testimonials themselves are indexed for editors only while consent
    lets them be shown somewhere (``Testimonial.get_indexed_objects``)."""

    QUOTE = "Kayaking again after twelve weeks of exercises."

    @pytest.fixture
    def story(self, uk_clinic, uk_site):
        testimonial = TestimonialFactory(site=uk_site, quote=self.QUOTE)
        give_consent(testimonial)
        page = ConditionPageFactory(
            parent=uk_clinic[0],
            title="Knee pain",
            body=[
                stream_item(
                    "section",
                    section_data(
                        "Patients' stories",
                        "success_stories",
                        [
                            stream_item(
                                "testimonials",
                                {
                                    "heading": "In their words",
                                    "testimonials": [testimonial.pk],
                                    "latest_count": 0,
                                },
                            )
                        ],
                    ),
                )
            ],
        )
        page.save_revision().publish()
        return testimonial

    def test_a_story_with_consent_is_shown_but_never_found_through_its_page(
        self, client, story, uk_site
    ):
        assert self.QUOTE in client.get("/knee-pain/", HTTP_HOST="uk.example").content.decode()
        assert found(search(client, uk_site, "kayaking")) == []
        assert found(search(client, uk_site, "knee")) == ["/knee-pain/"]
        assert list(get_search_backend().search("kayaking", Testimonial)) == [story]

    def test_a_withdrawn_story_is_no_longer_found_anywhere(self, client, story, uk_site):
        consent_actions.withdraw(story)
        assert list(get_search_backend().search("kayaking", Testimonial)) == []
        assert found(search(client, uk_site, "kayaking")) == []


class TestRanking:
    """On PostgreSQL, Wagtail's database backend gives each field's ``boost`` a weight of its
    own: the condition's name, its other names and its section headings come before a page
    that only mentions the words. On SQLite (FTS5) it ranks by BM25 over the whole entry, so
    boosts change nothing there: every match is found, in no promised order."""

    @pytest.fixture
    def pages(self, uk_clinic):
        index = uk_clinic[0]
        mentions = ConditionPageFactory(
            parent=index,
            title="Back pain",
            slug="mentions",
            quick_answer="Some people with back pain have sciatica too.",
        )
        named = ConditionPageFactory(parent=index, title="Sciatica", slug="named")
        other_name = ConditionPageFactory(
            parent=index, title="Leg pain", slug="other-name", alternative_names="sciatica"
        )
        heading = ConditionPageFactory(
            parent=index,
            title="Nerve pain",
            slug="heading",
            body=[stream_item("section", section_data("When sciatica lasts", "overview"))],
        )
        for page in (mentions, named, other_name, heading):
            page.save_revision().publish()

    def test_every_match_is_found(self, client, pages, uk_site):
        results = found(search(client, uk_site, "sciatica"))
        assert sorted(results) == ["/heading/", "/mentions/", "/named/", "/other-name/"]

    def test_names_and_headings_come_before_a_mention(self, client, pages, uk_site):
        if connection.vendor != "postgresql":
            pytest.skip("SQLite's database search backend does not weigh fields' boosts")
        results = found(search(client, uk_site, "sciatica"))
        assert results[0] == "/named/"
        assert results[-1] == "/mentions/"


HOSTILE = [
    "x" * 10_000,
    "'; DROP TABLE wagtailcore_page--",
    "%",
    "%%",
    "\\",
    '"',
    "'",
    '" OR 1=1 --',
    "OR 1=1",
    "facet AND OR NOT",
    "NEAR(facet joint)",
    "facet*",
    "-facet",
    "title:facet",
    "(",
    "before\x00after",
    "😀 ﷽ \u202e",
    " ",
]


class TestBadInput:
    @pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
    def test_any_query_answers_searching_its_words_only(self, client, uk_page, uk_site, query):
        response = search(client, uk_site, query)  # 200, never a 500
        value = BeautifulSoup(response.content, "html.parser").find("input", type="search")
        assert value.get("value", "") == cleaned_query(query)
        assert len(cleaned_query(query)) <= 100

    def test_a_long_query_is_cut_to_the_setting(self, client, uk_page, uk_site):
        with override_settings(WAGTAIL_SPINECARE_SEARCH_MAX_LENGTH=5):
            response = search(client, uk_site, "facetjoint")
        assert result_count(response) == "1 result for “facet”"
        assert cleaned_query("x" * 10_000) == "x" * 100

    def test_only_words_are_searched_for(self):
        assert cleaned_query("'; DROP TABLE--") == "DROP TABLE"
        assert cleaned_query('" OR 1=1 %') == "OR 1 1"

    @pytest.mark.parametrize(
        "text, number",
        [
            ("abc", 1),
            ("-1", 1),
            ("0", 1),
            ("1.5", 1),
            ("", 1),
            ("²", 1),
            ("2", 2),
            ("999999", 999999),
            ("9" * 30, 10**6),
        ],
    )
    def test_page_numbers(self, text, number):
        assert page_number(text) == number

    @pytest.mark.parametrize("page", ["abc", "-1", "0", "999999", "1e9", "9" * 40, "\x00"])
    def test_any_page_number_gives_a_page_of_results(self, client, many, uk_site, page):
        response = search(client, uk_site, "sciatica", page=page)
        shown = found(response)
        assert shown and len(shown) <= RESULTS_PER_PAGE
        if page == "999999":
            assert "Page 2 of 2" in response.content.decode()


@pytest.fixture
def many(uk_clinic):
    """Twelve pages about sciatica on the UK clinic's site."""
    for number in range(12):
        ConditionPageFactory(
            parent=uk_clinic[0], title=f"Sciatica {number}", slug=f"sciatica-{number}"
        ).save_revision().publish()


class TestResultsPage:
    def test_results_come_ten_a_page(self, client, many, uk_site):
        first = search(client, uk_site, "sciatica")
        second = search(client, uk_site, "sciatica", page=2)
        assert len(found(first)) == 10 and len(found(second)) == 2
        assert not set(found(first)) & set(found(second))
        assert result_count(first) == "12 results for “sciatica”"
        soup = BeautifulSoup(first.content, "html.parser")
        assert soup.select_one("nav.sc-search__pages a[rel=next]")["href"] == (
            "?query=sciatica&page=2"
        )

    def test_the_page_is_labelled_and_announces_its_count(self, client, many, uk_site):
        soup = BeautifulSoup(search(client, uk_site, "sciatica").content, "html.parser")
        form = soup.find("form", role="search")
        field = form.find("input", attrs={"name": "query"})
        assert form.find("label", attrs={"for": field["id"]}).get_text(strip=True)
        assert soup.find("main") and soup.find("main").find("form") == form
        assert soup.find(role="status").get_text(strip=True).startswith("12 results")
        assert soup.find("nav", attrs={"aria-label": "Pages of search results"})
        assert soup.find("ol").find_all("li")

    def test_without_a_query_only_the_form(self, client, uk_clinic, uk_site):
        soup = BeautifulSoup(search(client, uk_site, "").content, "html.parser")
        assert soup.find("form", role="search") and soup.find(role="status") is None


def clinic_page_at(index, shared, slug):
    page = index.add_child(
        instance=ClinicConditionPage(title=shared.title, slug=slug, shared_page=shared)
    )
    page.save_revision().publish()
    return page


#: Queries for a page of results, whatever their number: the site (1), the clinic's settings
#: (1), the view restrictions ``public()`` leaves out (1), the count and the page of results
#: (2), the results as condition pages (1) and as clinic pages with their shared pages (1),
#: and the shared pages' libraries (1).
QUERIES = 8


class TestQueries:
    """The results page takes as many queries for 2 results as for 8: half the clinic's own
    condition pages, half its pages of shared conditions."""

    @pytest.mark.parametrize("count", [2, 8])
    def test_queries_do_not_grow_with_the_results(
        self, client, uk_clinic, uk_site, library, count, django_assert_num_queries
    ):
        index = uk_clinic[0]
        for number in range(count // 2):
            ConditionPageFactory(parent=index, title=f"Lumbago {number}").save_revision().publish()
            shared = ConditionPageFactory(
                parent=library, title=f"Lumbago shared {number}", body=shared_body()
            )
            shared.save_revision().publish()
            clinic_page_at(index, shared, f"lumbago-shared-{number}")
        search(client, uk_site, "lumbago")  # Django's cache of content types and sites
        with django_assert_num_queries(QUERIES):
            response = search(client, uk_site, "lumbago")
        assert len(found(response)) == count


def test_a_shared_page_moved_out_of_the_library_leaves_its_clinic_pages_entries(
    root_page, shared, us_page
):
    def found_by_its_text():
        return list(ClinicConditionPage.objects.filter(pk=us_page.pk).search("doctor"))

    assert found_by_its_text() == [us_page]
    shared.move(root_page, pos="last-child")
    # Nothing to show now: only the page's own title and introduction are indexed.
    assert found_by_its_text() == []
