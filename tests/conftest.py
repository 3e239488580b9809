import os
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.test import override_settings
from wagtail.models import Page, Site

import wagtail_spinecare
from wagtail_spinecare.demo.profiles import HOSTNAMES
from wagtail_spinecare.factories import (
    ClinicianFactory,
    ClinicSettingsFactory,
    ConditionIndexPageFactory,
    ConditionPageFactory,
    stream_item,
)
from wagtail_spinecare.models import ClinicConditionPage, ConditionLibraryPage, Guideline

from .settings import MIDDLEWARE


def pytest_report_header(config):
    return f"wagtail_spinecare imported from {wagtail_spinecare.__file__}"


@pytest.fixture
def root_page(db):
    return Page.get_first_root_node()


def make_clinic(root_page, hostname, **settings):
    index = ConditionIndexPageFactory(parent=root_page, slug=hostname.split(".")[0])
    site = Site.objects.create(hostname=hostname, port=80, root_page=index, site_name=hostname)
    clinic = ClinicSettingsFactory(site=site, **settings)
    return index, site, clinic


@pytest.fixture
def uk_clinic(root_page):
    """A UK clinic: (index page, site, settings)."""
    return make_clinic(
        root_page,
        "uk.example",
        clinic_name="Harbour Physio",
        region="uk",
        phone="0117 496 0123",
        booking_url="https://book.example/uk",
    )


@pytest.fixture
def us_clinic(root_page):
    return make_clinic(
        root_page,
        "us.example",
        clinic_name="Lake PT",
        region="us",
        phone="(319) 555-0142",
        booking_url="https://book.example/us?clinic=7",
    )


@pytest.fixture
def uk_site(uk_clinic):
    return uk_clinic[1]


@pytest.fixture
def us_site(us_clinic):
    return us_clinic[1]


@pytest.fixture
def guideline(db):
    return Guideline.objects.create(
        code="NICE NG59",
        title="Low back pain and sciatica in over 16s",
        authority="NICE",
        current_version="2020-12-11",
        url="https://www.nice.org.uk/guidance/ng59",
    )


@pytest.fixture
def clinician(db):
    return ClinicianFactory(
        name="Amara Okafor", profession="Clinical lead physiotherapist", post_nominals="MSc MCSP"
    )


@pytest.fixture
def condition_page(uk_clinic, clinician):
    index, _site, _clinic = uk_clinic
    return ConditionPageFactory(
        parent=index,
        title="Facet joint back pain",
        slug="facet-joint-back-pain",
        reviewed_by=clinician,
    )


# A shared library with one page, and each clinic's page showing it.

SHARED_QUICK_ANSWER = "Most people get better with exercise guided by a physiotherapist."
SHARED_SECTION = (
    "<p>Physiotherapy helps. Your GP or physiotherapist can tell you more. "
    '<a href="https://example.org/physiotherapy/">Read about physiotherapy</a>.</p>'
)


def shared_body(text=SHARED_SECTION):
    return [
        stream_item(
            "section",
            {
                "aspect": "treatment",
                "heading": "How physiotherapy helps",
                "content": [stream_item("paragraph", text)],
            },
        ),
        stream_item(
            "section",
            {
                "aspect": "success_stories",
                "heading": "Patient stories",
                "content": [
                    stream_item(
                        "testimonials",
                        {"heading": "In their words", "testimonials": [], "latest_count": 3},
                    )
                ],
            },
        ),
        stream_item(
            "faq",
            {
                "heading": "Questions",
                "items": [
                    {
                        "question": "Who will I see?",
                        "answer": "<p>A physiotherapist, who may refer you to your GP.</p>",
                    }
                ],
            },
        ),
    ]


@pytest.fixture
def library(root_page):
    return root_page.add_child(instance=ConditionLibraryPage(title="Shared", slug="shared"))


@pytest.fixture
def shared(library):
    page = ConditionPageFactory(
        parent=library,
        title="Facet joint pain",
        slug="facet-joint-pain",
        quick_answer=SHARED_QUICK_ANSWER,
        body=shared_body(),
    )
    page.save_revision().publish()
    return page


def clinic_page(index, shared, **fields):
    page = index.add_child(
        instance=ClinicConditionPage(
            title="Facet joint pain", slug="facet-joint-pain", shared_page=shared, **fields
        )
    )
    page.save_revision().publish()
    return page


@pytest.fixture
def uk_page(uk_clinic, shared):
    return clinic_page(uk_clinic[0], shared, introduction="Harbour Physio is by the quay.")


@pytest.fixture
def us_page(us_clinic, shared):
    return clinic_page(us_clinic[0], shared, introduction="Lake PT is on Elm Avenue.")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids are reused after rollbacks, cached objects not."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """Both demo clinics, built once per test module and rolled back after it.

    Each test still runs in its own savepoint, so what a test changes is undone.
    """
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("spinecare_demo", editor_accounts=True, stdout=out)
            client = Client()
            for site in Site.objects.filter(hostname__in=HOSTNAMES):
                for page in site.root_page.get_descendants(inclusive=True).live():
                    client.get(page.relative_url(site), HTTP_HOST=site.hostname)  # renditions
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_data, db):
    """The demo clinics, for one test: its changes are rolled back."""
    return demo_data


class RecordingPurgeBatch:
    batches = []

    def __init__(self, *args, **kwargs):
        self.pages = []
        self.urls = []
        self.purged = False
        RecordingPurgeBatch.batches.append(self)

    def add_pages(self, pages):
        self.pages.extend(pages)

    def add_urls(self, urls):
        self.urls.extend(urls)

    def purge(self, **kwargs):
        self.purged = True


@pytest.fixture
def purges(monkeypatch):
    RecordingPurgeBatch.batches = []
    monkeypatch.setattr("wagtail_spinecare.invalidation.frontend_cache_enabled", lambda: True)
    monkeypatch.setattr("wagtail.contrib.frontend_cache.utils.PurgeBatch", RecordingPurgeBatch)

    def purged_page_ids():
        return {
            page.pk for batch in RecordingPurgeBatch.batches if batch.purged for page in batch.pages
        }

    purged_page_ids.reset = lambda: RecordingPurgeBatch.batches.clear()
    purged_page_ids.urls = lambda: {
        url for batch in RecordingPurgeBatch.batches if batch.purged for url in batch.urls
    }
    return purged_page_ids


# One Redis database per pytest-xdist worker (gw0 uses 15, gw1 14, ...): clearing the cache
# empties the whole database. SPINECARE_TEST_REDIS_DB moves the first one down, so that two
# suites can run side by side on one Redis.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
FIRST_REDIS_DB = int(os.environ.get("SPINECARE_TEST_REDIS_DB", "15"))
REDIS_URL = f"redis://127.0.0.1:6379/{(FIRST_REDIS_DB - WORKER) % 16}"


def redis_available() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception:
        return False


BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
}


@contextmanager
def cache_on(backend, page=0, fragment=0):
    """The default cache on ``backend`` ("locmem" or "redis"), empty, with the page and
    fragment caches' timeouts; Redis tests skip where it is not running."""
    if backend == "redis" and not redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    with override_settings(
        CACHES={"default": BACKENDS[backend]},
        WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=page,
        WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT=fragment,
    ):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, demo):
    with cache_on(request.param, page=600) as cache:
        yield cache


MIDDLEWARE_WITH_PAGE_CACHE = [*MIDDLEWARE, "wagtail_spinecare.middleware.PageCacheMiddleware"]


@pytest.fixture
def with_middleware(page_cache, settings):
    settings.MIDDLEWARE = MIDDLEWARE_WITH_PAGE_CACHE
    return page_cache
