"""Parse a fetched feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into a ParsedSource.

This is the hot path of polling: feedparser does the XML work, we only convert its result.
feedparser's own HTML sanitising and relative-URI rewriting are switched off because every
HTML field is reduced to plain text here anyway (and they cost about a third of its time).
"""

from __future__ import annotations

import codecs
import io
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

import feedparser

from news.charset import (
    BLANKS_AND_BOM,
    LEADING_BLANKS_AND_BOMS,
    UndecodableError,
    byte_order_codec,
    decode_document,
    looks_misdecoded,
)
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
from news.jsonfeed import looks_like_json, parse_json_feed
from news.urls import absolute_url, names_no_article


class FeedParseError(ValueError):
    """The document yields nothing feed-like (no feed version and no entries)."""


_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_UTF8_NAMES = {"utf-8", "utf8"}
# An explicit offset or zone right after the time at the end of a date string ("08:30:00 +0700",
# "08:30:00.25+07:00", "08:30Z", "08:30:00 GMT"): feedparser reads those right. Without one it
# assumes UTC (we assume the source's zone); after "GMT " or "PM " it drops the offset or the PM.
_EXPLICIT_ZONE = re.compile(
    r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s?(?:[+-]\d\d:?\d\d|Z|GMT|UTC|UT|[ECMP][SD]T)\s*$", re.IGNORECASE
)
_DATE_KEYS = ("published", "updated", "created")


def parse_feed(body: bytes, content_type: str | None, base_url: str, default_tz: tzinfo) -> ParsedSource:
    """Entries of a feed document; ill-formed feeds still yield what feedparser recovered.

    Raises FeedParseError when the document is not a feed at all (an HTML page, JSON that is
    not a JSON Feed, an empty or undecodable body).
    """
    if looks_like_json(body):
        try:
            parsed = parse_json_feed(body, base_url, default_tz)
        except UndecodableError as error:
            raise FeedParseError(f"undecodable document: {error}") from error
        if parsed is None:
            raise FeedParseError("JSON document is not a JSON Feed")
        return parsed
    return parse_xml_feed(*feedparser_input(body, content_type), base_url, default_tz)[0]


