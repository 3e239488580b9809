"""A clinic project's own condition pages (``tests/testapp``): subclasses of the package's
condition page and index, served, checked, marked up and cached as the package's own are.

Most tests run twice, on the package's page on one clinic's site and on the project's page
on another clinic's site with the same settings and the same content, and expect the same.
"""

import json
from datetime import timedelta
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import rich_text, streamfield
from wagtail_factories import ImageFactory

from wagtail_spinecare import consent_actions
from wagtail_spinecare.checks import run_checks
from wagtail_spinecare.factories import (
    ClinicSettingsFactory,
    ConditionPageFactory,
    TestimonialFactory,
    care_card_data,
    faq_data,
    full_condition_body,
    give_consent,
    section_data,
    stream_item,
)
from wagtail_spinecare.models import (
    ClinicConditionPage,
    ConditionIndexPage,
    ConditionPage,
    TreatmentComparisonPage,
)

from .conftest import cache_on
from .forms import condition_page_form
from .schema_vocab import problems
from .testapp.factories import ProjectConditionIndexPageFactory, ProjectConditionPageFactory
from .testapp.models import ProjectConditionIndexPage, ProjectConditionPage

PACKAGE, PROJECT = "package", "project"
HOSTS = {PACKAGE: "uk.example", PROJECT: "project.example"}
URL = "/facet/"
REFERRAL = "Your GP can refer you, or you can refer yourself."


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def get(client, kind, path=URL):
    response = client.get(path, HTTP_HOST=HOSTS[kind])
    assert response.status_code == 200
    return response


@pytest.fixture
def project_clinic(root_page, uk_clinic):
    """A clinic whose site's root is the project's own index: (index, site, settings), with
    the same settings as the UK clinic, whose root is the package's index."""
    fields = ("clinic_name", "region", "phone", "booking_url")
    same = {name: getattr(uk_clinic[2], name) for name in fields}
    index = ProjectConditionIndexPageFactory(parent=root_page, slug="project")
    site = Site.objects.create(
        hostname=HOSTS[PROJECT], port=80, root_page=index, site_name=HOSTS[PROJECT]
    )
    return index, site, ClinicSettingsFactory(site=site, **same)


def condition_body():
    """A condition page's body: sections, questions, and a section for patient stories."""
    return [
        stream_item(
            "section",
            section_data(
                "What are facet joints?",
                "overview",
                [stream_item("paragraph", "<p>Small joints that guide how the spine moves.</p>")],
            ),
        ),
        stream_item(
            "section",
            section_data(
                "Symptoms",
                "symptoms",
                [stream_item("paragraph", "<ul><li>Aching low back</li><li>Stiffness</li></ul>")],
            ),
        ),
        stream_item(
            "section",
            section_data(
                "When to get help",
                "when_to_get_help",
                [stream_item("care_card", care_card_data("emergency"))],
            ),
        ),
        stream_item("faq", faq_data(2)),
        stream_item("section", section_data("Stories from our patients", "success_stories", [])),
    ]


def with_story(body, story):
    """``body`` with ``story`` chosen in its (last) stories section."""
    chosen = stream_item(
        "testimonials",
        {"heading": "What our patients say", "testimonials": [story.pk], "latest_count": 0},
    )
    stories = body[-1]
    return [
        *body[:-1],
        {**stories, "value": {**stories["value"], "content": [chosen]}},
    ]


@pytest.fixture
def twins(uk_clinic, project_clinic, clinician):
    """The same condition, published as the package's page on the UK clinic's site and as
    the project's page on the project clinic's site, each showing a story of its clinic."""
    body = condition_body()
    pages = {}
    for kind, (index, site, _clinic), factory in (
        (PACKAGE, uk_clinic, ConditionPageFactory),
        (PROJECT, project_clinic, ProjectConditionPageFactory),
    ):
        story = TestimonialFactory(site=site, quote=f"Back to gardening, {kind} clinic.")
        give_consent(story)
        pages[kind] = factory(
            parent=index,
            title="Facet joint back pain",
            slug=URL.strip("/"),
            alternative_names="facet joint syndrome",
            reviewed_by=clinician,
            body=with_story(body, story),
        )
        pages[kind].story = story
    return pages


both = pytest.mark.parametrize("kind", [PACKAGE, PROJECT])


# Page types -------------------------------------------------------------------------------


