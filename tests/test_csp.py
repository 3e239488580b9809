"""A strict Content-Security-Policy works on every public page.

Pages carry no inline script, style or event handler; each clinic's brand colour comes from a
stylesheet of its own. The demo project sends the policy (and a Permissions-Policy) in
production, with a looser policy for the admin.
"""

import importlib
import sys

import pytest
from bs4 import BeautifulSoup
from django.core import checks
from django.test import RequestFactory, override_settings
from django.urls import reverse
from wagtail.models import Page, Site

from wagtail_spinecare import brand
from wagtail_spinecare.blocks import (
    ComparisonPageBlock,
    ConditionBodyBlock,
    PageContentBlock,
    SectionContentBlock,
)
from wagtail_spinecare.blocks.previews import PreviewBlock
from wagtail_spinecare.demo.profiles import CLINICS
from wagtail_spinecare.models import ClinicSettings, ConditionPage
from wagtail_spinecare.models.clinic import DEFAULT_BRAND_COLOUR

HOSTS = {clinic.hostname: clinic.settings["brand_colour"] for clinic in CLINICS}
SHARED = "/shared-clinical-content/"
WITHOUT_PACKAGE_URLS = "tests.urls_without_spinecare"
YEAR = 365 * 24 * 60 * 60


def blocked_by_a_strict_policy(html: bytes | str, data=("application/ld+json",)) -> list[str]:
    """What in ``html`` a policy without 'unsafe-inline' for scripts and styles would block.

    Scripts of the ``data`` types are data that browsers never run, not code.
    """
    soup = BeautifulSoup(html, "html.parser")
    found = [f"<style>{tag.string}</style>" for tag in soup.find_all("style")]
    for tag in soup.find_all(True):
        found += [
            f"<{tag.name} {name}>"
            for name in tag.attrs
            if name == "style" or name.lower().startswith("on")
        ]
        if str(tag.get("href", "")).strip().lower().startswith("javascript:"):
            found.append(f"<{tag.name} href={tag['href']}>")
    found += [
        str(script)[:120]
        for script in soup.find_all("script")
        if not script.get("src") and script.get("type") not in data
    ]
    return found


def brand_link(html: bytes | str) -> str | None:
    soup = BeautifulSoup(html, "html.parser")
    link = soup.select_one('link[rel="stylesheet"][href*="brand.css"]')
    return link["href"] if link else None


def demo_pages():
    """(host, path) of every live page of both demo clinics."""
    for site in Site.objects.filter(hostname__in=HOSTS).order_by("hostname"):
        for page in site.root_page.get_descendants(inclusive=True).live().specific():
            yield site.hostname, page.relative_url(site), type(page).__name__


def stylesheet(client, url: str, host: str = "harbourside.localhost"):
    return client.get(url, HTTP_HOST=host)


# The pages --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestNothingInline:
    def test_no_demo_page_has_inline_script_style_or_handlers(self, demo, client):
        rendered = set()
        for host, path, page_type in demo_pages():
            response = client.get(path, HTTP_HOST=host)
            assert response.status_code == 200, (host, path)
            assert blocked_by_a_strict_policy(response.content) == [], (host, path)
            assert brand_link(response.content), (host, path)
            rendered.add(page_type)
        assert rendered == {"ConditionIndexPage", "ClinicConditionPage", "TreatmentComparisonPage"}

    def test_a_clinics_own_condition_page_has_none(self, client, condition_page):
        response = client.get(condition_page.url, HTTP_HOST="uk.example")
        assert response.status_code == 200
        assert blocked_by_a_strict_policy(response.content) == []
        assert brand_link(response.content)

    def test_the_shared_content_missing_page_has_none(self, demo, client):
        for shared in ConditionPage.objects.live().filter(url_path__startswith=SHARED):
            shared.unpublish()
        response = client.get("/facet-joint-back-pain/", HTTP_HOST="lakeview.localhost")
        assert response.status_code == 503
        assert "not available" in response.content.decode()
        assert blocked_by_a_strict_policy(response.content) == []
        assert brand_link(response.content)

    def test_every_block_template_has_none(self, demo, admin_client):
        """Each block's preview: its own template, inside the package's preview frame."""
        blocks = {}
        for stream in (ConditionBodyBlock, SectionContentBlock, PageContentBlock):
            blocks.update(stream().child_blocks)
        blocks.update(ComparisonPageBlock().child_blocks)
        for name, block in blocks.items():
            response = admin_client.get(
                reverse("wagtailadmin_block_preview"),
                {"id": block.definition_prefix},
                HTTP_HOST="lakeview.localhost",
            )
            assert response.status_code == 200, name
            assert blocked_by_a_strict_policy(response.content) == [], name
            if isinstance(block, PreviewBlock):  # previewed with the clinic's settings
                assert brand_link(response.content), name

    def test_an_editor_sees_the_userbar_without_inline_code(self, demo, admin_client):
        response = admin_client.get("/", HTTP_HOST="lakeview.localhost")
        assert b"wagtail-userbar" in response.content
        # The content checker's settings are JSON.
        data = ("application/ld+json", "application/json")
        assert blocked_by_a_strict_policy(response.content, data) == []


