"""Adding a clinic: one command (or one admin screen) sets up everything a clinic needs."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
)

from wagtail_spinecare import clinic_collections, permissions
from wagtail_spinecare.factories import ConditionPageFactory
from wagtail_spinecare.models import (
    ClinicConditionPage,
    ClinicSettings,
    ConditionLibraryPage,
)


@pytest.fixture
def shared(root_page):
    library = root_page.add_child(instance=ConditionLibraryPage(title="Shared", slug="shared"))
    live = ConditionPageFactory(parent=library, title="Sciatica", slug="sciatica")
    live.save_revision().publish()
    draft = ConditionPageFactory(parent=library, title="Whiplash", slug="whiplash", live=False)
    return live, draft


def add(*args, **options) -> str:
    out = StringIO()
    call_command("spinecare_add_clinic", *args, stdout=out, **options)
    return out.getvalue()


def state():
    return (
        Page.objects.count(),
        Site.objects.count(),
        ClinicSettings.objects.count(),
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        GroupSitePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
    )


@pytest.mark.django_db
class TestCommand:
    def test_creates_the_clinic_and_says_what_it_made(self, shared):
        out = add("northgate.example.com", "Northgate Physio", "--region", "us")
        site = Site.objects.get(hostname="northgate.example.com")
        assert site.port == 80 and site.site_name == "Northgate Physio"
        settings = ClinicSettings.objects.get(site=site)
        assert (settings.clinic_name, settings.region) == ("Northgate Physio", "us")
        home = site.root_page.specific
        assert home.live and home.get_parent().pk == Page.get_first_root_node().pk
        (page,) = ClinicConditionPage.objects.child_of(home)
        assert page.shared_page_id == shared[0].pk and not page.live  # a draft, ready to edit
        for words in (
            "created   site northgate.example.com:80",
            "created   clinic settings for Northgate Physio",
            "created   group 'Northgate Physio editors'",
            "created   draft page 'Sciatica'",
            "Northgate Physio is ready at http://northgate.example.com/",
        ):
            assert words in out
        assert "Whiplash" not in out  # an unpublished shared page is not offered

    def test_the_editors_group_has_exactly_the_clinics_permissions(self, shared):
        add("northgate.example.com", "Northgate Physio")
        site = Site.objects.get(hostname="northgate.example.com")
        group = Group.objects.get(name="Northgate Physio editors")
        assert {p.codename for p in group.permissions.all()} == {"access_admin"}
        assert {
            (gpp.page_id, gpp.permission.codename)
            for gpp in GroupPagePermission.objects.filter(group=group)
        } == {(site.root_page_id, c) for c in ("add_page", "change_page", "publish_page")}
        site_permissions = GroupSitePermission.objects.filter(group=group)
        assert {gsp.site_id for gsp in site_permissions} == {site.pk}
        assert {gsp.permission.codename for gsp in site_permissions} == {
            "change_clinicsettings",
            *permissions.PATIENT_RECORD_CODENAMES,
        }
        evidence = clinic_collections.find_evidence_collection(site)
        images = clinic_collections.find_images_collection(site)
        assert {
            (gcp.collection_id, gcp.permission.codename)
            for gcp in GroupCollectionPermission.objects.filter(group=group)
        } == {
            *((evidence.pk, c) for c in ("add_document", "change_document", "choose_document")),
            *((images.pk, c) for c in ("add_image", "change_image", "choose_image")),
        }

    def test_running_again_changes_nothing(self, shared):
        add("northgate.example.com", "Northgate Physio")
        before = state()
        out = add("northgate.example.com", "Northgate Physio")
        assert state() == before
        assert "created" not in out.replace("created.", "")
        assert "unchanged site northgate.example.com:80" in " ".join(out.split())

    def test_a_new_shared_page_is_added_on_the_next_run(self, shared):
        add("northgate.example.com", "Northgate Physio")
        shared[1].save_revision().publish()
        out = add("northgate.example.com", "Northgate Physio")
        assert "created   draft page 'Whiplash'" in out
        home = Site.objects.get(hostname="northgate.example.com").root_page
        assert ClinicConditionPage.objects.child_of(home).count() == 2

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("http://bad/", "X"), "hostname: Enter a host name"),
            (("ok.example.com", "  "), "clinic_name: Enter the clinic's name"),
        ],
    )
    def test_bad_input_is_refused_with_a_clear_message(self, db, args, message):
        before = state()
        with pytest.raises(CommandError, match=message):
            add(*args)
        assert state() == before

    def test_a_bad_port_is_refused(self, db):
        with pytest.raises(CommandError, match="port: Enter a port"):
            add("ok.example.com", "Ok", "--port", "70000")


@pytest.mark.django_db
class TestNewClinicEditors:
    def test_an_editor_of_the_new_clinic_edits_its_pages_and_no_others(
        self, client, shared, uk_clinic
    ):
        add("northgate.example.com", "Northgate Physio")
        user = get_user_model().objects.create_user("nora", password="x")
        user.groups.add(Group.objects.get(name="Northgate Physio editors"))
        client.force_login(user)
        home = Site.objects.get(hostname="northgate.example.com").root_page
        own = ClinicConditionPage.objects.child_of(home).get()
        assert client.get(reverse("wagtailadmin_pages:edit", args=[own.pk])).status_code == 200
        other = uk_clinic[0]
        assert client.get(reverse("wagtailadmin_pages:edit", args=[other.pk])).status_code in (
            302,
            403,
        )
        own_settings = reverse(
            "wagtailsettings:edit", args=["wagtail_spinecare", "clinicsettings", home.get_site().pk]
        )
        assert client.get(own_settings).status_code == 200
        other_settings = reverse(
            "wagtailsettings:edit", args=["wagtail_spinecare", "clinicsettings", uk_clinic[1].pk]
        )
        assert client.get(other_settings).status_code in (302, 403)


@pytest.mark.django_db
class TestAdminScreen:
    URL = "wagtail_spinecare_admin:add_clinic"

    def test_a_superuser_adds_a_clinic(self, admin_client, shared):
        assert admin_client.get(reverse(self.URL)).status_code == 200
        response = admin_client.post(
            reverse(self.URL),
            {
                "clinic_name": "Northgate Physio",
                "hostname": "northgate.example.com",
                "port": 80,
                "region": "uk",
            },
        )
        assert response.status_code == 200
        assert b"The clinic at northgate.example.com is ready" in response.content
        assert Site.objects.filter(hostname="northgate.example.com").exists()

    def test_bad_input_shows_on_the_field_and_saves_nothing(self, admin_client, db):
        before = state()
        response = admin_client.post(
            reverse(self.URL),
            {"clinic_name": "X", "hostname": "http://x/", "port": 80, "region": "uk"},
        )
        assert response.status_code == 200
        assert "Enter a host name" in " ".join(response.context["form"].errors["hostname"])
        assert state() == before

    def test_only_a_superuser_may(self, client, db):
        user = get_user_model().objects.create_user("ed", password="x")
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(user)
        before = state()
        response = client.post(
            reverse(self.URL),
            {"clinic_name": "X", "hostname": "x.example.com", "port": 80, "region": "uk"},
        )
        assert response.status_code in (302, 403)
        assert state() == before


@pytest.mark.django_db
def test_the_settings_menu_offers_it_to_superusers_only(admin_client, client):
    url = reverse("wagtail_spinecare_admin:add_clinic").encode()
    assert url in admin_client.get(reverse("wagtailadmin_home")).content
    user = get_user_model().objects.create_user("ed", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert url not in client.get(reverse("wagtailadmin_home")).content


@pytest.mark.django_db
def test_warns_of_groups_that_reach_every_clinics_evidence(shared):
    from wagtail.models import Collection

    editors = Group.objects.create(name="Everyone's documents")
    GroupCollectionPermission.objects.create(
        group=editors,
        collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(codename="change_document"),
    )
    out = add("northgate.example.com", "Northgate Physio")
    assert "warning   group 'Everyone's documents' has document or image permissions" in out
    clinic_group = "Northgate Physio editors"
    assert f"group '{clinic_group}' has" not in out


@pytest.mark.django_db
def test_two_clinics_of_the_same_name_never_share_a_group(shared):
    add("first.example.com", "Physio First")
    before = state()
    with pytest.raises(CommandError, match="already belongs to the clinic at first.example.com"):
        add("second.example.com", "Physio First")
    assert state() == before


@pytest.mark.django_db
def test_a_name_too_long_for_its_group_is_refused(db):
    with pytest.raises(CommandError, match="Shorten the clinic's name"):
        add("long.example.com", "x" * 145)


@pytest.mark.django_db
def test_no_editor_accounts_with_debug_off_unless_asked(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("spinecare_demo", stdout=out)
    assert "No editor accounts were made: DEBUG is off" in out.getvalue()
    assert not get_user_model().objects.filter(username__endswith="-editor").exists()
