"""Table-driven rules for Vietnamese news portals: where the article is, and what of its body is the
story (the labelled lines around it are news.page_lines', its photo captions news.body_captions').
"""

from __future__ import annotations

import copy as copy_module
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html

from news.body_captions import join_photo_credits, without_captions
from news.captions import is_photo_credit
from news.page_lines import (
    READ_COUNT,
    author_from_line,
    byline_before_photo_credit,
    is_credit,
    is_metadata_line,
)


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


# A line that closes the article: what follows is tags, related links or comments.
_TAIL_MARKER = re.compile(
    r"^\W*(?:Từ\s+khóa|Từ\s+khoá|Tags?|Chủ\s+đề|Tin\s+cùng\s+chuyên\s+mục|Tin\s+liên\s+quan)\W*$", re.I
)
_HTML_WHITESPACE = re.compile(r"[ \t\r\n\f]+")  # not the no-break space, which is text
_PREFORMATTED = frozenset(("pre", "textarea"))


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
    if kept and (byline := byline_before_photo_credit(kept[-1])):
        kept[-1] = byline  # `LÊ MINH. Ảnh: DUY LINH`: the credit shares the byline's line
    kept = without_captions(kept)
    if len(kept) >= 2:
        author = author_from_line(kept[-1])
        if author:
            if len(kept) >= 3 and is_credit(kept[-1]) and not is_credit(kept[-2]):
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
