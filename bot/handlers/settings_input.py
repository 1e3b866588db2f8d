"""Reading what a user typed after `/settings <what>`: times, a time zone, keywords, on/off.

Forgiving about form (`6h30`, `18h`, `7 giờ 30`, `europe/berlin`, `Berlin`, `tắt`), strict about meaning: anything
it cannot read raises InputError and nothing is saved.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.handlers.settings_words import VALUE_WORDS
from news.schedule import MAX_DIGEST_TIMES
from news.tones import search_key

MAX_KEYWORDS = 20
MAX_KEYWORD_CHARS = 50
OFF_WORDS = frozenset({"off", "none", "no", "-", "clear", "tat", "khong", "xoa"})
ON_WORDS = frozenset({"on", "yes", "bat", "co"})
MODES = ("digest", "instant", "both", "off")
LANGUAGE_WORDS = {
    "vi": "vi",
    "vn": "vi",
    "vietnamese": "vi",
    "tieng viet": "vi",
    "en": "en",
    "english": "en",
    "tieng anh": "en",
}
_TIME = re.compile(r"(\d{1,2})(?:[:hH.](\d{2})?)?")
# `7 giờ`, `7 giờ 30 (phút)`, `7g30`: minutes are the two digits after the hour word, unless another
# hour word follows them (`7 giờ 18 giờ` is two times).
_HOUR_WORDS = re.compile(
    r"(\d{1,2})\s*(?:giờ|gio|g)(?:\s*(\d{2})\b(?!\s*(?:giờ|gio|g)\b)(?:\s*(?:phút|phut))?)?\b",
    re.IGNORECASE,
)
_OFFSET = re.compile(r"(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
# Offsets off the hour, each with the zone that keeps it all year (no DST): Etc/ zones have no minutes.
_ZONES_OFF_THE_HOUR = {
    "+03:30": "Asia/Tehran",
    "+04:30": "Asia/Kabul",
    "+05:30": "Asia/Kolkata",
    "+05:45": "Asia/Kathmandu",
    "+06:30": "Asia/Yangon",
    "+08:45": "Australia/Eucla",
    "+09:30": "Australia/Darwin",
    "-09:30": "Pacific/Marquesas",
}
_LIST_SEPARATORS = re.compile(r"[,;，、\n]")


class InputError(ValueError):
    """What the user typed cannot be read as the setting."""


def is_off(text: str) -> bool:
    return search_key(text) in OFF_WORDS


def parse_time(text: str) -> str:
    """`6:30`, `06:30`, `6h30`, `18h`, `18` → "HH:MM"."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise InputError(text)
    hours, minutes = int(match[1]), int(match[2] or 0)
    if hours > 23 or minutes > 59:
        raise InputError(text)
    return f"{hours:02d}:{minutes:02d}"


def _hour_words_as_hhmm(text: str) -> str:
    """`7 giờ 30 17 giờ` → `07:30 17:00`, so that a time written in words is one word."""
    return _HOUR_WORDS.sub(lambda m: f"{m[1]}:{m[2] or '00'}", unicodedata.normalize("NFC", text))


def parse_times(text: str) -> list[str]:
    """One to six times of day, sorted, without repeats."""
    words = [w for w in re.split(r"[\s,;]+", _hour_words_as_hhmm(text)) if w]
    if not 1 <= len(words) <= MAX_DIGEST_TIMES:
        raise InputError(text)
    return sorted({parse_time(w) for w in words})


@cache
def _zones() -> dict[str, str]:
    """Lower-cased zone name → the zone's name; also the last part (`berlin`) when it is unique."""
    names = {name for name in available_timezones() if "/" in name or name == "UTC"}
    zones = {name.lower(): name for name in names}
    cities: dict[str, list[str]] = {}
    for name in names:
        if not name.startswith("Etc/"):  # `Etc/GMT+7` is UTC-7: never guess it from "GMT+7"
            cities.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
    for city, candidates in cities.items():
        if len(candidates) == 1:
            zones.setdefault(city, candidates[0])
    return zones


def parse_timezone(text: str) -> str:
    """An IANA zone name, in any case, or its city alone (`Berlin`, `Hồ Chí Minh`), or a fixed offset
    (`UTC+7`, `GMT-03:00`; the Etc/ zone names have the sign inverted, POSIX style; `UTC+5:30` is the
    zone that keeps that offset all year)."""
    offset = _OFFSET.fullmatch(text.strip())
    if offset:
        return _zone_of_offset(text, offset[1], int(offset[2]), int(offset[3] or 0))
    key = "_".join(search_key(text).split())  # zone names are ASCII: `Hồ Chí Minh` means Ho_Chi_Minh
    name = _zones().get(key)
    if name is None:
        raise InputError(text)
    ZoneInfo(name)  # every listed zone loads; this only guards a broken tzdata
    return name


def _zone_of_offset(text: str, sign: str, hours: int, minutes: int) -> str:
    if minutes:
        name = _ZONES_OFF_THE_HOUR.get(f"{sign}{hours:02d}:{minutes:02d}")
        if name is None:
            raise InputError(text)
        return name
    if hours == 0:
        return "UTC"
    if hours > (14 if sign == "+" else 12):
        raise InputError(text)
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def parse_keywords(text: str) -> list[str]:
    """Comma-separated words or phrases, as written (NFC, trimmed); `off` clears them."""
    if is_off(text):
        return []
    keywords: list[str] = []
    seen: set[str] = set()
    for part in _LIST_SEPARATORS.split(text):
        word = " ".join(part.split())
        key = search_key(word)
        if not key or key in seen:
            continue
        if len(word) > MAX_KEYWORD_CHARS:
            raise InputError(word)
        seen.add(key)
        keywords.append(word)
    if not keywords or len(keywords) > MAX_KEYWORDS:
        raise InputError(text)
    return keywords


def parse_quiet_hours(text: str) -> tuple[str, str] | None:
    """`22:00 06:00` or `22h-6h` → ("22:00", "06:00"); `off` → None."""
    if is_off(text):
        return None
    words = [w for w in re.split(r"[\s,;–—-]+", _hour_words_as_hhmm(text)) if w]
    if len(words) != 2:
        raise InputError(text)
    start, end = parse_time(words[0]), parse_time(words[1])
    if start == end:
        raise InputError(text)
    return start, end


def parse_switch(text: str) -> bool:
    key = search_key(text)
    if key in ON_WORDS:
        return True
    if key in OFF_WORDS:
        return False
    raise InputError(text)


def parse_language(text: str) -> str:
    language = LANGUAGE_WORDS.get(search_key(text))
    if language is None:
        raise InputError(text)
    return language


def parse_mode(text: str) -> str:
    """A mode by its name in any language (`instant`, `ngay`, `cả hai`)."""
    mode = _mode_words().get(search_key(text))
    if mode is None:
        raise InputError(text)
    return mode


@cache
def _mode_words() -> dict[str, str]:
    return {search_key(words[mode]): mode for words in VALUE_WORDS.values() for mode in MODES}