def parse_xml_feed(
    data: bytes, headers: dict, warnings: list[str], base_url: str, default_tz: tzinfo
) -> tuple[ParsedSource, bool]:
    """An XML feed from `feedparser_input`'s output, and whether feedparser found it ill-formed."""
    result = feedparser.parse(
        io.BytesIO(data),  # never a str or bytes: feedparser would treat those as a URL or file path
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not (result.get("version") or result.entries or result.feed.get("title") or result.feed.get("link")):
        reason = result.get("bozo_exception") or "no feed element found"
        raise FeedParseError(f"not a feed: {reason}")
    ill_formed = bool(result.get("bozo"))
    warnings = list(warnings)
    if ill_formed and result.entries:
        warnings.append(f"ill-formed feed: {result.get('bozo_exception')}")
    feed = result.feed
    language = language_code(feed.get("language"))
    entries = [_entry(raw, base_url, default_tz, language) for raw in result.entries]
    parsed = ParsedSource(
        kind="rss",
        title=title_text(feed.get("title"), _is_html(feed.get("title_detail"))) or None,
        entries=entries,
        ttl_seconds=_ttl_seconds(feed.get("ttl")),
        warnings=warnings,
        language=language,
    )
    return parsed, ill_formed


def feedparser_input(body: bytes, content_type: str | None) -> tuple[bytes, dict, list[str]]:
    """Bytes (UTF-8 or ASCII), response headers and warnings for feedparser.

    UTF-8 (and ASCII) documents go to feedparser as they are, unless their text shows TCVN3/VNI
    letters or mojibake. Anything else is decoded by decode_document first: feedparser guesses
    windows-1252 for undeclared bytes and knows nothing of the TCVN3/VNI legacy Vietnamese
    encodings.
    """
    # No content-location: feedparser would then urljoin every element (a tenth of its time);
    # links are made absolute here, once per entry.
    headers = {}
    if content_type:
        headers["content-type"] = _xml_content_type(content_type)
    body = _trimmed_start(body)
    if body.isascii():
        return body, headers, []
    if _declares_utf8_or_nothing(body, content_type):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # valid UTF-8 may still carry TCVN3/VNI or mojibake text: that is converted too
            if not looks_misdecoded(text):
                return body, headers, []
    try:
        document = decode_document(body, content_type)
    except UndecodableError as error:
        # feedparser would fall back to windows-1252 and store the garble: refuse the document.
        raise FeedParseError(f"undecodable document: {error}") from error
    headers["content-type"] = "application/xml; charset=utf-8"
    warnings = [f"legacy Vietnamese encoding converted: {document.legacy}"] if document.legacy else []
    return document.text.lstrip(BLANKS_AND_BOM).encode("utf-8"), headers, warnings


def _xml_content_type(content_type: str) -> str:
    """`application/xml` with the header's charset, if any. The document is parsed as a feed
    already; under its served type (`text/xml`, `text/html`, `text/plain`) feedparser would assume
    US-ASCII or call it no XML, and flag a sound feed ill-formed (then it gets no memo)."""
    charset = _CHARSET.search(content_type)
    return f"application/xml; charset={charset.group(1)}" if charset else "application/xml"


def _trimmed_start(body: bytes) -> bytes:
    """An ASCII-compatible body without the blanks and repeated UTF-8 byte-order marks that some
    servers and templates put before the XML declaration (XML allows nothing there: feedparser
    would fall back to its slower loose parser, and the feed could have no memo). One BOM is kept:
    it tells feedparser the bytes are UTF-8 whatever the declaration says. A UTF-16/32 body is
    decoded first, and its text trimmed then."""
    start = LEADING_BLANKS_AND_BOMS.match(body).end()
    if not start or byte_order_codec(body) not in (None, "utf-8-sig"):
        return body
    return (codecs.BOM_UTF8 if codecs.BOM_UTF8 in body[:start] else b"") + body[start:]


def _declares_utf8_or_nothing(body: bytes, content_type: str | None) -> bool:
    declared = []
    charset = _CHARSET.search(content_type or "")
    if charset:
        declared.append(charset.group(1).lower())
    xml = _XML_ENCODING.match(body[:200])
    if xml:
        declared.append(xml.group(1).decode("ascii").lower())
    return all(name in _UTF8_NAMES for name in declared)


def _entry(raw: Any, base_url: str, default_tz: tzinfo, language: str | None) -> Entry:
    url = _web_address(base_url, raw.get("link")) or _enclosure_address(raw, base_url) or ""
    generic = bool(url) and names_no_article(url, base_url)
    body, has_content = _body(raw)
    return Entry(
        url=url,
        shared_url=generic,
        title=title_text(raw.get("title"), _is_html(raw.get("title_detail"))),
        guid=_guid(raw) or (None if generic else url) or None,
        author=_author(raw),
        **_published(raw, default_tz),
        body=body,
        snippet_only=is_snippet(body, has_content),
        language=language_code(raw.get("language")) or language,
        tags=_tags(raw),
    )


def _guid(raw: Any) -> str | None:
    guid = raw.get("id")
    return without_controls(guid).strip() if isinstance(guid, str) else None


def _web_address(base_url: str, href: Any) -> str | None:
    """`href` made absolute; None for none or one that is no web address (`javascript:`, `urn:`)."""
    return absolute_url(base_url, without_controls(href)) if isinstance(href, str) and href else None


def _enclosure_address(raw: Any, base_url: str) -> str | None:
    """The first enclosure's address: all an item without a link may have that tells it from the
    next (a radio portal's daily bulletin, the same title every day, and its audio file)."""
    for enclosure in raw.get("enclosures") or ():
        address = _web_address(base_url, enclosure.get("href"))
        if address:
            return address
    return None


def _body(raw: Any) -> tuple[str, bool]:
    """The entry's text (full content over summary) and whether full content was given."""
    for content in raw.get("content") or ():
        text = body_text(content.get("value"), _is_html(content))
        if text:
            return text, True
    summary = raw.get("summary")
    return body_text(summary, _is_html(raw.get("summary_detail"))), False


def _is_html(detail: Any) -> bool:
    return not detail or detail.get("type") != "text/plain"


def _author(raw: Any) -> str | None:
    detail = raw.get("author_detail") or {}
    name = markup_to_text(detail.get("name") or raw.get("author"), is_html=False)
    return name or None


def _tags(raw: Any) -> list[str]:
    tags = []
    for tag in raw.get("tags") or ():
        term = markup_to_text(tag.get("term") or tag.get("label"), is_html=False)
        if term and term not in tags:
            tags.append(term)
    return tags


def _published(raw: Any, default_tz: tzinfo) -> dict[str, Any]:
    """Publication time as aware UTC, and its day when the feed wrote no time of day, as the
    Entry's `published` and `published_day`.

    feedparser's parse is used when the string names its zone; otherwise (or when feedparser
    failed) our own parser reads it in the source's time zone.
    """
    for key in _DATE_KEYS:
        text = raw.get(key)
        if not text:
            continue
        parsed = raw.get(f"{key}_parsed")
        if parsed and _EXPLICIT_ZONE.search(text):
            return {"published": datetime(*parsed[:6], tzinfo=UTC)}
        ours = date_from_text(text, default_tz)
        if ours is not None:
            return {"published": ours.moment, "published_day": ours.day}
        if parsed:
            return {"published": datetime(*parsed[:6], tzinfo=UTC)}
    return {}


def _ttl_seconds(value: Any) -> int | None:
    """RSS <ttl> is in minutes."""
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None
