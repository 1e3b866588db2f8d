"""From a fetched document to the entries worth preparing and storing.

The document is parsed as a feed or a page; a listing page's article links are followed and
snippet-only feed entries get the full text of their page (`full_text`). Entries this source
already stored with the same title and body are left out and only counted: preparing an entry
(summary, fingerprints, signature) costs several times its parsing, and a changed feed usually
brings one or two new entries among fifty known ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select

from jobs.db_turns import read_turn
from jobs.fetch import Fetcher, FetchError, FetchResult
from jobs.offload import INLINE, Offload
from news.articles import extract_article
from news.charset import UndecodableError, decode_document
from news.detect import detect_kind
from news.entries import Entry, ParsedSource
from news.feed_memo import parse_feed_since
from news.fingerprint import has_thin_body
from news.listing import find_article_links
from news.prepare import canonical_url_of, disambiguate_guids
from news.urls import canonical_url
from storage.db import Database
from storage.items import StoredText, stored_texts
from storage.models import Item

log = logging.getLogger("bantin.poll")

ARTICLES_PER_POLL = 30  # article pages fetched per poll of a listing page or full-text feed


class SourceError(Exception):
    """A problem with a source's content (not its transport)."""


@dataclass(frozen=True)
class SourceView:
    """What choosing entries needs to know of a source."""

    id: int
    kind: str
    selector: str | None
    full_text: bool
    # False when the source has never stored an item (its count is 0): then nothing stored can
    # match an entry, and the lookup of stored versions is skipped, a query per source on a first
    # poll. A concurrent poll storing the same items meanwhile is the writer's to catch, as ever.
    has_items: bool = True


@dataclass
class ChosenEntries:
    entries: list[Entry]  # to prepare and store
    # stored already with this title and body, or an item the source's memo remembers:
    # duplicates, not prepared again
    unchanged: int
    # a listing's links fetched and found to be no article (news.skipped_links remembers them)
    not_articles: list[str] = field(default_factory=list)
    # False when a listing's articles were left for a later poll (past ARTICLES_PER_POLL, or a page
    # that could not be fetched): the listing's validators must not make that poll a 304.
    complete: bool = True


def parse_document(
    result: FetchResult, source: SourceView, tz: ZoneInfo, memo: bytes | None = None
) -> ParsedSource:
    """A feed's entries, an article page's one entry, or a listing page's article links.

    A feed's items that `memo` (the source's, from its last stored poll) remembers are left out
    and counted (news.feed_memo)."""
    body = result.body or b""
    if not body.strip():
        raise SourceError("empty response body")
    kind = source.kind if source.kind != "auto" else detect_kind(body, result.content_type)
    if kind == "rss":
        parsed = parse_feed_since(body, result.content_type, result.final_url, tz, memo)
        for entry in parsed.entries:
            canonical_url_of(entry)  # here, in a worker: the service compares entries by it
        return parsed
    html = decode_document(body, result.content_type).text
    article = extract_article(html, result.final_url, tz)
    if article is not None and not source.selector:
        return ParsedSource(kind="html", entries=[article])
    try:
        links = find_article_links(html, result.final_url, source.selector)
    except ValueError as exc:  # an invalid CSS selector in the source's config
        raise SourceError(str(exc)) from exc
    if not links and article is None:
        raise SourceError("no feed, no article and no article links found on the page")
    return ParsedSource(kind="html", article_links=links)


async def choose_entries(
    db: Database,
    fetcher: Fetcher,
    source: SourceView,
    parsed: ParsedSource,
    tz: ZoneInfo,
    offload: Offload = INLINE,
    skipped: Collection[str] = (),
) -> ChosenEntries:
    """The parsed entries minus the unchanged ones, plus the listing's and the full-text pages (read
    by `offload`'s workers: extracting an article is the other CPU-bound step of a poll). A listing's
    `skipped` links (canonical), known to be no article, are not fetched."""
    entries = disambiguate_guids([e for e in parsed.entries if tells_something(e)], parsed.known_identities)
    stored = await _stored_versions(db, source.id, entries) if source.has_items else {}
    fresh = [e for e in entries if not _unchanged(e, stored, source.full_text)]
    unchanged = len(entries) - len(fresh) + parsed.known
    not_articles: list[str] = []
    complete = True
    if parsed.article_links:
        links = [u for u in parsed.article_links if u and canonical_url(u) not in skipped]
        listed, not_articles, complete = await _listed_articles(db, fetcher, source.id, links, tz, offload)
        fresh.extend(listed)
    elif source.full_text:
        await _fill_full_text(db, fetcher, fresh, tz, offload)
    return ChosenEntries([e for e in fresh if tells_something(e)], unchanged, not_articles, complete)


def tells_something(entry: Entry) -> bool:
    """The entry has a title, or a body with a link or of a real sentence or more. A CMS's empty
    <item> (`<title/>`, "No Description", no link) would otherwise be stored and sent as a story
    named "No Description"."""
    return bool(entry.title or (entry.body and (entry.url or not has_thin_body(entry.body))))


async def _stored_versions(db: Database, source_id: int, entries: list[Entry]) -> dict[str, StoredText]:
    """This source's stored items for these entries, by guid and by canonical URL."""
    urls = [canonical_url_of(e) for e in entries if e.url]
    guids = [(e.guid or "")[:2000] for e in entries if e.guid] + urls  # an entry without guid: its URL
    if not guids:
        return {}
    async with read_turn(db), db.reading() as conn:
        rows = await stored_texts(conn, source_id, guids, urls)
    found: dict[str, StoredText] = {}
    for row in rows:
        found[f"guid:{row.guid}"] = row
        if row.canonical_url:
            found[f"url:{row.canonical_url}"] = row
    return found


