"""What PostgreSQL, the production database, must guarantee under concurrent requests.

- A withdrawal racing page renders: no response that started after the withdrawal was
  committed shows the story, with the page and fragment caches on.
- The consent event log is append-only at the database level.
"""

import threading
import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client, override_settings
from django.utils import timezone
from wagtail.models import Site

from wagtail_spinecare import consent_actions
from wagtail_spinecare.factories import give_consent
from wagtail_spinecare.models import ConsentEvent, Testimonial

from .conftest import MIDDLEWARE_WITH_PAGE_CACHE

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only (DATABASE_URL=postgres://…)"
)

UK = "harbourside.localhost"
PAGE = "/facet-joint-back-pain/"
READERS = 4
SECONDS = 4.0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_response_started_after_a_withdrawal_shows_the_story():
    call_command("spinecare_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    site = Site.objects.get(hostname=UK)
    story = Testimonial.objects.publishable(site).first()
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(
        CACHES=locmem,
        MIDDLEWARE=MIDDLEWARE_WITH_PAGE_CACHE,
        WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=600,
        WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT=600,
    ):
        caches["default"].clear()
        assert story.quote in Client().get(PAGE, HTTP_HOST=UK).content.decode()
        results, errors, stop = [], [], threading.Event()

        def read():
            client = Client()
            try:
                while not stop.is_set():
                    started = time.monotonic()
                    response = client.get(PAGE, HTTP_HOST=UK)
                    results.append(
                        (started, response.status_code, story.quote in response.content.decode())
                    )
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connections.close_all()

        readers = [threading.Thread(target=read) for _ in range(READERS)]
        for reader in readers:
            reader.start()
        time.sleep(SECONDS / 2)
        committed = []
        with transaction.atomic():
            # Registered first, so it runs as soon as the transaction has committed, before
            # anything else the withdrawal asked to run then (such as making caches stale).
            transaction.on_commit(lambda: committed.append(time.monotonic()))
            assert consent_actions.withdraw(story, channel="phone")
        time.sleep(SECONDS / 2)
        stop.set()
        for reader in readers:
            reader.join()
        caches["default"].clear()

    assert not errors, errors
    print(f"responses: {len(results)}; after the commit showing the story: ", end="")
    after = [shown for started, _status, shown in results if started > committed[0]]
    before = [shown for started, _status, shown in results if started <= committed[0]]
    assert {status for _started, status, _shown in results} == {200}
    assert len(after) > 20 and len(before) > 20, (len(before), len(after))
    assert any(before)
    print(f"{sum(after)} of {len(after)}")
    assert sum(after) == 0, f"{sum(after)} of {len(after)} responses after the commit"


@pytest.mark.django_db
class TestAppendOnlyLog:
    @pytest.fixture
    def event(self, uk_site):
        story = Testimonial.objects.create(site=uk_site, quote="Better.", patient_name="A B")
        give_consent(story)
        return ConsentEvent.objects.get(testimonial=story)

    def refused(self, action):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            action()

    def test_an_event_cannot_be_changed(self, event):
        self.refused(lambda: ConsentEvent.objects.filter(pk=event.pk).update(kind="withdrawn"))
        self.refused(lambda: ConsentEvent.objects.filter(pk=event.pk).update(at=timezone.now()))
        self.refused(lambda: ConsentEvent.objects.filter(pk=event.pk).update(note="edited"))
        assert ConsentEvent.objects.get(pk=event.pk).kind == event.kind

    def test_an_event_cannot_be_deleted(self, event):
        self.refused(lambda: ConsentEvent.objects.filter(pk=event.pk).delete())
        assert ConsentEvent.objects.filter(pk=event.pk).exists()

    def test_erasure_clears_links_and_notes(self, event):
        story = event.testimonial
        ref = story.pk
        story.delete()
        event.refresh_from_db()
        assert (event.testimonial_id, event.note) == (None, "")
        kinds = ConsentEvent.objects.filter(testimonial_ref=ref).values_list("kind", flat=True)
        assert set(kinds) == {"given", "erased"}

    def test_the_documented_erase_path_deletes(self, event):
        assert consent_actions.delete_events(ConsentEvent.objects.filter(pk=event.pk)) == 1
        assert not ConsentEvent.objects.filter(pk=event.pk).exists()
        # ... for that transaction only.
        other = ConsentEvent.objects.create(kind="given", testimonial_ref=1)
        self.refused(lambda: ConsentEvent.objects.filter(pk=other.pk).delete())
