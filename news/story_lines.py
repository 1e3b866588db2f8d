"""Which lines of an article's text tell the story: page furniture (date, read-count and source
labels, bare time stamps, photo captions, a closing author or `Theo …` credit) is left out."""

from __future__ import annotations

import re
from itertools import islice

from news.captions import is_caption
from news.sentences import clean_lines, split_line

# Lines that belong to the page, not to the story. Matched on the stripped, NFC line, case-insensitively.
_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        (?:ngày|ngày\ đăng|ngày\ cập\ nhật|cập\ nhật|đăng\ ngày|đăng\ lúc|date|published|updated)\s*:
      | (?:số\ lần\ đọc|lượt\ xem|lượt\ đọc|lượt\ truy\ cập|views?)\s*:
      | (?:nguồn|source)\s*:
      | (?:ảnh|photo)\s*:
      | \(\s*(?:theo|nguồn|source)\b[^()]*\)\s*\.?
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE_MAX_CHARS = 160
# A line that is only a time stamp (`Thứ Hai, 3/6/2024 - 07:15`, `07:15 03/06/2024 GMT+7`): its words
# are weekdays, `ngày`, dates, times, AM/PM and the zone, and it holds a date with a year.
_STAMP_MAX_CHARS = 60
_STAMP_SEPARATORS = str.maketrans(",|()", "    ")
_STAMP_DASHES = frozenset("-–—")
_STAMP_WORDS = frozenset("thứ hai ba tư năm sáu bảy chủ nhật cn ngày am pm sa ch gmt gmt+7 +7 utc".split())
_STAMP_DATE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{4}")
_STAMP_PART = re.compile(r"\d{1,2}(?:[/.-]\d{1,2}(?:[/.-]\d{2,4})?|[:h]\d{2}(?::\d{2})?)|[2-7]")
_AUTHOR_MAX_WORDS = 6
_AUTHOR_MAX_CHARS = 60
_TRAILING_CREDIT = re.compile(r"^theo\s+\S", re.IGNORECASE)


def body_lines(text: str) -> list[str]:
    """The non-empty lines of an article, without page boilerplate (date, read count, source, author)
    and photo captions (unless nothing else is left)."""
    lines = [line for line in clean_lines(text) if not is_boilerplate(line)]
    if len(lines) > 1:
        lines = [line for line in lines if not is_caption_line(line)] or lines
    if len(lines) > 1 and _looks_like_trailing_credit(lines[-1]):
        lines.pop()
    return lines


def is_boilerplate(line: str) -> bool:
    """A date, read-count, source or `(Theo …)` line, or a bare time stamp: page furniture, not a
    sentence of the story."""
    if (
        len(line) <= _STAMP_MAX_CHARS
        and (line[:1].isdigit() or line[:1] in "TtNnCc")
        and _is_time_stamp(line)
    ):
        return True
    if ":" not in line and "(" not in line:
        return False  # every pattern has a colon or opens with "(": the common case, decided cheaply
    line = line.strip()
    return (
        len(line) <= _BOILERPLATE_MAX_CHARS
        # the exact test before the regex (slow on Vietnamese)
        and (":" in line or line[:1] == "(")
        and _BOILERPLATE_LINE.match(line) is not None
    )


def is_caption_line(line: str) -> bool:
    """A caption alone on its line (news.captions): a credit after at most one sentence (a longer line
    is a paragraph with a caption run into it, and keeps its sentences)."""
    return is_caption(line) and len(list(islice(split_line(line), 3))) <= 2


def _is_time_stamp(line: str) -> bool:
    # Stricter than news.page_lines.is_date_line (a few words around any date), which would drop story
    # sentences such as `Ngày 4/6/2024, tỉnh khai mạc hội chợ.` here, where every sentence is tested.
    words = line.lower().translate(_STAMP_SEPARATORS).split()
    return all(
        word in _STAMP_WORDS or word in _STAMP_DASHES or _STAMP_PART.fullmatch(word) for word in words
    ) and any(_STAMP_DATE.fullmatch(word) for word in words)


def _looks_like_trailing_credit(line: str) -> bool:
    """A short last line with no final punctuation: an author ("Thanh Anh", "PV") or "Theo TTXVN"."""
    words = line.split()
    if len(words) > _AUTHOR_MAX_WORDS or len(line) > _AUTHOR_MAX_CHARS or line[-1] in ".!?…:;,":
        return False
    if _TRAILING_CREDIT.match(line):
        return True
    capitalised = sum(1 for word in words if word.lstrip("(-–").strip()[:1].isupper())
    return capitalised * 2 >= len(words)
