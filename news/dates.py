"""Dates as Vietnamese news pages and feeds write them, parsed into timezone-aware datetimes.

Numeric Vietnamese dates are day-first (`19/9/2019`, `19.09.2019`, `19-09-2019`); a time may
come before or after the date (`08:30 19/09/2019`, `19/9/2019 - 08:30`, `8h30`, `8:30 CH`: SA
and CH are the Vietnamese AM and PM); labels and weekdays around them (`Ngày:`, `Cập nhật:`,
`Thứ năm,`) are skipped. Months may be words (`19 tháng Chín, 2019`, also without diacritics);
a month alone (`Tháng 9/2019`) is a date only as a whole field. Also ISO 8601, RFC 822 (including the `GMT+7` that Vietnamese feeds
write) and English month names. A date without a zone takes the caller's default zone; an
impossible date (`32/13/2019`) is no date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# Abbreviations seen in feeds; ICT is Indochina Time (Vietnam, UTC+7).
_NAMED_ZONES = {
    "z": 0,
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "ict": 7 * 60,
    "est": -5 * 60,
    "edt": -4 * 60,
    "cst": -6 * 60,
    "cdt": -5 * 60,
    "mst": -7 * 60,
    "mdt": -6 * 60,
    "pst": -8 * 60,
    "pdt": -7 * 60,
}
_YEARS = range(1900, 2101)

_TIME = r"""
    (?<![\d:])(?P<H>\d{1,2})(?:\s*:\s*|h|g|\s*giờ\s*)(?P<M>\d{2})(?!\d)
    (?:\s*:\s*(?P<S>\d{2})(?:[.,](?P<frac>\d{1,6})\d*)?)?
    (?:\s*(?:phút\b)?)?
    (?:\s*(?:(?P<ampm>[ap])\.?m\b\.?|(?-i:(?P<vi_ampm>SA|CH))\b))?
