"""Translations: language choice, catalog loading, and the guard that every msgid in the code is
translated in the Vietnamese catalog (run scripts/i18n-update, then translate, when this fails)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from news.i18n import (
    DEFAULT_LANGUAGE,
    SUPPORTED,
    catalog_path,
    pick_language,
    plural_translator,
    translations,
    translator,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("news", "jobs", "bot")
# The same keywords scripts/i18n-update gives pybabel.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _msgids_babel_extracts() -> dict[str, str | tuple[str, str]]:
    """Singular msgid → msgid as Babel extracts it (a (singular, plural) pair for plurals)."""
    found: dict[str, str | tuple[str, str]] = {}
    for name in CODE_DIRS:
        directory = REPO_ROOT / name
        if not directory.is_dir():
            continue
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            directory, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            msgid = message if isinstance(message, str) else tuple(message)
            found[msgid if isinstance(msgid, str) else msgid[0]] = msgid
    return found


def _literal_msgids_in_calls() -> list[tuple[str, str]]:
    """(file:line, msgid) for every call `_("…")`/`ngettext("…", …)` the Python parser sees, including
    calls inside f-strings, which Babel's extractor cannot see."""
    calls = []
    for name in CODE_DIRS:
        for path in sorted((REPO_ROOT / name).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in KEYWORDS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    calls.append((f"{path.relative_to(REPO_ROOT)}:{node.lineno}", node.args[0].value))
    return calls


def _catalog(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as po_file:
        return read_po(po_file, locale=lang)


CODE_MSGIDS = _msgids_babel_extracts()


def test_the_code_has_msgids_to_check() -> None:
    # The renderer's strings at least; if extraction found nothing, the guard below would check nothing.
    assert "Digest {time} — {date}" in CODE_MSGIDS
    assert CODE_MSGIDS["and {count} more story — /latest"] == (
        "and {count} more story — /latest",
        "and {count} more stories — /latest",
    )


@pytest.mark.parametrize("msgid", sorted(CODE_MSGIDS), ids=lambda msgid: msgid[:40])
def test_every_msgid_in_the_code_is_translated_in_vietnamese(msgid: str) -> None:
    message = _catalog("vi").get(msgid)
    hint = "run scripts/i18n-update, then translate it in news/locale/vi/LC_MESSAGES/bantin.po"
    assert message is not None, f"{msgid!r} is missing from the vi catalog: {hint}"
    assert not message.fuzzy, f"{msgid!r} is fuzzy (a guess) in the vi catalog: check it, drop the flag"
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    assert strings and all(strings), f"{msgid!r} is untranslated in the vi catalog: {hint}"
    if isinstance(CODE_MSGIDS[msgid], tuple):
        assert message.pluralizable, f"{msgid!r} is a plural in the code but not in the vi catalog"


def test_babel_sees_every_literal_msgid_in_the_code() -> None:
    hidden = [(where, msgid) for where, msgid in _literal_msgids_in_calls() if msgid not in CODE_MSGIDS]
    assert hidden == [], "calls Babel cannot extract (inside an f-string?): bind the result to a name first"


@pytest.mark.parametrize("lang", SUPPORTED)
def test_translations_keep_the_placeholders_of_their_msgid(lang: str) -> None:
    for message in _catalog(lang):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[0]))
        for string in filter(None, strings):
            assert set(PLACEHOLDER.findall(string)) == expected, (lang, message.id, string)


def test_vietnamese_translations_are_nfc() -> None:
    for message in _catalog("vi"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert string == unicodedata.normalize("NFC", string), message.id


# --- runtime API -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "msgid", "text"),
    [
        ("vi", "Latest stories", "Tin mới nhất"),
        ("vi", "Digest {time} — {date}", "Bản tin {time} — {date}"),
        ("en", "Latest stories", "Latest stories"),
        ("vi-VN", "No stories yet.", "Chưa có tin nào."),
        ("fr", "No stories yet.", "Chưa có tin nào."),  # unsupported → the default language
        ("vi", "a msgid nobody translated", "a msgid nobody translated"),
    ],
)
def test_translator(lang: str, msgid: str, text: str) -> None:
    assert translator(lang)(msgid) == text


@pytest.mark.parametrize(
    ("lang", "n", "text"),
    [
        ("en", 1, "and {count} more story — /latest"),
        ("en", 2, "and {count} more stories — /latest"),
        ("en", 0, "and {count} more stories — /latest"),
        ("vi", 1, "và {count} tin khác — /latest"),
        ("vi", 5, "và {count} tin khác — /latest"),
    ],
)
def test_plural_translator_follows_each_language_plural_rule(lang: str, n: int, text: str) -> None:
    ngettext = plural_translator(lang)
    assert ngettext("and {count} more story — /latest", "and {count} more stories — /latest", n) == text


def test_catalogs_are_compiled_once_per_language() -> None:
    assert translations("vi") is translations("vi")
    assert translations("vi") is not translations("en")


@pytest.mark.parametrize(
    ("user_setting", "telegram_code", "language"),
    [
        ("en", "vi", "en"),  # the user's own choice wins
        ("vi", "en-US", "vi"),
        (None, "en-GB", "en"),
        (None, "EN", "en"),
        (None, "vi", "vi"),
        (None, "vi-VN", "vi"),
        (None, "fr", DEFAULT_LANGUAGE),
        (None, None, DEFAULT_LANGUAGE),
        ("", "", DEFAULT_LANGUAGE),
        ("de", "en", "en"),  # a stale unsupported setting falls through to Telegram's
        ("en_US", None, "en"),
    ],
)
def test_pick_language(user_setting: str | None, telegram_code: str | None, language: str) -> None:
    assert pick_language(user_setting, telegram_code) == language


def test_pick_language_falls_back_to_the_configured_default() -> None:
    assert pick_language(None, "ja", default="en") == "en"
    assert DEFAULT_LANGUAGE == "vi"


# --- the update script -------------------------------------------------------------------------------


def _pybabel() -> str | None:
    beside_python = Path(sys.executable).parent / "pybabel"
    return str(beside_python) if beside_python.exists() else shutil.which("pybabel")


def test_catalogs_are_up_to_date_with_the_code() -> None:
    pybabel = _pybabel()
    if pybabel is None:
        pytest.skip("pybabel is not installed")
    result = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "i18n-update"), "--check"],
        env={**os.environ, "PYBABEL": pybabel},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"catalogs are stale: run scripts/i18n-update\n{result.stderr}"
