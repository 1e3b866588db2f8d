"""Parse only the items of a feed that changed since it was last stored.

A busy feed changes with every poll, so its ETag does not spare the parse, but the change is
one or two new items among fifty that are byte for byte what they were: parsing those fifty
again, and comparing them with what is stored, was most of such a poll. After a poll is stored,
the source keeps a memo of its document: a digest of every item element (`<item>`, `<entry>`)
and of what else shapes an entry (the document's prolog and root start tag, the channel's start
tag, the feed's language, its URL and time zone, this parser's version). The next document is
cut into the same elements; those whose digest is in the memo are left out, and feedparser
reads the document with only the others, so every entry it yields is exactly what a full parse
gives for that item.

Anything unusual gives a full parse: an element the cut cannot delimit for sure (a nested or
self-closing item, an item tag inside CDATA or a comment, text between items), an ill-formed
document, a different context, fewer entries than items. A full parse of a well-formed
document yields the memo to keep; an ill-formed one yields none.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import tzinfo

from news import __version__
from news.entries import ParsedSource
from news.feeds import FeedParseError, feedparser_input, parse_feed, parse_xml_feed
from news.jsonfeed import looks_like_json
from news.prepare import identity_key

MEMO_FORMAT = b"bm1"
MAX_MEMO_ITEMS = 1000  # a bigger document is parsed whole every time rather than remembered
_DIGEST = 16
_RECORD = _DIGEST + 16  # item digest, then the entry's guid and URL keys (news.prepare.identity_key)

# The prolog (declaration, comments, processing instructions, a DOCTYPE with its internal
# subset) and the root element's start tag: namespaces, xml:base, xml:lang and entities. The
# prolog's repetition is possessive (`*+`): backtracking into it was exponential on bodies that
# are not XML (30 blank lines, or 30 comments, then text: seconds to hours). A UTF-8 byte-order
# mark may come first (news.feeds keeps one).
_PROLOG_AND_ROOT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[[^\]]*\])*>)*+<([A-Za-z_][\w.:-]*)[^>]*>",
    re.DOTALL,
)
# `[^<>]*`: a start tag ends before the next `<`, so a tag left open cannot send the search
# to the end of the body from every place it restarts.
_CHANNEL_START = re.compile(rb"<channel(?=[\s>/])[^<>]*>")
_ITEM_START = {name: re.compile(rb"<" + name + rb"(?=[\s>/])[^<>]*>") for name in (b"item", b"entry")}
_ITEM_END = {name: re.compile(rb"</" + name + rb"\s*>") for name in (b"item", b"entry")}
_ITEM_TAG = {name: re.compile(rb"<" + name + rb"(?=[\s>/])") for name in (b"item", b"entry")}


@dataclass(frozen=True, slots=True)
class FeedItems:
    """A feed document cut around its item elements: head + items (in order) + tail."""

    head: bytes
    items: list[bytes]
    tail: bytes
    context: bytes  # the head's part that shapes entries: prolog, root and channel start tags

    def without(self, kept: list[int]) -> bytes:
        """The document with only the items at the indexes `kept`."""
        return self.head + b"\n".join(self.items[i] for i in kept) + self.tail


def split_items(data: bytes) -> FeedItems | None:
    """`data` cut around its `<item>` (RSS) or `<entry>` (Atom) elements; None when unsure."""
    root = _PROLOG_AND_ROOT.match(data)
    if root is None or root.group(0).endswith(b"/>"):
        return None
    name = b"entry" if root.group(1) == b"feed" else b"item"
    # Start and end tags found apart and paired in order (linear, whatever the document): an
    # item tag in CDATA, a comment or another item, or a self-closing one, breaks the pairing.
    starts = list(_ITEM_START[name].finditer(data))
    ends = [m.end() for m in _ITEM_END[name].finditer(data)]
    if len(starts) != len(ends) or len(_ITEM_TAG[name].findall(data)) != len(starts):
        return None
    if any(m.group(0).endswith(b"/>") for m in starts):
        return None
    spans = [(m.start(), end) for m, end in zip(starts, ends, strict=True)]
    previous_end = root.end()
    for start, end in spans:
        if start < previous_end or end <= start:
            return None
        if previous_end != root.end() and data[previous_end:start].strip():
            return None  # text between items: the cut would not give back the same document
        previous_end = end
    if len(spans) > MAX_MEMO_ITEMS:
        return None
    head = data[: spans[0][0]] if spans else data
    channel = _CHANNEL_START.search(head, root.end())
    context = root.group(0) + (channel.group(0) if channel else b"")
    items = [data[start:end] for start, end in spans]
    return FeedItems(head, items, data[spans[-1][1] :] if spans else b"", context)


def _digest(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=_DIGEST)
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()


def _context_digest(items: FeedItems, base_url: str, tz: tzinfo, language: str | None) -> bytes:
    return _digest(
        MEMO_FORMAT,
        __version__.encode(),
        base_url.encode("utf-8", "surrogatepass"),
        str(tz).encode(),
        (language or "").encode(),
        items.context,
    )


@dataclass(frozen=True, slots=True)
class FeedMemo:
    """What a source remembers of its last stored document."""

    context: bytes
    identities: dict[bytes, tuple[int, int]]  # item digest -> identity keys ((0, 0): none)

    def to_bytes(self) -> bytes:
        records = (d + g.to_bytes(8, "big") + u.to_bytes(8, "big") for d, (g, u) in self.identities.items())
        return MEMO_FORMAT + self.context + b"".join(records)

    @classmethod
    def from_bytes(cls, data: bytes | None) -> FeedMemo | None:
        """The memo `to_bytes` wrote; None for anything else (no memo, another format)."""
        start = len(MEMO_FORMAT) + _DIGEST
        if not data or not data.startswith(MEMO_FORMAT) or (len(data) - start) % _RECORD:
            return None
        identities = {}
        for at in range(start, len(data), _RECORD):
            record = data[at : at + _RECORD]
            keys = (
                int.from_bytes(record[_DIGEST : _DIGEST + 8], "big"),
                int.from_bytes(record[_DIGEST + 8 :], "big"),
            )
            identities[record[:_DIGEST]] = keys
        return cls(data[len(MEMO_FORMAT) : start], identities)


def parse_feed_since(
    body: bytes, content_type: str | None, base_url: str, tz: tzinfo, memo: bytes | None
) -> ParsedSource:
    """`news.feeds.parse_feed`, without the entries whose items `memo` remembers (counted in
    `known`, their identity keys in `known_identities`); `memo` of the result: what to keep
    once this document's entries are stored (None when it cannot be cut or is ill-formed)."""
    if looks_like_json(body):
        return parse_feed(body, content_type, base_url, tz)  # no items to cut
    data, headers, warnings = feedparser_input(body, content_type)
    items = split_items(data)
    before = FeedMemo.from_bytes(memo) if items is not None else None
    if items is not None and before is not None:
        parsed = _parse_new_items(items, headers, warnings, base_url, tz, before)
        if parsed is not None:
            return parsed
    parsed, ill_formed = parse_xml_feed(data, headers, warnings, base_url, tz)
    if items is not None and not ill_formed and len(parsed.entries) == len(items.items):
        digests = [_digest(item) for item in items.items]
        parsed.memo = _memo(items, digests, parsed, base_url, tz, {}, range(len(digests)))
    return parsed