class TestPageRules(WagtailPageTestCase):
    def test_project_pages_live_under_the_projects_index(self):
        self.assertCanCreateAt(ProjectConditionIndexPage, ProjectConditionPage)
        self.assertCanCreateAt(Page, ProjectConditionIndexPage)
        self.assertAllowedSubpageTypes(ProjectConditionPage, {})
        self.assertCanNotCreateAt(Page, ProjectConditionPage)
        # The package's own condition page names its parents; the project's index is not one.
        self.assertCanNotCreateAt(ProjectConditionIndexPage, ConditionPage)

    def test_project_pages_may_be_added_under_the_packages_index(self):
        self.assertCanCreateAt(ConditionIndexPage, ProjectConditionPage)

    def test_comparisons_and_shared_content_may_be_added_under_the_projects_index(self):
        self.assertCanCreateAt(ProjectConditionIndexPage, TreatmentComparisonPage)
        self.assertCanCreateAt(ProjectConditionIndexPage, ClinicConditionPage)

    def test_renderable_and_previewable(self):
        home = Site.objects.get(is_default_site=True).root_page
        index = ProjectConditionIndexPageFactory(parent=home)
        page = ProjectConditionPageFactory(parent=index)
        self.assertPageIsRenderable(index)
        self.assertPageIsRenderable(page)
        self.assertPageIsPreviewable(
            page, post_data=condition_page_form(slug=page.slug, referral_note=rich_text(""))
        )


# Routing ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestRouting:
    def test_served_by_the_project_template_with_the_packages_content(self, client, twins):
        response = get(client, PROJECT)
        assert type(response.context["page"]) is ProjectConditionPage
        assert [t.name for t in response.templates[:2]] == [
            "testapp/project_condition_page.html",
            "wagtail_spinecare/condition_page.html",
        ]
        soup = soup_of(response)
        assert soup.select_one("aside.project-referral p").get_text() == REFERRAL
        # What the package's page shows is all there, the referral note after it.
        assert soup.select_one("h1").get_text(strip=True) == "Facet joint back pain"
        assert soup.select_one(".sc-quick-answer__text").get_text() == twins[PROJECT].quick_answer
        assert twins[PROJECT].reviewed_by.name in soup.select_one(".sc-review").get_text()
        story = soup.select_one(".sc-testimonial__quote").get_text(" ", strip=True)
        assert story == twins[PROJECT].story.quote
        assert soup.select_one("article.sc-condition").find_next("aside", "project-referral")

    def test_the_same_page_as_the_packages(self, client, twins):
        """Apart from the referral note and the story, the same HTML as the package's page."""
        pages = {}
        for kind in (PACKAGE, PROJECT):
            soup = soup_of(get(client, kind))
            for referral in soup.select("aside.project-referral"):
                referral.decompose()
            html = str(soup.select_one("main")).replace(twins[kind].story.quote, "STORY")
            pages[kind] = " ".join(html.replace(HOSTS[kind], "HOST").split())
        assert pages[PROJECT] == pages[PACKAGE]

    def test_without_a_referral_note_nothing_is_added(self, client, twins):
        twins[PROJECT].referral_note = ""
        twins[PROJECT].save_revision().publish()
        assert not soup_of(get(client, PROJECT)).select(".project-referral")

    @both
    def test_unknown_and_unpublished_pages_are_404(self, client, twins, kind):
        host = HOSTS[kind]
        assert client.get("/no-such-page/", HTTP_HOST=host).status_code == 404
        assert client.get(f"{URL}x/", HTTP_HOST=host).status_code == 404
        twins[kind].unpublish()
        assert client.get(URL, HTTP_HOST=host).status_code == 404

    @both
    def test_the_index_lists_live_conditions(self, client, twins, kind):
        index = twins[kind].get_parent()
        factory = ProjectConditionPageFactory if kind == PROJECT else ConditionPageFactory
        factory(parent=index, title="Draft condition", slug="draft", live=False)
        factory(parent=index, title="Coccyx pain", slug="coccyx")
        soup = soup_of(get(client, kind, "/"))
        links = [(a.get_text(), a["href"]) for a in soup.select(".sc-condition-list__title a")]
        assert links == [("Coccyx pain", "/coccyx/"), ("Facet joint back pain", URL)]

    def test_a_project_page_under_the_packages_index_is_served(self, client, uk_clinic):
        """A clinic's existing site, whose root is the package's index, can hold project
        pages put there by code (a data migration, an import)."""
        ProjectConditionPageFactory(parent=uk_clinic[0], slug="sciatica", title="Sciatica")
        response = client.get("/sciatica/", HTTP_HOST=HOSTS[PACKAGE])
        assert response.status_code == 200
        assert type(response.context["page"]) is ProjectConditionPage
        assert soup_of(response).select_one("aside.project-referral p").get_text() == REFERRAL