# The brand stylesheet ---------------------------------------------------------------------


@pytest.mark.django_db
class TestBrandStylesheet:
    def test_each_clinic_links_a_stylesheet_with_its_own_colour(self, demo, client):
        links = {}
        for host, colour in HOSTS.items():
            links[host] = brand_link(client.get("/", HTTP_HOST=host).content)
            response = stylesheet(client, links[host], host)
            assert response.status_code == 200
            assert response["Content-Type"] == "text/css; charset=utf-8"
            assert f"--sc-brand: {colour};" in response.content.decode()
            assert response["Cache-Control"] == f"public, max-age={YEAR}, immutable"
        harbourside, lakeview = links.values()
        assert harbourside != lakeview
        # The other clinic's stylesheet, asked for on this clinic's host, is still the other's.
        response = stylesheet(client, lakeview, "harbourside.localhost")
        assert f"--sc-brand: {HOSTS['lakeview.localhost']};" in response.content.decode()

    def test_a_new_colour_gets_a_new_address(self, demo, client):
        before = brand_link(client.get("/", HTTP_HOST="lakeview.localhost").content)
        clinic = ClinicSettings.objects.get(site__hostname="lakeview.localhost")
        clinic.brand_colour = "#1d4f91"
        clinic.save()
        after = brand_link(client.get("/", HTTP_HOST="lakeview.localhost").content)
        assert after != before
        assert after.split("?")[0] == before.split("?")[0]
        assert "--sc-brand: #1d4f91;" in stylesheet(client, after).content.decode()
        # The old address now answers with the new colour, and must not be kept.
        old = stylesheet(client, before)
        assert "--sc-brand: #1d4f91;" in old.content.decode()
        assert old["Cache-Control"] == "no-cache"

    def test_one_query_and_nothing_written(self, demo, client, django_assert_num_queries):
        url = brand_link(client.get("/", HTTP_HOST="lakeview.localhost").content)
        with django_assert_num_queries(1):
            assert stylesheet(client, url).status_code == 200

    def test_an_unknown_site_is_not_found(self, demo, client):
        missing = (Site.objects.order_by("-pk").first().pk or 0) + 1
        url = reverse(brand.URL_NAME, kwargs={"site_id": missing})
        assert stylesheet(client, url).status_code == 404
        assert stylesheet(client, url, "unknown.example").status_code == 404
        assert client.get("/spinecare/sites/x/brand.css").status_code == 404
        huge = reverse(brand.URL_NAME, kwargs={"site_id": 10**20})
        assert stylesheet(client, huge).status_code == 404

    def test_a_site_without_clinic_settings_gets_the_default_colour(self, demo, client):
        site = Site.objects.create(
            hostname="new.example", root_page=Page.get_first_root_node(), site_name="New"
        )
        url = reverse(brand.URL_NAME, kwargs={"site_id": site.pk})
        response = stylesheet(client, url, "new.example")
        assert response.status_code == 200
        assert f"--sc-brand: {DEFAULT_BRAND_COLOUR};" in response.content.decode()
        assert not ClinicSettings.objects.filter(site=site).exists()

    def test_a_hostile_stored_colour_never_reaches_the_stylesheet(self, demo, client):
        site = Site.objects.get(hostname="lakeview.localhost")
        # Bypasses validation, as a raw database edit or an old import would.
        ClinicSettings.objects.filter(site=site).update(brand_colour="}body{")
        html = client.get("/", HTTP_HOST=site.hostname).content.decode()
        assert "}body{" not in html
        css = stylesheet(client, brand_link(html)).content.decode()
        assert "}body{" not in css
        assert f"--sc-brand: {DEFAULT_BRAND_COLOUR};" in css

    def test_the_package_stylesheet_declares_the_default_colour(self):
        """Pages rendered for no site link no brand stylesheet: the default must hold."""
        from django.contrib.staticfiles import finders

        with open(finders.find("wagtail_spinecare/css/spinecare.css")) as file:
            css = file.read()
        assert f"--sc-brand: {DEFAULT_BRAND_COLOUR};" in css

    def test_only_reading_is_allowed(self, demo, client):
        url = brand_link(client.get("/", HTTP_HOST="lakeview.localhost").content)
        assert client.post(url).status_code == 405
        assert client.head(url).status_code == 200


# A project without the package's URLs -----------------------------------------------------


def w001(messages) -> list:
    return [m for m in messages if m.id == "wagtail_spinecare.W001"]


