"""Tell a feed from a web page by sniffing the start of a fetched document.

The first SNIFF_BYTES decide, unless the prolog (comments, processing instructions, a DOCTYPE)
runs past them: then up to MAX_SNIFF_BYTES are read for the root element. A UTF-16/32 document
(with or without a byte-order mark) is transcoded before it is read, and any byte-order marks
and blank lines before the first character are skipped.
"""

from __future__ import annotations

import re

from news.charset import BLANKS_AND_BOM, LEADING_BLANKS_AND_BOMS, byte_order_codec

SNIFF_BYTES = 4096
# A license comment or a DOCTYPE with an internal subset may be longer than SNIFF_BYTES; a prolog
# that runs past this is not waited for: the content type decides.
MAX_SNIFF_BYTES = 64 * 1024

_FEED_CONTENT_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/x-rss+xml",
    "application/x-atom+xml",
)

# Comments, processing instructions (<?xml ...?>, stylesheets) and a doctype may precede the root.
# One item per match, walked in a loop: a repetition inside the pattern would backtrack across
# items (exponential on many comments followed by no root).
_PROLOG = re.compile(
    rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE
)
_PROLOG_START = re.compile(rb"\s*(?:<\?|<!--|<!DOCTYPE)", re.IGNORECASE)
_ROOT = re.compile(rb"\s*<(?:[\w.-]+:)?([\w.-]+)")
_FEED_ROOTS = {b"rss", b"feed", b"rdf", b"channel"}
_JSON_FEED_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')
# An XML declaration after something else: a server's warning printed before the feed
# (`<br /><b>Warning</b>: … on line 12<br /><?xml …?><rss …>`), which feedparser still reads. It
# starts a line or follows a tag: one inside a script's string (`"<?xml`) is no feed's.
_LATE_DECLARATION = re.compile(rb"(?:(?<=[>\n])|^)[ \t\r]*<\?xml\s")
# Before it, the markup of an HTML document says the declaration belongs to the page.
_HTML_DOCUMENT = re.compile(rb"<(?:html|head|body|script|style|meta|title)\b|<!DOCTYPE\s+html", re.IGNORECASE)


def detect_kind(body: bytes, content_type: str | None) -> str:
    """Return "rss" for RSS/Atom/RDF/JSON feeds, "html" for anything else (pages, listings)."""
    head = _head(body, SNIFF_BYTES)
    if head.startswith(b"{"):
        return "rss" if _JSON_FEED_VERSION.search(head) else "html"
    root, prolog_cut = _root_element(head)
    if root is None and prolog_cut and len(body) > SNIFF_BYTES:
        head = _head(body, MAX_SNIFF_BYTES)
        root, _cut = _root_element(head)
    if root in _FEED_ROOTS or _feed_after_junk(head):
        return "rss"
    if root is not None:
        return "html"
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return "rss" if media_type in _FEED_CONTENT_TYPES else "html"


def _head(body: bytes, size: int) -> bytes:
    """The first `size` bytes of the document as ASCII-compatible bytes (UTF-16/32 transcoded to
    UTF-8), from its first character that is neither blank nor a byte-order mark."""
    head = body[:size]
    codec = byte_order_codec(head)
    if codec is not None and codec != "utf-8-sig":
        # A cut character at the end is dropped; the codecs named "utf-16"/"utf-32" drop the BOM.
        head = head.decode(codec, errors="ignore").lstrip(BLANKS_AND_BOM).encode("utf-8")
    return head[LEADING_BLANKS_AND_BOMS.match(head).end() :]


def _root_element(head: bytes, pos: int = 0) -> tuple[bytes | None, bool]:
    """Local name (lower case) of the first element after the prolog from `pos`, or None when
    there is none; and whether the prolog runs to the end of `head` (it may go on after it)."""
    while (prolog := _PROLOG.match(head, pos)) is not None and prolog.end() > pos:
        pos = prolog.end()
    root = _ROOT.match(head, pos)
    if root is not None:
        return root.group(1).lower(), False
    return None, _PROLOG_START.match(head, pos) is not None or not head[pos:].strip()


def _feed_after_junk(head: bytes) -> bool:
    """A feed's XML declaration and root after a server's warning (text or a few tags, no page)."""
    declaration = _LATE_DECLARATION.search(head)
    if declaration is None or _HTML_DOCUMENT.search(head, 0, declaration.start()):
        return False
    root, _cut = _root_element(head, declaration.start())
    return root in _FEED_ROOTS
