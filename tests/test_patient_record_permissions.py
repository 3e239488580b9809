"""Per-clinic permissions on patient records: the policy, the group panel, evidence, and every
place that lists or acts on patient stories asking it."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import include, path, reverse
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    GroupSitePermission,
)
from wagtail_factories import DocumentFactory

from tests.urls import urlpatterns as test_urlpatterns
from wagtail_spinecare import subjects
from wagtail_spinecare.admin.forms import ConsentForm
from wagtail_spinecare.clinic_collections import (
    EVIDENCE_ROOT_NAME,
    evidence_collection,
    grant_evidence,
    revoke_evidence,
)
from wagtail_spinecare.compat import HAS_POLICY_REGISTRY, permission_policy_for
from wagtail_spinecare.factories import TestimonialFactory, give_consent
from wagtail_spinecare.models.consent_records import ConsentRecord
from wagtail_spinecare.models.testimonials import Testimonial
from wagtail_spinecare.permissions import (
    PATIENT_RECORD_CODENAMES,
    grant_patient_records,
    managed_sites,
    patient_record_permissions,
    patient_records,
    revoke_patient_records,
)

# Wagtail's document serve view, for the evidence tests; the rest as in tests.urls.
urlpatterns = [path("documents/", include(wagtaildocs_urls)), *test_urlpatterns]

EMAIL = "sarah.jones@patients.example"
DENIED = "Sorry, you do not have permission to access this area."
NO_CLINIC = "You are not in any clinic's editors group"


def url(action, *args):
    return reverse(f"wagtail_spinecare_testimonial_modeladmin_{action}", args=args)


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def assert_denied(response):
    """Wagtail's admin answers PermissionDenied with a redirect home and a message."""
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert DENIED in [str(message).strip() for message in get_messages(response.wsgi_request)]


def access_admin():
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


def clinic_editors(site, name):
    group = Group.objects.create(name=name)
    group.permissions.add(access_admin())
    grant_patient_records(group, site)
    grant_evidence(group, site)
    return group


def member(group, username):
    user = get_user_model().objects.create_user(username, f"{username}@clinic.example", "pw")
    user.groups.add(group)
    return user


def site_rows(group):
    return set(
        GroupSitePermission.objects.filter(group=group).values_list(
            "site__hostname", "permission__codename"
        )
    )


def rows_for(site, codenames=PATIENT_RECORD_CODENAMES):
    return {(site.hostname, codename) for codename in codenames}


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("admin", "admin@clinic.example", "pw")


@pytest.fixture
def uk_editors(uk_site):
    return clinic_editors(uk_site, "Harbour Physio editors")


@pytest.fixture
def us_editors(us_site):
    return clinic_editors(us_site, "Lake PT editors")


@pytest.fixture
def uk_editor(uk_editors):
    return member(uk_editors, "hana")


@pytest.fixture
def us_editor(us_editors):
    return member(us_editors, "lou")


@pytest.fixture
def no_clinic_user(db):
    user = get_user_model().objects.create_user("pat", "pat@clinic.example", "pw")
    user.user_permissions.add(access_admin())
    return user


@pytest.fixture
def stories(uk_site, us_site):
    """The same patient, treated at both clinics; both stories may be shown."""
    uk = TestimonialFactory(
        site=uk_site, quote="Harbour: walking the dog again.", patient_email=EMAIL
    )
    us = TestimonialFactory(site=us_site, quote="Lake: back to kayaking.", patient_email=EMAIL)
    give_consent(uk)
    give_consent(us)
    return uk, us


def login(client, user):
    client.force_login(user)
    return client


# 1. The policy -------------------------------------------------------------------------------


