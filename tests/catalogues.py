"""The package's translation catalogues: ``make messages`` writes them, ``test_catalogues``
checks them.

The strings are written in UK English, so ``en_GB`` holds no translation; ``en_US`` holds
the US spelling of each string that has a UK one, worked out from
``wagtail_spinecare.spellings``, the list shared text is adapted with. (A string written in
US words, such as the US "urgent care center", is a US clinic's and stays as it is.) Spanish
(``es``) is translated by hand, and must be complete.

    python -m tests.catalogues   # after makemessages; then compilemessages
"""

import re
from pathlib import Path

import polib

import wagtail_spinecare

#: The package as it is imported: the source tree's, or the wheel's where the suite runs
#: against an installed wheel.
PACKAGE = Path(wagtail_spinecare.__file__).resolve().parent
#: Where the ``tests`` package is, for commands that load its settings.
SUITE = Path(__file__).resolve().parent.parent
LOCALE = PACKAGE / "locale"
DOMAINS = ("django", "djangojs")
#: Languages whose catalogues follow from the word list, and (from, to) for each; None for
#: the language the strings are written in.
ENGLISH = {"en_US": ("uk", "us"), "en_GB": None}
#: Languages translated by hand.
TRANSLATED = ("es",)
LANGUAGES = (*ENGLISH, *TRANSLATED)
NAMES = {"en_US": "US English", "en_GB": "British English", "es": "Spanish"}

#: What a string fills in when shown (``%(name)s``, ``{name}``, ``%s``): never respelled.
_PLACEHOLDER = re.compile(r"(%\([^)]*\)[a-z]|%[a-z]|\{[^}]*\})")


def catalogue(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def respelled(text: str, source: str, target: str) -> str:
    """``text`` in ``target``'s spelling (spellings only: the country's terms, such as
    "physiotherapy", are the clinic's choice, made by ``Terminology``)."""
    from wagtail_spinecare.terminology import respell

    parts = _PLACEHOLDER.split(text)
    for index in range(0, len(parts), 2):
        parts[index] = respell(parts[index], source, target)
    return "".join(parts)


def english(entry: polib.POEntry, language: str) -> dict:
    """What ``entry`` should hold in ``language`` (an English), as polib sets it."""
    if ENGLISH[language] is None:
        return {"msgstr_plural": {0: "", 1: ""}} if entry.msgid_plural else {"msgstr": ""}
    source, target = ENGLISH[language]
    if entry.msgid_plural:
        one = respelled(entry.msgid, source, target)
        many = respelled(entry.msgid_plural, source, target)
        if (one, many) == (entry.msgid, entry.msgid_plural):
            return {"msgstr_plural": {0: "", 1: ""}}
        return {"msgstr_plural": {0: one, 1: many}}
    found = respelled(entry.msgid, source, target)
    return {"msgstr": "" if found == entry.msgid else found}


def tidy(po: polib.POFile, language: str) -> None:
    po.header = f"{NAMES[language]} translation of wagtail-spinecare."
    po.metadata_is_fuzzy = False
    po.metadata.update(
        {
            "Project-Id-Version": "wagtail-spinecare",
            "Language": language,
            "Language-Team": NAMES[language],
            "Last-Translator": "wagtail-spinecare",
        }
    )
    po.metadata.pop("PO-Revision-Date", None)
    if language in ENGLISH:
        po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"


def main() -> None:
    import django

    django.setup()
    for domain in DOMAINS:
        for language in LANGUAGES:
            po = polib.pofile(str(catalogue(language, domain)))
            if language in ENGLISH:
                for entry in po:
                    for name, value in english(entry, language).items():
                        setattr(entry, name, value)
                    entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            tidy(po, language)
            po.save()


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    main()
