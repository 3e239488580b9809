import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail_factories import ImageFactory

from wagtail_spinecare.factories import (
    ConditionIndexPageFactory,
    ConditionPageFactory,
    care_card_data,
    cta_data,
    faq_data,
    figure_data,
    full_condition_body,
    section_data,
    stream_item,
)
from wagtail_spinecare.models import (
    QUICK_ANSWER_MAX_LENGTH,
    ClinicConditionPage,
    ConditionIndexPage,
    ConditionLibraryPage,
    ConditionPage,
    PageSource,
    TreatmentComparisonPage,
)

from .forms import condition_page_form
from .testapp.models import ProjectConditionIndexPage, ProjectConditionPage


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


class TestPageRules(WagtailPageTestCase):
    def test_condition_pages_live_under_a_condition_index(self):
        self.assertCanCreateAt(ConditionIndexPage, ConditionPage)
        self.assertCanNotCreateAt(Page, ConditionPage)
        self.assertAllowedParentPageTypes(ConditionPage, {ConditionIndexPage, ConditionLibraryPage})
        self.assertAllowedSubpageTypes(ConditionPage, {})
        # And a project's own subclass of the condition page (tests.testapp).
        self.assertAllowedSubpageTypes(
            ConditionIndexPage,
            {ConditionPage, ProjectConditionPage, ClinicConditionPage, TreatmentComparisonPage},
        )

    def test_shared_pages_live_in_a_library_at_the_top_of_the_tree(self):
        self.assertAllowedParentPageTypes(ConditionLibraryPage, {Page})
        self.assertAllowedSubpageTypes(ConditionLibraryPage, {ConditionPage})
        self.assertAllowedParentPageTypes(
            ClinicConditionPage, {ConditionIndexPage, ProjectConditionIndexPage}
        )
        self.assertAllowedSubpageTypes(ClinicConditionPage, {})

    def test_index_can_sit_anywhere(self):
        self.assertCanCreateAt(Page, ConditionIndexPage)

    def test_renderable_and_previewable(self):
        home = Site.objects.get(is_default_site=True).root_page
        index = ConditionIndexPageFactory(parent=home)
        page = ConditionPageFactory(parent=index)
        self.assertPageIsRenderable(index)
        self.assertPageIsRenderable(page)
        self.assertPageIsPreviewable(page, post_data=condition_page_form(slug=page.slug))


