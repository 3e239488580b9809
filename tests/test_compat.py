"""Each Wagtail difference and internal named in ``compat`` behaves as the package needs, on
the Wagtail installed: these fail when a Wagtail release changes one of them."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.functions import Length
from django.db.models.sql.compiler import SQLCompiler
from django.test import RequestFactory
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import GroupSitePermission, Page, Site
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.permission_policies.sites import SitePermissionPolicy

import wagtail_spinecare
from wagtail_spinecare import compat
from wagtail_spinecare.blocks.testimonials import ReaderWidget
from wagtail_spinecare.factories import ConditionPageFactory
from wagtail_spinecare.models import ConditionPage, Testimonial
from wagtail_spinecare.testimonial_display import TestimonialReader

from .conftest import cache_on

MIGRATIONS = Path(wagtail_spinecare.__file__).parent / "migrations"


def test_the_page_model_is_wagtails_own():
    assert apps.get_model(compat.page_model_label()) is Page
    assert ConditionPage._meta.get_field("page_ptr").related_model is Page


def test_every_migration_depends_on_wagtail_migrations_74_has():
    """Wagtail 7.4's last core migration is 0097: a migration made on Wagtail 8.0 names a
    later one, which a 7.4 project cannot apply."""
    migrations = Path(wagtail_spinecare.__file__).parent / "migrations"
    named = set()
    for migration in migrations.glob("0*.py"):
        named |= set(
            re.findall(r"\(\s*[\"']wagtailcore[\"'],\s*[\"'](\d{4})_", migration.read_text())
        )
    assert named and max(named) <= "0097"


def test_no_migration_names_a_setting_only_wagtail_8_has():
    files = sorted(MIGRATIONS.glob("0*.py"))
    assert len(files) >= 9
    for path in files:
        assert "settings.WAGTAIL_PAGE_MODEL" not in path.read_text(), path.name


@pytest.mark.django_db
def test_a_site_set_on_the_request_is_the_one_wagtail_finds(django_assert_num_queries):
    other = Site.objects.create(
        hostname="other.example", root_page=Page.get_first_root_node(), site_name="Other"
    )
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    compat.set_request_site(request, other)
    with django_assert_num_queries(0):
        assert Site.find_for_request(request) == other


@pytest.mark.django_db
def test_a_cached_parent_is_what_get_parent_answers(django_assert_num_queries):
    root = Page.get_first_root_node()
    page = ConditionPageFactory(parent=root)
    page = ConditionPage.objects.get(pk=page.pk)
    assert compat.cached_parent(page) is None
    stand_in = Page(title="Stand-in parent")
    compat.set_cached_parent(page, stand_in)
    with django_assert_num_queries(0):
        assert page.get_parent() is stand_in
    assert compat.cached_parent(page) is stand_in

    # Wagtail keeps what get_parent() loads in the same place.
    fresh = ConditionPage.objects.get(pk=page.pk)
    loaded = fresh.get_parent()
    assert compat.cached_parent(fresh) is loaded


class CustomPolicy(compat.CustomCodenames, SitePermissionPolicy):
    def permission_codename(self, action):
        return "record_consent" if action == "consent" else super().permission_codename(action)


@pytest.mark.django_db
class TestCustomCodenames:
    """Wagtail's site policy asks our codenames for every check, whichever version builds them."""

    @pytest.fixture
    def policy(self):
        return CustomPolicy(Testimonial)

    @pytest.fixture
    def site(self):
        return Site.objects.get(is_default_site=True)

    @pytest.fixture
    def user(self, site):
        group = Group.objects.create(name="Consent takers")
        GroupSitePermission.objects.create(
            group=group, site=site, permission=Permission.objects.get(codename="record_consent")
        )
        user = get_user_model().objects.create_user("taker", "taker@clinic.example", "pw")
        user.groups.add(group)
        return user

    def test_names(self, policy):
        assert policy._get_permission_codenames(["consent", "change"]) == {
            "record_consent",
            "change_testimonial",
        }
        assert policy._get_permission_name("consent") == "wagtail_spinecare.record_consent"
        assert {p.codename for p in policy._get_permission_objects_for_actions(["consent"])} == {
            "record_consent"
        }

    def test_a_site_permission_under_a_custom_codename(self, policy, user, site):
        assert policy.user_has_permission(user, "consent")
        assert not policy.user_has_permission(user, "change")
        assert list(policy.sites_user_has_permission_for(user, "consent")) == [site]
        assert policy.user_has_permission_for_instance(user, "consent", site)
        assert user in policy.users_with_any_permission(["consent"])

    def test_a_global_permission_under_a_custom_codename(self, policy):
        user = get_user_model().objects.create_user("global", "global@clinic.example", "pw")
        user.user_permissions.add(Permission.objects.get(codename="record_consent"))
        assert policy.user_has_permission(user, "consent")
        assert policy.sites_user_has_permission_for(user, "consent").count() == Site.objects.count()


def test_the_image_policy_is_wagtails_collection_policy():
    policy = compat.permission_policy_for(get_image_model())
    assert isinstance(policy, CollectionOwnershipPermissionPolicy)
    assert policy.model is get_image_model()


