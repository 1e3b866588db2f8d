"""Extract one article (title, date, author, body, read count) from a news page.

trafilatura finds the main text on unknown layouts and reads metadata; the site rules add
what it does not know about Vietnamese portals (labelled date and counter lines, closing
author lines, portal CMS layouts). A page that is not an article (a home or listing page)
gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import trafilatura

from news import page_lines, site_rules
from news.dates import WrittenDate, find_written_date, parse_written_date
from news.entries import Entry
from news.feed_text import language_code
from news.htmltree import node_text, parse_html
from news.page_meta import (
    MIN_HEADING_WORDS,
    PageFacts,
    heading_matching_title,
    names_site,
    read_page_facts,
    strip_site_suffix,
)
from news.text import html_to_text, normalize_text

MIN_ARTICLE_CHARS = 250  # shorter main text: a teaser, a gallery or a listing
MIN_UNDATED_ARTICLE_CHARS = 1000
MIN_PARAGRAPHS = 3
MAX_LINK_SHARE = 0.5
_DATE_WINDOW_CHARS = 300  # an unlabelled date right under the title
_MAX_LINES_ABOVE_TITLE = 3  # section name, breadcrumb: what extraction keeps above the title
_MAX_HEADER_LINE_CHARS = 80
# A table cell holding several paragraphs is page layout (old portals), not a data table.
_LAYOUT_TABLE_XPATH = "//td[count(.//p) >= 3 or count(.//div//p) >= 2]"
_WORD = re.compile(r"\w+")
# The title of an error page that a CMS serves with HTTP 200 (a removed article's address).
_ERROR_PAGE_TITLE = re.compile(
    r"\b(?:(?:lỗi|error)\s*404|404\s*(?:error|not\s+found)|page\s+not\s+found"
    r"|không\s+tìm\s+thấy\s+(?:trang|bài\s+viết|nội\s+dung|tin\s+bài|dữ\s+liệu|đường\s+dẫn|liên\s+kết)"
    r"|(?:trang|bài\s+viết|nội\s+dung|tin\s+bài|đường\s+dẫn|liên\s+kết)(?:\s+\w+){0,3}\s+không\s+tồn\s+tại)\b"
    r"|^\W*404\b",
    re.IGNORECASE,
)
_MAX_ERROR_TITLE_WORDS = 10  # a headline that merely contains such words is longer
_ELLIPSES = ("...", "…")
_HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_HTMLDATE_MIDNIGHT = "T00:00:00"  # as _HTMLDATE_FORMAT writes a day without time or zone
_AUTHOR_NOISE = ("vn", "com", "corp", "jsc", "online", "news")
# The photographer's credit that CMSs put in the author field after the name (`LÂM THẢO. Ảnh: DUY
# LINH`, which trafilatura reads as `LÂM THẢO Ảnh DUY LINH`). Case matters: `Ánh` is a given name.
_CREDIT_IN_AUTHOR = re.compile(r"[\s.,;|–-]+(?:Ảnh|ẢNH|Photo|PHOTO|Video|VIDEO|Đồ\s+họa|ĐỒ\s+HỌA)\b")


@dataclass(slots=True)
class _MainText:
    """The page's article candidate before the is-it-an-article verdict."""

    root: lxml.html.HtmlElement
    facts: PageFacts
    extracted: Any  # trafilatura's Document, or None
    from_layout_rule: bool
    title: str
    title_from_heading: bool
    lines: list[str]
    author_line: str | None


def extract_article(html: str, url: str, default_tz: tzinfo) -> Entry | None:
    """The article on `html`, or None when the page is not an article."""
    main = _main_text(html, url, home_page_is_none=True)
    if main is None or not main.title:
        return None
    body = "\n\n".join(main.lines)
    page_text = _body_text(main.root)
    anchor = _title_anchor(page_text, main.title, default_tz)
    written = _published(main.facts, page_text, anchor, default_tz, main.extracted)
    published = written.moment.astimezone(UTC) if written is not None else None
    if not _is_article(main, body, published):
        return None
    return Entry(
        url=url,
        title=main.title,
        author=main.author_line or _meta_author(main.facts, main.extracted),
        published=published,
        published_day=written.day if written is not None else None,
        body=body,
        read_count=page_lines.find_read_count(page_text, anchor or 0),
        language=language_code(main.facts.language),
    )


def extract_body(html: str, url: str) -> str | None:
    """Title and body text as extract_article finds them, whether or not the page is an article
    (for measuring extraction quality apart from the verdict)."""
    main = _main_text(html, url)
    if main is None:
        return None
    return "\n\n".join([main.title, *main.lines])


