"""Another clinic's patient story is never named to an editor who does not manage that clinic.

A page can hold a story of another clinic: someone who manages both clinics chose it, or
copied the page across. Wherever an editor sees the page's stories (previews in every
clinic's mode, content checks, revision comparison, search), such a story shows only as "a
story from another clinic": not its words, and not what its patient's consent says.
"""

import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import streamfield

from tests.forms import condition_page_form, listblock
from tests.test_consent import stories_block, stories_section
from tests.test_patient_record_permissions import clinic_editors, member
from wagtail_spinecare import consent_actions
from wagtail_spinecare.checks import run_checks
from wagtail_spinecare.factories import (
    ConditionPageFactory,
    TestimonialFactory,
    give_consent,
)
from wagtail_spinecare.models import ClinicConditionPage, ConditionLibraryPage, Testimonial
from wagtail_spinecare.testimonial_display import TestimonialReader

US_QUOTE = "Paddling across Lake Macbride again, my back finally quiet."
US_WORDS = ("Paddling", "Macbride", "finally quiet")
UK_QUOTE = "Rowing under the Clifton bridge again without a twinge."
UK_WORDS = ("Rowing", "Clifton", "twinge")
WITHDRAWN = "the patient withdrew consent"
NO_CONSENT = "no consent has been recorded"
MASKED = "a testimonial from another clinic"


def found(text, words):
    return [word for word in words if word.lower() in text.lower()]


def page_permissions(group, page, codenames=("add_page", "change_page", "publish_page")):
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=Permission.objects.get(codename=codename)
        )


@pytest.fixture
def uk_editors(uk_clinic):
    group = clinic_editors(uk_clinic[1], "Harbour Physio editors")
    page_permissions(group, uk_clinic[0])
    return group


@pytest.fixture
def uk_editor(uk_editors):
    return member(uk_editors, "hana")


@pytest.fixture
def us_editor(us_clinic):
    group = clinic_editors(us_clinic[1], "Lake PT editors")
    page_permissions(group, us_clinic[0])
    return member(group, "lou")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("both", "both@clinic.example", "pw")


@pytest.fixture
def us_story(uk_site, us_site):
    """A US patient's story: consent once covered both clinics; the patient withdrew it."""
    story = TestimonialFactory(site=us_site, quote=US_QUOTE)
    give_consent(story, sites=[us_site, uk_site])
    consent_actions.withdraw(story, channel="email")
    return story


@pytest.fixture
def uk_story(uk_site):
    """A UK patient's story whose consent was never recorded."""
    return TestimonialFactory(site=uk_site, quote=UK_QUOTE)


def stories_body(*stories):
    return [stories_section(stories_block(stories))]


@pytest.fixture
def condition_page(uk_clinic, clinician, us_story, uk_story):
    """A UK clinic's page holding both stories, as someone who manages both chose them."""
    page = ConditionPageFactory(
        parent=uk_clinic[0],
        title="Facet joint back pain",
        slug="facet-joint-back-pain",
        reviewed_by=clinician,
        body=stories_body(us_story, uk_story),
    )
    page.save_revision()
    return page


def build_page(kind, uk_clinic, clinician, us_story, uk_story, root_page):
    """A page of each kind that can hold chosen stories, on or for the UK clinic."""
    index = uk_clinic[0]
    if kind == "condition":
        return ConditionPageFactory(
            parent=index, slug="facet", reviewed_by=clinician, body=stories_body(us_story, uk_story)
        )
    if kind == "index":
        index.body = [stories_block([us_story, uk_story])]
        index.save()
        return index
    library = root_page.add_child(instance=ConditionLibraryPage(title="Shared", slug="shared"))
    shared = ConditionPageFactory(
        parent=library, slug="facet", reviewed_by=clinician, body=stories_body(us_story, uk_story)
    )
    shared.save_revision().publish()
    if kind == "shared":
        return shared
    clinic_page = index.add_child(
        instance=ClinicConditionPage(title="Facet joint pain", slug="facet", shared_page=shared)
    )
    clinic_page.save_revision().publish()
    return clinic_page


