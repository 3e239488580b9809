"""The checks of a project's set-up (``manage.py check``) and the settings module they
validate: each check speaks up on the mistake it names, and only then.

W001 to W004 are tested beside what they protect (test_csp.py, test_evidence_serving.py).
"""

import ast
import inspect
import re
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from wagtail_spinecare import conf, system_checks
from wagtail_spinecare.system_checks import (
    REQUIRED_APPS,
    check_cache_backend,
    check_page_model,
    check_required_apps,
    check_settings,
)

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
DATABASE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "spinecare_cache",
    }
}


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def spinecare(messages) -> list:
    return [message for message in messages if message.id.startswith("wagtail_spinecare.")]


# The test project, set up as the README says --------------------------------------------


class TestTheTestProject:
    def test_manage_py_check_reports_nothing_of_the_package(self):
        out, err = StringIO(), StringIO()
        call_command("check", stdout=out, stderr=err)
        assert "wagtail_spinecare." not in out.getvalue() + err.getvalue()

    def test_no_message_from_any_check_of_the_package(self):
        assert spinecare(checks.run_checks()) == []

    @pytest.mark.parametrize(
        "check", [check_required_apps, check_page_model, check_settings, check_cache_backend]
    )
    def test_each_check_is_registered_with_django(self, check):
        assert check in checks.registry.registry.get_checks()


# E001: required apps ------------------------------------------------------------------------


@contextmanager
def uninstalled(*names):
    """The app registry as if ``names`` were not in INSTALLED_APPS. (Overriding
    INSTALLED_APPS itself would run every app's ``ready()`` again, which Wagtail's admin API
    does not allow.)"""
    labels = [config.label for config in apps.get_app_configs() if config.name in names]
    assert len(labels) == len(names), f"the test project lacks one of {names}"
    with mock.patch.dict(apps.app_configs):
        for label in labels:
            del apps.app_configs[label]
        yield


class TestRequiredApps:
    @pytest.mark.parametrize("app", list(REQUIRED_APPS))
    def test_a_missing_app_is_named_once(self, app):
        with uninstalled(app):
            assert not apps.is_installed(app)
            (error,) = check_required_apps()
        assert error.id == "wagtail_spinecare.E001"
        assert error.level == checks.ERROR
        assert f"'{app}' is not in INSTALLED_APPS" in error.msg
        assert error.hint == f"Add '{app}' to INSTALLED_APPS."
        assert "\n" not in error.msg

    def test_two_missing_apps_are_two_errors(self):
        with uninstalled("wagtail_modeladmin", "wagtail.contrib.settings"):
            errors = check_required_apps()
        assert ids(errors) == ["wagtail_spinecare.E001"] * 2
        assert {error.hint for error in errors} == {
            "Add 'wagtail.contrib.settings' to INSTALLED_APPS.",
            "Add 'wagtail_modeladmin' to INSTALLED_APPS.",
        }

    def test_optional_apps_are_not_required(self):
        with uninstalled("wagtail.contrib.forms", "wagtail.contrib.redirects", "django_filters"):
            assert check_required_apps() == []


# E003: Wagtail's swappable page model -------------------------------------------------------


class TestPageModel:
    def test_a_swapped_page_model_is_an_error(self, settings):
        settings.WAGTAIL_PAGE_MODEL = "home.ClinicPage"
        (error,) = check_page_model()
        assert error.id == "wagtail_spinecare.E003"
        assert error.level == checks.ERROR
        assert "'home.ClinicPage'" in error.msg
        assert "WAGTAIL_PAGE_MODEL" in error.hint

    @pytest.mark.parametrize("value", ["wagtailcore.Page", "wagtailcore.page", "", None])
    def test_wagtails_own_page_model_is_fine(self, settings, value):
        settings.WAGTAIL_PAGE_MODEL = value
        assert check_page_model() == []

    def test_unset_is_fine(self, settings):
        if hasattr(settings, "WAGTAIL_PAGE_MODEL"):
            del settings.WAGTAIL_PAGE_MODEL
        assert check_page_model() == []

    def test_a_malformed_value_is_reported_not_raised(self, settings):
        settings.WAGTAIL_PAGE_MODEL = 42
        assert ids(check_page_model()) == ["wagtail_spinecare.E003"]


