"""The labelled lines around a Vietnamese article's body that generic extraction keeps or misses:
date lines (`Ngày: 19.09.2019`), read counters (`Số lần đọc:1044`), page tools, and the closing
byline (`Thanh Anh`, `Theo TTXVN`).
"""

from __future__ import annotations

import re
from datetime import UTC, tzinfo

from news.captions import credit_start
from news.dates import WrittenDate, find_date, find_written_date
from news.place_names import is_place_name

_NUMBER = r"\d{1,3}(?:[.,\u00a0 ]\d{3})+|\d+"
# The number must not run on into a date or a time (`Lượt xem: 19.09.2019` is not a count); `1,2K`
# is thousands.
# The number may also come first (`1.044 lượt xem`), alone on its line or between a byline's
# separators: inside a sentence (`thu hút 10.000 lượt xem`) it is the story's figure.
READ_COUNT = re.compile(
    r"\b(?:Số\s+lần\s+(?:đọc|xem)|Số\s+lượt\s+(?:xem|đọc|truy\s+cập)|Lượt\s+(?:xem|đọc|truy\s+cập|views?)|Lần\s+đọc"
    r"|Đã\s+xem|Views?)"
    rf"\s*:?\s*(?:(\d+(?:[.,]\d)?)\s*K(?!\w)|({_NUMBER})(?![\d.,/:-]*\d))"
    rf"|(?:^|(?<=[|•·(–-]))[^\S\n]*({_NUMBER})\s+(?:lượt|lần)\s+(?:xem|đọc)[^\S\n]*(?=$|[|•·)–-])",
    re.IGNORECASE | re.MULTILINE,
)
# Labels of a publication date line; a bare "Ngày" needs its colon ("Ngày 22/10, ..." opens prose).
DATE_LABEL = re.compile(
    r"(?:\b(?:Ngày\s+(?:đăng(?:\s+tin)?|cập\s+nhật|xuất\s+bản|phát\s+hành)|Cập\s+nhật(?:\s+lúc)?|Đăng\s+(?:lúc|ngày|tải)|"
    r"Thời\s+gian\s+(?:đăng|cập\s+nhật)|Xuất\s+bản|Published|Posted|Updated)\s*:?|\bNgày\s*:)\s*",
    re.IGNORECASE,
)
_DATE_VALUE_CHARS = 60
_UPDATE_LABEL = re.compile(r"cập\s+nhật|updated", re.IGNORECASE)
_UPDATE_NEIGHBOURHOOD_CHARS = 150  # where a publication date may follow an update's
# Lines of page furniture that text extraction keeps inside the body, and a series' `(Hết)` (the
# end) and `(Còn nữa)` (to be continued).
_BOILERPLATE_LINE = re.compile(
    r"^\W*(?:In\s+bài(?:\s+viết)?|Bản\s+in|Gửi\s+(?:email|bài\s+viết|cho\s+bạn\s+bè)|Chia\s+sẻ|Quay\s+(?:lại|về)|"
    r"Về\s+đầu\s+trang|Lên\s+đầu\s+trang|Xem\s+thêm|Tin\s+liên\s+quan|Các\s+tin\s+(?:khác|đã\s+đưa)|"
    r"Bình\s+luận|Ý\s+kiến\s+bạn\s+đọc|Print|Share|Back|Hết|Còn\s+nữa)\W*$",
    re.IGNORECASE,
)
_TOOL_SEPARATORS = re.compile(r"[\[\]|/·•]+")
# `Bài:` / `Tin:` alone (the story's writer) need their colon: `Bài học …` opens prose.
_CREDIT = re.compile(
    r"^\(?\s*(?:(?:Theo|Nguồn|Tác\s+giả|(?:Bài|Tin)(?:\s+và|\s*[,&–-])\s*ảnh)\s*:?|(?:Bài(?:\s+viết)?|Tin)\s*:)"
    r"\s+(.{2,60}?)\s*\)?\.?$",
    re.I,
)
_DATE_LINE_CHARS = 60
_DATE_LINE_WORDS = 6  # "Thứ Năm, ngày … tháng … năm …", "GMT"
# The lowercase words a date or byline line holds around its date; any other is a sentence's.
_DATE_LINE_VOCABULARY = frozenset(
    "thứ hai ba tư năm sáu bảy chủ nhật ngày tháng lúc giờ phút sáng trưa chiều tối đêm sa ch am pm "
    "gmt utc ict cập đăng bởi tải xuất bản gửi vào và lượt xem đọc bài tin ảnh tác giả theo nguồn "
    "phóng viên một bốn chín tám mười giêng chạp on at by posted published updated".split()
)
_WORD_WITHOUT_DIGITS = re.compile(r"[^\W\d_]+")
_NAME_WORD = re.compile(r"^(?:[^\W\d_][\w.]*|[-–&])$")
MAX_AUTHOR_WORDS_EACH = 5  # per name; co-authors are joined by " - "
MAX_AUTHOR_CHARS = 50
# A note after the name saying the story was compiled or translated (`Thanh Tùng (T/h)`: tổng hợp,
# `(lược dịch)`, `(Theo Reuters)`): not part of the name, unlike an agency (`Thanh Anh (TTXVN)`).
_COMPILER_NOTE = re.compile(r"\(\s*(?:t/h|th|tổng\s+hợp|(?:lược|biên)?\s*dịch|theo\s+[^)]+)\s*\)$", re.I)
_WRAPPED_BYLINE = re.compile(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]|[-–—]+\s*([^-–—]+?)\s*[-–—]+")


def parse_count(text: str) -> int:
    """`1.044`, `1,044`, `1 044` → 1044."""
    return int(re.sub(r"\D", "", text))