def _unchanged(entry: Entry, stored: dict[str, StoredText], full_text: bool) -> bool:
    keys = []
    if entry.guid:
        keys.append(f"guid:{entry.guid[:2000]}")
    if entry.url:
        url = canonical_url_of(entry)
        keys += [f"url:{url}", f"guid:{url}"]
    for key in keys:
        row = stored.get(key)
        if row is None or row.title != entry.title:
            continue
        if row.body == entry.body:
            return True
        # A full-text source stored the page's text; the feed still carries only the teaser.
        if full_text and entry.snippet_only and len(row.body) >= len(entry.body):
            return True
    return False


async def _known_urls(db: Database, urls: list[str]) -> set[str]:
    if not urls:
        return set()
    async with read_turn(db), db.reading() as conn:
        rows = await conn.scalars(select(Item.canonical_url).where(Item.canonical_url.in_(urls)))
        return set(rows.all())


def read_article_page(body: bytes, content_type: str | None, url: str, tz: ZoneInfo) -> Entry | None:
    """An article page's entry, or None when the page is no article."""
    return extract_article(decode_document(body, content_type).text, url, tz)


_FAILED = object()  # a page that could not be fetched: maybe an article, tried again next poll


async def _fetch_article(
    fetcher: Fetcher, url: str, tz: ZoneInfo, offload: Offload, unfetched: list[str] | None = None
) -> Entry | None | object:
    """The article at `url`; None when the page is no article (or no text: a PDF), _FAILED when
    it could not be fetched (and in `unfetched` when the failure may pass by the next poll)."""
    try:
        result = await fetcher.fetch(url)
    except FetchError as exc:
        log.info("article fetch failed: %s: %s", url, exc.reason)
        if unfetched is not None and _may_pass(exc):
            unfetched.append(url)
        return _FAILED
    try:
        return await offload.run(
            read_article_page, result.body or b"", result.content_type, result.final_url, tz
        )
    except UndecodableError as exc:
        log.info("article page undecodable: %s: %s", url, exc)
        return None


def _may_pass(error: FetchError) -> bool:
    """A failure the next poll may not meet: no answer, or a server busy or failing (a 404 stays)."""
    return error.status is None or error.status in (408, 429) or error.status >= 500


async def _listed_articles(
    db: Database, fetcher: Fetcher, source_id: int, links: list[str], tz: ZoneInfo, offload: Offload
) -> tuple[list[Entry], list[str], bool]:
    """The article pages of a listing that no source has stored yet, the canonical links of the
    fetched pages that are no article, and whether every new one was read (not when there were
    more than one poll takes, or one could not be fetched for a reason that may pass)."""
    wanted = [(u, canonical_url(u)) for u in links if u]
    known = await _known_urls(db, [c for _, c in wanted])
    known |= await _known_guids(db, source_id, [c for _, c in wanted if c not in known])
    new = [(u, c) for u, c in wanted if c not in known]
    todo, unfetched = new[:ARTICLES_PER_POLL], []
    pages = await asyncio.gather(*(_fetch_article(fetcher, u, tz, offload, unfetched) for u, _c in todo))
    fetched = [
        _identified_by_link(entry, link)
        for (_u, link), entry in zip(todo, pages, strict=True)
        if isinstance(entry, Entry)
    ]
    not_articles = [link for (_u, link), entry in zip(todo, pages, strict=True) if entry is None]
    if todo and not fetched and not known:
        # Links found, not one article read nor stored before: say so rather than report a quiet
        # "0 new". A listing with stored articles works; a page on it that is no article (a
        # notice with only a PDF) is skipped.
        raise SourceError(f"none of the {len(todo)} linked pages is a readable article")
    return fetched, not_articles, len(new) == len(todo) and not unfetched


def _identified_by_link(entry: Entry, link: str) -> Entry:
    """An article reached through a redirect keeps the listing's link as its guid: its stored
    canonical URL is the page's own address, and the next poll knows the link by the guid."""
    if entry.guid is None and canonical_url_of(entry) != link:
        entry.guid = link
    return entry


async def _known_guids(db: Database, source_id: int, guids: list[str]) -> set[str]:
    if not guids:
        return set()
    async with read_turn(db), db.reading() as conn:
        rows = await conn.scalars(select(Item.guid).where(Item.source_id == source_id, Item.guid.in_(guids)))
        return set(rows.all())


async def _fill_full_text(
    db: Database, fetcher: Fetcher, entries: list[Entry], tz: ZoneInfo, offload: Offload
) -> None:
    """Give snippet-only entries the text of their page (those no source has stored yet). A URL that
    names no item (`Entry.shared_url`: the home page, the feed) is no page of the entry's."""
    snippets = [e for e in entries if e.snippet_only and e.url and not e.shared_url]
    known = await _known_urls(db, [canonical_url_of(e) for e in snippets])
    todo = [e for e in snippets if canonical_url_of(e) not in known][:ARTICLES_PER_POLL]
    pages = await asyncio.gather(*(_fetch_article(fetcher, e.url, tz, offload) for e in todo))
    for entry, page in zip(todo, pages, strict=True):
        if isinstance(page, Entry) and len(page.body) > len(entry.body):
            entry.body = page.body
            entry.author = entry.author or page.author
            entry.read_count = page.read_count
            if entry.published is None:
                entry.published, entry.published_day = page.published, page.published_day
            entry.snippet_only = False