def editor_request(user):
    """A request of ``user``'s, with their session: what Wagtail's preview views hand to
    ``make_preview_request``, so that the preview is drawn for them."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return RequestFactory().get("/", HTTP_COOKIE=f"{cookie.key}={cookie.value}")


def preview(page, user, mode=""):
    """The text of ``page`` previewed by ``user`` in ``mode``."""
    response = page.make_preview_request(original_request=editor_request(user), preview_mode=mode)
    assert response.status_code == 200, mode
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


PAGE_KINDS = ["condition", "index", "shared", "clinic"]


@pytest.mark.django_db
class TestPreviews:
    @pytest.fixture(params=PAGE_KINDS)
    def page(self, request, uk_clinic, us_clinic, clinician, us_story, uk_story, root_page):
        return build_page(request.param, uk_clinic, clinician, us_story, uk_story, root_page)

    def previews(self, page, user):
        modes = [mode for mode, _label in page.preview_modes]
        assert len(modes) == 3  # the page's own site, and each clinic's
        return {mode: preview(page, user, mode) for mode in modes}

    def test_another_clinics_editor_sees_neither_its_words_nor_its_consent(self, page, uk_editor):
        for mode, text in self.previews(page, uk_editor).items():
            assert found(text, US_WORDS) == [], mode
            assert WITHDRAWN not in text, mode
            assert MASKED in text.lower(), mode
            # Their own clinic's story: its words and why it is not shown.
            assert found(text, UK_WORDS) == list(UK_WORDS), mode
            assert NO_CONSENT in text, mode

    def test_the_storys_clinic_sees_its_words_and_why(self, page, us_editor):
        for mode, text in self.previews(page, us_editor).items():
            assert found(text, US_WORDS) == list(US_WORDS), mode
            assert WITHDRAWN in text, mode
            assert found(text, UK_WORDS) == [], mode
            assert NO_CONSENT not in text, mode

    def test_whoever_manages_both_sees_both(self, page, superuser):
        for mode, text in self.previews(page, superuser).items():
            assert found(text, US_WORDS + UK_WORDS) == list(US_WORDS + UK_WORDS), mode
            assert WITHDRAWN in text and NO_CONSENT in text, mode
            assert MASKED not in text.lower(), mode


@pytest.mark.django_db
class TestAdminPreviews:
    """Wagtail's own preview views, as an editor reaches them."""

    def test_preview_of_unsaved_changes_as_the_other_clinic(
        self, client, uk_editor, us_site, condition_page, us_story, uk_story
    ):
        client.force_login(uk_editor)
        url = reverse("wagtailadmin_pages:preview_on_edit", args=[condition_page.pk])
        block = {
            "heading": "Stories",
            "testimonials": listblock([str(us_story.pk), str(uk_story.pk)]),
            "latest_count": "0",
        }
        section = {"aspect": "success_stories", "heading": "Stories"}
        body = [("section", {**section, "content": streamfield([("testimonials", block)])})]
        data = condition_page_form(body=body, slug=condition_page.slug)
        assert client.post(url, data).json()["is_valid"]
        response = client.get(url, {"mode": f"clinic-{us_site.pk}"})
        text = response.content.decode()
        assert "Preview as Lake PT" in text
        assert found(text, US_WORDS) == [] and WITHDRAWN not in text
        assert found(text, UK_WORDS) == list(UK_WORDS)

    def test_viewing_a_revision(self, client, uk_editor, condition_page):
        client.force_login(uk_editor)
        revision = condition_page.get_latest_revision()
        url = reverse("wagtailadmin_pages:revisions_view", args=[condition_page.pk, revision.pk])
        text = client.get(url).content.decode()
        assert found(text, US_WORDS) == [] and WITHDRAWN not in text
        assert found(text, UK_WORDS) == list(UK_WORDS) and NO_CONSENT in text