class TestPolicy:
    @pytest.mark.parametrize(
        ("action", "codename"),
        [
            ("record_consent", "record_consent"),
            ("withdraw_consent", "withdraw_consent"),
            ("handle_subject_requests", "handle_subject_requests"),
            ("view", "view_testimonial"),
            ("add", "add_testimonial"),
            ("change", "change_testimonial"),
            ("delete", "delete_testimonial"),
        ],
    )
    def test_actions_map_to_codenames(self, action, codename):
        assert patient_records.permission_codename(action) == codename
        # What Wagtail's own policy methods ask, on either version.
        assert patient_records._get_permission_codenames([action]) == {codename}
        assert patient_records._get_permission_name(action) == f"wagtail_spinecare.{codename}"

    def test_the_clinic_set_is_exactly_these_codenames(self):
        assert {
            "view_testimonial",
            "add_testimonial",
            "change_testimonial",
            "delete_testimonial",
            "record_consent",
            "withdraw_consent",
            "handle_subject_requests",
        } == PATIENT_RECORD_CODENAMES

    def test_testimonial_declares_its_custom_permissions(self):
        assert [codename for codename, _ in Testimonial._meta.permissions] == [
            "record_consent",
            "withdraw_consent",
            "handle_subject_requests",
        ]

    def test_it_is_wagtails_policy_for_testimonials(self):
        assert permission_policy_for(Testimonial) is patient_records
        if HAS_POLICY_REGISTRY:
            from wagtail.permissions import policy_registry

            assert policy_registry.get_by_type(Testimonial) is patient_records

    @pytest.mark.django_db
    def test_a_site_permission_covers_only_that_clinic(self, uk_editor, stories, uk_site):
        uk, us = stories
        for action in ("view", "change", "record_consent", "handle_subject_requests"):
            assert patient_records.user_has_permission_for_instance(uk_editor, action, uk)
            assert not patient_records.user_has_permission_for_instance(uk_editor, action, us)
        assert list(managed_sites(uk_editor)) == [uk_site]
        assert list(patient_records.instances_user_has_any_permission_for(uk_editor, ["view"])) == [
            uk
        ]

    @pytest.mark.django_db
    def test_global_permissions_and_superusers_cover_every_clinic(
        self, superuser, stories, uk_site, us_site
    ):
        patient_record_permissions()
        clerk = get_user_model().objects.create_user("clerk", "clerk@clinic.example", "pw")
        clerk.user_permissions.add(Permission.objects.get(codename="record_consent"))
        for user in (superuser, clerk):
            assert {uk_site, us_site} <= set(managed_sites(user, ["record_consent"]))
            for story in stories:
                assert patient_records.user_has_permission_for_instance(
                    user, "record_consent", story
                )
        assert not patient_records.user_has_permission_for_instance(clerk, "change", stories[0])

    @pytest.mark.django_db
    def test_anonymous_and_inactive_users_have_none(self, uk_editor, stories):
        uk_editor.is_active = False
        uk_editor.save()
        for user in (AnonymousUser(), uk_editor):
            assert not patient_records.user_has_any_permission(user, ["view"])
            assert not managed_sites(user).exists()


# 2. Granting ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestGrants:
    def test_granting_patient_records_twice_gives_the_set_once(self, uk_site):
        group = Group.objects.create(name="Harbour Physio editors")
        grant_patient_records(group, uk_site)
        grant_patient_records(group, uk_site)
        assert GroupSitePermission.objects.filter(group=group).count() == 7
        assert site_rows(group) == rows_for(uk_site)

    def test_revoking_takes_away_only_that_clinic(self, uk_site, us_site):
        group = Group.objects.create(name="Both clinics")
        grant_patient_records(group, uk_site)
        grant_patient_records(group, us_site)
        revoke_patient_records(group, us_site)
        assert site_rows(group) == rows_for(uk_site)

    def test_evidence_collection_is_private_and_one_per_clinic(self, uk_site, us_site):
        uk = evidence_collection(uk_site)
        assert evidence_collection(uk_site) == uk
        us = evidence_collection(us_site)
        assert us != uk
        assert uk.get_parent().name == EVIDENCE_ROOT_NAME == us.get_parent().name
        assert "Harbour Physio" in uk.name
        assert "Lake PT" in us.name
        restriction = CollectionViewRestriction.objects.get(collection=uk)
        assert restriction.restriction_type == CollectionViewRestriction.GROUPS
        assert not restriction.groups.exists()
        assert Collection.objects.filter(name=EVIDENCE_ROOT_NAME).count() == 1

    def test_evidence_collection_is_found_after_the_clinic_is_renamed(self, uk_clinic):
        _index, site, settings = uk_clinic
        collection = evidence_collection(site)
        settings.clinic_name = "Harbour Physiotherapy"
        settings.save()
        assert evidence_collection(site) == collection

    def test_granting_evidence_twice_gives_document_permissions_on_that_collection_only(
        self, uk_site, us_site
    ):
        group = Group.objects.create(name="Harbour Physio editors")
        collection = grant_evidence(group, uk_site)
        grant_evidence(group, uk_site)
        evidence_collection(us_site)
        assert set(
            GroupCollectionPermission.objects.filter(group=group).values_list(
                "collection", "permission__codename"
            )
        ) == {
            (collection.pk, "add_document"),
            (collection.pk, "change_document"),
            (collection.pk, "choose_document"),
        }
        assert list(CollectionViewRestriction.objects.get(collection=collection).groups.all()) == [
            group
        ]

    def test_revoking_evidence(self, uk_site):
        group = Group.objects.create(name="Harbour Physio editors")
        collection = grant_evidence(group, uk_site)
        revoke_evidence(group, uk_site)
        assert not GroupCollectionPermission.objects.filter(group=group).exists()
        assert not CollectionViewRestriction.objects.get(collection=collection).groups.exists()


