"""JSON Feed (https://jsonfeed.org, versions 1 and 1.1) → ParsedSource; feedparser 6 has no JSON support."""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from news.charset import decode_document, looks_misdecoded
from news.dates import WrittenDate
from news.entries import Entry, ParsedSource
from news.feed_text import (
    body_text,
    date_from_text,
    is_snippet,
    language_code,
    markup_to_text,
    title_text,
    without_controls,
)
from news.urls import absolute_url, names_no_article


def looks_like_json(body: bytes) -> bool:
    """Cheap check: the document's first non-blank character opens a JSON object."""
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def parse_json_feed(body: bytes, base_url: str, default_tz: tzinfo) -> ParsedSource | None:
    """The feed's items, or None when the document is not JSON or not a JSON Feed.

    JSON is UTF-8, but its strings may still be TCVN3/VNI text read as Latin-1, or mojibake: such
    a document is converted like any other (UndecodableError when that leaves it garbled).
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    legacy = None
    if looks_misdecoded(text):
        decoded = decode_document(body, "application/json; charset=utf-8")
        text, legacy = decoded.text, decoded.legacy
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict) or not _is_json_feed(document):
        return None
    # Item links resolve against the feed's own address, which may itself be relative (or junk).
    base = absolute_url(base_url, _str(document.get("feed_url"))) or base_url
    language = language_code(_str(document.get("language")))
    feed_authors = _authors(document)
    entries = [
        _entry(item, base, default_tz, language, feed_authors)
        for item in document.get("items") or ()
        if isinstance(item, dict)
    ]
    warnings = [f"legacy Vietnamese encoding converted: {legacy}"] if legacy else []
    title = title_text(_str(document.get("title"))) or None
    return ParsedSource(kind="rss", title=title, entries=entries, warnings=warnings)


def _is_json_feed(document: dict) -> bool:
    version = _str(document.get("version"))
    return "jsonfeed.org/version/" in version or isinstance(document.get("items"), list)


def _entry(
    item: dict, base_url: str, default_tz: tzinfo, language: str | None, feed_authors: list[str]
) -> Entry:
    link = _str(item.get("url")) or _str(item.get("external_url"))
    url = (absolute_url(base_url, link) if link else None) or ""  # not a web address: no link
    generic = bool(url) and names_no_article(url, base_url)
    body, has_content = _body(item)
    authors = _authors(item) or feed_authors
    return Entry(
        url=url,
        shared_url=generic,
        title=title_text(_str(item.get("title"))),
        guid=_item_id(item.get("id")) or (None if generic else url) or None,
        author=", ".join(authors) or None,
        **_published(item, default_tz),
        body=body,
        snippet_only=is_snippet(body, has_content),
        language=language_code(_str(item.get("language"))) or language,
        tags=[markup_to_text(tag, is_html=False) for tag in item.get("tags") or () if isinstance(tag, str)],
    )


def _body(item: dict) -> tuple[str, bool]:
    html, text = _str(item.get("content_html")), _str(item.get("content_text"))
    if html or text:
        return (body_text(html) if html else body_text(text, is_html=False)), True
    return body_text(_str(item.get("summary")), is_html=False), False


def _authors(node: dict) -> list[str]:
    """Names from `authors` (1.1) or `author` (1.0)."""
    found = node.get("authors")
    if not isinstance(found, list):
        found = [node.get("author")]
    names = []
    for author in found:
        if isinstance(author, dict) and _str(author.get("name")):
            names.append(markup_to_text(_str(author.get("name")), is_html=False))
    return names


def _published(item: dict, default_tz: tzinfo) -> dict[str, Any]:
    """The Entry's `published` (and `published_day`) from `date_published`, else `date_modified`."""
    found = _date(item.get("date_published"), default_tz) or _date(item.get("date_modified"), default_tz)
    return {"published": found.moment, "published_day": found.day} if found is not None else {}


def _date(value: Any, default_tz: tzinfo) -> WrittenDate | None:
    """RFC 3339 as the spec says (a value without a zone takes the source's), else whatever our
    date parser understands."""
    return date_from_text(_str(value), default_tz)


def _item_id(value: Any) -> str:
    """The item's id; the spec has a reader take a number as its string (many feeds write 301)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _str(value)


def _str(value: Any) -> str:
    return without_controls(value).strip() if isinstance(value, str) else ""
