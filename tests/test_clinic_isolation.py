"""Patient records stay inside their clinic, in every admin view, for every kind of user.

Clinic editors get their permissions per site (GroupSitePermission), per page tree
(GroupPagePermission) and per evidence collection (GroupCollectionPermission). Each cell of
the matrix is one user, one clinic's object and one view.
"""

import dataclasses
import json
import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
)

from tests import urls as test_urls
from wagtail_spinecare import consent_actions
from wagtail_spinecare.factories import (
    ClinicianFactory,
    ClinicSettingsFactory,
    ConditionIndexPageFactory,
    ConditionPageFactory,
    consent_kwargs,
)
from wagtail_spinecare.models import (
    ClinicSettings,
    ConsentEvent,
    ConsentRecord,
    LawfulBasis,
    Testimonial,
)

urlpatterns = [path("documents/", include(wagtaildocs_urls)), *test_urls.urlpatterns]
"""The test URLs plus public document serving, as a project mounts it."""

pytestmark = pytest.mark.urls(__name__)

TESTIMONIAL_CODENAMES = (
    "view_testimonial",
    "add_testimonial",
    "change_testimonial",
    "delete_testimonial",
    "record_consent",
    "withdraw_consent",
    "handle_subject_requests",
)
PAGE_CODENAMES = ("add_page", "change_page", "publish_page")
DOCUMENT_CODENAMES = ("add_document", "change_document", "choose_document")

USERS = ("uk_editor", "us_editor", "superuser", "nobody")
CLINICS = ("uk", "us")


@dataclasses.dataclass(frozen=True)
class Patient:
    name: str
    email: str
    phone: str
    word: str
    story_word: str
    evidence_title: str

    @property
    def quote(self):
        """``word`` is searched for; ``story_word`` shows the quote however a search echoes."""
        return f"{self.word} and {self.story_word} again after six weeks of exercises."

    @property
    def tag(self):
        """The one word of the evidence title that is searched for."""
        return self.name.split()[-1]

    @property
    def evidence_bytes(self):
        return f"%PDF-1.4 signed consent of {self.name}".encode()

    def markers(self):
        return [
            self.name,
            self.email,
            self.phone,
            self.word,
            self.story_word,
            self.evidence_title,
        ]


PATIENTS = {
    "uk": (
        Patient(
            "Ukpatient Alpha",
            "ukpatient.alpha@harbour-patients.example",
            "07700 900111",
            "Thamesrowing",
            "Severnkayaking",
            "Ukevidence Alpha signed form",
        ),
        Patient(
            "Ukpatient Beta",
            "ukpatient.beta@harbour-patients.example",
            "07700 900222",
            "Cotswoldrambling",
            "Pennineclimbing",
            "Ukevidence Beta signed form",
        ),
    ),
    "us": (
        Patient(
            "Uspatient Gamma",
            "uspatient.gamma@lake-patients.example",
            "(319) 555-0171",
            "Bluffhiking",
            "Ozarkfloating",
            "Usevidence Gamma signed form",
        ),
        Patient(
            "Uspatient Delta",
            "uspatient.delta@lake-patients.example",
            "(319) 555-0182",
            "Prairiecycling",
            "Mesascrambling",
            "Usevidence Delta signed form",
        ),
    ),
}

CLINIC_DETAILS = {
    "uk": {
        "hostname": "uk.example",
        "clinic_name": "Harbour Physio",
        "region": "uk",
        "page_title": "Ukclinic facet joint pain",
        "lawful_basis": LawfulBasis.UK_GDPR_EXPLICIT,
    },
    "us": {
        "hostname": "us.example",
        "clinic_name": "Lake PT",
        "region": "us",
        "page_title": "Usclinic facet joint pain",
        "lawful_basis": LawfulBasis.HIPAA_AUTHORIZATION,
    },
}