# 3. The group page's panel -------------------------------------------------------------------


def form_data(response):
    """What the browser would post back from the group form, as it was rendered."""
    form = soup_of(response).select_one("form[method=post]")
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.name == "select":
            values = [option.get("value", "") for option in field.select("option[selected]")]
        elif field.name == "textarea":
            values = [field.get_text()]
        elif field.get("type") in ("checkbox", "radio"):
            values = [field.get("value", "on")] if field.has_attr("checked") else []
        else:
            values = [field.get("value", "")]
        data.setdefault(name, []).extend(values)
    return data


PANEL_FIELD = "spinecare_patient_records-sites"


@pytest.mark.django_db
class TestGroupPanel:
    @pytest.fixture
    def admin_client(self, client, superuser):
        return login(client, superuser)

    @pytest.fixture
    def group(self):
        group = Group.objects.create(name="Harbour Physio editors")
        group.permissions.add(access_admin())
        return group

    def edit_url(self, group):
        return reverse("wagtailusers_groups:edit", args=[group.pk])

    def test_group_page_shows_the_panel(self, admin_client, group, uk_site, us_site):
        response = admin_client.get(self.edit_url(group))
        assert response.status_code == 200
        panel = soup_of(response).select_one("#spinecare-patient-records-permissions-section")
        assert panel.select_one("h2").get_text(strip=True) == "Patient records"
        text = panel.get_text(" ", strip=True)
        assert (
            "which clinics' patient records (testimonials, consent records and evidence) "
            "this group may manage" in text
        )
        labels = {
            box["value"]: box.parent.get_text(" ", strip=True)
            for box in panel.select(f"input[name={PANEL_FIELD}]")
        }
        assert labels[str(uk_site.pk)] == "Harbour Physio (uk.example)"
        assert labels[str(us_site.pk)] == "Lake PT (us.example)"
        assert not panel.select("input[checked]")

    def test_ticking_a_clinic_grants_exactly_its_set(self, admin_client, group, uk_site, us_site):
        data = form_data(admin_client.get(self.edit_url(group)))
        data[PANEL_FIELD] = [str(uk_site.pk)]
        response = admin_client.post(self.edit_url(group), data)
        assert response.status_code == 302
        assert site_rows(group) == rows_for(uk_site)
        collection = evidence_collection(uk_site)
        assert set(
            GroupCollectionPermission.objects.filter(group=group).values_list(
                "collection", "permission__codename"
            )
        ) == {(collection.pk, f"{action}_document") for action in ("add", "change", "choose")}
        ticked = soup_of(admin_client.get(self.edit_url(group))).select(
            f"input[name={PANEL_FIELD}][checked]"
        )
        assert [box["value"] for box in ticked] == [str(uk_site.pk)]

    def test_unticking_a_clinic_takes_its_set_away(self, admin_client, group, uk_site, us_site):
        grant_patient_records(group, uk_site)
        grant_patient_records(group, us_site)
        grant_evidence(group, us_site)
        data = form_data(admin_client.get(self.edit_url(group)))
        assert sorted(data[PANEL_FIELD]) == sorted([str(uk_site.pk), str(us_site.pk)])
        data[PANEL_FIELD] = [str(uk_site.pk)]
        assert admin_client.post(self.edit_url(group), data).status_code == 302
        assert site_rows(group) == rows_for(uk_site)
        assert not GroupCollectionPermission.objects.filter(
            group=group, collection=evidence_collection(us_site)
        ).exists()

    def test_saving_unchanged_keeps_the_grants(self, admin_client, group, uk_site):
        grant_patient_records(group, uk_site)
        data = form_data(admin_client.get(self.edit_url(group)))
        assert admin_client.post(self.edit_url(group), data).status_code == 302
        assert site_rows(group) == rows_for(uk_site)

    def test_other_site_permissions_are_left_alone(self, admin_client, group, uk_site):
        settings_permission = Permission.objects.get(codename="change_clinicsettings")
        GroupSitePermission.objects.create(
            group=group, site=uk_site, permission=settings_permission
        )
        data = form_data(admin_client.get(self.edit_url(group)))
        data[PANEL_FIELD] = []
        admin_client.post(self.edit_url(group), data)
        assert site_rows(group) == {("uk.example", "change_clinicsettings")}

    def test_a_new_group_can_be_given_a_clinic(self, admin_client, uk_site):
        add_url = reverse("wagtailusers_groups:add")
        data = form_data(admin_client.get(add_url))
        data.update({"name": "Harbour Physio editors", PANEL_FIELD: [str(uk_site.pk)]})
        assert admin_client.post(add_url, data).status_code == 302
        assert site_rows(Group.objects.get(name="Harbour Physio editors")) == rows_for(uk_site)


