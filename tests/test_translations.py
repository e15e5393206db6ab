"""The English catalogue (src/urne/locale/en) is complete, translated and compiled.

Django's makemessages extracts every string marked for translation in the code and templates, as
`cd src/urne && urne makemessages -l en --no-obsolete --ignore=crypto` does (docs/translation.md),
but in a copy of the source, so that the committed catalogue is never touched. Every extracted
string must be in the committed django.po and nothing else, translated and not fuzzy; the
committed django.mo must hold exactly what msgfmt makes of that .po.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

import urne

SOURCE = Path(urne.__file__).resolve().parent
CATALOGUE = SOURCE / "locale" / "en" / "LC_MESSAGES"
# The protocol core speaks to operators in English and has no string to translate.
IGNORED = ["crypto"]

Key = tuple[str | None, str, str]


def key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def described(keys: set[Key]) -> str:
    return "\n".join(sorted(f"  {msgid!r}" for _context, msgid, _plural in keys))


def needs(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"GNU gettext's {tool} is required: apt-get install gettext")


@pytest.fixture(scope="module")
def committed() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> polib.POFile:
    """The catalogue makemessages makes today, from a copy of the source and of the .po."""
    needs("xgettext")
    copy = tmp_path_factory.mktemp("source") / "urne"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", *IGNORED))
    with override_settings(LOCALE_PATHS=[copy / "locale"]), contextlib.chdir(copy):
        call_command(
            "makemessages", locale=["en"], no_obsolete=True, ignore_patterns=IGNORED, verbosity=0
        )
    return polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))


def test_every_string_of_the_code_and_templates_is_in_the_catalogue(
    committed: polib.POFile, extracted: polib.POFile
) -> None:
    missing = {key(entry) for entry in extracted} - {key(entry) for entry in committed}

    assert not missing, (
        f"{len(missing)} string(s) missing from the English catalogue: run makemessages "
        f"(docs/translation.md) and translate them:\n{described(missing)}"
    )


def test_the_catalogue_holds_no_string_the_code_no_longer_uses(
    committed: polib.POFile, extracted: polib.POFile
) -> None:
    stale = {key(entry) for entry in committed} - {key(entry) for entry in extracted}

    assert not stale, f"run makemessages with --no-obsolete:\n{described(stale)}"
    assert committed.obsolete_entries() == []


def test_every_string_is_translated_and_none_is_fuzzy(committed: polib.POFile) -> None:
    untranslated = {key(entry) for entry in committed.untranslated_entries()}
    fuzzy = {key(entry) for entry in committed.fuzzy_entries()}

    assert not untranslated, f"not translated:\n{described(untranslated)}"
    assert not fuzzy, f"fuzzy (check, then drop the flag):\n{described(fuzzy)}"


def test_the_compiled_catalogue_is_up_to_date(tmp_path: Path, committed: polib.POFile) -> None:
    needs("msgfmt")
    fresh = tmp_path / "django.mo"
    # --check-format: each translation keeps its original's placeholders (%(date)s...).
    compiled = subprocess.run(  # noqa: S603 (a fixed command on our own files)
        ["msgfmt", "--check-format", "-o", str(fresh), str(CATALOGUE / "django.po")],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stderr

    def contents(path: Path) -> dict[Key, tuple[str, ...]]:
        return {
            key(entry): (
                entry.msgstr,
                *(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)),
            )
            for entry in polib.mofile(str(path))
        }

    assert contents(CATALOGUE / "django.mo") == contents(fresh), (
        "django.mo is older than django.po: run `urne compilemessages` in src/urne"
    )
    assert len(contents(fresh)) == len(committed.translated_entries())