@pytest.mark.django_db
class TestContentChecks:
    def messages(self, page, site, user):
        reader = TestimonialReader(user) if user is not None else None
        return [
            f.message
            for f in run_checks(page, site=site, reader=reader)
            if f.code == "testimonial-not-publishable"
        ]

    @pytest.mark.parametrize("site_name", ["uk", "us", "none"])
    def test_another_clinics_story_is_told_without_words_or_reason(
        self, site_name, uk_site, us_site, condition_page, uk_editor, us_story, uk_story
    ):
        site = {"uk": uk_site, "us": us_site, "none": None}[site_name]
        page = condition_page.get_latest_revision_as_object()
        if site is None:
            # A page outside every clinic's site: a shared library's.
            page.get_site = lambda: None
        theirs, ours = self.messages(page, site, uk_editor)
        assert theirs == (
            "A testimonial from another clinic will not be shown. Only its clinic's editors can "
            "see why."
        )
        assert found(ours, UK_WORDS) == list(UK_WORDS)
        # With no site too, what hides it on every site: no consent.
        assert NO_CONSENT in ours

    def test_the_storys_clinic_is_told_its_words_and_why(
        self, uk_site, condition_page, us_editor, us_story
    ):
        page = condition_page.get_latest_revision_as_object()
        theirs, ours = self.messages(page, uk_site, us_editor)
        assert found(theirs, US_WORDS) == list(US_WORDS) and WITHDRAWN in theirs
        assert found(ours, UK_WORDS) == [] and NO_CONSENT not in ours

    def test_told_to_nobody_in_particular_a_story_is_its_label(
        self, uk_site, condition_page, us_story, uk_story
    ):
        page = condition_page.get_latest_revision_as_object()
        messages = self.messages(page, uk_site, None)
        assert messages == [
            f"{story.label} will not be shown. Only its clinic's editors can see why."
            for story in (us_story, uk_story)
        ]

    def test_the_editors_content_checks_panel(self, client, uk_editor, condition_page):
        client.force_login(uk_editor)
        response = client.get(reverse("wagtailadmin_pages:edit", args=[condition_page.pk]))
        panel = BeautifulSoup(response.content, "html.parser").find(
            string=re.compile("will not be shown")
        )
        assert panel is not None
        text = response.content.decode()
        assert found(text, US_WORDS) == [] and WITHDRAWN not in text

    def test_the_panel_tells_the_storys_own_clinic_its_words_and_why(
        self, client, uk_editor, condition_page
    ):
        client.force_login(uk_editor)
        response = client.get(reverse("wagtailadmin_pages:edit", args=[condition_page.pk]))
        panel = BeautifulSoup(response.content, "html.parser").find(class_="spinecare-findings")
        text = " ".join(panel.get_text(" ").split())
        assert found(text, UK_WORDS) == list(UK_WORDS) and NO_CONSENT in text
        assert found(text, US_WORDS) == [] and WITHDRAWN not in text

    def test_one_question_for_a_pages_stories_none_without(
        self, monkeypatch, uk_clinic, uk_site, clinician, uk_editor
    ):
        from wagtail_spinecare import testimonial_display

        asked = []
        managed = testimonial_display.managed_testimonials

        def counting(user, *args, **kwargs):
            asked.append(user)
            return managed(user, *args, **kwargs)

        monkeypatch.setattr(testimonial_display, "managed_testimonials", counting)
        stories = [TestimonialFactory(site=uk_site) for _ in range(3)]
        for story in stories:
            give_consent(story)
        with_stories = ConditionPageFactory(
            parent=uk_clinic[0],
            slug="with",
            reviewed_by=clinician,
            body=[
                stories_section(stories_block(stories[:2])),
                stories_section(stories_block(stories[1:])),
            ],
        )
        without = ConditionPageFactory(parent=uk_clinic[0], slug="without", reviewed_by=clinician)
        for page in (with_stories, without):
            run_checks(page, site=uk_site)  # the stories themselves, loaded with the body

        def count(page, reader):
            with CaptureQueriesContext(connection) as queries:
                run_checks(page, site=uk_site, reader=reader)
            return len(queries)

        assert count(without, TestimonialReader(uk_editor)) == count(without, None)
        assert asked == []
        run_checks(with_stories, site=uk_site, reader=TestimonialReader(uk_editor))
        assert asked == [uk_editor]
        # And what that one question costs is all the page's stories cost.
        with CaptureQueriesContext(connection) as one_question:
            TestimonialReader(uk_editor).readable({stories[0].pk})
        assert count(with_stories, TestimonialReader(uk_editor)) == (
            count(with_stories, None) + len(one_question)
        )