@dataclasses.dataclass
class Clinic:
    key: str
    site: Site
    index: Page
    page: Page
    settings: ClinicSettings
    collection: Collection
    testimonials: list
    evidence: list

    @property
    def testimonial(self):
        return self.testimonials[0]

    @property
    def document(self):
        return self.evidence[0]

    @property
    def patient(self):
        return PATIENTS[self.key][0]

    @property
    def page_title(self):
        return CLINIC_DETAILS[self.key]["page_title"]

    def markers(self):
        """Every piece of this clinic's patient data, and the prefixes that mark it."""
        prefix = self.key.capitalize()
        return [f"{prefix}patient", f"{prefix}evidence"] + [
            marker for patient in PATIENTS[self.key] for marker in patient.markers()
        ]


@dataclasses.dataclass
class World:
    clinics: dict
    users: dict


def permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def access_admin():
    return permission("wagtailadmin", "access_admin")


def build_clinic(key, clinician):
    details = CLINIC_DETAILS[key]
    root = Page.get_first_root_node()
    index = ConditionIndexPageFactory(parent=root, slug=key, title=f"{key.upper()} conditions")
    site = Site.objects.create(
        hostname=details["hostname"], port=80, root_page=index, site_name=details["hostname"]
    )
    clinic_settings = ClinicSettingsFactory(
        site=site, clinic_name=details["clinic_name"], region=details["region"]
    )
    page = ConditionPageFactory(
        parent=index, title=details["page_title"], slug="facet-joint-pain", reviewed_by=clinician
    )
    collection = Collection.get_first_root_node().add_child(name=f"{key.upper()} consent evidence")
    clinic = Clinic(key, site, index, page, clinic_settings, collection, [], [])
    for number, patient in enumerate(PATIENTS[key]):
        testimonial = Testimonial.objects.create(
            site=site,
            quote=patient.quote,
            patient_name=patient.name,
            patient_email=patient.email,
            patient_phone=patient.phone,
            condition_page=page,
        )
        document = get_document_model().objects.create(
            title=patient.evidence_title,
            collection=collection,
            file=ContentFile(patient.evidence_bytes, name=f"{key}-consent-{number}.pdf"),
        )
        consent_actions.give(
            testimonial,
            **consent_kwargs(testimonial, evidence=document, lawful_basis=details["lawful_basis"]),
        )
        clinic.testimonials.append(testimonial)
        clinic.evidence.append(document)
    return clinic


def clinic_editor(clinic):
    """A user whose group holds every clinic permission, for this clinic's site only."""
    group = Group.objects.create(name=f"{clinic.key.upper()} clinic editors")
    group.permissions.add(access_admin())
    testimonial_type = ContentType.objects.get_for_model(Testimonial)
    site_permissions = [
        *Permission.objects.filter(
            content_type=testimonial_type, codename__in=TESTIMONIAL_CODENAMES
        ),
        Permission.objects.get(
            content_type=ContentType.objects.get_for_model(ClinicSettings),
            codename="change_clinicsettings",
        ),
    ]
    for site_permission in site_permissions:
        GroupSitePermission.objects.create(
            group=group, site=clinic.site, permission=site_permission
        )
    for codename in PAGE_CODENAMES:
        GroupPagePermission.objects.create(
            group=group, page=clinic.index, permission=permission("wagtailcore", codename)
        )
    for codename in DOCUMENT_CODENAMES:
        GroupCollectionPermission.objects.create(
            group=group,
            collection=clinic.collection,
            permission=permission("wagtaildocs", codename),
        )
    user = get_user_model().objects.create_user(
        f"{clinic.key}_editor", f"{clinic.key}.editor@clinic.example", "pw"
    )
    user.groups.add(group)
    return user


def build_world():
    clinician = ClinicianFactory(name="Amara Okafor")
    clinics = {key: build_clinic(key, clinician) for key in CLINICS}
    User = get_user_model()
    nobody = User.objects.create_user("nobody", "nobody@clinic.example", "pw")
    nobody.user_permissions.add(access_admin())
    users = {
        "uk_editor": clinic_editor(clinics["uk"]),
        "us_editor": clinic_editor(clinics["us"]),
        "superuser": User.objects.create_superuser("superuser", "super@clinic.example", "pw"),
        "nobody": nobody,
    }
    return World(clinics, users)


