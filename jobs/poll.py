"""Polling: fetch each due source, parse it, prepare its entries and store them, from start to end.

`poll_source` is the whole flow for one source and reads top to bottom; `poll_due_sources`
runs it for every due source at once (the fetcher bounds concurrency overall and per host).
Nothing one source does can break another: every failure becomes an error on that source,
with exponential back-off, and the source is polled again later, never abandoned.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from news.httpcache import backoff_delay, next_check_delay, should_store_validators
from sqlalchemy import select

from jobs.fetch import Fetcher, FetchError, FetchResult
from news.articles import extract_article
from news.charset import UndecodableError, decode_document
from news.config import Config
from news.detect import detect_kind
from news.entries import Entry, ParsedSource
from news.feeds import FeedParseError, parse_feed
from news.listing import find_article_links
from news.prepare import disambiguate_guids, prepare_entry
from news.urls import canonical_url
from storage.db import Database
from storage.items import IngestResult, store_items
from storage.models import Item, Source
from storage.sources import claim_due_sources, record_error, record_success

log = logging.getLogger("bantin.poll")

ARTICLES_PER_POLL = 30  # article pages fetched per poll of a listing page or full-text feed
BACKOFF_BASE = 60.0


@dataclass
class PollOutcome:
    source: str
    status: str  # new | updated | duplicate | not modified | error
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    error: str | None = None
    new_story_ids: list[int] = field(default_factory=list)
    elapsed: float = 0.0

    def line(self) -> str:
        if self.status == "error":
            return f"{self.source}: error: {self.error}"
        if self.status == "not modified":
            return f"{self.source}: not modified"
        return f"{self.source}: {self.new} new, {self.updated} updated, {self.duplicate} duplicate"


@dataclass(frozen=True)
class SourceSnapshot:
    """What polling needs of a source row, detached from any session."""

    id: int
    name: str
    url: str
    kind: str
    selector: str | None
    full_text: bool
    interval_seconds: int | None
    timezone: str | None
    language: str | None
    etag: str | None
    last_modified: str | None
    error_count: int

    @classmethod
    def of(cls, s: Source) -> SourceSnapshot:
        return cls(
            s.id, s.name, s.url, s.kind, s.selector, s.full_text, s.interval_seconds, s.timezone,
            s.language, s.etag, s.last_modified, s.error_count,
        )


class SourceError(Exception):
    """A problem with a source's content (not its transport)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def make_fetcher(config: Config) -> Fetcher:
    f = config.fetch
    return Fetcher(
        max_concurrency=f.concurrency,
        per_host=f.per_host,
        connect_timeout=f.connect_timeout,
        read_timeout=f.read_timeout,
        max_body_bytes=f.max_body_bytes,
        max_redirects=f.max_redirects,
        user_agent=f.user_agent or None,
    )


async def poll_due_sources(
    db: Database,
    fetcher: Fetcher,
    config: Config,
    *,
    now: Callable[[], datetime] = _utcnow,
    on_outcome: Callable[[PollOutcome], None] | None = None,
    limit: int = 5000,
) -> list[PollOutcome]:
    async with db.transaction() as session:
        sources = [SourceSnapshot.of(s) for s in await claim_due_sources(session, now(), limit)]

    async def one(source: SourceSnapshot) -> PollOutcome:
        outcome = await poll_source(db, fetcher, config, source, now=now)
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    return list(await asyncio.gather(*(one(s) for s in sources)))