# 4. Evidence is never served to the public or another clinic ---------------------------------


@pytest.mark.django_db
@pytest.mark.urls(__name__)
class TestEvidenceServing:
    @pytest.fixture
    def evidence(self, uk_site, uk_editors):
        document = DocumentFactory(collection=evidence_collection(uk_site), title="Consent form")
        document.file.save("consent-form.pdf", ContentFile(b"%PDF signed consent"), save=True)
        return document

    def test_anonymous_request_is_not_served(self, client, evidence):
        response = client.get(evidence.url)
        assert response.status_code != 200
        assert b"signed consent" not in b"".join(getattr(response, "streaming_content", [b""]))

    def test_the_clinics_editors_can_download_it(self, client, evidence, uk_editor):
        response = login(client, uk_editor).get(evidence.url)
        assert response.status_code == 200
        assert b"signed consent" in b"".join(response.streaming_content)

    def test_another_clinics_editors_cannot(self, client, evidence, us_editor):
        response = login(client, us_editor).get(evidence.url)
        assert response.status_code != 200

    def test_evidence_filed_elsewhere_is_served_only_to_its_clinic(
        self, client, uk_site, uk_editor, us_editor
    ):
        document = DocumentFactory(title="Filed in the wrong place")
        document.file.save("misfiled.pdf", ContentFile(b"%PDF misfiled consent"), save=True)
        give_consent(TestimonialFactory(site=uk_site), evidence=document)
        assert client.get(document.url).status_code == 302  # to the login page
        assert login(client, us_editor).get(document.url).status_code == 403
        assert login(client, uk_editor).get(document.url).status_code == 200

    def test_other_documents_are_served_as_before(self, client, stories):
        document = DocumentFactory(title="Leaflet")
        document.file.save("leaflet.pdf", ContentFile(b"%PDF leaflet"), save=True)
        assert client.get(document.url).status_code == 200


# 5. The consent form -------------------------------------------------------------------------