# E004: the package's settings ---------------------------------------------------------------

BAD_VALUES = [
    ("PAGE_CACHE_TIMEOUT", "abc"),
    ("PAGE_CACHE_TIMEOUT", -1),
    ("PAGE_CACHE_TIMEOUT", 1.5),
    ("PAGE_CACHE_TIMEOUT", True),
    ("PAGE_CACHE_TIMEOUT", None),
    ("FRAGMENT_CACHE_TIMEOUT", "10 minutes"),
    ("FRAGMENT_CACHE_TIMEOUT", [600]),
    ("CONSENT_MAX_DAYS", 0),
    ("CONSENT_MAX_DAYS", None),
    ("CONSENT_MAX_DAYS", 365.25),
    ("CACHE_HEADER", "False"),
    ("CACHE_HEADER", 1),
    ("PAGE_CACHE_ALIAS", ""),
    ("PAGE_CACHE_ALIAS", None),
    ("PAGE_CACHE_ALIAS", "pages"),
    ("BASE_TEMPLATE", ""),
    ("BASE_TEMPLATE", None),
    ("BASE_TEMPLATE", "no/such/template.html"),
]

GOOD_VALUES = [
    ("PAGE_CACHE_TIMEOUT", 0),
    ("PAGE_CACHE_TIMEOUT", 600),
    ("FRAGMENT_CACHE_TIMEOUT", 0),
    ("FRAGMENT_CACHE_TIMEOUT", 3600),
    ("CONSENT_MAX_DAYS", 1),
    ("CONSENT_MAX_DAYS", 730),
    ("CACHE_HEADER", True),
    ("CACHE_HEADER", False),
    ("PAGE_CACHE_ALIAS", "default"),
    ("BASE_TEMPLATE", "wagtail_spinecare/base.html"),
]


class TestSettingValues:
    @pytest.mark.parametrize(("name", "value"), BAD_VALUES)
    def test_a_wrong_value_is_an_error_naming_the_setting(self, settings, name, value):
        setattr(settings, conf.PREFIX + name, value)
        (error,) = check_settings()
        assert error.id == "wagtail_spinecare.E004"
        assert error.level == checks.ERROR
        assert error.msg.startswith(f"WAGTAIL_SPINECARE_{name} must be ")
        assert "\n" not in error.msg

    @pytest.mark.parametrize(("name", "value"), GOOD_VALUES)
    def test_a_right_value_is_fine(self, settings, name, value):
        setattr(settings, conf.PREFIX + name, value)
        assert check_settings() == []

    def test_every_setting_unset_is_fine(self, settings):
        for setting in conf.SETTINGS:
            if hasattr(settings, setting.setting_name):
                delattr(settings, setting.setting_name)
        assert check_settings() == []

    def test_a_number_read_from_the_environment_gets_its_own_hint(self, settings):
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = "600"
        (error,) = check_settings()
        assert "WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 600" in error.hint
        assert "int()" in error.hint

    def test_other_mistakes_are_told_the_default(self, settings):
        settings.WAGTAIL_SPINECARE_CONSENT_MAX_DAYS = 0
        (error,) = check_settings()
        assert error.hint.endswith(f"to use the default, {3 * 365}.")

    def test_a_cache_alias_of_another_cache_in_caches_is_fine(self, settings):
        settings.CACHES = {**LOCMEM, "pages": LOCMEM["default"]}
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS = "pages"
        assert check_settings() == []

    def test_every_wrong_setting_is_one_error(self, settings):
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = "abc"
        settings.WAGTAIL_SPINECARE_CONSENT_MAX_DAYS = None
        settings.WAGTAIL_SPINECARE_BASE_TEMPLATE = "missing.html"
        errors = check_settings()
        assert ids(errors) == ["wagtail_spinecare.E004"] * 3