@pytest.mark.django_db
class TestRevisionComparison:
    """Wagtail's compare view has no request to ask whose story it is: it names every chosen
    story by its label, for anyone, never by its words."""

    @pytest.fixture(params=["label", "old_str"])
    def named_by(self, request, monkeypatch):
        if request.param == "old_str":
            # Whatever a story's str() says, the comparison never uses it.
            monkeypatch.setattr(Testimonial, "__str__", lambda self: self.excerpt)
        return request.param

    @pytest.mark.parametrize("who", ["uk_editor", "superuser"])
    def test_a_changed_story_is_compared_by_its_label(
        self, client, request, who, named_by, condition_page, us_story, uk_story
    ):
        first = condition_page.get_latest_revision()
        changed = condition_page.get_latest_revision_as_object()
        changed.body = stories_body(uk_story)
        second = changed.save_revision()
        client.force_login(request.getfixturevalue(who))
        url = reverse(
            "wagtailadmin_pages:revisions_compare", args=[condition_page.pk, first.pk, second.pk]
        )
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert us_story.label in text and uk_story.label in text
        assert found(text, US_WORDS + UK_WORDS) == []


@pytest.mark.django_db
class TestSearch:
    """Another clinic's editor finds a story's words in no admin search."""

    @pytest.fixture
    def shown_us_story(self, uk_site, us_site):
        story = TestimonialFactory(site=us_site, quote="Kayaking on Coralville Reservoir again.")
        give_consent(story, sites=[us_site, uk_site])
        return story

    @pytest.fixture
    def page(self, uk_clinic, clinician, us_story, shown_us_story):
        page = ConditionPageFactory(
            parent=uk_clinic[0],
            title="Facet joint back pain",
            slug="facet",
            reviewed_by=clinician,
            body=stories_body(us_story, shown_us_story),
        )
        page.save_revision().publish()
        return page

    #: The admin's global search box searches pages ("pages"; Wagtail has no other global
    #: search address), then the page chooser's, the patient records list's and the story
    #: chooser's searches.
    SEARCHES = {
        "pages": lambda q: (reverse("wagtailadmin_pages:search"), {"q": q}),
        "pages_results": lambda q: (reverse("wagtailadmin_pages:search_results"), {"q": q}),
        "page_chooser": lambda q: (reverse("wagtailadmin_choose_page_search"), {"q": q}),
        "patient_records": lambda q: (
            reverse("wagtail_spinecare_testimonial_modeladmin_index"),
            {"q": q},
        ),
        "story_chooser": lambda q: (
            reverse("spinecare_testimonial_chooser:choose_results"),
            {"q": q},
        ),
    }

    def search(self, client, name, query):
        url, params = self.SEARCHES[name](query)
        response = client.get(url, params)
        assert response.status_code == 200, name
        # The search term itself is echoed back; what else was found is what counts.
        return re.sub(re.escape(query), "", response.content.decode(), flags=re.IGNORECASE)

    @pytest.mark.parametrize("name", list(SEARCHES))
    @pytest.mark.parametrize("query", ["Coralville", "Macbride"])
    def test_another_clinics_editor_finds_nothing(self, client, uk_editor, page, name, query):
        client.force_login(uk_editor)
        text = self.search(client, name, query)
        assert found(text, ["Kayaking", "Reservoir", "Paddling", "finally quiet"]) == []
        assert self.edit_url(page) not in text

    @pytest.mark.parametrize("name", ["patient_records", "story_chooser"])
    def test_the_storys_clinic_finds_it(self, client, us_editor, page, name):
        client.force_login(us_editor)
        assert "Reservoir" in self.search(client, name, "Coralville")

    def test_a_page_is_found_by_its_own_words_only(self, client, uk_editor, page):
        client.force_login(uk_editor)
        assert self.edit_url(page) in self.search(client, "pages_results", "Facet")
        assert self.edit_url(page) not in self.search(client, "pages_results", "Coralville")

    @staticmethod
    def edit_url(page):
        return reverse("wagtailadmin_pages:edit", args=[page.pk])
