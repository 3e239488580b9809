"""The patient stories admin: consent at a glance, recording and withdrawing it, data requests."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from wagtail.documents import get_document_model
from wagtail_factories import DocumentFactory

from wagtail_spinecare import consent, consent_actions
from wagtail_spinecare.factories import give_consent, section_data, stream_item
from wagtail_spinecare.models.consent_records import Channel, ConsentEvent, ConsentRecord
from wagtail_spinecare.models.testimonials import Testimonial
from wagtail_spinecare.permissions import patient_record_permissions

EMAIL = "sarah.jones@patients.example"
WORDING = "I agree that the clinic may publish the quote above, exactly as written."
PAGE_URL = "/facet-joint-back-pain/"


def today():
    return timezone.localdate()


def url(action, *args):
    return reverse(f"wagtail_spinecare_testimonial_modeladmin_{action}", args=args)


def make_testimonial(site, quote, **fields):
    values = {
        "naming": "first_name_initial",
        "patient_name": "Sarah Jones",
        "patient_email": EMAIL,
        "patient_phone": "07700 900123",
    }
    values.update(fields)
    return Testimonial.objects.create(site=site, quote=quote, **values)


def give(testimonial, **overrides):
    return give_consent(testimonial, wording=WORDING, **overrides)


def give_in_past(testimonial, days_ago, valid_days=365, **overrides):
    given_at = timezone.now() - timedelta(days=days_ago)
    return give(
        testimonial,
        given_at=given_at,
        at=given_at,
        expires_on=timezone.localdate(given_at) + timedelta(days=valid_days),
        **overrides,
    )


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def listed(response):
    """The index rows: {pk: [cell texts]}."""
    return {
        int(row["data-object-pk"]): [
            cell.get_text(" ", strip=True) for cell in row.find_all("td", recursive=False)
        ]
        for row in soup_of(response).select("table.listing tbody tr")
    }


def shown_quotes(client):
    response = client.get(PAGE_URL, HTTP_HOST="uk.example")
    assert response.status_code == 200
    return [
        quote.get_text(" ", strip=True)
        for quote in soup_of(response).select(".sc-testimonial__quote")
    ]


def publish_stories_page(page, testimonials=(), latest_count=0):
    block = stream_item(
        "testimonials",
        {
            "heading": "What our patients say",
            "testimonials": [t.pk for t in testimonials],
            "latest_count": latest_count,
        },
    )
    page.body = [stream_item("section", section_data("Stories", "success_stories", [block]))]
    page.save_revision().publish()
    return page


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("admin", "admin@clinic.example", "pw")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def by_state(uk_site, us_site):
    """One story per consent state, and a valid one on the US site."""
    valid = make_testimonial(uk_site, "Valid: walking the dog again.")
    give(valid)
    expiring = make_testimonial(uk_site, "Expiring: back at my desk.")
    give(expiring, expires_on=today() + timedelta(days=10))
    expired = make_testimonial(uk_site, "Expired: swimming twice a week.")
    give_in_past(expired, days_ago=400, valid_days=365)
    withdrawn = make_testimonial(uk_site, "Withdrawn: gardening without pain.")
    give(withdrawn)
    consent_actions.withdraw(withdrawn, channel="email")
    wording_changed = make_testimonial(uk_site, "Wording: first version.")
    give(wording_changed)
    wording_changed.quote = "Wording: edited version."
    wording_changed.save()
    none = make_testimonial(uk_site, "None: no consent yet.")
    us_valid = make_testimonial(us_site, "US valid: hiking again.", patient_email="j@p.example")
    give(us_valid)
    return {
        "valid": valid,
        "expiring": expiring,
        "expired": expired,
        "withdrawn": withdrawn,
        "wording_changed": wording_changed,
        "none": none,
        "us_valid": us_valid,
    }


# 1. Index --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestIndex:
    def test_lists_excerpt_clinic_and_consent_state(self, admin_client, by_state):
        response = admin_client.get(url("index"))
        assert response.status_code == 200
        rows = listed(response)
        assert set(rows) == {t.pk for t in by_state.values()}
        labels = {
            "valid": "Valid",
            "expiring": "Expiring within 30 days",
            "expired": "Expired",
            "withdrawn": "Withdrawn",
            "wording_changed": "Quote edited since consent",
            "none": "No consent",
            "us_valid": "Valid",
        }
        for key, testimonial in by_state.items():
            excerpt, clinic, state, expires = rows[testimonial.pk]
            assert excerpt.startswith(testimonial.excerpt)
            assert clinic == testimonial.site.hostname
            assert state == labels[key], key
            assert (expires == "—") == (key == "none"), key
        # the patient's private details are not listed
        assert EMAIL not in response.content.decode()

    def test_long_quotes_are_cut_to_an_excerpt(self, admin_client, uk_site):
        long_quote = "Week by week I could do a little more. " * 5
        testimonial = make_testimonial(uk_site, long_quote)
        rows = listed(admin_client.get(url("index")))
        assert rows[testimonial.pk][0].startswith(testimonial.excerpt)
        assert testimonial.excerpt.endswith("…")
        assert long_quote.strip() not in rows[testimonial.pk][0]

    @pytest.mark.parametrize(
        ("state", "expected"),
        [
            ("valid", {"valid", "us_valid"}),
            ("expiring", {"expiring"}),
            ("expired", {"expired"}),
            ("withdrawn", {"withdrawn"}),
            ("wording_changed", {"wording_changed"}),
            ("none", {"none"}),
        ],
    )
    def test_consent_filter(self, admin_client, by_state, state, expected):
        response = admin_client.get(url("index"), {"consent": state})
        assert response.status_code == 200
        assert set(listed(response)) == {by_state[key].pk for key in expected}
        assert {t.pk for t in response.context["object_list"]} == {
            by_state[key].pk for key in expected
        }

    def test_site_filter(self, admin_client, by_state, us_site, uk_site):
        response = admin_client.get(url("index"), {"site__id__exact": us_site.pk})
        assert set(listed(response)) == {by_state["us_valid"].pk}
        response = admin_client.get(url("index"), {"site__id__exact": uk_site.pk})
        assert set(listed(response)) == {t.pk for key, t in by_state.items() if key != "us_valid"}

    def test_filters_combine(self, admin_client, by_state, uk_site):
        response = admin_client.get(
            url("index"), {"site__id__exact": uk_site.pk, "consent": "valid"}
        )
        assert set(listed(response)) == {by_state["valid"].pk}

    def test_search_by_quote_word(self, admin_client, by_state):
        response = admin_client.get(url("index"), {"q": "swimming"})
        assert set(listed(response)) == {by_state["expired"].pk}
        response = admin_client.get(url("index"), {"q": "again"})
        assert set(listed(response)) == {by_state["valid"].pk, by_state["us_valid"].pk}

    def test_search_by_patient_email(self, admin_client, by_state):
        response = admin_client.get(url("index"), {"q": "j@p.example"})
        assert set(listed(response)) == {by_state["us_valid"].pk}


# 2. Create and edit ---------------------------------------------------------------------------


def story_form(site, **fields):
    data = {
        "site": str(site.pk),
        "quote": "The exercises fitted around my night shifts and they worked.",
        "condition_page": "",
        "patient_name": "Priya Shah",
        "patient_email": "priya.shah@patients.example",
        "patient_phone": "",
        "naming": "first_name_initial",
        "age_band": "",
        "occupation": "",
        "photo": "",
        "outcome_evidence": "",
        "material_connection": "",
        "material_connection_detail": "",
    }
    data.update(fields)
    return data


def consent_form(site_ids, **fields):
    data = {
        "given_at": (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "method": "signed_form",
        "evidence": str(DocumentFactory().pk),
        "lawful_basis": "uk_gdpr_explicit",
        "wording": WORDING,
        "wording_version": "2026-01",
        "sites": [str(pk) for pk in site_ids],
        "channels": ["web"],
        "details": ["name"],
        "expires_on": (today() + timedelta(days=365)).isoformat(),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
class TestCreateAndEdit:
    def test_created_story_is_shown_only_once_consent_is_recorded(
        self, admin_client, uk_site, condition_page, client
    ):
        publish_stories_page(condition_page, latest_count=3)
        response = admin_client.get(url("create"))
        assert response.status_code == 200
        response = admin_client.post(
            url("create"), story_form(uk_site, condition_page=str(condition_page.pk))
        )
        assert response.status_code == 302
        testimonial = Testimonial.objects.get()
        assert testimonial.patient_name == "Priya Shah"
        assert testimonial.condition_page_id == condition_page.pk
        assert testimonial.material_connection == ""
        assert testimonial.quote_hash
        assert not Testimonial.objects.publishable().exists()
        assert shown_quotes(client) == []
        state = listed(admin_client.get(url("index")))[testimonial.pk][2]
        assert state == "No consent"

        response = admin_client.post(
            url("record_consent", testimonial.pk), consent_form([uk_site.pk])
        )
        assert response.status_code == 302
        assert shown_quotes(client) == [testimonial.quote]

    def test_create_requires_quote_and_name(self, admin_client, uk_site):
        response = admin_client.post(url("create"), story_form(uk_site, quote="", patient_name=""))
        assert response.status_code == 200
        assert {"quote", "patient_name"} <= set(response.context["form"].errors)
        assert not Testimonial.objects.exists()

    def test_editing_the_quote_hides_the_story_until_consent_is_given_again(
        self, admin_client, uk_site, condition_page, client
    ):
        testimonial = make_testimonial(uk_site, "Back on my bike in a month.")
        give(testimonial)
        publish_stories_page(condition_page, [testimonial])
        assert shown_quotes(client) == ["Back on my bike in a month."]
        assert admin_client.get(url("edit", testimonial.pk)).status_code == 200
        response = admin_client.post(
            url("edit", testimonial.pk),
            story_form(
                uk_site,
                quote="Back on my bike within a month.",
                patient_name="Sarah Jones",
                patient_email=EMAIL,
            ),
        )
        assert response.status_code == 302
        assert shown_quotes(client) == []
        assert listed(admin_client.get(url("index")))[testimonial.pk][2] == (
            "Quote edited since consent"
        )
        admin_client.post(url("record_consent", testimonial.pk), consent_form([uk_site.pk]))
        assert shown_quotes(client) == ["Back on my bike within a month."]

    def test_delete_keeps_only_the_audit_trail(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "To be deleted.")
        give(testimonial)
        assert admin_client.get(url("delete", testimonial.pk)).status_code == 200
        response = admin_client.post(url("delete", testimonial.pk))
        assert response.status_code == 302
        assert not Testimonial.objects.exists()
        assert not ConsentRecord.objects.exists()
        # deleting is an erasure: the evidence goes too, and the trail says so
        assert not get_document_model().objects.exists()
        events = ConsentEvent.objects.order_by("pk")
        assert [(e.kind, e.testimonial, e.testimonial_ref) for e in events] == [
            (ConsentEvent.Kind.GIVEN, None, testimonial.pk),
            (ConsentEvent.Kind.ERASED, None, testimonial.pk),
        ]


# 3. Record consent ------------------------------------------------------------------------


@pytest.mark.django_db
class TestRecordConsent:
    def test_get_shows_the_form_for_the_quote_as_it_reads_now(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "My back feels normal again.")
        response = admin_client.get(url("record_consent", testimonial.pk))
        assert response.status_code == 200
        soup = soup_of(response)
        assert soup.select_one("blockquote").get_text(strip=True) == "My back feels normal again."
        form = response.context["form"]
        assert list(form["sites"].initial) == [uk_site.pk]
        assert list(form["channels"].initial) == [Channel.WEB]
        for name in ("given_at", "evidence", "sites", "channels", "details", "expires_on"):
            assert soup.select_one(f'[name="{name}"]') is not None, name

    def test_valid_post_records_consent_and_redirects_to_inspect(
        self, admin_client, admin_user, uk_site, us_site
    ):
        testimonial = make_testimonial(uk_site, "My back feels normal again.")
        data = consent_form(
            [uk_site.pk, us_site.pk],
            channels=["web", "structured_data"],
            details=["name", "age"],
            given_at="2026-01-15 10:30",
            method="e_signature",
        )
        response = admin_client.post(url("record_consent", testimonial.pk), data)
        assert response.status_code == 302
        assert response["Location"] == url("inspect", testimonial.pk)
        record = ConsentRecord.objects.get()
        assert record.testimonial == testimonial
        assert record.captured_by == admin_user
        assert record.method == "e_signature"
        assert record.evidence_id == int(data["evidence"])
        assert set(record.sites.all()) == {uk_site, us_site}
        assert record.channel_names() == [
            Channel.WEB.label,
            Channel.STRUCTURED_DATA.label,
        ]
        assert (record.show_name, record.show_age, record.show_photo) == (True, True, False)
        assert record.expires_on == today() + timedelta(days=365)
        assert record.given_at.strftime("%Y-%m-%d %H:%M") == "2026-01-15 10:30"
        assert record.approved_quote == "My back feels normal again."
        event = ConsentEvent.objects.get()
        assert (event.kind, event.by, event.consent_record_ref) == (
            ConsentEvent.Kind.GIVEN,
            admin_user,
            record.pk,
        )
        assert consent.may_show(testimonial, us_site)

    @pytest.mark.parametrize(
        ("fields", "errors"),
        [
            ({"evidence": ""}, {"evidence": "Attach the signed form"}),
            (
                {"expires_on": (timezone.localdate() - timedelta(days=1)).isoformat()},
                {"expires_on": "The expiry date must be in the future."},
            ),
            (
                {"expires_on": timezone.localdate().isoformat()},
                {"expires_on": "The expiry date must be in the future."},
            ),
            ({"expires_on": ""}, {"expires_on": "Consent must have an expiry date."}),
            ({"sites": None}, {"sites": "Choose at least one clinic site"}),
            ({"channels": None}, {"channels": "Choose at least one place"}),
            (
                {"given_at": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")},
                {"given_at": "Consent cannot be given in the future."},
            ),
            (
                {"evidence": "", "expires_on": "2020-01-01", "sites": None},
                {
                    "evidence": "Attach the signed form",
                    "expires_on": "The expiry date must be in the future.",
                    "sites": "Choose at least one clinic site",
                },
            ),
        ],
        ids=[
            "no-evidence",
            "past-expiry",
            "expiry-today",
            "no-expiry",
            "no-sites",
            "no-channels",
            "future",
            "all",
        ],
    )
    def test_refused_post_rerenders_with_messages_and_saves_nothing(
        self, admin_client, uk_site, fields, errors
    ):
        testimonial = make_testimonial(uk_site, "My back feels normal again.")
        response = admin_client.post(
            url("record_consent", testimonial.pk), consent_form([uk_site.pk], **fields)
        )
        assert response.status_code == 200
        form_errors = response.context["form"].errors
        assert set(form_errors) == set(errors)
        html = response.content.decode()
        for field, message in errors.items():
            assert message in form_errors[field][0]
            assert message in html
        assert not ConsentRecord.objects.exists()
        assert not ConsentEvent.objects.exists()

    def test_unknown_story_is_404(self, admin_client, db):
        assert admin_client.get(url("record_consent", 999)).status_code == 404


# 4. Withdraw -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestWithdraw:
    def test_get_asks_for_confirmation(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "Back to work.")
        give(testimonial)
        response = admin_client.get(url("withdraw", testimonial.pk))
        assert response.status_code == 200
        assert "Withdrawing consent removes this testimonial" in response.content.decode()
        assert ConsentRecord.objects.get().withdrawn_at is None

    def test_post_withdraws_and_the_story_disappears_on_the_next_request(
        self, admin_client, admin_user, uk_site, condition_page, client
    ):
        testimonial = make_testimonial(uk_site, "Back to work.")
        give(testimonial)
        publish_stories_page(condition_page, [testimonial])
        assert shown_quotes(client) == ["Back to work."]
        response = admin_client.post(url("withdraw", testimonial.pk), {"channel": "phone"})
        assert response.status_code == 302
        assert response["Location"] == url("inspect", testimonial.pk)
        assert shown_quotes(client) == []
        record = ConsentRecord.objects.get()
        assert record.withdrawn_at is not None
        assert record.withdrawal_channel == "phone"
        event = ConsentEvent.objects.get(kind=ConsentEvent.Kind.WITHDRAWN)
        assert (event.by, event.note) == (admin_user, "phone")

    def test_withdrawing_again_changes_nothing(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "Back to work.")
        give(testimonial)
        admin_client.post(url("withdraw", testimonial.pk), {"channel": "phone"})
        response = admin_client.post(
            url("withdraw", testimonial.pk), {"channel": "email"}, follow=True
        )
        assert response.status_code == 200
        assert "There was no active consent to withdraw." in response.content.decode()
        assert ConsentEvent.objects.filter(kind=ConsentEvent.Kind.WITHDRAWN).count() == 1
        assert ConsentRecord.objects.get().withdrawal_channel == "phone"

    def test_channel_is_required(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "Back to work.")
        give(testimonial)
        response = admin_client.post(url("withdraw", testimonial.pk), {"channel": "pigeon"})
        assert response.status_code == 200
        assert "channel" in response.context["form"].errors
        assert ConsentRecord.objects.get().withdrawn_at is None


# 5. Inspect --------------------------------------------------------------------------------


def section_after(soup, heading):
    h2 = next(h for h in soup.find_all("h2") if h.get_text(strip=True) == heading)
    return h2.find_next_sibling()


@pytest.mark.django_db
class TestInspect:
    def test_history_audit_trail_and_where_shown(self, admin_client, admin_user, uk_site, us_site):
        testimonial = make_testimonial(uk_site, "Sleeping through the night again.")
        first = give_in_past(testimonial, days_ago=30, sites=[uk_site])
        consent_actions.withdraw(testimonial, channel="letter", by=admin_user)
        second = give(testimonial, sites=[uk_site, us_site], by=admin_user)
        response = admin_client.get(url("inspect", testimonial.pk))
        assert response.status_code == 200
        soup = soup_of(response)

        shown = section_after(soup, "Where it is shown now").get_text(" ", strip=True)
        assert shown == "Web pages on: uk.example, us.example"

        history = section_after(soup, "Consent history").select("tbody tr")
        cells = [[td.get_text(" ", strip=True) for td in row.find_all("td")] for row in history]
        assert len(cells) == 2
        newest, oldest = cells
        assert newest[2] == "uk.example, us.example"
        assert newest[5] == "—"
        assert "recorded by admin" in newest[0]
        assert oldest[2] == "uk.example"
        assert oldest[5].endswith("(letter)")
        assert newest[6] == second.evidence.title
        assert oldest[6] == first.evidence.title

        trail = section_after(soup, "Audit trail").select("tbody tr")
        events = [[td.get_text(" ", strip=True) for td in row.find_all("td")] for row in trail]
        assert sorted(what for _when, what, _who in events) == sorted(
            [
                "Consent given",
                "Consent withdrawn (letter)",
                "Consent superseded",
                "Consent given",
            ]
        )
        whos = {what: who for _when, what, who in events}
        assert whos["Consent withdrawn (letter)"] == "admin"

        links = {a["href"] for a in soup.select("a.button")}
        links |= {form["action"] for form in soup.select("form[action]")}
        for action in ("record_consent", "withdraw", "export", "erase"):
            assert url(action, testimonial.pk) in links

    def test_fields_read_as_the_edit_form_writes_them(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "Sleeping through the night again.")
        soup = soup_of(admin_client.get(url("inspect", testimonial.pk)))
        fields = {
            dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
            for dt in soup.select("dl > dt")
        }
        assert all(label[0].isupper() for label in fields), fields
        # A tick box is Yes or No, never Python's True or False.
        claims = capfirst(Testimonial._meta.get_field("claims_outcome").verbose_name)
        assert fields[claims] == "No"
        assert not {"True", "False"} & set(fields.values())

    def test_nowhere_without_valid_consent(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "Sleeping through the night again.")
        soup = soup_of(admin_client.get(url("inspect", testimonial.pk)))
        assert (
            section_after(soup, "Where it is shown now").get_text(" ", strip=True)
            == "Nowhere: it has no valid consent for web pages."
        )
        assert "No consent has been recorded." in soup.get_text()
        give(testimonial)
        consent_actions.withdraw(testimonial, channel="email")
        soup = soup_of(admin_client.get(url("inspect", testimonial.pk)))
        assert (
            section_after(soup, "Where it is shown now")
            .get_text(" ", strip=True)
            .startswith("Nowhere")
        )


# 6. Data subject requests -------------------------------------------------------------------


@pytest.fixture
def sarah(uk_site, us_site):
    first = make_testimonial(uk_site, "First story.")
    give(first)
    second = make_testimonial(us_site, "Second story.", patient_email=EMAIL.upper())
    other = make_testimonial(
        uk_site, "Tom's story.", patient_name="Tom Hughes", patient_email="tom@p.example"
    )
    give(other)
    return first, second, other


@pytest.mark.django_db
class TestSubjectRequests:
    def test_export_is_a_json_attachment(self, admin_client, admin_user, sarah):
        first, second, _other = sarah
        assert admin_client.get(url("export", first.pk)).status_code == 405  # POST only
        response = admin_client.post(url("export", first.pk))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response["Content-Disposition"] == (
            'attachment; filename="patient-data-sarahjonespatientsexample.json"'
        )
        data = json.loads(response.content)
        assert data["email"] == EMAIL
        assert {item["id"] for item in data["testimonials"]} == {first.pk, second.pk}
        exported = ConsentEvent.objects.filter(kind=ConsentEvent.Kind.EXPORTED)
        assert {(e.testimonial_ref, e.by) for e in exported} == {
            (first.pk, admin_user),
            (second.pk, admin_user),
        }

    def test_export_without_email_goes_back_to_the_story(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "No email.", patient_email="")
        response = admin_client.post(url("export", testimonial.pk))
        assert response.status_code == 302
        assert response["Location"] == url("inspect", testimonial.pk)
        assert not ConsentEvent.objects.filter(kind=ConsentEvent.Kind.EXPORTED).exists()

    def test_erase_confirms_with_the_count_then_erases(self, admin_client, sarah):
        first, second, other = sarah
        response = admin_client.get(url("erase", first.pk))
        assert response.status_code == 200
        text = soup_of(response).get_text(" ", strip=True)
        assert f"This permanently erases 2 testimonials held for {EMAIL}" in text
        assert Testimonial.objects.count() == 3

        response = admin_client.post(url("erase", first.pk))
        assert response.status_code == 302
        assert response["Location"] == url("index")
        assert list(Testimonial.objects.all()) == [other]
        assert not ConsentRecord.objects.filter(testimonial_id__in=[first.pk, second.pk]).exists()
        erased = ConsentEvent.objects.filter(kind=ConsentEvent.Kind.ERASED)
        assert sorted(erased.values_list("testimonial_ref", flat=True)) == sorted(
            [first.pk, second.pk]
        )
        assert consent.may_show(other, other.site)

    def test_erase_count_for_one_story(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "Only story.")
        text = soup_of(admin_client.get(url("erase", testimonial.pk))).get_text(" ", strip=True)
        assert f"This permanently erases 1 testimonial held for {EMAIL}" in text

    def test_erase_without_email_erases_nothing(self, admin_client, uk_site):
        testimonial = make_testimonial(uk_site, "No email.", patient_email="")
        other = make_testimonial(uk_site, "Also no email.", patient_email="")
        response = admin_client.post(url("erase", testimonial.pk))
        assert response.status_code == 302
        assert response["Location"] == url("inspect", testimonial.pk)
        assert set(Testimonial.objects.all()) == {testimonial, other}


# 7. Permissions ----------------------------------------------------------------------------


def staff_user(username, *codenames):
    patient_record_permissions()  # record_consent's row, until its migration exists
    group = Group.objects.create(name=f"{username} group")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="wagtail_spinecare", codename__in=codenames
        ),
    )
    user = get_user_model().objects.create_user(username, f"{username}@clinic.example", "pw")
    user.groups.add(group)
    return user


DENIED = "Sorry, you do not have permission to access this area."


def assert_denied(response):
    """Wagtail's admin answers PermissionDenied with a redirect home and an error message
    (a bare 403 only for XMLHttpRequest)."""
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert DENIED in [str(message).strip() for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
class TestPermissions:
    @pytest.fixture
    def clerk_client(self, client):
        client.force_login(staff_user("clerk", "view_testimonial", "change_testimonial"))
        return client

    @pytest.fixture
    def story(self, uk_site):
        testimonial = make_testimonial(uk_site, "Back to running.")
        give(testimonial)
        return testimonial

    @pytest.mark.parametrize("action", ["withdraw", "export", "erase", "record_consent"])
    def test_actions_need_their_permission(self, clerk_client, story, action):
        assert_denied(clerk_client.get(url(action, story.pk)))
        assert (
            clerk_client.get(
                url(action, story.pk), HTTP_X_REQUESTED_WITH="XMLHttpRequest"
            ).status_code
            == 403
        )
        response = clerk_client.post(
            url(action, story.pk), {"channel": "email", **consent_form([story.site_id])}
        )
        assert_denied(response)
        assert Testimonial.objects.filter(pk=story.pk).exists()
        assert ConsentRecord.objects.count() == 1
        assert ConsentRecord.objects.get().withdrawn_at is None
        assert list(ConsentEvent.objects.values_list("kind", flat=True)) == ["given"]

    def test_clerk_can_see_the_story_but_not_the_action_buttons(self, clerk_client, story):
        assert story.pk in listed(clerk_client.get(url("index")))
        response = clerk_client.get(url("inspect", story.pk))
        assert response.status_code == 200
        soup = soup_of(response)
        links = {a["href"] for a in soup.select("a")} | {
            f["action"] for f in soup.select("form[action]")
        }
        for action in ("record_consent", "withdraw", "export", "erase"):
            assert url(action, story.pk) not in links

    @pytest.mark.parametrize(
        ("codename", "actions"),
        [
            ("withdraw_consent", ["withdraw"]),
            ("handle_subject_requests", ["export", "erase"]),
            ("record_consent", ["record_consent"]),
        ],
    )
    def test_each_permission_opens_its_actions(self, client, story, codename, actions):
        client.force_login(staff_user("granted", "view_testimonial", codename))
        for action in ("withdraw", "export", "erase", "record_consent"):
            fetch = client.post if action == "export" else client.get
            response = fetch(url(action, story.pk))
            if action in actions:
                assert response.status_code == 200, action
            else:
                assert_denied(response)


# One name in every screen -------------------------------------------------------------------


@pytest.mark.django_db
def test_every_screen_calls_them_testimonials(client, uk_clinic):
    """Menu, listing, headings, breadcrumbs, buttons and chooser: one term, and never
    another name for the same thing."""
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    testimonial = make_testimonial(uk_clinic[1], "Back to walking the dog.")
    texts = {}
    for name, address in (
        ("dashboard", "/admin/"),
        ("index", url("index")),
        ("create", url("create")),
        ("edit", url("edit", testimonial.pk)),
        ("inspect", url("inspect", testimonial.pk)),
        ("delete", url("delete", testimonial.pk)),
        ("history", url("history", testimonial.pk)),
        ("chooser", reverse("spinecare_testimonial_chooser:choose")),
    ):
        response = client.get(address)
        assert response.status_code == 200, name
        body = response.content.decode()
        if name == "chooser":
            body = json.loads(body)["html"]
        texts[name] = " ".join(BeautifulSoup(body, "html.parser").get_text(" ").split())
        assert not re.search(r"(?i)\bstor(y|ies)\b", texts[name]), name
    # The menu, in the sidebar's data.
    assert '"label": "Testimonials"' in unescape(client.get("/admin/").content.decode())
    assert texts["index"].startswith("Testimonials - Wagtail")
    assert "Add testimonial" in texts["index"]
    assert "New Testimonial" in texts["create"]
    assert f"Editing Testimonial #{testimonial.pk}" in texts["edit"]
    assert f"Inspecting Testimonial #{testimonial.pk}" in texts["inspect"]
    assert f"Delete Testimonial #{testimonial.pk}" in texts["delete"]
    assert f"History: Testimonial #{testimonial.pk}" in texts["history"]
    assert texts["chooser"].startswith("Choose a testimonial")