@pytest.fixture(scope="module")
def world_data(django_db_setup, django_db_blocker):
    """Both clinics with their users, built once per module and rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(world_data, db):
    """The clinics for one test. Erasing deletes evidence files, so any missing are restored."""
    for key, clinic in world_data.clinics.items():
        for patient, document in zip(PATIENTS[key], clinic.evidence, strict=True):
            storage = document.file.storage
            if not storage.exists(document.file.name):
                storage.save(document.file.name, ContentFile(patient.evidence_bytes))
    return world_data


# Requests --------------------------------------------------------------------------------


def modeladmin_url(action, *args):
    return reverse(f"wagtail_spinecare_testimonial_modeladmin_{action}", args=args)


def with_query(url, **params):
    return f"{url}?{urlencode(params)}"


def story_data(testimonial, **changes):
    data = {
        "site": str(testimonial.site_id),
        "quote": testimonial.quote,
        "condition_page": str(testimonial.condition_page_id or ""),
        "patient_name": testimonial.patient_name,
        "patient_email": testimonial.patient_email,
        "patient_phone": testimonial.patient_phone,
        "naming": testimonial.naming,
        "age_band": testimonial.age_band,
        "occupation": testimonial.occupation,
        "photo": "",
        "outcome_evidence": "",
        "material_connection": "",
        "material_connection_detail": "",
    }
    data.update(changes)
    return data


def new_story_data(clinic):
    return {
        **story_data(clinic.testimonial),
        "quote": f"Newcomer{clinic.key} story: walking to work again.",
        "patient_name": "Newcomer Person",
        "patient_email": "newcomer@patients.example",
        "patient_phone": "",
        "condition_page": "",
    }


def consent_data(clinic):
    return {
        "given_at": (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "method": "signed_form",
        "evidence": str(clinic.document.pk),
        "lawful_basis": CLINIC_DETAILS[clinic.key]["lawful_basis"],
        "wording": "I agree that the clinic may publish my story exactly as written.",
        "wording_version": "2026-02",
        "sites": [str(clinic.site.pk)],
        "channels": ["web"],
        "details": ["name"],
        "expires_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
    }


def edited_quote(clinic):
    return f"{clinic.patient.word} again, in wording edited by the clinic."


@dataclasses.dataclass(frozen=True)
class View:
    """One admin view, aimed at one clinic's object.

    ``listing`` views answer every user with access and must show the object only to those
    allowed; ``shows`` is what the allowed see there. Object views refuse the others.
    ``done`` tells whether an allowed POST took effect. ``query`` is a search term the page
    may echo back, so it is no leak.
    """

    target: str
    url: object
    method: str = "get"
    data: object = None
    listing: bool = False
    shows: object = None
    done: object = None
    query: object = None


def story_gone(clinic, response):
    return not Testimonial.objects.filter(pk=clinic.testimonial.pk).exists()


def exported(clinic, response):
    return (
        response.status_code == 200
        and clinic.patient.email in json.loads(response.content)["email"]
        and ConsentEvent.objects.filter(
            kind=ConsentEvent.Kind.EXPORTED, testimonial=clinic.testimonial
        ).exists()
    )


VIEWS = {
    "index": View(
        "testimonial",
        lambda c: modeladmin_url("index"),
        listing=True,
        shows=lambda c: c.patient.story_word,
    ),
    "index_search": View(
        "testimonial",
        lambda c: with_query(modeladmin_url("index"), q=c.patient.word),
        listing=True,
        shows=lambda c: c.patient.story_word,
        query=lambda c: c.patient.word,
    ),
    "create": View(
        "testimonial",
        lambda c: modeladmin_url("create"),
        method="post",
        data=new_story_data,
        done=lambda c, r: Testimonial.objects.filter(
            site=c.site, quote=new_story_data(c)["quote"]
        ).exists(),
    ),
    "inspect": View("testimonial", lambda c: modeladmin_url("inspect", c.testimonial.pk)),
    "edit": View("testimonial", lambda c: modeladmin_url("edit", c.testimonial.pk)),
    "edit_post": View(
        "testimonial",
        lambda c: modeladmin_url("edit", c.testimonial.pk),
        method="post",
        data=lambda c: story_data(c.testimonial, quote=edited_quote(c)),
        done=lambda c, r: Testimonial.objects.get(pk=c.testimonial.pk).quote == edited_quote(c),
    ),
    "delete": View("testimonial", lambda c: modeladmin_url("delete", c.testimonial.pk)),
    "delete_post": View(
        "testimonial",
        lambda c: modeladmin_url("delete", c.testimonial.pk),
        method="post",
        done=story_gone,
    ),
    "record_consent": View(
        "testimonial", lambda c: modeladmin_url("record_consent", c.testimonial.pk)
    ),
    "record_consent_post": View(
        "testimonial",
        lambda c: modeladmin_url("record_consent", c.testimonial.pk),
        method="post",
        data=consent_data,
        done=lambda c, r: ConsentRecord.objects.filter(testimonial=c.testimonial).count() == 2,
    ),
    "withdraw": View("testimonial", lambda c: modeladmin_url("withdraw", c.testimonial.pk)),
    "withdraw_post": View(
        "testimonial",
        lambda c: modeladmin_url("withdraw", c.testimonial.pk),
        method="post",
        data=lambda c: {"channel": "email"},
        done=lambda c, r: (
            ConsentRecord.objects.get(testimonial=c.testimonial).withdrawn_at is not None
        ),
    ),
    "export_post": View(
        "testimonial",
        lambda c: modeladmin_url("export", c.testimonial.pk),
        method="post",
        done=exported,
    ),
    "erase": View("testimonial", lambda c: modeladmin_url("erase", c.testimonial.pk)),
    "erase_post": View(
        "testimonial",
        lambda c: modeladmin_url("erase", c.testimonial.pk),
        method="post",
        done=story_gone,
    ),
    "chooser": View(
        "testimonial",
        lambda c: reverse("spinecare_testimonial_chooser:choose"),
        listing=True,
        shows=lambda c: c.patient.story_word,
    ),
    "chooser_results": View(
        "testimonial",
        lambda c: with_query(
            reverse("spinecare_testimonial_chooser:choose_results"), q=c.patient.word
        ),
        listing=True,
        shows=lambda c: c.patient.story_word,
        query=lambda c: c.patient.word,
    ),
    "admin_search": View(
        "testimonial",
        lambda c: with_query(reverse("wagtailadmin_pages:search"), q=c.patient.word),
        listing=True,
        query=lambda c: c.patient.word,
    ),
    "dashboard": View("testimonial", lambda c: reverse("wagtailadmin_home"), listing=True),
    "documents": View(
        "evidence",
        lambda c: reverse("wagtaildocs:index"),
        listing=True,
        shows=lambda c: c.document.title,
    ),
    "documents_search": View(
        "evidence",
        lambda c: with_query(reverse("wagtaildocs:index"), q=c.patient.tag),
        listing=True,
        shows=lambda c: c.document.title,
        query=lambda c: c.patient.tag,
    ),
    "document_edit": View("evidence", lambda c: reverse("wagtaildocs:edit", args=[c.document.pk])),
    "document_chooser": View(
        "evidence",
        lambda c: reverse("wagtaildocs_chooser:choose"),
        listing=True,
        shows=lambda c: c.document.title,
    ),
    "download": View("evidence", lambda c: c.document.url),
    "settings_edit": View(
        "settings",
        lambda c: reverse(
            "wagtailsettings:edit", args=["wagtail_spinecare", "clinicsettings", c.site.pk]
        ),
    ),
    "page_edit": View("page", lambda c: reverse("wagtailadmin_pages:edit", args=[c.page.pk])),
    "review_report": View(
        "page",
        lambda c: reverse("wagtail_spinecare_admin:review_report"),
        listing=True,
        shows=lambda c: c.page_title,
    ),
    "review_report_csv": View(
        "page",
        lambda c: with_query(reverse("wagtail_spinecare_admin:review_report"), export="csv"),
        listing=True,
        shows=lambda c: c.page_title,
    ),
}


def request(client, view, clinic):
    url = view.url(clinic)
    if view.method == "post":
        return client.post(url, view.data(clinic) if view.data else {})
    return client.get(url)


def received(response):
    """Everything the user got: the body and the headers that can carry data."""
    # The test client closes the response itself; closing it here would also close the
    # database connection (Django's request_finished), which PostgreSQL notices.
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    headers = " ".join(response.get(name, "") for name in ("Location", "Content-Disposition"))
    return f"{body.decode('utf-8', errors='replace')} {headers}"


def unechoed(text, view, clinic):
    """``text`` without the search term the user typed, wherever the page repeats it."""
    if view.query is None:
        return text
    return re.sub(re.escape(view.query(clinic)), "", text, flags=re.IGNORECASE)


def found(text, markers):
    lowered = text.lower()
    return sorted({marker for marker in markers if marker.lower() in lowered})


def is_denial_redirect(response):
    """Wagtail's answer to a refusal or to a missing login: a redirect to the dashboard
    (with an error message) or to the admin or front-end login page."""
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"]).path
    return location in {
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_login"),
        getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", reverse("wagtailcore_login")),
        settings.LOGIN_URL,
    }


#: Wagtail's own admin views refuse anyone, editors included, by redirecting to the
#: dashboard with "Sorry, you do not have permission to access this area."
WAGTAIL_VIEWS = {"document_edit", "settings_edit", "page_edit"}


def allowed(user, clinic_key):
    return user in ("superuser", f"{clinic_key}_editor")


def snapshot():
    """The patient records, their consent and evidence, as stored (files included)."""
    documents = get_document_model().objects.order_by("pk")
    return {
        "testimonials": list(Testimonial.objects.order_by("pk").values()),
        "consent_records": list(ConsentRecord.objects.order_by("pk").values()),
        "consent_sites": list(
            ConsentRecord.sites.through.objects.order_by("pk").values_list(
                "consentrecord_id", "site_id"
            )
        ),
        "events": list(ConsentEvent.objects.order_by("pk").values()),
        "documents": list(documents.values("pk", "title", "collection_id", "file")),
        "files": [doc.file.storage.exists(doc.file.name) for doc in documents],
    }


# The matrix ------------------------------------------------------------------------------


CELLS = [
    pytest.param(user, clinic, name, id=f"{user}-{clinic}_{view.target}-{name}")
    for name, view in VIEWS.items()
    for clinic in CLINICS
    for user in USERS
]


@pytest.mark.parametrize(("user", "clinic_key", "view_name"), CELLS)
def test_cell(world, client, user, clinic_key, view_name):
    """Own clinic: allowed. Another clinic: 403 or 404 (for a new record, a refused form),
    nothing changed, nothing shown. ``nobody``, and anyone refused by one of Wagtail's own
    views, may instead be sent to the dashboard or the login page."""
    view = VIEWS[view_name]
    clinic = world.clinics[clinic_key]
    client.force_login(world.users[user])
    before = snapshot()

    response = request(client, view, clinic)
    status = response.status_code
    text = received(response)
    hidden = [m for key in CLINICS if not allowed(user, key) for m in world.clinics[key].markers()]
    leaked = found(unechoed(text, view, clinic), hidden)
    assert leaked == [], f"{status}: other clinics' patient data in the response"

    if view.listing:
        if user == "nobody":
            assert status in (200, 403, 404) or is_denial_redirect(response), status
        else:
            assert status == 200, status
        if allowed(user, clinic_key) and view.shows:
            assert view.shows(clinic).lower() in text.lower(), "own record not listed"
        return

    if allowed(user, clinic_key):
        if view.method == "get":
            assert status == 200, status
        else:
            assert status == 200 or (status == 302 and not is_denial_redirect(response)), (
                status,
                response.get("Location"),
            )
            assert view.done(clinic, response), "the action did not take effect"
        return

    if view_name == "create" and status == 200:
        assert "site" in response.context["form"].errors, "no refusal on the form"
    elif user == "nobody" or view_name in WAGTAIL_VIEWS:
        assert status in (403, 404) or is_denial_redirect(response), status
    else:
        assert status in (403, 404), (status, response.get("Location"))
    if view.method == "post":
        assert snapshot() == before, "another clinic's records were changed"


# Leaks across a whole session ------------------------------------------------------------


def everything_seen(client, world):
    """Every read-only view and the export, for both clinics' objects; (cell, text) pairs."""
    seen = []
    for name, view in VIEWS.items():
        if view.method == "get" or name == "export_post":
            for key, clinic in world.clinics.items():
                text = received(request(client, view, clinic))
                seen.append((f"{key}-{name}", unechoed(text, view, clinic)))
    return seen


