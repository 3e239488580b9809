"""The translation catalogues the package ships: every string, translated, compiled."""

import os
import re
import shutil
import subprocess
import sys

import polib
import pytest
from django.utils import translation

from .catalogues import (
    DOMAINS,
    ENGLISH,
    LANGUAGES,
    PACKAGE,
    SUITE,
    TRANSLATED,
    catalogue,
    english,
)

CATALOGUES = [(language, domain) for language in LANGUAGES for domain in DOMAINS]
PLACEHOLDER = re.compile(r"%\([^)]*\)(?:\.\d+)?[a-z]|%[a-z]|\{[^}]*\}")


def entries(language, domain):
    return [entry for entry in polib.pofile(str(catalogue(language, domain))) if not entry.obsolete]


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_each_catalogue_is_compiled_from_its_source(language, domain):
    source = catalogue(language, domain)
    compiled = polib.mofile(str(source.with_suffix(".mo")))
    wanted = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in entries(language, domain)
        if entry.translated()
    }
    found = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in compiled
    }
    found.pop((None, ""), None)  # the header
    assert found == wanted


@pytest.mark.parametrize(("language", "domain"), [c for c in CATALOGUES if c[0] in TRANSLATED])
def test_translated_languages_are_complete(language, domain):
    problems = []
    for entry in entries(language, domain):
        if not entry.translated() or "fuzzy" in entry.flags:
            problems.append(f"untranslated or fuzzy: {entry.msgid!r}")
            continue
        for translated in (
            [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        ):
            wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
            if sorted(PLACEHOLDER.findall(translated)) != wanted and "%(" in entry.msgid:
                problems.append(f"placeholders differ: {entry.msgid!r} / {translated!r}")
    assert problems == []


@pytest.mark.parametrize(("language", "domain"), [c for c in CATALOGUES if c[0] in ENGLISH])
def test_english_catalogues_hold_each_strings_other_spelling(language, domain):
    """en_US gives every string with a UK spelling in US spelling ("colour", "color"), and
    nothing else: the word list decides, as it does for shared text."""
    differ = []
    for entry in entries(language, domain):
        for name, value in english(entry, language).items():
            if getattr(entry, name) != value:
                differ.append(entry.msgid)
    assert differ == []


def test_us_english_reads_the_us_spelling():
    with translation.override("en-us"):
        assert translation.gettext("brand colour") == "brand color"
    with translation.override("en-gb"):
        assert translation.gettext("brand colour") == "brand colour"
    with translation.override("es"):
        assert translation.gettext("brand colour") != "brand colour"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogues_hold_every_string_in_the_source(tmp_path):
    """A string added to a template, a model or a command without running ``make
    messages`` fails here: it would show untranslated."""
    copy = tmp_path / "wagtail_spinecare"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    for domain in DOMAINS:
        subprocess.run(  # noqa: S603 (the project's own settings and files)
            [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "-d", domain]
            + ["-l", "es", "--settings=tests.settings"],
            cwd=copy,
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(SUITE), str(PACKAGE.parent)])},
        )
        made = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"))
        fresh = {(e.msgctxt, e.msgid) for e in made}
        shipped = {(e.msgctxt, e.msgid) for e in entries("es", domain)}
        assert fresh - shipped == set(), f"run `make messages`: new strings in {domain}"
        assert shipped - fresh == set(), f"run `make messages`: strings gone from {domain}"