def test_the_patient_record_policy_is_registered():
    from wagtail_spinecare.permissions import patient_records

    assert compat.permission_policy_for(Testimonial) is patient_records


@pytest.mark.django_db
def test_a_reader_widget_draws_as_the_widget_it_wraps(admin_user):
    page = ConditionPage(title="Sciatica")
    form_class = ConditionPage.get_edit_handler().get_form_class()
    field = form_class(instance=page).fields["body"]
    widget = field.widget
    wrapped = ReaderWidget(widget, TestimonialReader(admin_user))

    assert wrapped.block_def is widget.block_def
    assert wrapped.attrs == widget.attrs
    assert (wrapped.is_required, wrapped.is_localized) == (widget.is_required, widget.is_localized)
    assert str(wrapped.media) == str(widget.media)
    value = widget.block_def.get_default()

    def drawn(w):
        html = w.render_with_errors("body", value, attrs={"id": "id_body"})
        # Each drawing gives list items new ids, and empty rich text new Draftail keys.
        html = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "id", html)
        return re.sub(r"key\\&quot;: \\&quot;\w+", "key", html)

    assert drawn(wrapped) == drawn(widget)


@pytest.mark.django_db
def test_view_restrictions_follow_wagtails_rule_in_one_query(uk_clinic, django_assert_num_queries):
    """The same restrictions as Wagtail's ``Page.get_view_restrictions``, for a page below a
    restricted one and for an alias of it (whose source page's restrictions apply)."""
    from wagtail.models import PageViewRestriction

    index, site, _clinic = uk_clinic
    private = ConditionPageFactory(parent=index, slug="private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    public = ConditionPageFactory(parent=index, slug="public")
    alias = private.create_alias(parent=site.root_page, update_slug="alias-of-private")
    elsewhere = ConditionPageFactory(parent=index, slug="elsewhere")
    for page in (private, public, alias, elsewhere):
        page = Page.objects.get(pk=page.pk)
        expected = set(Page.get_view_restrictions(page))
        with django_assert_num_queries(1):
            found = set(compat.view_restrictions_on(compat.path_and_ancestors(page)))
        assert found == expected
    assert set(compat.view_restrictions_on(compat.path_and_ancestors(alias)))
    assert not set(compat.view_restrictions_on(compat.path_and_ancestors(public)))


def children_at(path, depth, slug):
    """A query set of the kind routing prepares: a child by slug, with its reviewer."""
    return (
        ConditionPage.objects.filter(path__startswith=path, depth=depth, slug=slug)
        .select_related("reviewed_by")
        .annotate(spinecare_title_length=Length("title"))[:1]
    )


def fields_of(instance) -> dict:
    return {name: value for name, value in instance.__dict__.items() if name != "_state"}


@pytest.mark.django_db
class TestPreparedQuery:
    """A prepared query finds what its query set finds, with the related rows and
    annotations, in one query, compiling the SQL once per database."""

    def test_the_same_instances_as_the_query_set(
        self, uk_clinic, condition_page, django_assert_num_queries
    ):
        index, _site, _clinic = uk_clinic
        query = compat.PreparedQuery(children_at)
        args = (index.path, index.depth + 1, condition_page.slug)
        expected = list(children_at(*args))
        for _ in range(2):
            with django_assert_num_queries(1):
                found = query(*args)
            assert [fields_of(page) for page in found] == [fields_of(page) for page in expected]
            assert fields_of(found[0].reviewed_by) == fields_of(expected[0].reviewed_by)
            assert found[0].spinecare_title_length == len(condition_page.title)
            assert found[0]._state.db == expected[0]._state.db and not found[0]._state.adding
        assert query(index.path, index.depth + 1, "no-such-page") == []
        assert query(index.path + "ZZZZ", index.depth + 1, condition_page.slug) == []

    def test_compiled_once(self, uk_clinic, condition_page, monkeypatch):
        index, _site, _clinic = uk_clinic
        query = compat.PreparedQuery(children_at)
        query(index.path, index.depth + 1, condition_page.slug)

        def refuse(*args, **kwargs):
            raise AssertionError("compiled again")

        monkeypatch.setattr(SQLCompiler, "as_sql", refuse)
        found = query(index.path, index.depth + 1, condition_page.slug)
        assert [page.pk for page in found] == [condition_page.pk]

    def test_values_it_was_not_compiled_for_are_asked_as_the_query_set_says(
        self, uk_clinic, condition_page
    ):
        index, _site, _clinic = uk_clinic
        query = compat.PreparedQuery(children_at)
        query(index.path, index.depth + 1, condition_page.slug)
        # Not letters and digits: LIKE would treat these as wildcards, unescaped.
        assert query("%", index.depth + 1, condition_page.slug) == []
        assert query("_" * len(index.path), index.depth + 1, condition_page.slug) == []
        assert query(index.path, None, condition_page.slug) == []

    def test_a_value_that_does_not_reach_the_sql_is_refused(self, uk_clinic):
        query = compat.PreparedQuery(lambda path: ConditionPage.objects.filter(title="x"))
        with pytest.raises(ValueError, match="not all reach it"):
            query("0001")

    def test_dates_and_times_reach_the_sql_as_the_backend_adapts_them(
        self, uk_clinic, condition_page, monkeypatch
    ):
        def published_and_reviewed(at, day):
            return ConditionPage.objects.filter(
                first_published_at__lte=at, last_reviewed__gte=day
            ).order_by("pk")

        query = compat.PreparedQuery(published_and_reviewed)
        at, day = timezone.now().replace(microsecond=250_000), date(2026, 1, 1)
        ConditionPage.objects.filter(pk=condition_page.pk).update(
            first_published_at=at, last_reviewed=day
        )
        cases = [
            (at, day),
            (at - timedelta(microseconds=1), day),
            (at + timedelta(days=400), day + timedelta(days=1)),
            (timezone.localtime(at), day - timedelta(days=1)),  # another zone, same instant
        ]
        for values in cases:
            expected = [page.pk for page in published_and_reviewed(*values)]
            assert [page.pk for page in query(*values)] == expected
        assert [page.pk for page in query(*cases[0])] == [condition_page.pk]
        assert query(*cases[1]) == []

        def refuse(*args, **kwargs):
            raise AssertionError("compiled again")

        monkeypatch.setattr(SQLCompiler, "as_sql", refuse)
        assert [page.pk for page in query(*cases[0])] == [condition_page.pk]

    def test_a_string_like_need_not_escape_is_put_in_the_pattern(self, uk_clinic, condition_page):
        query = compat.PreparedQuery(
            lambda prefix: ConditionPage.objects.filter(url_path__startswith=prefix)
        )
        prefix = condition_page.url_path
        assert "-" in prefix and "/" in prefix
        assert [page.pk for page in query(prefix)] == [condition_page.pk]
        assert query(prefix.rstrip("/") + "-other/") == []
        # LIKE's wildcards are escaped by the query set as built, never substituted.
        assert query(prefix.replace("-", "_")) == []
        assert query("%") == []


@pytest.mark.django_db
class TestPreparedLookup:
    def test_finds_each_id_once_in_one_query_compiled_once_a_length(
        self, uk_clinic, django_assert_num_queries, monkeypatch
    ):
        index, _site, _clinic = uk_clinic
        pages = [ConditionPageFactory(parent=index, slug=f"page-{n}") for n in range(3)]
        ids = [page.pk for page in pages]
        lookup = compat.PreparedLookup(lambda pks: ConditionPage.objects.filter(pk__in=pks))
        assert lookup([]) == []
        for chosen in ([ids[0]], [ids[2], ids[0], ids[2]], ids):
            with django_assert_num_queries(1):
                found = lookup(chosen)
            assert sorted(page.pk for page in found) == sorted(set(chosen))

        def refuse(*args, **kwargs):
            raise AssertionError("compiled again")

        monkeypatch.setattr(SQLCompiler, "as_sql", refuse)
        assert sorted(page.pk for page in lookup([ids[1], ids[2]])) == ids[1:]

    def test_ids_it_cannot_prepare_are_asked_as_the_query_set_says(self, uk_clinic):
        index, _site, _clinic = uk_clinic
        page = ConditionPageFactory(parent=index)
        lookup = compat.PreparedLookup(lambda pks: ConditionPage.objects.filter(pk__in=pks))
        assert [found.pk for found in lookup([str(page.pk)])] == [page.pk]
        many = list(range(page.pk, page.pk + compat.PreparedLookup.LONGEST + 1))
        assert [found.pk for found in lookup(many)] == [page.pk]

    @pytest.mark.parametrize(
        "build",
        [
            lambda title: ConditionPage.objects.filter(title=title).prefetch_related("owner"),
            lambda title: ConditionPage.objects.filter(title=title).values("pk"),
        ],
    )
    def test_what_it_cannot_make_is_refused(self, build):
        with pytest.raises(ValueError, match="without prefetching"):
            compat.PreparedQuery(build)("x")


class TestCounterReader:
    """The page cache reads its generation and pending count past Django's cache layer."""

    def test_it_reads_what_the_cache_reads(self):
        with cache_on("redis") as cache:
            cache.set("counted", 5)
            cache.incr("counted", 2)
            cache.set("other", "seven")
            read = compat.counter_reader(cache, ["counted", "missing", "other"])
            assert (
                read()
                == [7, None, "seven"]
                == [
                    cache.get("counted"),
                    cache.get("missing"),
                    cache.get("other"),
                ]
            )
            cache.incr("counted")
            assert read()[0] == 8

    def test_a_dropped_connection_is_made_again(self):
        with cache_on("redis") as cache:
            cache.set("counted", 1)
            read = compat.counter_reader(cache, ["counted"])
            assert read() == [1]
            read.connection.send_command("CLIENT", "ID")
            killed = read.connection.read_response()
            # As when Redis restarts between two reads.
            cache._cache.get_client(None, write=True).client_kill_filter(_id=killed)
            cache.incr("counted")
            assert read() == [2]

    def test_a_cache_it_does_not_know_is_read_through_django(self):
        with cache_on("locmem") as cache:
            assert compat.counter_reader(cache, ["counted"]) is None