def find_read_count(text: str, start: int = 0) -> int | None:
    """The first read counter at or after `start`, else the first anywhere. Thousands may be
    shortened (`1,2K`: the comma is the Vietnamese decimal mark)."""
    match = READ_COUNT.search(text, start) or (READ_COUNT.search(text) if start else None)
    if match is None:
        return None
    thousands, count, count_first = match.groups()
    return (
        round(float(thousands.replace(",", ".")) * 1000) if thousands else parse_count(count or count_first)
    )


def find_labelled_date(text: str, default_tz: tzinfo, start: int = 0) -> WrittenDate | None:
    """The first `Ngày: …` / `Đăng lúc …` style date at or after `start`.

    An update (`Cập nhật: …`) gives way to the publication date written next to it: an unlabelled
    date before it on its line (`19/09/2019 08:30 - Cập nhật: …`) or a labelled one just after it;
    alone, it is the only date the page gives."""
    updated: WrittenDate | None = None
    for match in DATE_LABEL.finditer(text, start):
        if updated is not None and match.start() > start + _UPDATE_NEIGHBOURHOOD_CHARS:
            break
        value = text[match.end() : match.end() + _DATE_VALUE_CHARS].split("\n", 1)[0]
        found = find_written_date(value, default_tz)
        if found is None:
            continue
        if not _UPDATE_LABEL.search(match.group(0)):
            return found
        if updated is None:
            earlier = find_written_date(_line_before(text, match.start(), start), default_tz)
            if earlier is not None:
                return earlier
            updated, start = found, match.end()
    return updated


def _line_before(text: str, position: int, start: int) -> str:
    """The text before `position` on its line, no further back than `start` or a date value's length."""
    line_start = max(text.rfind("\n", 0, position) + 1, start, position - _DATE_VALUE_CHARS)
    return text[line_start:position]


def is_metadata_line(line: str) -> bool:
    """Date, counter and page-furniture lines that do not belong in an article body."""
    stripped = line.strip()
    if not any(c.isalnum() for c in stripped):
        return True  # empty, or table rules and separators (`| |`, `* * *`, `./.`) left by extraction
    if _BOILERPLATE_LINE.match(stripped) or _is_toolbar(stripped):
        return True
    counter = READ_COUNT.search(stripped)
    if counter and len(stripped) - len(counter.group(0)) < 25:
        return True
    label = DATE_LABEL.match(stripped)
    return bool(label) and len(stripped) < 60


def _is_toolbar(line: str) -> bool:
    """A line of several page tools (`[In bài] [Gửi email] [Về đầu trang]`, `In bài | Quay lại`)."""
    tools = [part for part in _TOOL_SEPARATORS.split(line) if part.strip()]
    return len(tools) >= 2 and all(_BOILERPLATE_LINE.match(tool.strip()) for tool in tools)


def is_date_line(line: str) -> bool:
    """A line that is nothing but a date (`19/09/2019 08:30 GMT+7`, `Thứ năm, 19/9/2019 - 08:30`,
    `Thứ Năm, ngày 19 tháng 9 năm 2019`): a few words around it at most, each a word of dates and
    bylines or a capitalised name (`Ngọc Hà | 15:20 04/06/2024`). Looser than the time stamps
    news.story_lines.is_boilerplate skips in every sentence: it reads only the lines under a headline.
    A story's short first sentence that holds a date (`Ngày 19/9/2019, tỉnh tổ chức hội nghị.`) has
    other words, and stays."""
    text = " ".join(line.split())
    if len(text) > _DATE_LINE_CHARS or find_date(text, UTC) is None:
        return False
    words = _WORD_WITHOUT_DIGITS.findall(text)
    return len(words) <= _DATE_LINE_WORDS and all(
        w[0].isupper() or w.casefold() in _DATE_LINE_VOCABULARY for w in words
    )


def author_from_line(line: str) -> str | None:
    """The name in a closing credit line (`Thanh Anh`, `Theo TTXVN`, `Nguồn: Báo Kiên Giang`)."""
    text = " ".join(line.split())
    if not text or len(text) > MAX_AUTHOR_CHARS + 10:
        return None
    credit = _CREDIT.match(text)
    if credit:
        return credit.group(1).strip()
    wrapped = _WRAPPED_BYLINE.fullmatch(text)
    if wrapped:  # `(Thanh Anh)`, `-Thanh Anh-`: the name inside, unless it is a place (`(Hà Nội)`)
        inner = next(group for group in wrapped.groups() if group is not None)
        return author_from_line(inner)
    if is_place_name(text):
        return None
    if len(text) > MAX_AUTHOR_CHARS or text[-1] in ".!?:;…,":
        return None
    name = re.sub(r"\s*\([^)]{1,30}\)$", "", text)  # "Thanh Anh (TTXVN)"
    words = name.split()
    names = " ".join(words).replace(" – ", " - ").replace(" & ", " - ").split(" - ")
    if not all(1 <= len(part.split()) <= MAX_AUTHOR_WORDS_EACH for part in names):
        return None
    if all(_NAME_WORD.match(w) and (w[0].isupper() or w in "-–&") for w in words):
        return name if _COMPILER_NOTE.search(text) else text
    return None


def byline_before_photo_credit(line: str) -> str | None:
    """The author's name of a closing line that also credits the photos (`LÊ MINH. Ảnh: DUY LINH`)."""
    start = credit_start(line)
    if not start:
        return None
    name = line[:start].rstrip(" .-–—|")
    return name if author_from_line(name) else None


def is_credit(line: str) -> bool:
    return bool(_CREDIT.match(" ".join(line.split())))
