"""Checks of a project's set-up, run by ``manage.py check`` (and before ``runserver`` and
``migrate``). Each check is a function of its own, registered here with Django; ``apps.py``
imports this module. docs/settings.md lists them with their fixes.

Not to be confused with ``checks.py``, the editorial checks of page content.
"""

import reprlib

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.cache.backends.dummy import DummyCache
from django.core.files.storage import default_storage
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.module_loading import import_string
from django.views.static import serve as static_serve

from . import brand, conf, spellings
from .compat import DEFAULT_PAGE_MODEL

#: The apps the package cannot work without that a Wagtail project may lack, and why.
REQUIRED_APPS = {
    "wagtail.contrib.settings": (
        "each clinic's settings are edited in its screens, and without them every admin page fails"
    ),
    "wagtail_modeladmin": (
        "the Clinic records screens (testimonials and their consent, treatments, "
        "clinicians) are built on it"
    ),
    "wagtail.images": "clinicians' and patients' photos are Wagtail images",
    "wagtail.documents": "patients' signed consent forms are kept as Wagtail documents",
    "taggit": "Wagtail's images and documents keep their tags in it",
}


@checks.register(checks.Tags.compatibility)
def check_required_apps(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """E001: an app the package needs is missing from INSTALLED_APPS."""
    return [
        checks.Error(
            f"{app!r} is not in INSTALLED_APPS: {why}.",
            hint=f"Add {app!r} to INSTALLED_APPS.",
            id="wagtail_spinecare.E001",
        )
        for app, why in REQUIRED_APPS.items()
        if not apps.is_installed(app)
    ]


@checks.register(checks.Tags.models)
def check_page_model(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """E003: the package's page types extend ``wagtailcore.Page``, so Wagtail's page model
    (swappable since Wagtail 8.0) must not be swapped for another."""
    swapped_for = getattr(settings, "WAGTAIL_PAGE_MODEL", None)
    if not swapped_for:
        return []
    # Compared as Django compares swappable models: the model name in any case.
    app_label, _dot, model_name = str(swapped_for).rpartition(".")
    if f"{app_label}.{model_name}".lower() == DEFAULT_PAGE_MODEL.lower():
        return []
    return [
        checks.Error(
            f"WAGTAIL_PAGE_MODEL = {swapped_for!r} is not supported: wagtail_spinecare's page "
            "types extend Wagtail's own Page model.",
            hint="Remove WAGTAIL_PAGE_MODEL from your settings (Wagtail's Page is the default).",
            id="wagtail_spinecare.E003",
        )
    ]


@checks.register(checks.Tags.compatibility, checks.Tags.caches, checks.Tags.templates)
def check_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """E004: a WAGTAIL_SPINECARE_* setting has a value that would fail when a page is served
    or a consent recorded; conf.py says what each must be."""
    errors = []
    for setting in conf.SETTINGS:
        value = conf.value(setting)
        if not setting.valid(value):
            errors.append(_setting_error(setting, value))
    for entry in conf.spellings():
        if problem := spellings.refusal(entry):
            errors.append(
                checks.Error(
                    f"{conf.SPELLINGS.setting_name}: {problem}.",
                    hint="Correct the entry or remove it; until then it is not used.",
                    id="wagtail_spinecare.E004",
                )
            )
    if conf.is_valid(conf.PAGE_CACHE_ALIAS) and conf.page_cache_alias() not in _caches():
        errors.append(
            _setting_error(conf.PAGE_CACHE_ALIAS, conf.page_cache_alias(), "is not in CACHES")
        )
    # Checked only when the project names its own: the package's templates are always there.
    if (
        hasattr(settings, conf.BASE_TEMPLATE.setting_name)
        and conf.is_valid(conf.BASE_TEMPLATE)
        and not _template_exists(conf.base_template())
    ):
        errors.append(
            _setting_error(
                conf.BASE_TEMPLATE, conf.base_template(), "is not a template Django can find"
            )
        )
    return errors


def _setting_error(setting, value, problem="") -> checks.Error:
    name = setting.setting_name
    shown = reprlib.repr(value)
    if problem:
        msg = f"{name} must be {setting.expected}: {shown} {problem}."
    else:
        msg = f"{name} must be {setting.expected}, not {shown}."
    if isinstance(value, str) and value.strip().isdigit() and type(setting.default) is int:
        hint = (
            f"Write it as a number, {name} = {int(value)}; a value read from the environment "
            "is a string until int() converts it."
        )
    else:
        hint = f"Correct it, or remove {name} to use the default, {setting.default!r}."
    return checks.Error(msg, hint=hint, id="wagtail_spinecare.E004")


def _caches() -> dict:
    caches = getattr(settings, "CACHES", None)
    return caches if isinstance(caches, dict) else {}


def _django_engines() -> list:
    """The project's DjangoTemplates engines (the package's templates use Django's language)."""
    try:
        return [engine for engine in engines.all() if isinstance(engine, DjangoTemplates)]
    except Exception:
        # A malformed TEMPLATES setting: Django's own checks and errors say what is wrong.
        return []


def _template_exists(name: str) -> bool:
    for engine in _django_engines():
        try:
            engine.get_template(name)
        except TemplateDoesNotExist:
            continue
        except TemplateSyntaxError:
            pass  # It exists; Django reports the mistake in it where it is used.
        return True
    return False


@checks.register(checks.Tags.caches)
def check_cache_backend(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """W005: the project switched the page or fragment cache on, in a cache that keeps
    nothing. (Any other cache is fine: where it is one each process keeps for itself, the
    generation is read from the database.)"""
    enabled = {
        setting.setting_name: kind
        for setting, kind in [
            (conf.PAGE_CACHE_TIMEOUT, "page"),
            (conf.FRAGMENT_CACHE_TIMEOUT, "fragment"),
        ]
        if hasattr(settings, setting.setting_name)
        and conf.is_valid(setting)
        and conf.value(setting) > 0
    }
    alias = conf.value(conf.PAGE_CACHE_ALIAS)
    config = _caches().get(alias) if conf.is_valid(conf.PAGE_CACHE_ALIAS) else None
    if not enabled or not isinstance(config, dict):
        return []
    try:
        backend = import_string(str(config.get("BACKEND")))
    except ImportError:
        # Django's cache framework names the backend it cannot import.
        return []
    if not (isinstance(backend, type) and issubclass(backend, DummyCache)):
        return []
    kinds, names = " and ".join(enabled.values()), ", ".join(enabled)
    if len(enabled) == 1:
        where = f"The {kinds} cache ({names}) is in CACHES[{alias!r}]"
    else:
        where = f"The {kinds} caches ({names}) are in CACHES[{alias!r}]"
    return [
        checks.Warning(
            f"{where}, a DummyCache, which keeps nothing: every page is still rendered anew.",
            hint=(
                "Point WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS at a cache that keeps entries "
                "(local memory, Redis, Memcached, the database), or set the timeouts to 0."
            ),
            id="wagtail_spinecare.W005",
        )
    ]


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