@pytest.mark.parametrize("user", ["uk_editor", "us_editor"])
def test_editor_never_receives_another_clinics_patient_data(world, client, user):
    """Lists, inspect pages, choosers, search, exports, documents, dashboard and reports."""
    client.force_login(world.users[user])
    other = world.clinics["us" if user == "uk_editor" else "uk"]
    leaks = {
        cell: markers
        for cell, text in everything_seen(client, world)
        if (markers := found(text, other.markers()))
    }
    assert leaks == {}


def test_nobody_receives_no_patient_data(world, client):
    client.force_login(world.users["nobody"])
    every_marker = [m for clinic in world.clinics.values() for m in clinic.markers()]
    leaks = {
        cell: markers
        for cell, text in everything_seen(client, world)
        if (markers := found(text, every_marker))
    }
    assert leaks == {}


# Around the matrix -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "codename"),
    [(Testimonial, codename) for codename in TESTIMONIAL_CODENAMES]
    + [(ClinicSettings, "change_clinicsettings")],
    ids=lambda value: value if isinstance(value, str) else value.__name__,
)
def test_clinic_permission_exists(db, model, codename):
    """Every permission a clinic group is given per site exists on its model."""
    assert Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(model), codename=codename
    ).exists()


@pytest.mark.parametrize("clinic_key", CLINICS)
def test_evidence_is_not_served_to_the_public(world, clinic_key):
    """The consent evidence of a patient is never downloadable without logging in."""
    clinic = world.clinics[clinic_key]
    response = Client().get(clinic.document.url)
    status = response.status_code
    text = received(response)
    assert clinic.patient.evidence_bytes.decode() not in text, status
    assert status in (401, 403, 404) or is_denial_redirect(response), status


