"""Table-driven rules for Vietnamese news portals: where the article is, and the labelled lines
around it (`Ngày: 19.09.2019`, `Số lần đọc:1044`, an author line) that generic extraction misses.
"""

from __future__ import annotations

import copy as copy_module
import re
from dataclasses import dataclass
from datetime import UTC, tzinfo
from itertools import islice
from urllib.parse import urlsplit

import lxml.html

from news.captions import credit_start, is_photo_credit, may_hold_a_credit
from news.dates import WrittenDate, find_date, find_written_date
from news.place_names import is_place_name
from news.sentences import split_line
from news.story_lines import is_caption_line


@dataclass(frozen=True, slots=True)
class LayoutRule:
    """CSS selectors of one portal layout, tried in order; the first that matches wins."""

    name: str
    body: tuple[str, ...]
    title: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()  # host suffixes the rule is limited to; empty: any site

    def applies_to(self, host: str) -> bool:
        return not self.hosts or any(host == h or host.endswith("." + h) for h in self.hosts)


LAYOUT_RULES: tuple[LayoutRule, ...] = (
    LayoutRule(
        "vnexpress", body=("article.fck_detail",), title=("h1.title-detail",), hosts=("vnexpress.net",)
    ),
    LayoutRule(
        "dantri",
        body=("div.singular-content", "div.dt-news__content", "div#divNewsContent"),
        title=("h1.title-page", "h1.dt-news__title", "h1.fon31"),
        hosts=("dantri.com.vn",),
    ),
    LayoutRule(
        "tuoitre",
        body=("div#main-detail-body", "div.detail-content", "div.fck"),
        title=("h1.article-title", "h1.detail-title"),
        hosts=("tuoitre.vn",),
    ),
    # Government and party portals (provincial CMSs): one detail block holding the title,
    # a date line, the body, an author line and a read counter.
    LayoutRule(
        "portal-cms",
        body=(
            "div.news-detail div.news-content",
            "div.news-detail div.content",
            "div.ArticleDetail div.ArticleContent",
            "div.ArticleContent",
            "div.chitiet-noidung",
            "div.noidung-chitiet",
            "div.detail-news-content",
            "div.journal-content-article",
            "div.ms-rtestate-field",
        ),
        title=(
            "div.news-detail .news-title",
            "div.news-detail .title",
            "div.ArticleDetail .ArticleTitle",
            ".chitiet-tieude",
            ".tieude-chitiet",
        ),
    ),
)

MIN_RULE_BODY_CHARS = 200
# Blocks inside an article body that belong to the page, not the story: related-news lists,
# share bars.
BODY_EXCLUDE = (
    "ul.list-news",
    ".list_link",
    "[class*=related]",
    "[class*=lien-quan]",
    "[class*=lienquan]",
    "[class*=share]",
    "[class*=social]",
)

