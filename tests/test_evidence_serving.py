"""Consent evidence is never served as a plain file."""

import importlib
from unittest import mock

import pytest
from django.test import override_settings
from wagtail_factories import DocumentFactory, ImageFactory

from wagtail_spinecare.system_checks import check_evidence_serving, check_media_documents


def ids(messages) -> list[str]:
    return [message.id for message in messages]


class TestSystemCheck:
    def test_files_on_this_server_served_by_wagtail_are_fine(self, settings):
        settings.WAGTAILDOCS_SERVE_METHOD = None
        assert check_evidence_serving() == []
        settings.WAGTAILDOCS_SERVE_METHOD = "serve_view"
        assert check_evidence_serving() == []

    def test_direct_links_to_files_are_warned_of(self, settings):
        settings.WAGTAILDOCS_SERVE_METHOD = "direct"
        assert ids(check_evidence_serving()) == ["wagtail_spinecare.W002"]

    def test_redirects_to_storage_are_warned_of(self, settings):
        settings.WAGTAILDOCS_SERVE_METHOD = "redirect"
        assert ids(check_evidence_serving()) == ["wagtail_spinecare.W003"]

    def test_remote_storage_redirects_by_default(self, settings):
        settings.WAGTAILDOCS_SERVE_METHOD = None
        with mock.patch(
            "wagtail_spinecare.system_checks.default_storage.path",
            side_effect=NotImplementedError,
        ):
            assert ids(check_evidence_serving()) == ["wagtail_spinecare.W003"]


@pytest.fixture
def example_urls():
    """The example site's URLs as they are with DEBUG on."""
    # The example site sits beside the package in its source tree, not in the wheel.
    pytest.importorskip("example_site", reason="the example site is not installed")
    import example_site.urls

    with override_settings(DEBUG=True, ROOT_URLCONF="example_site.urls"):
        importlib.reload(example_site.urls)
        yield
    importlib.reload(example_site.urls)


@pytest.mark.django_db
def test_the_example_site_serves_images_but_never_documents(client, example_urls):
    document = DocumentFactory(title="Signed consent form")
    image = ImageFactory()
    assert client.get("/media/" + document.file.name).status_code == 404
    assert client.get("/media/" + image.file.name).status_code == 200


def test_the_example_site_has_no_warning(example_urls):
    assert check_media_documents() == []


def test_a_project_serving_all_of_media_is_warned(settings):
    settings.ROOT_URLCONF = "tests.urls_serving_media"
    assert ids(check_media_documents()) == ["wagtail_spinecare.W004"]
