"""Translations: gettext catalogs (`news/locale/<lang>/LC_MESSAGES/bantin.po`) loaded straight from .po.

Msgids are English; Vietnamese is the bot's default language. The .po files are compiled in memory
once per language, so there is no build step and no .mo file to keep in sync. Call sites bind
`_ = translator(lang)` and `ngettext = plural_translator(lang)` under those names, which are the
keywords `scripts/i18n-update` extracts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

SUPPORTED: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
DOMAIN = "bantin"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def normalize_language(code: str | None) -> str | None:
    """`vi`, `vi-VN`, `VI_vn` → "vi"; `en-US` → "en"; anything unsupported or empty → None."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED else None


def pick_language(
    user_setting: str | None, telegram_language_code: str | None, *, default: str = DEFAULT_LANGUAGE
) -> str:
    """The language to answer in: the user's own setting wins, then Telegram's language_code,
    then the configured default (Vietnamese unless configured otherwise)."""
    return (
        normalize_language(user_setting)
        or normalize_language(telegram_language_code)
        or normalize_language(default)
        or DEFAULT_LANGUAGE
    )


@cache
def translations(lang: str) -> Translations:
    """The compiled catalog for `lang` (an unsupported code gets the default language's)."""
    lang = normalize_language(lang) or DEFAULT_LANGUAGE
    with catalog_path(lang).open("rb") as po_file:
        catalog = read_po(po_file, locale=lang, domain=DOMAIN)
    buffer = BytesIO()
    # Fuzzy entries are left out on purpose: a guessed translation is worse than the English msgid.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def translator(lang: str) -> Callable[[str], str]:
    """gettext for `lang`: msgid in English → translated text (the msgid itself when untranslated)."""
    return translations(lang).gettext


def plural_translator(lang: str) -> Callable[[str, str, int], str]:
    """ngettext for `lang`: (singular, plural, n) → the form the language's plural rule picks."""
    return translations(lang).ngettext


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is defined; translate it later with `_` at use."""
    return message
