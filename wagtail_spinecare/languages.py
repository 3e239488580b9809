"""Which language a page is in, for its template, its ``lang`` and its structured data."""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language, to_locale
from wagtail.models import Locale

#: Each Wagtail locale's language code, by id: every page asks, and locales hardly change.
_codes: dict = {}


def locale_language(locale_id) -> str:
    """The language code of the Wagtail locale ``locale_id`` (the project's default for
    one that does not exist)."""
    try:
        return _codes[locale_id]
    except KeyError:
        pass
    found = Locale.objects.filter(pk=locale_id).values_list("language_code", flat=True).first()
    _codes[locale_id] = found or settings.LANGUAGE_CODE
    return _codes[locale_id]


def language_tag(language: str | None = None) -> str:
    """``language`` (the active one by default) as HTML's ``lang`` writes it: ``en-GB``."""
    return to_locale(language or get_language() or settings.LANGUAGE_CODE).replace("_", "-")


def _forget(**kwargs) -> None:
    _codes.clear()


post_save.connect(_forget, sender=Locale, dispatch_uid="wagtail_spinecare.languages.saved")
post_delete.connect(_forget, sender=Locale, dispatch_uid="wagtail_spinecare.languages.deleted")
