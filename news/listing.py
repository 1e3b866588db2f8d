"""Find the article links of a listing page (a home or category page of a site with no feed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html
from cssselect import SelectorError

from news.htmltree import node_text, parse_html
from news.urls import absolute_url, canonical_url, same_site

# Path segments and words of links that lead to site furniture rather than to an article (share
# and send-by-email pages carry the article's id, but are no article).
_NAVIGATION = re.compile(
    r"/(?:tags?|category|categories|chuyen-muc|danh-muc|chu-de|topic|author|tac-gia|search|tim-kiem|"
    r"login|log-in|signin|sign-in|dang-nhap|register|dang-ky|logout|dang-xuat|contact|lien-he|gioi-thieu|"
    r"about|rss|feed|sitemap|so-do-site|page|trang|event|su-kien|print|printpage|in-bai|inbai|"
    r"searchresults?|ket-qua-tim-kiem|share|sharer|sendmail|send-mail|sendtofriend|email|gui-email|gui-mail)"
    r"(?:/|$|\.|\?)",
    re.IGNORECASE,
)
# Search and pagination parameters, and the print version of a page (`?print=1`, `?mode=print`).
_NAVIGATION_QUERY = re.compile(
    r"(?:^|&)(?:(?:q|s|k|keyword|keywords|tukhoa|search|page|trang|print)=|\w+=print(?:&|$))", re.IGNORECASE
)
_FILE_EXTENSION = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|mp3|mp4|avi)$", re.I)
_PAGE_EXTENSION = re.compile(r"\.(?:html?|aspx?|php|chn|vn|jsp)$", re.IGNORECASE)
# An article's id in the last path segment: a number of 3+ digits ending it (`-2042.html`,
# `-post123456.html`, `-123456.vov`) or opening it (Joomla's `123-ten-bai.html`). A year
# (`/2019/`, `nam-2019`, `2020-2025`) or an amount (`500-ty-dong`) is none.
_ID_TOKEN = re.compile(r"[a-z]{0,6}(\d{3,})", re.IGNORECASE)
_ANY_EXTENSION = re.compile(r"\.[a-z]{2,5}$", re.IGNORECASE)
_YEARS = range(1900, 2101)
_UNITS = frozenset(
    "ty trieu nghin ngan dong vnd usd euro ha hecta tan ta kg km m m2 m3 lit kw mw nguoi ca con cay nam "
    "thang ngay tuoi phan tram".split()
)
# An item's id in the query (`ItemID=`, `ArticleID=`, `NewsID=`, `id=`), not that of the menu tab,
# the category or the file a link opens (`tabid=`, `CategoryID=`, `CatID=`, `FileID=`).
_CONTAINER_ID = (
    r"(?:tab|cat|cate|category|categories|chuyenmuc|menu|zone|section|file|attach|attachment|"
    r"download|doc|document)id"
)
_ID_QUERY = re.compile(rf"(?:^|&)(?!{_CONTAINER_ID}=)\w*id=\d+", re.IGNORECASE)
# The same as path segments (DotNetNuke: `/tabid/55/ArticleID/2038/Default.aspx`).
_ID_PATH = re.compile(rf"/(?!{_CONTAINER_ID}/)\w*id/\d+(?:/|$)", re.IGNORECASE)
_SLUG_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)

MIN_ANCHOR_WORDS = 6  # syllables: a Vietnamese headline has 10-20
MIN_SLUG_WORDS = 6


@dataclass(slots=True)
class _Candidate:
    url: str
    anchor_words: int


def find_article_links(html: str, base_url: str, selector: str | None, limit: int = 50) -> list[str]:
    """Canonical URLs of the page's article links, in page order, without duplicates.

    With a CSS `selector`, the links it matches (or that sit inside what it matches) are taken
    as they are; without one, same-site links that look like articles are discovered.
    """
    root = parse_html(html)
    if root is None or limit <= 0:
        return []
    base = _document_base(root, base_url)
    if selector:
        return _selected_links(root, base, selector, limit)
    return _discovered_links(root, base, limit)


def _document_base(root: lxml.html.HtmlElement, base_url: str) -> str:
    """A `<base href>` in the page overrides the URL it was fetched from."""
    for href in root.xpath("//base/@href")[:1]:
        resolved = absolute_url(base_url, href)
        if resolved:
            return resolved
    return base_url


def _anchors(nodes: list[lxml.html.HtmlElement]) -> list[lxml.html.HtmlElement]:
    anchors = []
    for node in nodes:
        if node.tag == "a" and node.get("href") is not None:
            anchors.append(node)
        else:
            anchors.extend(a for a in node.iter("a") if a.get("href") is not None)
    return anchors


def _selected_links(root: lxml.html.HtmlElement, base: str, selector: str, limit: int) -> list[str]:
    try:
        nodes = root.cssselect(selector)
    except SelectorError as error:
        raise ValueError(f"invalid CSS selector {selector!r}: {error}") from error
    links: list[str] = []
    seen: set[str] = set()
    for anchor in _anchors(nodes):
        resolved = absolute_url(base, anchor.get("href", ""))
        if not resolved:
            continue
        url = canonical_url(resolved)
        if _article_key(url) not in seen:
            seen.add(_article_key(url))
            links.append(url)
            if len(links) >= limit:
                break
    return links


def _discovered_links(root: lxml.html.HtmlElement, base: str, limit: int) -> list[str]:
    # Several anchors often lead to one article (thumbnail, title, "more"): judge the URL by its
    # best anchor, place it where it first appears.
    candidates: dict[str, _Candidate] = {}
    page = canonical_url(base)
    for anchor in root.iter("a"):
        resolved = absolute_url(base, anchor.get("href") or "")
        if not resolved or not _is_same_site(resolved, base):
            continue
        url = canonical_url(resolved)
        if _article_key(url) == _article_key(page):
            continue
        words = len((node_text(anchor) or anchor.get("title") or "").split())
        known = candidates.get(_article_key(url))
        if known is None:
            candidates[_article_key(url)] = _Candidate(url, words)
        elif words > known.anchor_words:
            known.anchor_words = words
    links = [c.url for c in candidates.values() if _looks_like_article(c)]
    return links[:limit]


def _article_key(url: str) -> str:
    """What tells a canonical URL's article apart: listings link one article with and without
    a trailing slash (`/tin/bai-viet/` and `/tin/bai-viet`)."""
    parts = urlsplit(url)
    if len(parts.path) > 1 and parts.path.endswith("/"):
        return parts._replace(path=parts.path.rstrip("/") or "/").geturl()
    return url


def _is_same_site(url: str, base: str) -> bool:
    """Same host, or one a subdomain of the other (vnexpress.net and kinhdoanh.vnexpress.net).

    A file:// listing (a bundled sample, a saved page) has no host: its site is the directory
    tree it sits in, so links into that directory or below count and nothing else on the disk.
    """
    if urlsplit(base).scheme.lower() == "file" or urlsplit(url).scheme.lower() == "file":
        return _in_directory_tree(url, base)
    if same_site(url, base):
        return True
    host, base_host = _bare_host(url), _bare_host(base)
    if not host or not base_host:
        return False
    return host.endswith("." + base_host) or base_host.endswith("." + host)


def _in_directory_tree(url: str, base: str) -> bool:
    # Canonical forms: dot segments (escaped ones too) are resolved before the prefix test.
    target, origin = urlsplit(canonical_url(url)), urlsplit(canonical_url(base))
    if target.scheme.lower() != "file" or origin.scheme.lower() != "file" or target.netloc != origin.netloc:
        return False
    return target.path.startswith(origin.path.rsplit("/", 1)[0] + "/")


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _looks_like_article(candidate: _Candidate) -> bool:
    parts = urlsplit(candidate.url)
    path = parts.path
    if parts.scheme not in ("http", "https", "file") or path in ("", "/"):
        return False
    if _NAVIGATION.search(path) or _NAVIGATION_QUERY.search(parts.query) or _FILE_EXTENSION.search(path):
        return False
    last_segment = path.rstrip("/").rsplit("/", 1)[-1]
    slug_words = len(_SLUG_WORD.findall(_PAGE_EXTENSION.sub("", last_segment)))
    has_id = _has_numeric_id(last_segment) or bool(_ID_QUERY.search(parts.query) or _ID_PATH.search(path))
    long_slug = slug_words >= MIN_SLUG_WORDS
    if candidate.anchor_words >= MIN_ANCHOR_WORDS:
        # A headline-like anchor with an article-like address (`/tin-tuc/2037.html`).
        return has_id or long_slug or _numbered_page(last_segment)
    # An image-only or short anchor counts only when the address is unmistakably an article.
    return has_id and long_slug


def _has_numeric_id(segment: str) -> bool:
    """Whether the last path segment carries an article's number (see _ID_TOKEN)."""
    words = _SLUG_WORD.findall(_ANY_EXTENSION.sub("", segment).lower())
    if not words:
        return False
    return _is_id_word(words[-1]) or (words[0].isdigit() and _is_id_word(words[0]) and not _is_amount(words))


def _is_id_word(word: str) -> bool:
    match = _ID_TOKEN.fullmatch(word)
    return match is not None and not (len(match.group(1)) == 4 and int(match.group(1)) in _YEARS)


def _is_amount(words: list[str]) -> bool:
    """A number opening the slug that a unit follows (`500-ty-dong-…`)."""
    return len(words) > 1 and words[1] in _UNITS


def _numbered_page(segment: str) -> bool:
    """A page named by its number (`/tin-tuc/2037.html`, `bai-12.html`), not by a year (`dai-hoi-2020.html`)."""
    if not _PAGE_EXTENSION.search(segment):
        return False
    stem = _PAGE_EXTENSION.sub("", segment)
    words = _SLUG_WORD.findall(stem)
    return stem.isdigit() or (bool(words) and words[-1].isdigit() and int(words[-1]) not in _YEARS)