async def poll_source(
    db: Database,
    fetcher: Fetcher,
    config: Config,
    source: SourceSnapshot,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> PollOutcome:
    started = time.perf_counter()
    tz = ZoneInfo(source.timezone) if source.timezone else config.tz
    interval = float(source.interval_seconds or config.schedule.poll_interval)
    try:
        result = await fetcher.fetch(source.url, etag=source.etag, last_modified=source.last_modified)
        if result.not_modified:
            await _record_ok(db, config, source, result, interval, ttl=None, not_modified=True, now=now())
            return PollOutcome(source.name, "not modified", elapsed=time.perf_counter() - started)
        parsed = _parse(result, source, tz)
        entries = await _complete_entries(db, fetcher, source, parsed, tz)
        prepared = disambiguate_guids(
            [
                prepare_entry(e, words=config.summaries.words, language=source.language)
                for e in entries
                if e.title or e.body
            ]
        )
        async with db.transaction() as session:
            row = await session.get(Source, source.id)
            if row is None:  # removed while we were fetching
                return PollOutcome(source.name, "error", error="source removed")
            ingest = await store_items(session, row, prepared, now())
            await _record_ok_in(session, config, source, result, interval, parsed, now())
    except FetchError as exc:
        await _record_failure(db, config, source, exc.reason, interval, now(), retry_after=exc.retry_after)
        return PollOutcome(source.name, "error", error=exc.reason, elapsed=time.perf_counter() - started)
    except (SourceError, FeedParseError, UndecodableError) as exc:
        await _record_failure(db, config, source, str(exc) or type(exc).__name__, interval, now())
        return PollOutcome(source.name, "error", error=str(exc), elapsed=time.perf_counter() - started)
    except Exception as exc:  # a bug must not stop the other sources
        log.exception("poll failed", extra={"source": source.name})
        reason = f"internal error: {type(exc).__name__}: {exc}"
        await _record_failure(db, config, source, reason, interval, now())
        return PollOutcome(source.name, "error", error=reason, elapsed=time.perf_counter() - started)
    return _outcome(source.name, ingest, time.perf_counter() - started)


def _outcome(name: str, ingest: IngestResult, elapsed: float) -> PollOutcome:
    status = "new" if ingest.new else "updated" if ingest.updated else "duplicate"
    return PollOutcome(
        name, status, ingest.new, ingest.updated, ingest.duplicate,
        new_story_ids=ingest.new_story_ids, elapsed=elapsed,
    )


def _parse(result: FetchResult, source: SourceSnapshot, tz: ZoneInfo) -> ParsedSource:
    body = result.body or b""
    if not body.strip():
        raise SourceError("empty response body")
    kind = source.kind if source.kind != "auto" else detect_kind(body, result.content_type)
    if kind == "rss":
        return parse_feed(body, result.content_type, result.final_url, tz)
    html = decode_document(body, result.content_type).text
    article = extract_article(html, result.final_url, tz)
    if article is not None and not source.selector:
        return ParsedSource(kind="html", entries=[article])
    links = find_article_links(html, result.final_url, source.selector)
    if not links and article is None:
        raise SourceError("no feed, no article and no article links found on the page")
    return ParsedSource(kind="html", article_links=links)


async def _known_urls(db: Database, urls: list[str]) -> set[str]:
    if not urls:
        return set()
    async with db.session() as session:
        rows = await session.scalars(select(Item.canonical_url).where(Item.canonical_url.in_(urls)))
        return set(rows.all())


async def _fetch_article(fetcher: Fetcher, url: str, tz: ZoneInfo) -> Entry | None:
    try:
        result = await fetcher.fetch(url)
        html = decode_document(result.body or b"", result.content_type).text
        return extract_article(html, result.final_url, tz)
    except (FetchError, UndecodableError) as exc:
        log.info("article fetch failed: %s: %s", url, getattr(exc, "reason", exc))
        return None


async def _complete_entries(
    db: Database, fetcher: Fetcher, source: SourceSnapshot, parsed: ParsedSource, tz: ZoneInfo
) -> list[Entry]:
    """Follow a listing's article links, and fetch full text for snippet-only feed entries."""
    entries = list(parsed.entries)
    if parsed.article_links:
        wanted = [u for u in parsed.article_links if u]
        known = await _known_urls(db, [canonical_url(u) for u in wanted])
        todo = [u for u in wanted if canonical_url(u) not in known][:ARTICLES_PER_POLL]
        fetched = await asyncio.gather(*(_fetch_article(fetcher, u, tz) for u in todo))
        entries.extend(e for e in fetched if e is not None)
    elif source.full_text:
        snippets = [e for e in entries if e.snippet_only and e.url]
        known = await _known_urls(db, [canonical_url(e.url) for e in snippets])
        todo = [e for e in snippets if canonical_url(e.url) not in known][:ARTICLES_PER_POLL]
        pages = await asyncio.gather(*(_fetch_article(fetcher, e.url, tz) for e in todo))
        for entry, page in zip(todo, pages, strict=True):
            if page is not None and len(page.body) > len(entry.body):
                entry.body = page.body
                entry.author = entry.author or page.author
                entry.read_count = page.read_count
                entry.published = entry.published or page.published
                entry.snippet_only = False
    return entries


def _next_check(config: Config, result: FetchResult, interval: float, ttl: int | None, now: datetime) -> datetime:
    delay = next_check_delay(interval, result.headers, ttl, now, float(config.fetch.max_interval))
    return now + timedelta(seconds=delay)


async def _record_ok(
    db: Database, config: Config, source: SourceSnapshot, result: FetchResult, interval: float,
    *, ttl: int | None, not_modified: bool, now: datetime,
) -> None:
    async with db.transaction() as session:
        await record_success(
            session, source.id, now=now, next_check_at=_next_check(config, result, interval, ttl, now),
            new_url=result.permanent_redirect_url, not_modified=not_modified,
        )


async def _record_ok_in(
    session, config: Config, source: SourceSnapshot, result: FetchResult, interval: float,
    parsed: ParsedSource, now: datetime,
) -> None:
    keep = should_store_validators(result.status, True)
    await record_success(
        session, source.id, now=now,
        next_check_at=_next_check(config, result, interval, parsed.ttl_seconds, now),
        etag=result.etag if keep else None, last_modified=result.last_modified if keep else None,
        new_url=result.permanent_redirect_url, detected_kind=parsed.kind, title=parsed.title,
    )


async def _record_failure(
    db: Database, config: Config, source: SourceSnapshot, reason: str, interval: float, now: datetime,
    *, retry_after: float | None = None,
) -> None:
    delay = backoff_delay(source.error_count + 1, max(BACKOFF_BASE, min(interval, 900.0)), float(config.fetch.max_backoff))
    if retry_after:
        delay = max(delay, min(retry_after, float(config.fetch.max_backoff)))
    log.warning("poll error: %s", reason, extra={"source": source.name})
    async with db.transaction() as session:
        await record_error(session, source.id, now=now, reason=reason, next_check_at=now + timedelta(seconds=delay))