def test_global_permission_means_every_clinic(world, client):
    """A group holding view_testimonial itself, not per site, sees every clinic's records."""
    group = Group.objects.create(name="Head office")
    group.permissions.add(access_admin(), permission("wagtail_spinecare", "view_testimonial"))
    user = get_user_model().objects.create_user("head_office", "head@clinic.example", "pw")
    user.groups.add(group)
    client.force_login(user)
    listing = received(client.get(modeladmin_url("index")))
    for clinic in world.clinics.values():
        assert clinic.patient.word in listing
        assert client.get(modeladmin_url("inspect", clinic.testimonial.pk)).status_code == 200


@pytest.mark.parametrize("action", ["export", "erase"])
def test_subject_request_stays_inside_the_clinic(world, client, action):
    """A patient treated at both clinics: the UK clinic's request reaches only UK records."""
    uk, us = world.clinics["uk"], world.clinics["us"]
    shared = Testimonial.objects.create(
        site=us.site,
        quote="Lakeshoreswimming again after my move to the States.",
        patient_name=uk.patient.name,
        patient_email=uk.patient.email,
        patient_phone=uk.patient.phone,
    )
    client.force_login(world.users["uk_editor"])
    response = client.post(modeladmin_url(action, uk.testimonial.pk))
    assert response.status_code in (200, 302), response.status_code
    assert "Lakeshoreswimming" not in received(response)
    assert Testimonial.objects.filter(pk=shared.pk).exists()
    if action == "export":
        exported_sites = {item["site"] for item in json.loads(response.content)["testimonials"]}
        assert exported_sites == {uk.site.hostname}
    else:
        assert not Testimonial.objects.filter(pk=uk.testimonial.pk).exists()