@pytest.mark.django_db
class TestConsentForm:
    @pytest.fixture
    def documents(self, uk_site, us_site):
        return {
            "uk": DocumentFactory(collection=evidence_collection(uk_site)),
            "us": DocumentFactory(collection=evidence_collection(us_site)),
            "root": DocumentFactory(),
        }

    def test_clinic_editor_is_offered_only_their_clinic(self, uk_editor, stories, uk_site):
        form = ConsentForm(testimonial=stories[0], user=uk_editor)
        assert list(form.fields["sites"].queryset) == [uk_site]
        assert form.fields["sites"].initial == [uk_site.pk]

    def test_superuser_is_offered_every_clinic(self, superuser, stories, uk_site, us_site):
        form = ConsentForm(testimonial=stories[0], user=superuser)
        assert {uk_site, us_site} <= set(form.fields["sites"].queryset)

    def test_evidence_is_the_clinics_own_or_choosable(
        self, uk_editor, superuser, stories, documents
    ):
        evidence = ConsentForm(testimonial=stories[0], user=uk_editor).fields["evidence"]
        assert set(evidence.queryset) == {documents["uk"]}
        evidence = ConsentForm(testimonial=stories[0], user=superuser).fields["evidence"]
        assert documents["uk"] in evidence.queryset
        assert documents["root"] in evidence.queryset
        assert documents["us"] not in evidence.queryset

    def test_evidence_chooser_opens_on_the_clinics_collection(self, uk_editor, stories, uk_site):
        widget = ConsentForm(testimonial=stories[0], user=uk_editor).fields["evidence"].widget
        assert widget.get_chooser_modal_url().endswith(
            f"?collection_id={evidence_collection(uk_site).pk}"
        )

    def test_another_clinics_site_or_evidence_is_refused(
        self, client, uk_editor, stories, us_site, documents
    ):
        uk, _us = stories
        login(client, uk_editor)
        before = ConsentRecord.objects.count()
        for fields in (
            {"sites": [str(us_site.pk)], "evidence": str(documents["uk"].pk)},
            {"sites": [str(uk.site_id)], "evidence": str(documents["us"].pk)},
        ):
            response = client.post(url("record_consent", uk.pk), consent_post(**fields))
            assert response.status_code == 200
            assert response.context["form"].errors
        assert ConsentRecord.objects.count() == before

    def test_clinic_editor_records_consent_for_their_clinic(
        self, client, uk_editor, stories, documents
    ):
        uk, _us = stories
        login(client, uk_editor)
        response = client.post(
            url("record_consent", uk.pk),
            consent_post(sites=[str(uk.site_id)], evidence=str(documents["uk"].pk)),
        )
        assert response.status_code == 302
        record = uk.consent_records.first()
        assert record.evidence == documents["uk"]
        assert list(record.sites.all()) == [uk.site]