_NUMBER = r"\d{1,3}(?:[.,\u00a0 ]\d{3})+|\d+"
# The number must not run on into a date or a time (`Lượt xem: 19.09.2019` is not a count); `1,2K`
# is thousands.
READ_COUNT = re.compile(
    r"(?:Số\s+lần\s+(?:đọc|xem)|Số\s+lượt\s+(?:xem|đọc|truy\s+cập)|Lượt\s+(?:xem|đọc|truy\s+cập)|Lần\s+đọc|Đã\s+xem)"
    rf"\s*:?\s*(?:(\d+(?:[.,]\d)?)\s*K(?!\w)|({_NUMBER})(?![\d.,/:-]*\d))",
    re.IGNORECASE,
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
# A line that closes the article: what follows is tags, related links or comments.
_TAIL_MARKER = re.compile(
    r"^\W*(?:Từ\s+khóa|Từ\s+khoá|Tags?|Chủ\s+đề|Tin\s+cùng\s+chuyên\s+mục|Tin\s+liên\s+quan)\W*$", re.I
)
# `Bài:` / `Tin:` alone (the story's writer) need their colon: `Bài học …` opens prose.
_CREDIT = re.compile(
    r"^\(?\s*(?:(?:Theo|Nguồn|Tác\s+giả|(?:Bài|Tin)(?:\s+và|\s*[,&–-])\s*ảnh)\s*:?|(?:Bài(?:\s+viết)?|Tin)\s*:)"
    r"\s+(.{2,60}?)\s*\)?\.?$",
    re.I,
)
# Captions are the story's text in a photo story: when they hold this share of the body, they stay.
MAX_CAPTION_SHARE = 0.5
# A caption's description with its credit alone in the next block (`Quang cảnh hội nghị.` / `Ảnh: T.L`):
# one sentence of at most this many characters.
MAX_DESCRIPTION_CHARS = 200
_PHOTO_TAGS = ("img", "picture")
_CAPTION_CONTAINERS = frozenset(("figure", "figcaption"))
_BLANK_LINES = re.compile(r"\n{3,}")
_HTML_WHITESPACE = re.compile(r"[ \t\r\n\f]+")  # not the no-break space, which is text
_PREFORMATTED = frozenset(("pre", "textarea"))
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
_WRAPPED_BYLINE = re.compile(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]|[-–—]+\s*([^-–—]+?)\s*[-–—]+")


def rule_for(url: str) -> tuple[LayoutRule, ...]:
    """The layout rules that may apply to a page at `url`, site-specific ones first."""
    host = (urlsplit(url).hostname or "").lower()
    return tuple(rule for rule in LAYOUT_RULES if rule.applies_to(host))


def select_first(root: lxml.html.HtmlElement, selectors: tuple[str, ...]) -> lxml.html.HtmlElement | None:
    for selector in selectors:
        found = root.cssselect(selector)
        if found:
            return found[0]
    return None


def body_without_furniture(node: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of a body node without the BODY_EXCLUDE blocks (the page tree stays intact)."""
    copy = copy_module.deepcopy(node)
    copy.tail = None
    for selector in BODY_EXCLUDE:
        for furniture in copy.cssselect(selector):
            furniture.drop_tree()
    _collapse_source_whitespace(copy)
    join_photo_credits(copy)
    return copy


def _collapse_source_whitespace(node: lxml.html.HtmlElement) -> None:
    """Line breaks and indentation of the HTML source are one space, as a browser shows them (a
    wrapped `<p>` is one paragraph); `<br>` and blocks still break lines, `<pre>` keeps its own."""
    for element in node.iter():
        if isinstance(element.tag, str) and element.text and not _preformatted(element):
            element.text = _HTML_WHITESPACE.sub(" ", element.text)
        if element.tail and element is not node and not _preformatted(element.getparent()):
            element.tail = _HTML_WHITESPACE.sub(" ", element.tail)


def _preformatted(element: lxml.html.HtmlElement | None) -> bool:
    return element is not None and any(e.tag in _PREFORMATTED for e in (element, *element.iterancestors()))


def parse_count(text: str) -> int:
    """`1.044`, `1,044`, `1 044` → 1044."""
    return int(re.sub(r"\D", "", text))


def find_read_count(text: str, start: int = 0) -> int | None:
    """The first read counter at or after `start`, else the first anywhere. Thousands may be
    shortened (`1,2K`: the comma is the Vietnamese decimal mark)."""
    match = READ_COUNT.search(text, start) or (READ_COUNT.search(text) if start else None)
    if match is None:
        return None
    thousands, count = match.groups()
    return round(float(thousands.replace(",", ".")) * 1000) if thousands else parse_count(count)


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
    if not stripped:
        return True
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
        return text
    return None


def split_body_and_author(lines: list[str]) -> tuple[list[str], str | None]:
    """Drop metadata lines; take a short closing name line off the end as the author.

    A credit naming the source (`Nguồn: Báo Mẫu`, `Theo TTXVN`) may follow the reporter's name
    line: both close the article, and the reporter is its author."""
    for index, line in enumerate(lines):
        if index > 0 and _TAIL_MARKER.match(line.strip()):
            lines = lines[:index]
            break
    kept = [line for line in map(_without_counter, lines) if not is_metadata_line(line)]
    while len(kept) >= 2 and is_photo_credit(kept[-1]):
        kept.pop()  # the photographer's credit after the byline (`(Ảnh: Minh Anh)`) is not the story
    if kept and (byline := _byline_before_photo_credit(kept[-1])):
        kept[-1] = byline  # `LÊ MINH. Ảnh: DUY LINH`: the credit shares the byline's line
    kept = without_captions(kept)
    if len(kept) >= 2:
        author = author_from_line(kept[-1])
        if author:
            if len(kept) >= 3 and _is_credit(kept[-1]) and not _is_credit(kept[-2]):
                reporter = author_from_line(kept[-2])
                if reporter:
                    return kept[:-2], reporter
            return kept[:-1], author
    return kept, None


def _without_counter(line: str) -> str:
    """A byline without the read counter that shares its line (`Thanh Anh - Số lần đọc: 1044`);
    any other line as it is."""
    counter = READ_COUNT.search(line)
    if counter is None:
        return line
    rest = (line[: counter.start()] + line[counter.end() :]).strip(" -–|·,;")
    return rest if rest and author_from_line(rest) else line


def without_captions(lines: list[str]) -> list[str]:
    """The body's lines without photo captions (`Quang cảnh hội nghị. Ảnh: T.L`, `(Ảnh: TTXVN)`): a
    caption describes a picture the text does not show (see `join_photo_credits` for a description
    and its credit on two lines). A paragraph that ends with a credit keeps its sentences
    (news.sentences.is_caption_line), a byline crediting the photos too (`Bài và ảnh: Minh Anh`)
    stays for the author, and a photo story, mostly captions, keeps them all."""
    return [line for line, caption in zip(lines, _caption_flags(lines), strict=True) if not caption]


def text_without_captions(text: str) -> str:
    """`without_captions` for a text whose paragraphs are apart by blank lines (a feed's body)."""
    if not may_hold_a_credit(text.lower()):
        return text  # the common case, decided without reading line by line
    lines = text.split("\n")
    filled = [index for index, line in enumerate(lines) if line.strip()]
    captions = {
        index
        for index, caption in zip(filled, _caption_flags([lines[i] for i in filled]), strict=True)
        if caption
    }
    if not captions:
        return text
    kept = "\n".join(line for index, line in enumerate(lines) if index not in captions)
    return _BLANK_LINES.sub("\n\n", kept).strip()


def _caption_flags(lines: list[str]) -> list[bool]:
    """Which lines are photo captions (lines that end with a credit); none when captions hold more than
    MAX_CAPTION_SHARE of the text."""
    captions = [is_caption_line(line) and not _is_credit(line) for line in lines]
    caption_chars = sum(len(line) for line, caption in zip(lines, captions, strict=True) if caption)
    if caption_chars > MAX_CAPTION_SHARE * sum(len(line) for line in lines):
        return [False] * len(lines)
    return captions


def join_photo_credits(node: lxml.html.HtmlElement) -> None:
    """Move a photo credit that stands alone in the block after a caption's description (`<p><em>Quang
    cảnh hội nghị.</em></p><p>Ảnh: T.L</p>` under a photo) onto the description's line, where the caption
    rules (`without_captions`) see the caption whole. Only where the markup says it is a caption: the
    description follows a photo or sits in a figure. A credit alone after the story's paragraph (a photo
    with no description) stays apart, and takes only itself."""
    if not may_hold_a_credit(node.text_content().lower()):
        return  # the common case, decided without walking the tree
    for credit in _lone_credits(node):
        description = credit.getprevious()
        if description is None or not _under_a_photo(description):
            continue
        if _may_describe_a_photo(" ".join(description.text_content().split())):
            _append_text(description, " " + " ".join(credit.text_content().split()))
            credit.drop_tree()


def _lone_credits(node: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The outermost elements under `node` whose whole text is a photo credit (`<p><em>Ảnh: T.L</em></p>`
    gives the `p`)."""
    found = []
    for element in node.iterdescendants():
        if not isinstance(element.tag, str) or found and found[-1] in element.iterancestors():
            continue
        if is_photo_credit(" ".join(element.text_content().split())):
            found.append(element)
    return found


def _under_a_photo(description: lxml.html.HtmlElement) -> bool:
    """A block that holds a photo, follows one, or sits in a figure."""
    before = description.getprevious()
    return (
        _holds_a_photo(description)
        or (before is not None and _holds_a_photo(before))
        or any(ancestor.tag in _CAPTION_CONTAINERS for ancestor in description.iterancestors())
    )


def _holds_a_photo(element: lxml.html.HtmlElement) -> bool:
    return next(element.iter(*_PHOTO_TAGS), None) is not None


def _append_text(element: lxml.html.HtmlElement, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _may_describe_a_photo(line: str) -> bool:
    """A line that may be a caption's description: one short sentence, no author's name or credit."""
    return (
        len(line) <= MAX_DESCRIPTION_CHARS
        and len(list(islice(split_line(line.strip()), 2))) == 1
        and author_from_line(line) is None
        and not _is_credit(line)
        and not is_metadata_line(line)
    )


def _byline_before_photo_credit(line: str) -> str | None:
    """The author's name of a closing line that also credits the photos (`LÊ MINH. Ảnh: DUY LINH`)."""
    start = credit_start(line)
    if not start:
        return None
    name = line[:start].rstrip(" .-–—|")
    return name if author_from_line(name) else None


def _is_credit(line: str) -> bool:
    return bool(_CREDIT.match(" ".join(line.split())))
