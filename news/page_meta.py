"""What a page says about itself in its markup: titles, headings, dates, author, structured data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html

from news.htmltree import node_text
from news.urls import absolute_url, canonical_url

ARTICLE_TYPES = frozenset(
    {"article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle"}
)
_HEADING_XPATH = (
    "//h1 | //h2 | //h3 | //*[contains(@class, 'title') or contains(@class, 'tieu-de') or contains(@class, 'tieude')"
    " or contains(@class, 'headline')]"
)
MAX_HEADINGS = 80
MIN_HEADING_WORDS = 5  # Vietnamese titles run to 10-20 syllables; section names to 2-4
MIN_EQUAL_HEADING_WORDS = 2
MIN_SEGMENT_HEADING_WORDS = 3  # a heading that is the title's part before a separator; section names are 1-2
_WORD = re.compile(r"\w+")
_PUBLISHED_META = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//*[@itemprop='datePublished']/@datetime",
    "//meta[@name='pubdate' or @name='publishdate' or @name='PublishDate' or @name='dc.date'"
    " or @name='DC.date.issued' or @name='article:published_time']/@content",
)
_AUTHOR_META = ("//meta[@name='author']/@content", "//meta[@property='article:author']/@content")
_SITE_WORDS = re.compile(
    r"\b(?:báo|online|cổng thông tin|trang thông tin|trang tin|tạp chí|news|tin tức)\b|\.(?:vn|com|net)\b",
    re.I,
)
_TITLE_SEPARATOR = re.compile(r"\s+[-|–—»]\s+|\s*\|\s*")


@dataclass(slots=True)
class PageFacts:
    """Signals read once from the parsed page."""

    url: str
    og_title: str = ""
    html_title: str = ""
    site_name: str = ""
    canonical: str = ""
    language: str | None = None
    headings: list[str] = field(default_factory=list)
    # Headings that are links to another page: a listing's headlines, never the page's own.
    linked_headings: set[str] = field(default_factory=set)
    structured_types: set[str] = field(default_factory=set)
    published_values: list[str] = field(default_factory=list)
    author_values: list[str] = field(default_factory=list)

    @property
    def is_home_page(self) -> bool:
        """The site's root (or the root its canonical link names): never an article."""
        for address in (self.canonical, self.url):
            if address:
                return urlsplit(address).path in ("", "/") and not urlsplit(address).query
        return False

    @property
    def declares_article(self) -> bool:
        """Structured data or an article publication time, which home pages rarely carry."""
        return any(kind.endswith(("article", "posting")) for kind in self.structured_types)


def read_page_facts(root: lxml.html.HtmlElement, url: str) -> PageFacts:
    facts = PageFacts(url=url)
    facts.og_title = _first(root, "//meta[@property='og:title']/@content")
    facts.html_title = " ".join(_first(root, "//title/text()").split())
    facts.site_name = _first(root, "//meta[@property='og:site_name']/@content")
    facts.canonical = _first(root, "//link[@rel='canonical']/@href") or _first(
        root, "//meta[@property='og:url']/@content"
    )
    facts.language = _first(root, "/html/@lang") or None
    for node in root.xpath(_HEADING_XPATH)[:MAX_HEADINGS]:
        text = node_text(node)
        if len(text.split()) >= MIN_EQUAL_HEADING_WORDS and text not in facts.headings:
            facts.headings.append(text)
        if _links_elsewhere(node, text, url):
            facts.linked_headings.add(text)
    for xpath in _PUBLISHED_META:
        facts.published_values.extend(v.strip() for v in root.xpath(xpath) if v.strip())
    for xpath in _AUTHOR_META:
        facts.author_values.extend(v.strip() for v in root.xpath(xpath) if v.strip() and "://" not in v)
    _read_json_ld(root, facts)
    return facts


def _links_elsewhere(node: lxml.html.HtmlElement, text: str, url: str) -> bool:
    """Whether the heading is (or sits in) a link to another page than `url` (some CMSs link an
    article's headline to the article itself)."""
    links = node.xpath("ancestor-or-self::a[@href] | .//a[@href]")
    page = canonical_url(url)
    return any(
        node_text(link) == text
        and (target := absolute_url(url, link.get("href")))
        and canonical_url(target) != page
        for link in links
    )


def _first(root: lxml.html.HtmlElement, xpath: str) -> str:
    found = root.xpath(xpath)
    return str(found[0]).strip() if found else ""


def _read_json_ld(root: lxml.html.HtmlElement, facts: PageFacts) -> None:
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for node in _ld_nodes(data):
            kinds = node.get("@type")
            for kind in kinds if isinstance(kinds, list) else [kinds]:
                if isinstance(kind, str):
                    facts.structured_types.add(kind.lower())
            if isinstance(node.get("datePublished"), str):
                facts.published_values.append(node["datePublished"])
            for author in _as_list(node.get("author")):
                name = author.get("name") if isinstance(author, dict) else author
                if isinstance(name, str) and name.strip():
                    facts.author_values.append(name.strip())


def _ld_nodes(data: object) -> list[dict]:
    nodes: list[dict] = []
    stack = [data]
    while stack and len(nodes) < 50:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            nodes.append(item)
            stack.extend(_as_list(item.get("@graph")))
    return nodes


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def heading_matching_title(facts: PageFacts) -> str | None:
    """The article's own title, when a heading on the page repeats the document title.

    Words are compared, not characters (headings lose a colon, titles gain a site suffix):
    a heading equal to the title or to its part before a separator, or one of the two starting
    with the other, confirms it.
    The shorter of the two is the title without suffix or trailing teaser.
    """
    titles = [t for t in (facts.og_title, facts.html_title) if t]
    for heading in facts.headings:
        heading_words = _words(heading)
        for title in titles:
            title_words = _words(strip_site_suffix(title, facts.site_name, facts.url))
            if heading_words == title_words and len(heading_words) >= MIN_EQUAL_HEADING_WORDS:
                return heading
            if len(heading_words) >= MIN_SEGMENT_HEADING_WORDS and heading_words in _leading_segments(title):
                return heading
            shorter = min(len(heading_words), len(title_words))
            if shorter < MIN_HEADING_WORDS or heading_words[:shorter] != title_words[:shorter]:
                continue
            return (
                heading
                if len(heading_words) <= len(title_words)
                else strip_site_suffix(title, facts.site_name, facts.url)
            )
    return None


def _leading_segments(title: str) -> list[list[str]]:
    """The words of the title before each of its separators: `Headline - Site name` gives the
    headline whatever the site calls itself."""
    return [_words(title[: separator.start()]) for separator in _TITLE_SEPARATOR.finditer(title)]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def names_site(text: str, site_name: str, url: str) -> bool:
    """Whether `text` (a title segment) names the site: its og:site_name, its host or a word like
    `báo`, `cổng thông tin`, `.vn`."""
    host_label = (urlsplit(url).hostname or "").removeprefix("www.").split(".", 1)[0].casefold()
    text = text.strip()
    return bool(
        (site_name and text.casefold() == site_name.strip().casefold())
        or (host_label and host_label in text.casefold().replace(" ", ""))
        or _SITE_WORDS.search(text)
    )


def strip_site_suffix(title: str, site_name: str, url: str) -> str:
    """`Bài viết - Báo Mẫu Online` → `Bài viết`: drop trailing segments that name the site."""
    text = title.strip()
    while True:
        parts = _TITLE_SEPARATOR.split(text)
        if len(parts) < 2:
            return text
        if not names_site(parts[-1], site_name, url):
            return text
        separator = list(_TITLE_SEPARATOR.finditer(text))[-1]
        text = text[: separator.start()].strip()
