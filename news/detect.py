"""Tell a feed from a web page by sniffing the first few KB of a fetched document."""

from __future__ import annotations

import re

SNIFF_BYTES = 4096

_FEED_CONTENT_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/x-rss+xml",
    "application/x-atom+xml",
)

# Comments, processing instructions (<?xml ...?>, stylesheets) and a doctype may precede the root.
_PROLOG = re.compile(
    rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE
)
_ROOT = re.compile(rb"\s*<(?:[\w.-]+:)?([\w.-]+)")
_FEED_ROOTS = {b"rss", b"feed", b"rdf", b"channel"}
_JSON_FEED_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')
# An XML declaration and a feed root after something else: a server's warning printed before the feed
# (`<br /><b>Warning</b>: … on line 12<br /><?xml …?><rss …>`), which feedparser still reads.
_FEED_AFTER_JUNK = re.compile(
    rb"<\?xml\s[^>]*\?>(?:\s*(?:<\?.*?\?>|<!--.*?-->))*\s*<(?:[\w.-]+:)?(?:rss|feed|rdf|channel)\b",
    re.DOTALL | re.IGNORECASE,
)


def detect_kind(body: bytes, content_type: str | None) -> str:
    """Return "rss" for RSS/Atom/RDF/JSON feeds, "html" for anything else (pages, listings)."""
    head = _ascii_head(body)
    if head.startswith(b"{"):
        return "rss" if _JSON_FEED_VERSION.search(head) else "html"
    root = _root_element(head)
    if root is not None:
        return "rss" if root in _FEED_ROOTS or _FEED_AFTER_JUNK.search(head) else "html"
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return "rss" if media_type in _FEED_CONTENT_TYPES else "html"


def _ascii_head(body: bytes) -> bytes:
    """The start of the document as ASCII-compatible bytes (UTF-16 is transcoded, BOMs dropped)."""
    head = body[:SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
        head = text.encode("ascii", errors="replace")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def _root_element(head: bytes) -> bytes | None:
    """Local name (lower case) of the first element after the prolog, or None when there is none."""
    pos = 0
    while True:
        prolog = _PROLOG.match(head, pos)
        if prolog is None or prolog.end() == pos:
            break
        pos = prolog.end()
    root = _ROOT.match(head, pos)
    return root.group(1).lower() if root else None
