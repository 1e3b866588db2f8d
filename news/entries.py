"""The plain data that flows from parsing to storage: one parsed entry of a source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class Entry:
    """One article as parsed from a feed or a page, already normalised (NFC, clean text).

    `published` is timezone-aware or None (storage then keeps the first-seen time). When the
    source gave a day and no time of day (`Ngày: 19.09.2019`), `published_day` is that day and
    `published` its start in the source's zone (storage then places it, news.dates).
    `body` is plain text with paragraphs separated by blank lines.
    """

    url: str
    title: str
    guid: str | None = None
    author: str | None = None
    published: datetime | None = None
    published_day: date | None = None
    body: str = ""
    snippet_only: bool = False
    read_count: int | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    # canonical_url(url), kept once computed (news.prepare.canonical_url_of): a poll needs it
    # three or four times, and computing it where the feed is parsed takes it off the service.
    canonical: str | None = None
    # The URL does not identify the entry, its guid does (news.prepare): the document gives it to
    # entries with other guids too, or it is the site's home page or the feed's own address.
    shared_url: bool = False


@dataclass(slots=True)
class ParsedSource:
    """What one fetched document yielded: its entries and what it says about itself."""

    kind: str  # "rss" | "html"
    title: str | None = None
    entries: list[Entry] = field(default_factory=list)
    ttl_seconds: int | None = None  # RSS <ttl>, already in seconds
    article_links: list[str] = field(default_factory=list)  # html listing: pages to fetch next
    warnings: list[str] = field(default_factory=list)
    language: str | None = None  # the feed's own, which its entries inherit
    # Entries left out because their item's bytes are those of an item already handled (see
    # news.feed_memo), with the (guid, URL) identity keys of those that have both.
    known: int = 0
    known_identities: list[tuple[int, int]] = field(default_factory=list)
    memo: bytes | None = None  # what to remember of this document once its entries are stored