def _main_text(html: str, url: str, home_page_is_none: bool = False) -> _MainText | None:
    root = parse_html(html)
    if root is None:
        return None
    facts = read_page_facts(root, url)
    if home_page_is_none and facts.is_home_page:
        return None  # before the costly extraction: home pages are what listing sources poll
    rules = site_rules.rule_for(url)
    body_node = _rule_body(root, rules)
    extracted = _trafilatura(html, url, layout_tables=bool(root.xpath(_LAYOUT_TABLE_XPATH)))
    title, title_from_heading = _title(root, rules, facts, extracted)
    if body_node is not None:
        clean_node = site_rules.body_without_furniture(body_node)
        raw_body = html_to_text(lxml.html.tostring(clean_node, encoding="unicode"))
    else:
        raw_body = normalize_text(extracted.text or "") if extracted is not None else ""
    lines, author_line = site_rules.split_body_and_author(_body_lines(raw_body, title))
    return _MainText(
        root, facts, extracted, body_node is not None, title, title_from_heading, lines, author_line
    )


def _is_article(main: _MainText, body: str, published: datetime | None) -> bool:
    """Enough text that is not a list of headlines, and some sign that it is one story: structured
    data, a layout rule, or a heading repeating the page title with a date or a long body."""
    if len(body) < MIN_ARTICLE_CHARS or _mostly_links(main.lines, main.root) or _is_error_page(main):
        return False
    if main.facts.declares_article or main.facts.published_values or main.from_layout_rule:
        return True
    long_enough = len(body) >= MIN_UNDATED_ARTICLE_CHARS and len(main.lines) >= MIN_PARAGRAPHS
    return main.title_from_heading and (published is not None or long_enough)


def _is_error_page(main: _MainText) -> bool:
    """A "page not found" served as an ordinary page: its heading or document title says so."""
    facts = main.facts
    titles = (main.title, strip_site_suffix(facts.og_title or facts.html_title, facts.site_name, facts.url))
    return any(
        len(title.split()) <= _MAX_ERROR_TITLE_WORDS and _ERROR_PAGE_TITLE.search(title) for title in titles
    )


def _rule_body(
    root: lxml.html.HtmlElement, rules: tuple[site_rules.LayoutRule, ...]
) -> lxml.html.HtmlElement | None:
    for rule in rules:
        node = site_rules.select_first(root, rule.body)
        if node is not None and len(node_text(node)) >= site_rules.MIN_RULE_BODY_CHARS:
            return node
    return None


def _trafilatura(html: str, url: str, layout_tables: bool):
    """trafilatura's main text and metadata; tables are dropped on table-layout pages, where
    keeping them would flatten the whole page into one row."""
    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=not layout_tables,
            include_images=False,
            date_extraction_params={
                "extensive_search": True,
                "original_date": True,
                "outputformat": _HTMLDATE_FORMAT,
            },
        )
    except Exception:  # trafilatura fails in many ways on broken markup; the page then has no article
        return None


def _title(root, rules, facts: PageFacts, extracted) -> tuple[str, bool]:
    """The article's title and whether a heading on the page confirms it."""
    for rule in rules:
        node = site_rules.select_first(root, rule.title) if rule.title else None
        if node is not None and node_text(node):
            return normalize_text(node_text(node)), True
    heading = heading_matching_title(facts)
    full = facts.og_title or facts.html_title or (extracted.title if extracted is not None else "") or ""
    site_name = facts.site_name or (extracted.sitename if extracted is not None else "") or ""
    stripped = " ".join(strip_site_suffix(full, site_name, facts.url).split())
    if _generic_title(stripped, site_name, facts.url):
        # The document title is the portal's or the section's name (a banner heading may repeat
        # it): the headline is the one heading that a date line follows, unless the matching one
        # is. Several dated headings are a listing's headlines, and so are dated headings that
        # link to other pages: with no other, the page is a listing (a featured story's teaser
        # under its linked headline is no article).
        page_text = _body_text(root)
        dated = [h for h in facts.headings if _date_follows(page_text, h, facts.headings)]
        own = [h for h in dated if h not in facts.linked_headings]
        if len(own) == 1 and not (heading and _date_follows(page_text, heading, facts.headings)):
            return normalize_text(own[0]), True
        if dated and not own:
            return "", False
    if heading:
        return normalize_text(heading), True
    return normalize_text(stripped), False


def _generic_title(title: str, site_name: str, url: str) -> bool:
    """A document title that is no headline: too short for one, or the site's name alone."""
    return len(_WORD.findall(title)) < MIN_HEADING_WORDS or names_site(title, site_name, url)


def _date_follows(page_text: str, heading: str, headings: list[str]) -> bool:
    """Whether one of the two lines after the heading's first occurrence is a date line, before
    any other heading (a banner's next line is the headline, whose date is not the banner's)."""
    if len(heading.split()) < MIN_HEADING_WORDS:
        return False
    start = page_text.find(heading)
    if start < 0:
        return False
    rest = page_text[start + len(heading) : start + len(heading) + _DATE_WINDOW_CHARS].split("\n")[1:]
    for line in [line.strip() for line in rest if line.strip()][:2]:
        if line in headings:
            return False
        if page_lines.is_date_line(line) or page_lines.DATE_LABEL.match(line):
            return True
    return False