class TestWhatTheCheckPrevents:
    """The values E004 refuses: a consent limit would fail when read; a timeout switches its
    cache off, with one warning, where the check was not run."""

    @pytest.mark.parametrize(
        "value", ["10 minutes", "600", -1, True, 1.5, [600]], ids=lambda value: repr(value)
    )
    @pytest.mark.parametrize("name", ["PAGE_CACHE_TIMEOUT", "FRAGMENT_CACHE_TIMEOUT"])
    def test_a_wrong_timeout_switches_its_cache_off(self, settings, caplog, name, value):
        conf._warned.clear()
        setattr(settings, conf.PREFIX + name, value)
        setting = getattr(conf, name)
        with caplog.at_level("WARNING", logger="wagtail_spinecare.conf"):
            assert conf._timeout(setting) == 0
            assert conf._timeout(setting) == 0
        (record,) = caplog.records
        assert record.getMessage().startswith(f"WAGTAIL_SPINECARE_{name} must be a whole number")
        conf._warned.clear()

    def test_manage_py_check_stops_on_a_wrong_timeout(self, settings):
        settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = "10 minutes"
        with pytest.raises(SystemCheckError) as raised:
            call_command("check", stdout=StringIO(), stderr=StringIO())
        assert (
            "(wagtail_spinecare.E004) WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT must be a whole "
            "number of seconds (0 switches the fragment cache off), not '10 minutes'."
        ) in str(raised.value)

    def test_no_longest_consent_fails_when_read(self, settings):
        settings.WAGTAIL_SPINECARE_CONSENT_MAX_DAYS = None
        with pytest.raises(TypeError):
            conf.consent_max_days()


# W005: the page or fragment cache switched on in a cache that keeps nothing ----------------


class TestCacheBackend:
    @pytest.mark.parametrize(
        "name", ["WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT", "WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT"]
    )
    def test_a_cache_that_keeps_nothing_is_warned_of(self, settings, name):
        settings.CACHES = DUMMY
        setattr(settings, name, 600)
        (warning,) = check_cache_backend()
        assert warning.id == "wagtail_spinecare.W005"
        assert warning.level == checks.WARNING
        assert name in warning.msg
        assert "DummyCache" in warning.msg
        assert "keeps nothing" in warning.msg
        assert "\n" not in warning.msg

    def test_both_caches_are_named_in_one_warning(self, settings):
        settings.CACHES = DUMMY
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 600
        settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 600
        (warning,) = check_cache_backend()
        assert warning.msg.startswith(
            "The page and fragment caches (WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT, "
            "WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT) are in CACHES['default'], a DummyCache"
        )

    def test_the_default_fragment_cache_is_not_warned_of(self, settings):
        """A project that keeps nothing on purpose (a DummyCache) did not ask for it."""
        settings.CACHES = DUMMY
        for name in (
            "WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT",
            "WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT",
        ):
            if hasattr(settings, name):
                delattr(settings, name)
        assert check_cache_backend() == []

    @pytest.mark.parametrize("caches", [LOCMEM, REDIS, DATABASE], ids=["locmem", "redis", "db"])
    def test_a_cache_that_keeps_entries_is_fine(self, settings, caches):
        """Local memory too: the generation is then read from the database."""
        settings.CACHES = caches
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 600
        settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 600
        assert check_cache_backend() == []

    def test_the_cache_is_the_one_the_alias_names(self, settings):
        settings.CACHES = {**DUMMY, "pages": REDIS["default"]}
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS = "pages"
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 600
        assert check_cache_backend() == []
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS = "default"
        assert ids(check_cache_backend()) == ["wagtail_spinecare.W005"]

    def test_caches_switched_off_are_fine_anywhere(self, settings):
        settings.CACHES = DUMMY
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 0
        settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 0
        assert check_cache_backend() == []