@pytest.mark.django_db
class TestRendering:
    def test_page_structure(self, client, condition_page):
        image = ImageFactory()
        condition_page.alternative_names = "facet joint syndrome, facet arthropathy"
        condition_page.body = [
            stream_item(
                "section",
                section_data(
                    "What are facet joints?",
                    "overview",
                    [
                        stream_item("paragraph", "<p>Small joints.</p>"),
                        stream_item("figure", figure_data(image.pk, "A diagram of the spine")),
                    ],
                ),
            ),
            stream_item("section", section_data("Left empty", "causes", [])),
            stream_item("faq", faq_data(2)),
            stream_item("booking_cta", cta_data()),
        ]
        condition_page.save_revision().publish()
        response = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
        assert response.status_code == 200
        soup = soup_of(response)
        assert [h.get_text(strip=True) for h in soup.find_all("h1")] == ["Facet joint back pain"]
        assert soup.html["lang"] == "en-GB"
        assert "facet joint syndrome, facet arthropathy" in soup.get_text()
        # the quick answer comes before every section
        quick = soup.select_one(".sc-quick-answer")
        assert quick.find_next("section", class_="sc-section") is not None
        assert (
            soup.find("meta", attrs={"name": "description"})["content"]
            == condition_page.quick_answer
        )
        # an empty section is not rendered
        assert "Left empty" not in response.content.decode()
        img = soup.select_one(".sc-figure img")
        assert img["alt"] == "A diagram of the spine"
        assert img["srcset"] and img["width"] and img["height"]
        summaries = [s.get_text(strip=True) for s in soup.select("details > summary")]
        assert summaries == ["Question 1?", "Question 2?"]
        assert soup.select_one(".sc-cta a.sc-button")["href"].startswith("https://book.example/uk?")

    def test_review_footer(self, client, condition_page, clinician):
        condition_page.last_reviewed = datetime.date(2026, 3, 4)
        condition_page.next_review_due = datetime.date(2027, 3, 4)
        condition_page.save_revision().publish()
        soup = soup_of(client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example"))
        times = soup.select(".sc-review time")
        assert [(t["datetime"], t.get_text()) for t in times] == [
            ("2026-03-04", "4 March 2026"),
            ("2027-03-04", "4 March 2027"),
        ]
        reviewer = soup.select_one(".sc-review__reviewer").get_text(" ", strip=True)
        assert "Amara Okafor MSc MCSP" in reviewer
        assert "Clinical lead physiotherapist" in reviewer

    def test_us_clinic_formats_dates_and_words_its_own_way(self, client, us_clinic, clinician):
        index, _site, _clinic = us_clinic
        page = ConditionPageFactory(
            parent=index,
            slug="facet",
            last_reviewed=datetime.date(2026, 3, 4),
            next_review_due=datetime.date(2027, 3, 4),
            body=[
                stream_item(
                    "section",
                    section_data(
                        "When to get help",
                        "when_to_get_help",
                        [
                            stream_item(
                                "care_card", care_card_data("emergency", "<ul><li>x</li></ul>")
                            )
                        ],
                    ),
                )
            ],
        )
        page.save_revision().publish()
        soup = soup_of(client.get("/facet/", HTTP_HOST="us.example"))
        assert soup.html["lang"] == "en-US"
        assert soup.select(".sc-review time")[0].get_text() == "March 4, 2026"
        heading = soup.select_one(".sc-care-card__heading").get_text(" ", strip=True)
        assert "Call 911 or go to the emergency room now if:" in heading

    def test_disclaimer_default_and_override(self, client, condition_page, uk_clinic):
        _index, _site, clinic = uk_clinic
        clinic.default_disclaimer = "Clinic-wide disclaimer."
        clinic.save()
        html = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example").content.decode()
        assert "Clinic-wide disclaimer." in html
        condition_page.disclaimer = "Disclaimer for this page only."
        condition_page.save_revision().publish()
        html = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example").content.decode()
        assert "Disclaimer for this page only." in html
        assert "Clinic-wide disclaimer." not in html

    def test_no_reviewer_and_no_dates_still_renders(self, client, condition_page):
        condition_page.reviewed_by = None
        condition_page.last_reviewed = condition_page.next_review_due = None
        condition_page.save_revision().publish()
        response = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
        assert response.status_code == 200
        assert not soup_of(response).select(".sc-review")

    def test_site_without_clinic_settings_renders(self, client, root_page, clinician):
        from wagtail.models import Site

        index = ConditionIndexPageFactory(parent=root_page, slug="bare")
        Site.objects.create(hostname="bare.example", root_page=index)
        ConditionPageFactory(
            parent=index, slug="pain", body=[stream_item("booking_cta", cta_data())]
        )
        response = client.get("/pain/", HTTP_HOST="bare.example")
        assert response.status_code == 200
        # nothing to book with, so no dead button
        assert not soup_of(response).select(".sc-cta")

    def test_deleted_image_does_not_break_the_page(self, client, condition_page):
        image = ImageFactory()
        condition_page.body = [
            stream_item(
                "section",
                section_data(
                    "Overview",
                    "overview",
                    [
                        stream_item("paragraph", "<p>Text stays.</p>"),
                        stream_item("figure", figure_data(image.pk)),
                    ],
                ),
            )
        ]
        condition_page.save_revision().publish()
        image.delete()
        response = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
        assert response.status_code == 200
        assert "Text stays." in response.content.decode()
        assert not soup_of(response).select(".sc-figure")

    def test_index_lists_live_conditions(self, client, condition_page, uk_clinic):
        index, _site, _clinic = uk_clinic
        draft = ConditionPageFactory(parent=index, title="Draft condition", live=False)
        assert not draft.live
        soup = soup_of(client.get("/", HTTP_HOST="uk.example"))
        titles = [a.get_text() for a in soup.select(".sc-condition-list__title a")]
        assert titles == ["Facet joint back pain"]
        assert soup.select_one(".sc-condition-list__title a")["href"] == "/facet-joint-back-pain/"


@pytest.mark.django_db
class TestValidation:
    def test_quick_answer_length(self, condition_page):
        condition_page.quick_answer = "x" * (QUICK_ANSWER_MAX_LENGTH + 1)
        with pytest.raises(ValidationError) as excinfo:
            condition_page.full_clean()
        assert "quick_answer" in excinfo.value.message_dict

    def test_next_review_must_follow_last_review(self, condition_page):
        condition_page.last_reviewed = datetime.date(2026, 5, 1)
        condition_page.next_review_due = datetime.date(2026, 4, 1)
        with pytest.raises(ValidationError) as excinfo:
            condition_page.full_clean()
        assert re.search("after the last review", excinfo.value.message_dict["next_review_due"][0])


@pytest.mark.django_db
class TestRouting:
    """Condition pages are found with their reviewer in one query; the rest as Wagtail does."""

    def test_condition_page_comes_with_its_reviewer(self, client, condition_page, clinician):
        response = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
        assert response.status_code == 200
        page = response.context["page"]
        assert type(page) is ConditionPage
        assert "reviewed_by" in page._state.fields_cache
        assert clinician.name in response.content.decode()

    def test_unknown_and_unpublished_pages_are_404(self, client, condition_page):
        assert client.get("/no-such-page/", HTTP_HOST="uk.example").status_code == 404
        assert client.get("/facet-joint-back-pain/x/", HTTP_HOST="uk.example").status_code == 404
        condition_page.unpublish()
        assert client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example").status_code == 404

    def test_breadcrumb_is_the_same_whether_routed_or_not(self, rf, condition_page, uk_clinic):
        from wagtail_spinecare.structured_data import breadcrumb_node

        index, site, _clinic = uk_clinic
        request = rf.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
        routed = index.route(request, ["facet-joint-back-pain"]).page
        fetched = ConditionPage.objects.get(pk=condition_page.pk)
        url = condition_page.get_full_url(request)
        assert breadcrumb_node(routed, request, url) == breadcrumb_node(fetched, request, url)
        names = [item["name"] for item in breadcrumb_node(routed, request, url)["itemListElement"]]
        assert names == [index.title, condition_page.title]


@pytest.mark.django_db
class TestQueryCount:
    """Rendering cost must not grow with content, with Django's caches cold or warm.

    Cold (the renditions and the fragment cache empty, as after a restart): the site, the
    site's root page, the condition page with its reviewer and whether a view restriction
    applies to it, clinic settings with the caches' generation, images with their
    renditions, 'read more' pages, comparison pages linking here, and sources = 8. Warm, the
    fragment cache (on by default) has the body: the first four of those. Without it, every
    render costs the cold count. The breadcrumb comes from routing, and page URLs from the
    site routing found.
    """

    COLD = 8
    WARM = {"default": 4, "fragment cache off": 8}

    @pytest.fixture
    def pages(self, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        images = [ImageFactory().pk for _ in range(10)]
        pages = {}
        for repeat in (1, 5):
            body = full_condition_body(images, repeat=repeat, clinic_page=index)
            pages[repeat] = ConditionPageFactory(
                parent=index, slug=f"content-x{repeat}", reviewed_by=clinician, body=body
            )
        return pages

    @pytest.mark.parametrize("caching", ["default", "fragment cache off"])
    @pytest.mark.parametrize("repeat", [1, 5])
    def test_queries_do_not_grow_with_content(
        self, client, pages, repeat, caching, settings, django_assert_num_queries
    ):
        from django.core.cache import cache

        if caching == "fragment cache off":
            settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 0
        url = f"/content-x{repeat}/"
        assert client.get(url, HTTP_HOST="uk.example").status_code == 200  # renditions made
        cache.clear()
        with django_assert_num_queries(self.COLD):
            response = client.get(url, HTTP_HOST="uk.example")
        assert response.status_code == 200
        with django_assert_num_queries(self.WARM[caching]):
            warm = client.get(url, HTTP_HOST="uk.example")
        assert warm.content == response.content
        assert response.content.decode().count('class="sc-figure"') == 2 * repeat


def test_a_comparison_page_previews_with_its_conditions(demo):
    """A preview draws the page from its revision, where the chosen conditions are the
    editor's unsaved choice, not a query set."""
    page = TreatmentComparisonPage.objects.live().first()
    draft = page.get_latest_revision_as_object()
    response = draft.make_preview_request()
    assert response.status_code == 200
    linked = [condition.title for condition in page.live_conditions()]
    assert linked and all(title in response.content.decode() for title in linked)


def test_routing_asks_for_the_type_it_found_last_and_checks_it(
    uk_clinic, condition_page, rf, django_assert_num_queries
):
    """Once a process has found the page at a slug, it asks for that page type alone; when
    another page of another type has taken the slug since, it asks again for any type."""
    from wagtail_spinecare.models.index import ROUTE_HINTS

    index, _site, _clinic = uk_clinic
    request = rf.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
    ROUTE_HINTS.clear()
    assert index.route(request, ["facet-joint-back-pain"]).page.pk == condition_page.pk
    assert ROUTE_HINTS[index.pk, "facet-joint-back-pain"] == "conditionpage"
    with django_assert_num_queries(1):
        routed = index.route(request, ["facet-joint-back-pain"]).page
    assert routed.pk == condition_page.pk and routed.reviewed_by is not None
    condition_page.delete()
    shared = ClinicConditionPage(title="Facet joint back pain", slug="facet-joint-back-pain")
    index.add_child(instance=shared)
    assert index.route(request, ["facet-joint-back-pain"]).page.pk == shared.pk
    assert ROUTE_HINTS[index.pk, "facet-joint-back-pain"] == "clinicconditionpage"


@pytest.mark.django_db
class TestRoutedViewRestrictions:
    """Routing brings whether a view restriction applies to the page it finds; Wagtail's
    check before serving then needs no query of its own for a public page, and finds the
    same restrictions as Wagtail's own rule for any other."""

    @pytest.fixture
    def routed(self, uk_clinic, condition_page, rf):
        from wagtail_spinecare.models.index import ROUTE_HINTS

        index, _site, _clinic = uk_clinic
        ROUTE_HINTS.clear()
        request = rf.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
        index.route(request, ["facet-joint-back-pain"])  # the page's type, for the hint
        return lambda: index.route(request, ["facet-joint-back-pain"]).page

    def test_a_public_page_has_none_without_a_query(self, routed, django_assert_num_queries):
        page = routed()
        with django_assert_num_queries(0):
            assert list(page.get_view_restrictions()) == []
            assert not page.get_view_restrictions().exists()

    @pytest.mark.parametrize("where", ["page", "index", "alias"])
    def test_a_restricted_page_has_wagtails_restrictions(
        self, routed, uk_clinic, condition_page, where
    ):
        index, site, _clinic = uk_clinic
        if where == "alias":
            # The page is an alias: its source page's restrictions apply, not its own.
            source = ConditionPageFactory(parent=site.root_page, slug="source")
            PageViewRestriction.objects.create(page=source, restriction_type="login")
            slug = condition_page.slug
            condition_page.delete()
            source.create_alias(parent=index, update_slug=slug)
        else:
            restricted = condition_page if where == "page" else index
            PageViewRestriction.objects.create(page=restricted, restriction_type="login")
        page = routed()
        expected = set(Page.get_view_restrictions(Page.objects.get(pk=page.pk)))
        assert expected and set(page.get_view_restrictions()) == expected

    def test_a_page_not_routed_asks(self, condition_page, django_assert_num_queries):
        page = ConditionPage.objects.get(pk=condition_page.pk)
        with django_assert_num_queries(1):
            assert list(page.get_view_restrictions()) == []

    def test_a_page_restricted_since_the_last_visit_is_not_served(
        self, client, condition_page, uk_clinic
    ):
        url = "/facet-joint-back-pain/"
        assert client.get(url, HTTP_HOST="uk.example").status_code == 200
        PageViewRestriction.objects.create(page=uk_clinic[0], restriction_type="login")
        assert client.get(url, HTTP_HOST="uk.example").status_code == 302


@pytest.mark.django_db
def test_a_preview_lists_the_drafts_sources_and_the_live_page_the_stored_ones(
    client, condition_page
):
    def source(title):
        return PageSource(title=title, publisher="A publisher", year=2024)

    condition_page.spinecare_sources = [source("Stored source")]
    condition_page.save_revision().publish()
    draft = ConditionPage.objects.get(pk=condition_page.pk)
    draft.spinecare_sources = [source("Draft source")]
    draft.save_revision()

    preview = draft.get_latest_revision_as_object().make_preview_request()
    live = client.get(condition_page.url, HTTP_HOST=condition_page.get_site().hostname)
    assert "Draft source" in preview.content.decode()
    assert "Stored source" not in preview.content.decode()
    assert "Stored source" in live.content.decode()
    assert "Draft source" not in live.content.decode()


@pytest.mark.django_db
def test_each_clinics_page_is_in_its_own_english(client, uk_page, us_page, settings):
    """Whatever the project's language, a page's words, lang and Content-Language are its
    clinic's: a UK clinic's British English, a US clinic's American."""
    settings.LANGUAGE_CODE = "es"
    for host, language in (("uk.example", "en-GB"), ("us.example", "en-US")):
        response = client.get(f"/{uk_page.slug}/", HTTP_HOST=host)
        assert response.status_code == 200
        assert response["Content-Language"] == language
        soup = soup_of(response)
        assert soup.html["lang"] == language
        with translation.override("es"):
            spanish = translation.gettext("Book")
        assert spanish != "Book" and spanish not in soup.get_text()
    # Outside the page, the project's language is untouched.
    assert translation.get_language() == "es"
