"""Checks of a project's set-up, run by ``manage.py check`` (and before ``runserver`` and
``migrate``). Each check is a function of its own, registered here with Django; ``apps.py``
imports this module.

Not to be confused with ``checks.py``, the editorial checks of page content.
"""

from django.conf import settings
from django.core import checks
from django.core.files.storage import default_storage
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.views.static import serve as static_serve

from . import brand


@checks.register(checks.Tags.urls)
def check_brand_stylesheet_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """W001: without the package's URLs, pages carry the brand colour in an inline style."""
    try:
        found = resolve(reverse(brand.URL_NAME, kwargs={"site_id": 1})).view_name
    except (NoReverseMatch, Resolver404):
        found = None
    if found == brand.URL_NAME:
        return []
    return [
        checks.Warning(
            "Pages give each clinic's brand colour in an inline <style>, which a "
            "Content-Security-Policy without 'unsafe-inline' in style-src blocks.",
            hint=(
                'Add path("spinecare/", include("wagtail_spinecare.urls")) to your '
                "ROOT_URLCONF, before Wagtail's own URLs: pages then link a stylesheet instead."
            ),
            id="wagtail_spinecare.W001",
        )
    ]


@checks.register(checks.Tags.security)
def check_evidence_serving(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """W002, W003: consent evidence must be served only through Wagtail's document view,
    which asks who may see each file."""
    method = getattr(settings, "WAGTAILDOCS_SERVE_METHOD", None)
    if method == "direct":
        return [
            checks.Warning(
                "WAGTAILDOCS_SERVE_METHOD = 'direct' links documents straight to their files: "
                "patients' signed consent forms would be served to anyone with the address.",
                hint="Use 'serve_view' (the default for files on this server).",
                id="wagtail_spinecare.W002",
            )
        ]
    if method == "redirect" or (method is None and not _stored_on_this_server()):
        return [
            checks.Warning(
                "Documents are served by redirecting to their storage's address: consent "
                "evidence is then only as private as those addresses.",
                hint=(
                    "Keep documents in private storage whose addresses are signed and expire "
                    "quickly (for example S3 with AWS_QUERYSTRING_AUTH), or set "
                    "WAGTAILDOCS_SERVE_METHOD = 'serve_view'."
                ),
                id="wagtail_spinecare.W003",
            )
        ]
    return []


def _stored_on_this_server() -> bool:
    try:
        default_storage.path("")
    except NotImplementedError:
        return False
    return True


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_media_documents(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """W004: a URLconf that serves all of MEDIA_ROOT (as ``wagtail start`` projects do with
    DEBUG on) serves consent evidence to anyone, past Wagtail's document view."""
    media_url = settings.MEDIA_URL or ""
    if not media_url.startswith("/"):
        return []
    try:
        match = resolve(f"{media_url}documents/consent-evidence.pdf")
    except Resolver404:
        return []
    if match.func is not static_serve:
        return []
    return [
        checks.Warning(
            f"{media_url}documents/ is served as plain files: patients' signed consent forms "
            "would reach anyone who has the address.",
            hint=(
                "Serve only images from MEDIA_URL, for example "
                're_path(r"^media/(?P<path>(?:original_images|images)/.+)$", serve, '
                '{"document_root": settings.MEDIA_ROOT}); Wagtail serves documents at '
                "/documents/ after asking who may see them."
            ),
            id="wagtail_spinecare.W004",
        )
    ]