def consent_post(**fields):
    from datetime import timedelta

    from django.utils import timezone

    return {
        "given_at": (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "method": "signed_form",
        "lawful_basis": "uk_gdpr_explicit",
        "wording": "I agree that the clinic may publish my story exactly as written.",
        "wording_version": "2026-01",
        "channels": ["web"],
        "expires_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
        **fields,
    }


# 6. Data subject requests --------------------------------------------------------------------


@pytest.mark.django_db
class TestSubjectRequests:
    def test_export_can_be_limited_to_sites(self, stories, uk_site):
        data = subjects.export(EMAIL, sites=[uk_site])
        assert [item["quote"] for item in data["testimonials"]] == [stories[0].quote]
        assert len(subjects.export(EMAIL)["testimonials"]) == 2

    def test_erase_can_be_limited_to_sites(self, stories, uk_site):
        assert subjects.erase(EMAIL, sites=[uk_site]) == 1
        assert list(Testimonial.objects.all()) == [stories[1]]

    def test_nothing_at_those_sites_is_an_unknown_subject(self, stories, uk_site, us_site):
        stories[0].delete()
        with pytest.raises(subjects.UnknownSubject):
            subjects.export(EMAIL, sites=[uk_site])

    def test_clinic_editor_exports_only_their_clinics_records(self, client, uk_editor, stories):
        uk, us = stories
        response = login(client, uk_editor).post(url("export", uk.pk))
        assert response.status_code == 200
        data = json.loads(response.content)
        assert [item["quote"] for item in data["testimonials"]] == [uk.quote]
        assert us.quote.encode() not in response.content
        assert b"us.example" not in response.content

    def test_superuser_exports_every_clinics_records(self, client, superuser, stories):
        response = login(client, superuser).post(url("export", stories[0].pk))
        quotes = {item["quote"] for item in json.loads(response.content)["testimonials"]}
        assert quotes == {story.quote for story in stories}

    def test_clinic_editor_erases_only_their_clinics_records(self, client, uk_editor, stories):
        uk, us = stories
        login(client, uk_editor)
        page = soup_of(client.get(url("erase", uk.pk))).get_text(" ", strip=True)
        assert f"This permanently erases 1 testimonial held for {EMAIL}" in page
        assert client.post(url("erase", uk.pk)).status_code == 302
        assert list(Testimonial.objects.all()) == [us]
        assert us.consent_records.count() == 1


# 7. The chooser ------------------------------------------------------------------------------


def chooser_html(response):
    assert response.status_code == 200
    return json.loads(response.content)["html"]


@pytest.mark.django_db
class TestChooser:
    def test_lists_only_the_users_clinics_stories(self, client, uk_editor, stories):
        uk, us = stories
        html = chooser_html(
            login(client, uk_editor).get(reverse("spinecare_testimonial_chooser:choose"))
        )
        assert uk.excerpt in html
        assert us.excerpt not in html

    def test_search_finds_only_the_users_clinics_stories(self, client, uk_editor, stories):
        uk, us = stories
        login(client, uk_editor)
        for query in ("walking", "kayaking", "again"):
            response = client.get(
                reverse("spinecare_testimonial_chooser:choose_results"), {"q": query}
            )
            assert response.status_code == 200
            assert us.excerpt.encode() not in response.content
        response = client.get(
            reverse("spinecare_testimonial_chooser:choose_results"), {"q": "walking"}
        )
        assert uk.excerpt.encode() in response.content

    def test_another_clinics_story_cannot_be_chosen(self, client, uk_editor, stories):
        uk, us = stories
        login(client, uk_editor)
        chosen = "spinecare_testimonial_chooser:chosen"
        assert client.get(reverse(chosen, args=[us.pk])).status_code == 404
        assert client.get(reverse(chosen, args=[uk.pk])).status_code == 200
        response = client.get(
            reverse("spinecare_testimonial_chooser:chosen_multiple"), {"id": [uk.pk, us.pk]}
        )
        assert [item["id"] for item in json.loads(response.content)["result"]] == [str(uk.pk)]

    def test_superuser_sees_every_clinics_stories(self, client, superuser, stories):
        html = chooser_html(
            login(client, superuser).get(reverse("spinecare_testimonial_chooser:choose"))
        )
        assert all(story.excerpt in html for story in stories)

    def test_user_of_no_clinic_is_told_why_the_list_is_empty(self, client, no_clinic_user, stories):
        html = chooser_html(
            login(client, no_clinic_user).get(reverse("spinecare_testimonial_chooser:choose"))
        )
        assert NO_CLINIC in html
        assert not any(story.excerpt in html for story in stories)


# 8. The patient stories admin ----------------------------------------------------------------


@pytest.mark.django_db
class TestAdminScoping:
    def test_list_and_filter_show_only_the_users_clinic(self, client, uk_editor, stories):
        uk, us = stories
        response = login(client, uk_editor).get(url("index"))
        assert response.status_code == 200
        pks = {int(row["data-object-pk"]) for row in soup_of(response).select("tr[data-object-pk]")}
        assert pks == {uk.pk}
        assert b"us.example" not in response.content
        assert b"Lake PT" not in response.content

    def test_two_clinic_editor_filters_between_their_clinics(
        self, client, uk_editors, us_editors, stories, root_page
    ):
        from tests.conftest import make_clinic

        _index, third_site, _settings = make_clinic(root_page, "third.example")
        user = member(uk_editors, "both")
        user.groups.add(us_editors)
        response = login(client, user).get(url("index"))
        filter_links = {
            a.get_text(strip=True) for a in soup_of(response).select("a[href*=site__id__exact]")
        }
        assert filter_links == {"uk.example", "us.example"}
        assert b"third.example" not in response.content

    @pytest.mark.parametrize(
        "action", ["inspect", "edit", "delete", "history", "record_consent", "withdraw", "erase"]
    )
    def test_another_clinics_story_is_not_found(self, client, uk_editor, stories, action):
        _uk, us = stories
        assert login(client, uk_editor).get(url(action, us.pk)).status_code == 404

    @pytest.mark.parametrize("action", ["edit", "delete", "record_consent", "withdraw", "erase"])
    def test_posting_to_another_clinics_story_changes_nothing(
        self, client, uk_editor, stories, action
    ):
        _uk, us = stories
        login(client, uk_editor)
        assert client.post(url(action, us.pk), {"channel": "email"}).status_code == 404
        assert client.post(url("export", us.pk)).status_code == 404
        us.refresh_from_db()
        assert us.consent_records.get().withdrawn_at is None

    def test_story_form_offers_only_the_users_clinic(self, client, uk_editor, stories, us_site):
        login(client, uk_editor)
        for response in (client.get(url("create")), client.get(url("edit", stories[0].pk))):
            options = soup_of(response).select("select[name=site] option[value]")
            assert [option["value"] for option in options if option["value"]] == [
                str(stories[0].site_id)
            ]
        response = client.post(
            url("create"),
            {"site": str(us_site.pk), "quote": "Sneaked in.", "patient_name": "A B"},
        )
        assert response.status_code == 200
        assert not Testimonial.objects.filter(quote="Sneaked in.").exists()

    def test_inspect_names_only_the_users_clinics(
        self, client, uk_editor, superuser, uk_site, us_site
    ):
        story = TestimonialFactory(site=uk_site, quote="Harbour and Lake.")
        give_consent(story, sites=list(managed_sites(superuser)))
        response = login(client, uk_editor).get(url("inspect", story.pk))
        assert response.status_code == 200
        assert b"uk.example" in response.content
        assert b"us.example" not in response.content
        response = login(client, superuser).get(url("inspect", story.pk))
        assert b"us.example" in response.content


# 9. Staff in no clinic -----------------------------------------------------------------------


def sidebar_labels(response):
    props = json.loads(soup_of(response).select_one("#wagtail-sidebar-props").string)
    labels = []

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("label"), str):
                labels.append(value["label"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(props)
    return labels


@pytest.mark.django_db
class TestNoClinicUser:
    def test_dashboard_says_why_patient_stories_are_hidden(self, client, no_clinic_user):
        response = login(client, no_clinic_user).get(reverse("wagtailadmin_home"))
        assert response.status_code == 200
        text = soup_of(response).get_text(" ", strip=True)
        assert NO_CLINIC in text
        assert "ask an administrator" in text
        assert "Testimonials" not in sidebar_labels(response)

    def test_clinic_editors_see_the_menu_and_no_message(self, client, uk_editor):
        response = login(client, uk_editor).get(reverse("wagtailadmin_home"))
        assert NO_CLINIC not in soup_of(response).get_text(" ", strip=True)
        assert "Testimonials" in sidebar_labels(response)

    def test_direct_urls_are_refused(self, client, no_clinic_user, stories):
        login(client, no_clinic_user)
        assert_denied(client.get(url("index")))
        assert_denied(client.get(url("create")))
        for action in ("inspect", "edit", "record_consent", "erase"):
            assert_denied(client.get(url(action, stories[0].pk)))

    def test_no_message_for_anonymous_or_superusers(self, superuser):
        from wagtail_spinecare.admin.dashboard import NoClinicPanel
        from wagtail_spinecare.wagtail_hooks import add_dashboard_panels

        for user in (AnonymousUser(), superuser):
            request = RequestFactory().get("/admin/")
            request.user = user
            panels = []
            add_dashboard_panels(request, panels)
            assert not any(isinstance(panel, NoClinicPanel) for panel in panels)


class TestStoryConditions:
    def test_a_story_may_be_about_a_shared_page_or_one_of_the_editors_own(
        self, uk_editor, uk_clinic, us_clinic, root_page
    ):
        from wagtail_spinecare.admin.forms import condition_pages_for
        from wagtail_spinecare.factories import ConditionPageFactory
        from wagtail_spinecare.models import ConditionLibraryPage

        library = root_page.add_child(instance=ConditionLibraryPage(title="Shared", slug="lib"))
        shared = ConditionPageFactory(parent=library, slug="shared-one")
        own = ConditionPageFactory(parent=uk_clinic[0], slug="own-one")
        other = ConditionPageFactory(parent=us_clinic[0], slug="other-one")
        allowed = set(condition_pages_for(uk_editor).values_list("pk", flat=True))
        assert {shared.pk, own.pk} <= allowed and other.pk not in allowed


class TestStoryPhotos:
    def test_an_editor_cannot_give_a_story_another_clinics_patient_photo(
        self, uk_editor, uk_site, us_site
    ):
        from wagtail.models import Collection
        from wagtail_factories import ImageFactory

        from wagtail_spinecare.clinic_collections import grant_images, images_collection, photos_for

        for group in uk_editor.groups.all():
            grant_images(group, uk_site)
        # Even a wide permission (Wagtail's default Editors have one on Root) does not reach
        # another clinic's patients' photos.
        wide = Group.objects.create(name="Wide")
        wide.collection_permissions.create(
            collection=Collection.get_first_root_node(),
            permission=Permission.objects.get(codename="choose_image"),
        )
        uk_editor.groups.add(wide)
        own = ImageFactory(collection=images_collection(uk_site))
        theirs = ImageFactory(collection=images_collection(us_site))
        general = ImageFactory(collection=Collection.get_first_root_node())
        allowed = set(photos_for(uk_editor).values_list("pk", flat=True))
        assert own.pk in allowed and general.pk in allowed and theirs.pk not in allowed


class TestChosenStoriesOnPages:
    """The page editor's story chooser offers only the editor's clinics; a hand-made request
    naming another clinic's story is refused too, even for a draft."""

    def post(self, client, user, index, testimonial):
        from wagtail.models import GroupPagePermission
        from wagtail.test.utils.form_data import streamfield

        from tests.forms import condition_page_form, listblock

        GroupPagePermission.objects.create(
            group=user.groups.first(),
            page=index,
            permission=Permission.objects.get(codename="add_page"),
        )
        client.force_login(user)
        stories = (
            "testimonials",
            {
                "heading": "Stories",
                "testimonials": listblock([str(testimonial.pk)]),
                "latest_count": "0",
            },
        )
        section = {"aspect": "success_stories", "heading": "Stories"}
        body = [("section", {**section, "content": streamfield([stories])})]
        data = condition_page_form(slug="stories-page")
        data.update(
            {k: v for k, v in condition_page_form(body=body).items() if k.startswith("body")}
        )
        url = reverse(
            "wagtailadmin_pages:add", args=["wagtail_spinecare", "conditionpage", index.pk]
        )
        return client.post(url, data)

    def test_another_clinics_story_is_refused(self, client, uk_editor, uk_clinic, stories):
        response = self.post(client, uk_editor, uk_clinic[0], stories[1])
        assert response.status_code == 200
        assert "Choose only testimonials of the clinics" in str(
            response.context["form"].errors["body"]
        )
        from wagtail_spinecare.models import ConditionPage

        assert not ConditionPage.objects.filter(slug="stories-page").exists()

    def test_an_own_story_is_accepted(self, client, uk_editor, uk_clinic, stories):
        response = self.post(client, uk_editor, uk_clinic[0], stories[0])
        from wagtail_spinecare.models import ConditionPage

        assert response.status_code == 302, response.context["form"].errors
        assert ConditionPage.objects.filter(slug="stories-page").exists()


class TestAnotherClinicsStoryInThePageEditor:
    """A page can hold a story of another clinic: someone who manages both chose it, or
    copied the page across. Its editors see that story without its patient's words."""

    @pytest.fixture
    def page(self, uk_clinic, uk_editors, stories):
        from wagtail.models import GroupPagePermission

        from tests.test_consent import stories_block, stories_section
        from wagtail_spinecare.factories import ConditionPageFactory

        index = uk_clinic[0]
        page = ConditionPageFactory(
            parent=index, slug="copied", body=[stories_section(stories_block(stories))]
        )
        page.save_revision()
        for codename in ("add_page", "change_page"):
            GroupPagePermission.objects.get_or_create(
                group=uk_editors,
                page=index,
                permission=Permission.objects.get(codename=codename),
            )
        return page

    def edit(self, client, user, page):
        client.force_login(user)
        response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200
        return response.content.decode()

    def test_the_editor_sees_only_their_clinics_words(self, client, uk_editor, page, stories):
        html = self.edit(client, uk_editor, page)
        assert stories[0].quote in html
        assert "kayaking" not in html
        assert "A testimonial from another clinic" in html
        # nor a link to the other clinic's story
        edit_url = reverse("wagtail_spinecare_testimonial_modeladmin_edit", args=[stories[1].pk])
        assert edit_url not in html

    def test_whoever_manages_both_clinics_sees_both(self, client, superuser, page, stories):
        html = self.edit(client, superuser, page)
        assert stories[0].quote in html and stories[1].quote in html
        assert "A testimonial from another clinic" not in html

    def test_saving_keeps_the_story(self, client, uk_editor, page, stories):
        from wagtail.test.utils.form_data import streamfield

        from tests.forms import condition_page_form, listblock
        from wagtail_spinecare.page_forms import chosen_testimonial_ids

        client.force_login(uk_editor)
        block = {
            "heading": "Stories",
            "testimonials": listblock([str(t.pk) for t in stories]),
            "latest_count": "0",
        }
        section = {"aspect": "success_stories", "heading": "Stories"}
        body = [("section", {**section, "content": streamfield([("testimonials", block)])})]
        data = condition_page_form(body=body, slug="copied", title=page.title)
        response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
        assert response.status_code == 302, response.context["form"].errors
        saved = page.get_latest_revision_as_object()
        assert chosen_testimonial_ids(saved.body) == {t.pk for t in stories}