# Governance -------------------------------------------------------------------------------


def body_with_problems():
    """Content with four problems the content checks find: a comparison promised and not
    given, a file name for an image description, and a "don't" that is not "do not"."""
    return [
        stream_item(
            "section",
            section_data(
                "Treatment",
                "treatment",
                [
                    stream_item(
                        "paragraph",
                        "<p>Here's how they compare, based on current guidelines.</p>",
                    ),
                    stream_item(
                        "figure",
                        {
                            "image": {
                                "image": ImageFactory().pk,
                                "decorative": False,
                                "alt_text": "IMG_2041.jpg",
                            },
                            "caption": "",
                        },
                    ),
                ],
            ),
        ),
        stream_item(
            "section",
            section_data(
                "Self-care",
                "self_care",
                [stream_item("do_dont", {"do": ["keep moving"], "dont": ["lift heavy things"]})],
            ),
        ),
    ]


def review_report():
    """(exit status, output) of the monitoring command."""
    out = StringIO()
    try:
        call_command("spinecare_review_report", stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def findings(page):
    return [finding.as_dict() for finding in run_checks(page)]


@pytest.mark.django_db
class TestContentChecks:
    def test_the_same_findings_on_the_same_content(self, uk_clinic, project_clinic):
        body = body_with_problems()
        unreviewed = {"reviewed_by": None, "last_reviewed": None, "next_review_due": None}
        found = {}
        for kind, index, factory in (
            (PACKAGE, uk_clinic[0], ConditionPageFactory),
            (PROJECT, project_clinic[0], ProjectConditionPageFactory),
        ):
            page = factory(parent=index, slug="facet", body=body, **unreviewed)
            found[kind] = findings(page)
            # As the editor and the preview ask: the page loaded as its most specific type.
            assert findings(Page.objects.get(pk=page.pk).specific) == found[kind]
        assert {finding["code"] for finding in found[PROJECT]} == {
            "review-missing",
            "comparison-promised",
            "alt-text-filename",
            "dont-without-do-not",
        }
        assert found[PROJECT] == found[PACKAGE]

    def test_an_overdue_review_on_both(self, twins):
        for page in twins.values():
            page.last_reviewed = timezone.localdate() - timedelta(days=300)
            page.next_review_due = timezone.localdate() - timedelta(days=1)
        found = {kind: findings(page) for kind, page in twins.items()}
        assert [finding["code"] for finding in found[PROJECT]] == ["review-overdue"]
        assert found[PROJECT] == found[PACKAGE]

    def test_review_report_lists_project_pages(self, twins):
        page = twins[PROJECT]
        page.next_review_due = timezone.localdate() - timedelta(days=1)
        page.save_revision().publish()
        status, out = review_report()
        assert status == 1
        status_of = {
            kind: [line.split()[0] for line in out.splitlines() if twins[kind].url_path in line]
            for kind in twins
        }
        assert status_of == {PROJECT: ["OVERDUE"], PACKAGE: ["ok"]}


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


MODELS = {PACKAGE: ConditionPage, PROJECT: ProjectConditionPage}


def add_url(kind, index):
    model = MODELS[kind]._meta
    return reverse("wagtailadmin_pages:add", args=(model.app_label, model.model_name, index.pk))


def form(kind, publish=True, **fields):
    if kind == PROJECT:
        fields.setdefault("referral_note", rich_text(f"<p>{REFERRAL}</p>"))
    data = condition_page_form(**fields)
    if publish:
        data["action-publish"] = "action-publish"
    return data


@pytest.mark.django_db
class TestPublicationGate:
    @pytest.fixture
    def indexes(self, uk_clinic, project_clinic):
        return {PACKAGE: uk_clinic[0], PROJECT: project_clinic[0]}

    def reviewed(self, clinician):
        today = timezone.localdate()
        return {
            "reviewed_by": str(clinician.pk),
            "last_reviewed": (today - timedelta(days=10)).isoformat(),
            "next_review_due": (today + timedelta(days=300)).isoformat(),
        }

    @both
    def test_no_review_no_publishing(self, admin_client, indexes, kind):
        response = admin_client.post(add_url(kind, indexes[kind]), form(kind))
        assert response.status_code == 200
        (message,) = response.context["form"].errors["reviewed_by"]
        assert "needs a clinical review before it is published" in message
        assert not MODELS[kind].objects.exists()

    @both
    def test_a_draft_without_review_is_saved(self, admin_client, indexes, kind):
        response = admin_client.post(add_url(kind, indexes[kind]), form(kind, publish=False))
        assert response.status_code == 302
        page = MODELS[kind].objects.get()
        assert not page.live

    @both
    def test_body_problems_block_publishing(self, admin_client, indexes, kind, clinician):
        image = {"image": str(ImageFactory().pk), "alt_text": "IMG_2041.jpg", "decorative": ""}
        content = streamfield([("figure", {"image": image, "caption": ""})])
        body = [("section", {"aspect": "overview", "heading": "Introduction", "content": content})]
        data = form(kind, body=body, **self.reviewed(clinician))
        response = admin_client.post(add_url(kind, indexes[kind]), data)
        assert response.status_code == 200
        (message,) = response.context["form"].non_field_errors()
        assert message.startswith("Section “Introduction”: ")
        assert "IMG_2041.jpg" in message
        assert not MODELS[kind].objects.exists()

    @both
    def test_a_reviewed_page_publishes(self, admin_client, indexes, kind, clinician):
        response = admin_client.post(
            add_url(kind, indexes[kind]), form(kind, **self.reviewed(clinician))
        )
        assert response.status_code == 302
        page = MODELS[kind].objects.get()
        assert page.live and page.reviewed_by == clinician
        if kind == PROJECT:
            assert REFERRAL in page.referral_note
        admin_client.logout()
        assert admin_client.get(page.url, HTTP_HOST=HOSTS[kind]).status_code == 200

    @both
    def test_the_editor_shows_the_checks(self, admin_client, twins, kind):
        page = twins[kind]
        page.body = body_with_problems()
        page.save_revision()
        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert response.status_code == 200
        text = soup_of(response).get_text(" ")
        assert "dont-without-do-not" in text and "No problems found" not in text


# Structured data --------------------------------------------------------------------------


def graph_of(response):
    scripts = soup_of(response).find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


@pytest.mark.django_db
def test_the_same_structured_data_as_the_packages_page(client, twins):
    graphs = {kind: graph_of(get(client, kind)) for kind in twins}
    assert problems(graphs[PROJECT]) == []
    types = {
        node["@type"] if isinstance(node["@type"], str) else tuple(node["@type"])
        for node in graphs[PROJECT]["@graph"]
    }
    assert types == {
        ("MedicalWebPage", "FAQPage"),
        "Physiotherapy",
        "Person",
        "MedicalCondition",
        "BreadcrumbList",
    }
    # The same graph, at the project clinic's address.
    as_package = json.dumps(graphs[PROJECT]).replace(HOSTS[PROJECT], HOSTS[PACKAGE])
    assert json.loads(as_package) == graphs[PACKAGE]


# Caches -----------------------------------------------------------------------------------


@pytest.fixture
def cached_twins(page_cache, twins):
    """The twins, with the page cache on (local memory and Redis) and empty."""
    page_cache.clear()
    return twins


@pytest.mark.django_db
class TestPageCache:
    @both
    def test_served_from_the_cache_until_published(self, client, cached_twins, kind):
        assert get(client, kind)["X-Spinecare-Cache"] == "miss"
        assert get(client, kind)["X-Spinecare-Cache"] == "hit"
        page = cached_twins[kind]
        page.quick_answer = "A new quick answer, just published."
        page.save_revision().publish()
        response = get(client, kind)
        assert response["X-Spinecare-Cache"] == "miss"
        assert "A new quick answer, just published." in response.content.decode()

    def test_a_new_referral_note_shows_once_published(self, client, cached_twins):
        get(client, PROJECT)
        page = cached_twins[PROJECT]
        page.referral_note = "<p>Referrals by phone only.</p>"
        page.save_revision()
        assert REFERRAL in get(client, PROJECT).content.decode()  # a draft changes nothing
        page.get_latest_revision().publish()
        assert "Referrals by phone only." in get(client, PROJECT).content.decode()

    @both
    def test_a_withdrawn_story_is_gone_on_the_next_request(self, client, cached_twins, kind):
        story = cached_twins[kind].story
        for _ in range(2):
            assert story.quote in get(client, kind).content.decode()
        consent_actions.withdraw(story, channel="email")
        response = get(client, kind)
        assert response["X-Spinecare-Cache"] == "miss"
        assert story.quote not in response.content.decode()

    @both
    def test_middleware_serves_without_a_query_and_unpublishing_takes_the_page_away(
        self, with_middleware, client, cached_twins, kind, django_assert_num_queries
    ):
        from wagtail_spinecare.cache import generation_in_cache

        missed = get(client, kind)
        # With a cache of one process, the generation is read from the database.
        with django_assert_num_queries(0 if generation_in_cache() else 1):
            hit = get(client, kind)
        assert hit["X-Spinecare-Cache"] == "hit" and hit.content == missed.content
        cached_twins[kind].unpublish()
        assert client.get(URL, HTTP_HOST=HOSTS[kind]).status_code == 404


@pytest.fixture(params=["locmem", "redis"])
def fragment_cache(request, twins):
    """The twins, with the fragment cache alone on (the page cache off)."""
    with cache_on(request.param, fragment=600):
        yield twins


@pytest.mark.django_db
class TestFragmentCache:
    #: Queries for a page whose body comes from the fragment cache: the site, its root page,
    #: the condition page (with whether a view restriction applies) and clinic settings. The
    #: project's page takes two more: for its own row (see TestQueryCount), and for view
    #: restrictions, which routing does not bring for a type it does not know.
    QUERIES = {PACKAGE: 4, PROJECT: 6}

    @both
    def test_repeat_renders_reuse_the_body(
        self, client, fragment_cache, kind, django_assert_num_queries
    ):
        first = get(client, kind)
        with django_assert_num_queries(self.QUERIES[kind]):
            again = get(client, kind)
        assert again.content == first.content

    @both
    def test_a_withdrawn_story_is_gone_on_the_next_render(self, client, fragment_cache, kind):
        story = fragment_cache[kind].story
        assert story.quote in get(client, kind).content.decode()
        consent_actions.withdraw(story, channel="email")
        assert story.quote not in get(client, kind).content.decode()

    def test_the_referral_note_is_outside_the_cached_fragment(self, client, fragment_cache):
        get(client, PROJECT)
        ProjectConditionPage.objects.filter(pk=fragment_cache[PROJECT].pk).update(
            referral_note="<p>Changed without publishing.</p>"
        )
        assert "Changed without publishing." in get(client, PROJECT).content.decode()


@pytest.mark.django_db
class TestFrontendCachePurge:
    @pytest.fixture
    def on_commit(self, django_capture_on_commit_callbacks):
        return lambda: django_capture_on_commit_callbacks(execute=True)

    @both
    def test_publishing_purges_the_page(self, twins, purges, on_commit, kind):
        with on_commit():
            twins[kind].save_revision().publish()
        assert twins[kind].pk in purges()

    @both
    def test_withdrawing_a_story_purges_the_page_showing_it(self, twins, purges, on_commit, kind):
        with on_commit():
            consent_actions.withdraw(twins[kind].story, channel="email")
        assert purges() == {twins[kind].pk}

    def test_a_reviewer_change_purges_the_pages(self, twins, purges, on_commit, clinician):
        with on_commit():
            clinician.name = "Renamed Reviewer"
            clinician.save()
        assert purges() == {twins[PACKAGE].pk, twins[PROJECT].pk}


# Query counts -----------------------------------------------------------------------------


@pytest.mark.django_db
class TestQueryCount:
    """The package's condition page costs 8 queries cold, 4 warm (see
    ``test_condition_page.TestQueryCount``). The package's index finds a condition page with
    its reviewer, and whether a view restriction applies, in one query; a project's subclass
    of it needs two more, for its own row (with the reviewer again) and its view
    restrictions."""

    COLD = {PACKAGE: 8, PROJECT: 10}
    WARM = {PACKAGE: 4, PROJECT: 6}

    @pytest.fixture
    def pages(self, uk_clinic, project_clinic, clinician):
        images = [ImageFactory().pk for _ in range(10)]
        pages = {}
        for kind, (index, _site, _clinic), factory in (
            (PACKAGE, uk_clinic, ConditionPageFactory),
            (PROJECT, project_clinic, ProjectConditionPageFactory),
        ):
            for repeat in (1, 5):
                body = full_condition_body(images, repeat=repeat, clinic_page=index)
                pages[kind, repeat] = factory(
                    parent=index, slug=f"content-x{repeat}", reviewed_by=clinician, body=body
                )
        return pages

    @both
    @pytest.mark.parametrize("repeat", [1, 5])
    def test_queries_do_not_grow_with_content(
        self, client, pages, kind, repeat, django_assert_num_queries
    ):
        url = f"/content-x{repeat}/"
        assert get(client, kind, url).status_code == 200  # renditions made
        cache.clear()
        with django_assert_num_queries(self.COLD[kind]):
            response = get(client, kind, url)
        with django_assert_num_queries(self.WARM[kind]):
            get(client, kind, url)
        assert response.content.decode().count('class="sc-figure"') == 2 * repeat
