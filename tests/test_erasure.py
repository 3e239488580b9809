"""After an erasure nothing in the database holds the patient's words or details.

The sweep reads every column of every table the database has, not a list of known tables,
so a copy kept somewhere new (a log, a revision, a search index, a workflow) is caught too.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail_factories import DocumentFactory, ImageFactory

from wagtail_spinecare import subjects
from wagtail_spinecare.models import ConsentEvent, Testimonial

from .test_testimonial_admin import consent_form, publish_stories_page, story_form

NAME = "Priya Shah"
EMAIL = "priya.shah@patients.example"
PHONE = "07700 900461"
QUOTE = (
    "The exercises fitted around my night shifts at the bakery and after six weeks I "
    "could lift the flour sacks again without my back seizing up."
)
EDITED = QUOTE.replace("six weeks", "seven weeks")


def url(action, *args):
    return reverse(f"wagtail_spinecare_testimonial_modeladmin_{action}", args=args)


def runs_of(text: str, length: int = 5) -> set[str]:
    words = text.split()
    return {" ".join(words[i : i + length]) for i in range(len(words) - length + 1)}


NEEDLES = {NAME, EMAIL, PHONE} | runs_of(QUOTE) | runs_of(EDITED)


def as_text(value) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "ignore")
    return str(value)


def sweep(needles=NEEDLES) -> set[tuple[str, str, str]]:
    """(table, column, needle) for every value in the database holding one of ``needles``."""
    found = set()
    lowered = {needle: needle.lower() for needle in needles}
    quote_name = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(f"SELECT * FROM {quote_name(table)}")  # noqa: S608 - introspected
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = as_text(value).lower()
                    found.update(
                        (table, column, needle) for needle, low in lowered.items() if low in text
                    )
    return found


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("dpo", "dpo@clinic.example", "pw")


@pytest.fixture
def story_everywhere(client, admin_user, uk_site, condition_page):
    """A story made, edited, consented to, shown, exported and withdrawn through the admin,
    with the patient's photo and the signed consent form."""
    client.force_login(admin_user)
    photo = ImageFactory(title=f"{NAME} portrait")
    patient = {
        "patient_name": NAME,
        "patient_email": EMAIL,
        "patient_phone": PHONE,
        "photo": str(photo.pk),
        "condition_page": str(condition_page.pk),
    }
    response = client.post(url("create"), story_form(uk_site, quote=QUOTE, **patient))
    assert response.status_code == 302, response.content[:2000]
    story = Testimonial.objects.get()
    response = client.post(url("edit", story.pk), story_form(uk_site, quote=EDITED, **patient))
    assert response.status_code == 302
    evidence = DocumentFactory(title=f"Signed consent form, {NAME}")
    response = client.post(
        url("record_consent", story.pk),
        consent_form([uk_site.pk], evidence=str(evidence.pk), details=["name", "photo"]),
    )
    assert response.status_code == 302
    publish_stories_page(condition_page, [story])
    page = client.get(condition_page.url, HTTP_HOST=uk_site.hostname)
    assert EDITED in page.content.decode()
    assert client.post(url("export", story.pk)).status_code == 200
    assert client.post(url("withdraw", story.pk), {"channel": "phone"}).status_code == 302
    return story


@pytest.mark.django_db
class TestErasure:
    def test_the_sweep_finds_the_patient_before_erasure(self, story_everywhere):
        tables = {table for table, _column, _needle in sweep()}
        assert "wagtail_spinecare_testimonial" in tables
        assert {NAME, EMAIL, PHONE} <= {needle for *_where, needle in sweep()}

    def test_nothing_holds_the_patient_after_erasure_in_the_admin(self, client, story_everywhere):
        story = story_everywhere
        response = client.post(url("erase", story.pk))
        assert response.status_code == 302
        assert sweep() == set()
        # Only ids, kinds and times stay: the trail says a story was erased.
        assert ConsentEvent.objects.filter(
            testimonial_ref=story.pk, kind=ConsentEvent.Kind.ERASED
        ).exists()

    def test_nothing_holds_the_patient_after_erasure_by_command(self, story_everywhere):
        assert subjects.erase(EMAIL) == 1
        assert sweep() == set()

    def test_wagtail_history_keeps_the_actions_under_a_label(self, story_everywhere):
        story = story_everywhere
        subjects.erase(EMAIL)
        entries = ModelLogEntry.objects.filter(object_id=str(story.pk))
        assert {entry.action for entry in entries} >= {"wagtail.create", "wagtail.edit"}
        assert {entry.label for entry in entries} == {f"Testimonial #{story.pk}"}

    def test_the_photo_goes_unless_another_story_uses_it(self, story_everywhere):
        photo = story_everywhere.photo
        other = Testimonial.objects.create(
            site=story_everywhere.site, quote="Another patient.", patient_name="A B", photo=photo
        )
        subjects.erase(EMAIL)
        assert type(photo).objects.filter(pk=photo.pk).exists()
        other.delete()
        assert not type(photo).objects.filter(pk=photo.pk).exists()


def test_stories_are_labelled_without_their_words(uk_site):
    story = Testimonial.objects.create(site=uk_site, quote=QUOTE, patient_name=NAME)
    assert str(story) == f"Testimonial #{story.pk}"
    assert QUOTE.split()[0] not in str(story)
    assert story.editor_title.startswith("“The exercises fitted")
