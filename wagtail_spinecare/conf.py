"""Every setting the package reads, with its default.

Each is read from Django's settings when it is needed, never at import, so a project can set it
anywhere in its settings and a test can change it with ``override_settings``. ``manage.py
check`` validates them (``wagtail_spinecare.E004``). Where the check was not run (a server
started without ``manage.py``), a timeout it would refuse switches its cache off, with a
warning, rather than fail every request; an unset or ``None`` timeout is "off" too.
docs/settings.md describes each one.

This module imports nothing from the package: every other module may read it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed

PREFIX = "WAGTAIL_SPINECARE_"

logger = logging.getLogger(__name__)


def _whole_number(minimum: int) -> Callable[[object], bool]:
    def valid(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= minimum

    return valid


def _non_empty_string(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _boolean(value) -> bool:
    return isinstance(value, bool)


@dataclass(frozen=True)
class Setting:
    """One setting: its name without the prefix, its default, what it does, and what a
    valid value is."""

    name: str
    default: object
    doc: str
    valid: Callable[[object], bool]
    #: The end of the sentence "WAGTAIL_SPINECARE_<name> must be …".
    expected: str

    @property
    def setting_name(self) -> str:
        return PREFIX + self.name


BASE_TEMPLATE = Setting(
    "BASE_TEMPLATE",
    "wagtail_spinecare/base.html",
    "The template every spinecare page extends; point it at the project's own layout.",
    _non_empty_string,
    "the name of a template, such as 'base.html'",
)
PAGE_CACHE_TIMEOUT = Setting(
    "PAGE_CACHE_TIMEOUT",
    0,
    "Seconds whole pages are kept for anonymous visitors; 0 keeps none.",
    _whole_number(0),
    "a whole number of seconds (0 switches the page cache off)",
)
FRAGMENT_CACHE_TIMEOUT = Setting(
    "FRAGMENT_CACHE_TIMEOUT",
    3600,
    "Seconds the rendered body of a page is kept, for every visitor; 0 keeps none.",
    _whole_number(0),
    "a whole number of seconds (0 switches the fragment cache off)",
)
PAGE_CACHE_ALIAS = Setting(
    "PAGE_CACHE_ALIAS",
    "default",
    "The cache, by its name in CACHES, that holds the page and the fragment cache.",
    _non_empty_string,
    "the name of one of the caches in CACHES",
)
CACHE_HEADER = Setting(
    "CACHE_HEADER",
    False,
    "Whether responses say in an X-Spinecare-Cache header if the page cache served them.",
    _boolean,
    "True or False",
)
CONSENT_MAX_DAYS = Setting(
    "CONSENT_MAX_DAYS",
    3 * 365,
    "The furthest ahead, in days, an editor may set a patient's consent to expire.",
    _whole_number(1),
    "a whole number of days, 1 or more",
)
SEARCH_MAX_LENGTH = Setting(
    "SEARCH_MAX_LENGTH",
    100,
    "The most characters of a patient's site search that are searched for; the rest is ignored.",
    _whole_number(1),
    "a whole number of characters, 1 or more",
)

SPELLINGS = Setting(
    "SPELLINGS",
    (),
    "More words swapped between UK and US English in shared text: (uk, us) pairs, or "
    "(uk, us, 'us') and (uk, us, 'uk') for one direction.",
    lambda value: isinstance(value, list | tuple),
    "a list of word pairs such as [('plaster', 'band-aid')]",
)


#: Every setting, in the order docs/settings.md lists them.
SETTINGS = (
    BASE_TEMPLATE,
    PAGE_CACHE_TIMEOUT,
    FRAGMENT_CACHE_TIMEOUT,
    PAGE_CACHE_ALIAS,
    CACHE_HEADER,
    CONSENT_MAX_DAYS,
    SEARCH_MAX_LENGTH,
    SPELLINGS,
)


#: The values read, by setting name. Settings do not change while a project runs, and a
#: cached page asks for several: read through Django's lazy settings each time, they were a
#: tenth of a hit's cost. Changed in tests (``override_settings``), they are read again.
_read: dict = {}


def value(setting: Setting):
    """The project's value of ``setting``, or its default when the project does not set it."""
    try:
        return _read[setting.setting_name]
    except KeyError:
        found = getattr(settings, setting.setting_name, setting.default)
        _read[setting.setting_name] = found
        return found


def settings_read() -> dict:
    """What :func:`value` has read: a new object once any setting changes, so that what
    was worked out from settings (see ``cache._cache``) can tell it is out of date."""
    return _read


def _settings_changed(**kwargs) -> None:
    global _read
    _read = {}


setting_changed.connect(_settings_changed, dispatch_uid="wagtail_spinecare.conf")


def is_valid(setting: Setting) -> bool:
    """Whether the project's value of ``setting`` has the right type and range. (The
    system check also makes sure the template and the cache it names exist.)"""
    return setting.valid(value(setting))


def base_template() -> str:
    """The template every page of the package extends (``WAGTAIL_SPINECARE_BASE_TEMPLATE``)."""
    return value(BASE_TEMPLATE)


#: The settings whose wrong values this process has warned of.
_warned: set = set()


def _timeout(setting: Setting) -> int:
    """``setting``'s seconds; 0 (off) when unset, ``None``, or a value E004 refuses."""
    seconds = value(setting)
    if seconds is None:
        return 0
    if not setting.valid(seconds):
        if setting.name not in _warned:
            _warned.add(setting.name)
            logger.warning(
                "%s must be %s, not %r: that cache is off. `manage.py check` reports this "
                "as wagtail_spinecare.E004.",
                setting.setting_name,
                setting.expected,
                seconds,
            )
        return 0
    return seconds


def page_cache_timeout() -> int:
    """Seconds a whole page is cached (``WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT``); 0 is off."""
    return _timeout(PAGE_CACHE_TIMEOUT)


def fragment_cache_timeout() -> int:
    """Seconds a page body is cached (``WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT``); 0 is off."""
    return _timeout(FRAGMENT_CACHE_TIMEOUT)


def page_cache_alias() -> str:
    """Which of ``CACHES`` both caches use (``WAGTAIL_SPINECARE_PAGE_CACHE_ALIAS``)."""
    return value(PAGE_CACHE_ALIAS)


def cache_header() -> bool:
    """Whether responses say if the page cache served them (``WAGTAIL_SPINECARE_CACHE_HEADER``)."""
    return bool(value(CACHE_HEADER))


def frontend_cache_enabled() -> bool:
    """Whether the project has Wagtail's frontend cache app installed and configured."""
    if "frontend cache" not in _read:
        _read["frontend cache"] = apps.is_installed("wagtail.contrib.frontend_cache") and bool(
            getattr(settings, "WAGTAILFRONTENDCACHE", None)
        )
    return _read["frontend cache"]


def consent_max_days() -> int:
    """The longest a consent may run, in days (``WAGTAIL_SPINECARE_CONSENT_MAX_DAYS``)."""
    return int(value(CONSENT_MAX_DAYS))


def search_max_length() -> int:
    """How many characters of a site search are searched for
    (``WAGTAIL_SPINECARE_SEARCH_MAX_LENGTH``); the default where the value is not valid."""
    length = value(SEARCH_MAX_LENGTH)
    return length if SEARCH_MAX_LENGTH.valid(length) else SEARCH_MAX_LENGTH.default


def spellings() -> tuple:
    """The project's own UK and US word pairs (``WAGTAIL_SPINECARE_SPELLINGS``), as it set
    them; none where the setting is not a list (``manage.py check`` says what is wrong)."""
    return tuple(value(SPELLINGS)) if is_valid(SPELLINGS) else ()