def _parse_new_items(
    items: FeedItems, headers: dict, warnings: list[str], base_url: str, tz: tzinfo, before: FeedMemo
) -> ParsedSource | None:
    digests = [_digest(item) for item in items.items]
    new = [i for i, digest in enumerate(digests) if digest not in before.identities]
    try:
        parsed, ill_formed = parse_xml_feed(items.without(new), headers, warnings, base_url, tz)
    except FeedParseError:
        return None
    if ill_formed or len(parsed.entries) != len(new):
        return None
    if _context_digest(items, base_url, tz, parsed.language) != before.context:
        return None  # moved, another zone, another language or namespace: parse it all again
    parsed_now = set(new)
    known = [before.identities[d] for i, d in enumerate(digests) if i not in parsed_now]
    parsed.known = len(known)
    parsed.known_identities = [key for key in known if key != (0, 0)]
    parsed.memo = _memo(items, digests, parsed, base_url, tz, before.identities, new)
    return parsed


def _memo(
    items: FeedItems,
    digests: list[bytes],
    parsed: ParsedSource,
    base_url: str,
    tz: tzinfo,
    remembered: dict[bytes, tuple[int, int]],
    parsed_indexes,
) -> bytes:
    """The memo of this document: its items' digests with the identity keys of their entries
    (from `parsed.entries`, which are the items at `parsed_indexes`, or else from `remembered`)."""
    fresh = {}
    for index, entry in zip(parsed_indexes, parsed.entries, strict=True):
        # An entry without title and body is never stored or compared: it has no identity.
        key = identity_key(entry) if (entry.title or entry.body) else None
        fresh[index] = key or (0, 0)
    identities = {d: fresh[i] if i in fresh else remembered[d] for i, d in enumerate(digests)}
    return FeedMemo(_context_digest(items, base_url, tz, parsed.language), identities).to_bytes()