@pytest.mark.django_db
class TestWithoutThePackageURLs:
    @override_settings(ROOT_URLCONF=WITHOUT_PACKAGE_URLS)
    def test_pages_fall_back_to_an_inline_style(self, demo, client):
        response = client.get("/", HTTP_HOST="lakeview.localhost")
        assert response.status_code == 200
        assert brand_link(response.content) is None
        style = BeautifulSoup(response.content, "html.parser").find("style").string
        assert f"--sc-brand: {HOSTS['lakeview.localhost']};" in style

    @override_settings(ROOT_URLCONF=WITHOUT_PACKAGE_URLS)
    def test_the_system_check_says_to_include_them(self):
        (warning,) = w001(checks.run_checks(tags=[checks.Tags.urls]))
        assert warning.level == checks.WARNING
        assert "wagtail_spinecare.urls" in warning.hint
        assert "Content-Security-Policy" in warning.msg

    def test_no_warning_when_they_are_included(self):
        assert w001(checks.run_checks(tags=[checks.Tags.urls])) == []

    def test_the_check_is_registered_with_django(self):
        from wagtail_spinecare.system_checks import check_brand_stylesheet_url

        assert check_brand_stylesheet_url in checks.registry.registry.get_checks()


# The demo project's production settings ---------------------------------------------------


def import_example(name: str):
    """A module of the demo project, which sits beside the package in its source tree; tests
    run against the installed package alone skip what needs it."""
    pytest.importorskip("example_site", reason="the demo project is not installed")
    return importlib.import_module(name)


@pytest.fixture
def production(monkeypatch):
    """``example_site.settings.production``, imported as a server would, with its secrets."""
    monkeypatch.setenv("SECRET_KEY", "tests-only")
    monkeypatch.setenv("ALLOWED_HOSTS", "*")
    monkeypatch.delenv("REDIS_URL", raising=False)
    name = "example_site.settings.production"
    sys.modules.pop(name, None)
    try:
        yield import_example(name)
    finally:
        sys.modules.pop(name, None)


@pytest.fixture
def production_headers(production):
    """The test settings with the production middleware and policies."""
    with override_settings(
        MIDDLEWARE=production.MIDDLEWARE,
        CONTENT_SECURITY_POLICY=production.CONTENT_SECURITY_POLICY,
        ADMIN_CONTENT_SECURITY_POLICY=production.ADMIN_CONTENT_SECURITY_POLICY,
        PERMISSIONS_POLICY=production.PERMISSIONS_POLICY,
    ):
        yield production


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
class TestProductionHeaders:
    def test_public_pages_get_a_strict_policy(self, demo, client, production_headers):
        for host, path, _page_type in demo_pages():
            response = client.get(path, HTTP_HOST=host)
            policy = directives(response["Content-Security-Policy"])
            for directive in ("script-src", "style-src"):
                assert policy[directive] == ["'self'"], (host, path)
            assert policy["object-src"] == ["'none'"]
            assert policy["frame-ancestors"] == ["'none'"]
            assert "camera=()" in response["Permissions-Policy"]
            assert "geolocation=()" in response["Permissions-Policy"]

    def test_the_brand_stylesheet_gets_the_policy_too(self, demo, client, production_headers):
        url = brand_link(client.get("/", HTTP_HOST="lakeview.localhost").content)
        response = stylesheet(client, url)
        assert "style-src 'self'" in response["Content-Security-Policy"]

    def test_the_admin_gets_its_own_policy(self, db, client, production_headers):
        response = client.get("/admin/login/")
        policy = directives(response["Content-Security-Policy"])
        assert "'unsafe-inline'" in policy["script-src"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert "'unsafe-eval'" not in policy["script-src"]

    def test_a_preview_keeps_the_public_policy_in_the_admins_frame(
        self, demo, admin_user, production_headers
    ):
        page = Site.objects.get(hostname="lakeview.localhost").root_page.specific
        request = RequestFactory().get("/admin/pages/preview/")
        request.user = admin_user
        response = page.make_preview_request(request)
        policy = directives(response["Content-Security-Policy"])
        assert policy["style-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'self'"]

    def test_the_page_cache_keeps_the_policies_headers(self, monkeypatch):
        """The page cache comes right after SecurityMiddleware (its redirect to HTTPS still
        runs), before the policies' middleware: a cached page keeps the headers they added
        when it was rendered (tests/test_page_cache.py)."""
        monkeypatch.setenv("SECRET_KEY", "tests-only")
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
        name = "example_site.settings.production"
        sys.modules.pop(name, None)
        try:
            middleware = import_example(name).MIDDLEWARE
        finally:
            sys.modules.pop(name, None)
        assert middleware[0] == "django.middleware.security.SecurityMiddleware"
        assert middleware[1:4] == [
            "wagtail_spinecare.middleware.PageCacheMiddleware",
            "example_site.middleware.ContentSecurityPolicyMiddleware",
            "django_permissions_policy.PermissionsPolicyMiddleware",
        ]

    def test_no_avatar_comes_from_gravatar(self):
        base = import_example("example_site.settings.base")
        assert base.WAGTAIL_GRAVATAR_PROVIDER_URL is None