def _body_lines(text: str, title: str) -> list[str]:
    """The body's lines without the article header that extraction may keep above them: short
    section or breadcrumb lines, the title, and the date lines right under it."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    head = lines[: _MAX_LINES_ABOVE_TITLE + 1]
    if title and title in head:
        above = head.index(title)
        if all(len(line) <= _MAX_HEADER_LINE_CHARS for line in lines[:above]):
            lines = lines[above + 1 :]
    # Under the title, or opening the text when the title sits outside it (a page header).
    while lines and page_lines.is_date_line(lines[0]):
        lines = lines[1:]
    return lines[1:] if _repeated_teaser(lines) else lines


def _repeated_teaser(lines: list[str]) -> bool:
    """Whether the first line is a teaser cut with an ellipsis that the next line gives whole (a
    sapo `Thị trường tiếp tục giảm điểm...` over the paragraph it was cut from)."""
    if len(lines) < 2 or not lines[0].endswith(_ELLIPSES):
        return False
    teaser = lines[0].removesuffix("...").removesuffix("…").rstrip()
    return bool(teaser) and lines[1].startswith(teaser)


def _body_text(root: lxml.html.HtmlElement) -> str:
    """The visible text of the page body, blocks on their own lines (the <head> left out)."""
    body = root.find("body")
    return html_to_text(lxml.html.tostring(body if body is not None else root, encoding="unicode"))


def _title_anchor(page_text: str, title: str, default_tz: tzinfo) -> int | None:
    """Where the article header ends in the page text: after the occurrence of the title that
    a labelled date follows closely (sidebars repeat titles), else after its first occurrence."""
    if not title:
        return None
    occurrences = []
    start = page_text.find(title)
    while start >= 0 and len(occurrences) < 10:
        occurrences.append(start + len(title))
        start = page_text.find(title, start + 1)
    for end in occurrences:
        window = page_text[end : end + _DATE_WINDOW_CHARS]
        if page_lines.find_labelled_date(window, default_tz) is not None:
            return end
    return occurrences[0] if occurrences else None


def _published(
    facts: PageFacts, page_text: str, anchor: int | None, default_tz: tzinfo, extracted
) -> WrittenDate | None:
    """Structured metadata first, then a labelled date after the title, then an unlabelled
    date just under it, then trafilatura's (htmldate's) guess."""
    for value in facts.published_values:
        found = parse_written_date(value, default_tz)
        if found is not None:
            return found
    found = page_lines.find_labelled_date(page_text, default_tz, anchor or 0)
    if found is None and anchor is not None:
        found = find_written_date(page_text[anchor : anchor + _DATE_WINDOW_CHARS], default_tz)
    if found is None and extracted is not None and extracted.date:
        found = _htmldate_date(extracted.date, default_tz)
    return found


def _htmldate_date(value: str, default_tz: tzinfo) -> WrittenDate | None:
    """trafilatura's (htmldate's) date. Where it read no time (a date in the address, a `<time>`
    with a day) it writes midnight without a zone: that is the day alone."""
    if value.endswith(_HTMLDATE_MIDNIGHT):
        value = value.removesuffix(_HTMLDATE_MIDNIGHT)
    return parse_written_date(value, default_tz)


def _mostly_links(lines: list[str], root: lxml.html.HtmlElement) -> bool:
    """A listing's main text is headlines: most of its characters are link texts."""
    if not lines:
        return False
    anchors = {node_text(a) for a in root.iter("a")}
    linked = sum(len(line) for line in lines if line in anchors)
    return linked > MAX_LINK_SHARE * sum(len(line) for line in lines)


def _meta_author(facts: PageFacts, extracted) -> str | None:
    """An author named in the page's metadata, without the publisher names CMSs put there."""
    candidates = list(facts.author_values)
    if extracted is not None and extracted.author:
        candidates.extend(extracted.author.split(";"))
    publisher = {facts.site_name.casefold(), _host_label(facts.url)} - {""}
    for candidate in candidates:
        name = _CREDIT_IN_AUTHOR.split(" ".join(candidate.split()), maxsplit=1)[0].strip(" -–|,;:.")
        words = name.casefold().split()
        if not name or len(words) > 6 or any(w in _AUTHOR_NOISE or "." in w for w in words):
            continue
        if name.casefold() in publisher or any(p in name.casefold().replace(" ", "") for p in publisher):
            continue
        return normalize_text(name)
    return None


def _host_label(url: str) -> str:
    """`https://www.vnexpress.net/x` → `vnexpress`."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host.split(".", 1)[0]