"""
_ZONE = r"""
    (?:\s*\(?\s*
      (?P<tz>(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?
        |[+-]\d{2}(?::?\d{2})?(?!\d)
        |(?:UTC|GMT|UT|ICT|[ECMP][SD]T)\b
        |Z\b)
    \s*\)?)?
"""
_MONTH_NAME = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?"
)
# Vietnamese months as words (`tháng Chín`: September; Giêng and Chạp: the first and last),
# with or without diacritics; `năm` is May as a month and "year" before a year.
_VI_MONTHS = {
    "gieng": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
    "tam": 8, "chin": 9, "muoi": 10, "muoi mot": 11, "muoi hai": 12, "chap": 12,
}  # fmt: skip
_VI_MONTH_WORD = (
    r"(?P<vmon>m[ưu][ờo]i\s+m[ộo]t|m[ưu][ờo]i\s+hai|m[ưu][ờo]i|gi[êe]ng|m[ộo]t|hai|ba|t[ưu]|b[ốo]n|n[ăa]m"
    r"|s[áa]u|b[ảẩa]y|t[áa]m|ch[íi]n|ch[ạa]p)\b"
)
_VI_MONTH = r"(?:(?P<m>\d{1,2})|" + _VI_MONTH_WORD + ")"
_DMY = r"(?<![\d./-])(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?![\d./-]\d)"
_JOIN = r"(?:\s*[,|–—-]?\s*(?:l[úu]c|v[àa]o\s+l[úu]c|at)?\s*)"
# ngày 19 tháng 9 năm 2019, 19 tháng Chín, 2019, ngay 19 thang 9/2019; `tháng` may be abbreviated
# as RFC 822 written under a Vietnamese locale has it (`19 Thg9 2019`, `19 thg 9`).
_VN_WORDS = (
    r"(?<!\w)(?:ng[àa]y\s+)?(?P<d>\d{1,2})\s+th(?:[áa]ng\s+|g\.?\s*|\.?\s*(?=\d))" + _VI_MONTH
    + r"\s*(?:n[ăa]m\b|[,/.-])?\s*(?P<y>\d{4})(?!\d)"
)  # fmt: skip
# A month alone (`Tháng 9/2019`): a date only as a whole field, never in running text.
_VN_MONTH_ONLY = re.compile(
    r"th[áa]ng\s+" + _VI_MONTH + r"\s*(?:n[ăa]m\b|[,/.-])?\s*(?P<y>\d{4})", re.IGNORECASE
)

_FLAGS = re.IGNORECASE | re.VERBOSE
_PATTERNS: list[re.Pattern[str]] = [
    # ISO 8601 and year-first numeric dates: 2019-09-19T08:30:00+07:00, 2019/09/19 08:30
    re.compile(
        r"(?<![\d./-])(?P<y>\d{4})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"
        r"(?:(?:T|\s+)" + _TIME + _ZONE + ")?",
        _FLAGS,
    ),
    # time first: 08:30 19/09/2019, 08:30 ngày 19/9/2019
    re.compile(_TIME + _ZONE + r"\s*[,|–—-]?\s*(?:ngày\s+)?" + _DMY, _FLAGS),
    # day first: 19/9/2019 - 08:30 (GMT+7)
    re.compile(_DMY + "(?:" + _JOIN + _TIME + _ZONE + ")?", _FLAGS),
    # words: ngày 19 tháng 9 năm 2019
    re.compile(_VN_WORDS + "(?:" + _JOIN + _TIME + _ZONE + ")?", _FLAGS),
    # RFC 822 and English day-first: Thu, 19 Sep 2019 08:30:00 +0700
    re.compile(
        r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_NAME + r",?\s+(?P<y>\d{4})(?!\d)"
        "(?:" + _JOIN + _TIME + _ZONE + ")?",
        _FLAGS,
    ),
    # English month first: September 19, 2019 at 8:30 am
    re.compile(
        r"\b" + _MONTH_NAME + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)"
        "(?:" + _JOIN + _TIME + _ZONE + ")?",
        _FLAGS,
    ),
]


class WrittenDate(NamedTuple):
    """A date as a source wrote it. `moment` is aware; without a written time of day
    (`Ngày: 19.09.2019`) it is the start of that day in the source's zone, and `day` is the day,
    kept as written when the moment is later shown in other zones."""

    moment: datetime
    day: date | None = None

    @classmethod
    def of(cls, moment: datetime, has_time: bool) -> WrittenDate:
        return cls(moment, None if has_time else moment.date())


_ISO_DAY = re.compile(r"\d{4}-?\d{2}-?\d{2}")


def to_aware(dt: datetime, tz: tzinfo) -> datetime:
    """`dt` unchanged when it already has a zone, else the same wall time in `tz`."""
    if dt.tzinfo is not None and dt.tzinfo.utcoffset(dt) is not None:
        return dt
    return dt.replace(tzinfo=tz)


def _zone(text: str | None, default_tz: tzinfo) -> tzinfo | None:
    if not text:
        return default_tz
    compact = re.sub(r"\s+", "", text).lower()
    if compact in _NAMED_ZONES:
        minutes = _NAMED_ZONES[compact]
    else:
        match = re.fullmatch(r"(?:gmt|utc)?([+-])(\d{1,2}):?(\d{2})?", compact)
        if not match:
            return None
        sign = -1 if match.group(1) == "-" else 1
        minutes = sign * (int(match.group(2)) * 60 + int(match.group(3) or 0))
        if abs(minutes) > 14 * 60:
            return None
    return UTC if minutes == 0 else timezone(timedelta(minutes=minutes))


def _build(match: re.Match[str], default_tz: tzinfo) -> WrittenDate | None:
    parts = match.groupdict()
    year = int(parts["y"])
    if year not in _YEARS:
        return None
    month = _month(parts)
    hour = int(parts["H"]) if parts.get("H") else 0
    # Vietnamese writes AM/PM as SA (sáng) and CH (chiều), e.g. Windows' `8:30:00 CH`.
    ampm = {"SA": "a", "CH": "p"}.get(parts.get("vi_ampm") or "") or parts.get("ampm")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    zone = _zone(parts.get("tz"), default_tz)
    if zone is None:
        return None
    try:
        moment = datetime(
            year,
            month,
            int(parts["d"]),
            hour,
            int(parts["M"]) if parts.get("M") else 0,
            int(parts["S"]) if parts.get("S") else 0,
            int((parts.get("frac") or "0").ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:
        return None
    return WrittenDate.of(moment, has_time=bool(parts.get("H")))


def _month(parts: dict[str, str | None]) -> int:
    if parts.get("mon"):
        return _MONTHS[parts["mon"][:3].lower()]
    if parts.get("vmon"):
        return _VI_MONTHS[" ".join(_without_diacritics(parts["vmon"]).lower().split())]
    return int(parts["m"] or 0)


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _month_alone(text: str, default_tz: tzinfo) -> WrittenDate | None:
    """`Tháng 9/2019`: the month's first day, dated by its day alone."""
    match = _VN_MONTH_ONLY.fullmatch(unicodedata.normalize("NFC", text))
    if match is None or int(match.group("y")) not in _YEARS:
        return None
    try:
        return WrittenDate.of(
            datetime(int(match.group("y")), _month(match.groupdict()), 1, tzinfo=default_tz), False
        )
    except ValueError:
        return None


def _candidates(text: str) -> list[re.Match[str]]:
    """Every pattern's matches, earliest first; at one position the longest first."""
    matches = [m for pattern in _PATTERNS for m in pattern.finditer(text)]
    matches.sort(key=lambda m: (m.start(), -m.end()))
    return matches


def find_written_date(text: str, default_tz: tzinfo) -> WrittenDate | None:
    """The first valid date written anywhere in `text` (e.g. an article's byline), or None."""
    normalised = unicodedata.normalize("NFC", text)
    for match in _candidates(normalised):
        found = _build(match, default_tz)
        if found is not None:
            return found
    return None


def find_date(text: str, default_tz: tzinfo) -> datetime | None:
    found = find_written_date(text, default_tz)
    return found.moment if found is not None else None


def _iso(text: str, default_tz: tzinfo) -> WrittenDate | None:
    try:
        moment = to_aware(datetime.fromisoformat(text), default_tz)
    except ValueError:
        return None
    return WrittenDate.of(moment, has_time=_ISO_DAY.fullmatch(text) is None)


def parse_written_date(text: str, default_tz: tzinfo) -> WrittenDate | None:
    """The date in a short date field (`Ngày: 19.09.2019`, an RSS pubDate, an ISO value), or None.

    Its moment is always timezone-aware: the written offset when there is one, else `default_tz`.
    """
    stripped = text.strip()
    if not stripped:
        return None
    # A value that is nothing but ISO 8601 (any form Python reads) needs no searching.
    found = _iso(stripped, default_tz) or find_written_date(stripped, default_tz)
    return found or _month_alone(stripped, default_tz)


def parse_date(text: str, default_tz: tzinfo) -> datetime | None:
    found = parse_written_date(text, default_tz)
    return found.moment if found is not None else None


def credible_published(published: datetime | None, seen_at: datetime) -> datetime | None:
    """`published` unless it is later than `seen_at`, the time the item was first fetched: nothing
    is published after it is read. A later one is a date from the article's text (`Từ ngày
    01/01/2031, …`) or a wrong zone, and would hold the top of /latest; the item is then undated
    and keeps its first-seen time."""
    return published if published is not None and published <= seen_at else None


# Before this no news is on the web: an earlier date is an unset timestamp written out (Unix epoch
# 0, .NET's 0001-01-01), which would put a new story last in /latest and date it 1970 in digests.
EARLIEST_CREDIBLE = datetime(1990, 1, 1, tzinfo=UTC)


def placed_published(
    published: datetime | None, day: date | None, seen_at: datetime
) -> tuple[datetime | None, date | None]:
    """The published time storage keeps for an item first seen at `seen_at`, and the day shown
    instead of it when the source gave no time of day; (None, None) keeps the first-seen time."""
    if published is None or published < EARLIEST_CREDIBLE:
        return None, None
    if day is None:
        return credible_published(published, seen_at), None
    placed = place_dated_by_day(published, seen_at)
    return placed, day if placed is not None else None


def place_dated_by_day(day_start: datetime, seen_at: datetime) -> datetime | None:
    """Where a story dated by its day alone (`Ngày: 19.09.2019`) sits among timed ones, given
    the start of that day in the source's zone and the time it was first seen.

    Seen that same day: its first-seen time, the nearest to its real time we know, so today's
    undated-by-hour stories come up with the others of the poll that found them. Seen on a later
    day: noon of its day, the middle of its possible hours. A day that has not begun when it was
    seen is not credible (see `credible_published`): None.
    """
    if seen_at < day_start:
        return None
    if seen_at < day_start + timedelta(days=1):
        return seen_at
    return day_start + timedelta(hours=12)