# Malformed settings never make a check fail ---------------------------------------------


MALFORMED = [
    {"CACHES": {"default": "not a dictionary"}},
    {"CACHES": {"default": {}}},
    {"CACHES": {"default": {"BACKEND": 42}}},
    {"CACHES": {"default": {"BACKEND": "no.such.Backend"}}},
    {"WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS": ["default"]},
    {"WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS": "missing"},
    {"WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT": "600"},
    {"TEMPLATES": [{"BACKEND": "no.such.Engine"}]},
    {"WAGTAIL_SPINECARE_BASE_TEMPLATE": 3},
]


@pytest.mark.parametrize("malformed", MALFORMED, ids=lambda malformed: repr(malformed)[:60])
def test_checks_never_fail_on_a_malformed_setting(settings, malformed):
    settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 600
    settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 600
    settings.WAGTAIL_SPINECARE_BASE_TEMPLATE = "base.html"
    for name, value in malformed.items():
        setattr(settings, name, value)
    for check in (check_required_apps, check_page_model, check_settings, check_cache_backend):
        messages = check()
        assert all(message.id.startswith("wagtail_spinecare.") for message in messages)


# The settings module --------------------------------------------------------------------


class TestSettingsModule:
    def test_defaults_apply_when_a_setting_is_unset(self, settings):
        for setting in conf.SETTINGS:
            if hasattr(settings, setting.setting_name):
                delattr(settings, setting.setting_name)
        assert conf.base_template() == "wagtail_spinecare/base.html"
        assert conf.page_cache_timeout() == 0
        assert conf.fragment_cache_timeout() == 3600
        assert conf.page_cache_alias() == "default"
        assert conf.cache_header() is False
        assert conf.consent_max_days() == 1095

    def test_settings_are_read_when_asked_for(self, settings):
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 30
        assert conf.page_cache_timeout() == 30
        settings.WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 0
        assert conf.page_cache_timeout() == 0
        with override_settings(WAGTAIL_SPINECARE_CONSENT_MAX_DAYS=90):
            assert conf.consent_max_days() == 90

    def test_a_timeout_of_none_means_off(self, settings):
        settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = None
        assert conf.fragment_cache_timeout() == 0

    def test_every_setting_is_named_with_the_prefix_and_documented(self):
        names = [setting.setting_name for setting in conf.SETTINGS]
        assert len(set(names)) == len(names)
        assert all(name.startswith("WAGTAIL_SPINECARE_") for name in names)
        assert all(setting.doc and setting.expected for setting in conf.SETTINGS)
        assert all(setting.valid(setting.default) for setting in conf.SETTINGS)

    def test_it_imports_nothing_from_the_package(self):
        imported = []
        for node in ast.walk(ast.parse(inspect.getsource(conf))):
            if isinstance(node, ast.ImportFrom):
                imported.append("." * node.level + (node.module or ""))
            elif isinstance(node, ast.Import):
                imported.extend(alias.name for alias in node.names)
        assert imported
        assert [name for name in imported if name.startswith((".", "wagtail_spinecare"))] == []


def test_the_settings_page_lists_every_setting_and_check():
    """docs/settings.md is the one table of settings and list of checks."""
    page = Path(__file__).resolve().parent.parent / "docs" / "settings.md"
    if not page.exists():
        pytest.skip("the documentation sits beside the package in its source tree")
    text = page.read_text()
    for setting in conf.SETTINGS:
        assert f"| `{setting.setting_name}` | `{setting.default!r}".replace("'", '"') in text
    check_ids = set(re.findall(r"wagtail_spinecare\.[EW]\d{3}", inspect.getsource(system_checks)))
    assert len(check_ids) == 8
    for check_id in check_ids:
        assert f"**`{check_id}`**" in text
