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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from jobs.abstractive import AbstractiveSummarizer
from jobs.db_turns import turn
from jobs.fetch import Fetcher, FetchError, FetchResult
from jobs.grouped_writes import GroupWriter
from jobs.offload import INLINE, Offload
from jobs.source_entries import SourceError, SourceView, choose_entries, parse_document
from news.charset import UndecodableError
from news.config import Config
from news.entries import ParsedSource
from news.feeds import FeedParseError
from news.httpcache import backoff_delay, next_check_delay, should_store_validators
from news.prepare import PreparedItem, prepare_entries
from news.skipped_links import live_skipped, remember_skipped
from storage.db import Database
from storage.items import IngestResult, store_items, store_new_items_together
from storage.models import Source
from storage.sources import (
    NotModified,
    PollSuccess,
    claim_due_sources,
    present_source_ids,
    record_error,
    record_not_modified,
    record_success,
    record_successes,
)

log = logging.getLogger("bantin.poll")

BACKOFF_BASE = 60.0
IN_FLIGHT_PER_FETCH_SLOT = 2  # sources polled at once per fetch slot: one fetching, one processing
NOT_MODIFIED_BATCH = 200  # 304s recorded per transaction


@dataclass
class PollOutcome:
    source: str
    status: str  # new | updated | duplicate | not modified | error
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    error: str | None = None
    new_story_ids: list[int] = field(default_factory=list)
    new_item_ids: list[int] = field(default_factory=list)
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
    # of the last stored document: a feed's items (news.feed_memo), a listing's links that are
    # no article (news.skipped_links)
    entry_memo: bytes | None = None
    item_count: int = 1  # new items it ever stored; unknown: assume some
    origin: str = "config"  # config | admin (the command line) | chat (/addfeed)

    @property
    def view(self) -> SourceView:
        return SourceView(self.id, self.kind, self.selector, self.full_text, has_items=self.item_count > 0)

    @classmethod
    def of(cls, s: Source) -> SourceSnapshot:
        return cls(
            s.id,
            s.name,
            s.url,
            s.kind,
            s.selector,
            s.full_text,
            s.interval_seconds,
            s.timezone,
            s.language,
            s.etag,
            s.last_modified,
            s.error_count,
            s.entry_memo,
            s.item_count,
            s.origin,
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


def make_fetcher(config: Config, **options: bool) -> Fetcher:
    """The configured Fetcher; `options`: Fetcher's allow_file_urls and public_addresses_only."""
    f = config.fetch
    return Fetcher(
        **options,
        max_concurrency=f.concurrency,
        per_host=f.per_host,
        connect_timeout=f.connect_timeout,
        read_timeout=f.read_timeout,
        max_body_bytes=f.max_body_bytes,
        max_redirects=f.max_redirects,
        user_agent=f.user_agent or None,
    )


def fetcher_for(source: SourceSnapshot, fetcher: Fetcher, config: Config) -> Fetcher:
    """A source added from a chat is polled as /addfeed probed it, on public addresses only (unless
    [fetch] allow_private_addresses): else its address could redirect, or come to resolve, to the
    server's own network after the probe."""
    if source.origin == "chat" and not config.fetch.allow_private_addresses:
        return fetcher.public_addresses_only()
    return fetcher


async def poll_due_sources(
    db: Database,
    fetcher: Fetcher,
    config: Config,
    *,
    now: Callable[[], datetime] = _utcnow,
    on_outcome: Callable[[PollOutcome], None] | None = None,
    limit: int = 5000,
    source_name: str | None = None,
    offload: Offload = INLINE,
) -> list[PollOutcome]:
    """Poll every due source (or only `source_name`) at once; `on_outcome` hears each as it ends.
    `offload` parses and prepares in worker processes (default: in this one)."""
    async with turn(db), db.transaction() as session:
        sources = [SourceSnapshot.of(s) for s in await claim_due_sources(session, now(), limit, source_name)]

    # Sources in flight (fetched, parsed, waiting for their turn at the database) hold their
    # documents and prepared items: bounding them bounds memory however many sources are due.
    in_flight = asyncio.Semaphore(IN_FLIGHT_PER_FETCH_SLOT * config.fetch.concurrency)

    unchanged = _NotModifiedBatch(db)
    writes = GroupWriter(db, together=partial(_store_together, now=now))

    async def one(source: SourceSnapshot) -> PollOutcome:
        async with in_flight:
            outcome = await poll_source(
                db,
                fetcher,
                config,
                source,
                now=now,
                not_modified=unchanged.add,
                offload=offload,
                writes=writes,
            )
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    try:
        outcomes = list(await asyncio.gather(*(one(s) for s in sources)))
    finally:
        await writes.close()
        await unchanged.flush()
    # Optional abstractive summaries (a no-op unless [summaries] llm_* is set); never raises.
    await AbstractiveSummarizer(config, db, clock=now).summarize_new_items(
        [item_id for o in outcomes for item_id in o.new_item_ids]
    )
    return outcomes


class _NotModifiedBatch:
    """Collects 304s and records them NOT_MODIFIED_BATCH at a time, in one transaction.

    A crash before the flush loses nothing that matters: the claimed sources stay leased for a
    few minutes, then are polled again.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: list[NotModified] = []

    async def add(self, record: NotModified) -> None:
        self._pending.append(record)
        if len(self._pending) >= NOT_MODIFIED_BATCH:
            await self.flush()

    async def flush(self) -> None:
        records, self._pending = self._pending, []
        if records:
            async with turn(self._db), self._db.transaction() as session:
                await record_not_modified(session, records)


async def poll_source(
    db: Database,
    fetcher: Fetcher,
    config: Config,
    source: SourceSnapshot,
    *,
    now: Callable[[], datetime] = _utcnow,
    not_modified: Callable[[NotModified], Awaitable[None]] | None = None,
    offload: Offload = INLINE,
    writes: GroupWriter | None = None,
) -> PollOutcome:
    """Fetch, parse, prepare and store one source; every failure becomes an error on it.

    `not_modified` takes a 304's record instead of this writing it at once (poll_due_sources
    writes them in batches); `writes` shares transactions with the other sources of a poll.
    """
    started = time.perf_counter()
    fetcher = fetcher_for(source, fetcher, config)
    tz = ZoneInfo(source.timezone) if source.timezone else config.tz
    interval = float(source.interval_seconds or config.schedule.poll_interval)
    try:
        result = await fetcher.fetch(source.url, etag=source.etag, last_modified=source.last_modified)
        if result.not_modified:
            at = now()
            record = NotModified(
                source.id, at, _next_check(config, result, interval, None, at), result.permanent_redirect_url
            )
            if not_modified is None:
                async with turn(db), db.transaction() as session:
                    await record_not_modified(session, [record])
            else:
                await not_modified(record)
            return PollOutcome(source.name, "not modified", elapsed=time.perf_counter() - started)
        parsed = await offload.run(parse_document, result, source.view, tz, source.entry_memo)
        skipped = live_skipped(source.entry_memo, now())
        chosen = await choose_entries(db, fetcher, source.view, parsed, tz, offload, skipped)
        if parsed.kind == "html":  # a page's memo: its listing's links that are no article
            parsed.memo = remember_skipped(skipped, chosen.not_articles, now())
        prepared = await offload.run(prepare_entries, chosen.entries, config.summaries.words, source.language)

        async def store(session) -> IngestResult | None:
            success = _success(config, source, result, interval, parsed, now(), complete=chosen.complete)
            if not await record_success(session, success):
                return None  # removed while we were fetching
            return await store_items(session, source, prepared, success.now)

        polled = _Polled(config, source, result, interval, parsed, prepared, chosen.complete)
        ingest = await (writes or GroupWriter(db)).write(store, polled)
        if ingest is None:
            return PollOutcome(source.name, "error", error="source removed")
        ingest.duplicate += chosen.unchanged
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
        name,
        status,
        ingest.new,
        ingest.updated,
        ingest.duplicate,
        new_story_ids=ingest.new_story_ids,
        new_item_ids=ingest.new_item_ids,
        elapsed=elapsed,
    )


def _next_check(
    config: Config, result: FetchResult, interval: float, ttl: int | None, now: datetime
) -> datetime:
    delay = next_check_delay(interval, result.headers, ttl, now, float(config.fetch.max_interval))
    return now + timedelta(seconds=delay)


@dataclass(frozen=True)
class _Polled:
    """What a fetched, parsed and prepared source has to store (see _store_together)."""

    config: Config
    source: SourceSnapshot
    result: FetchResult
    interval: float
    parsed: ParsedSource
    prepared: list[PreparedItem]
    complete: bool = True  # ChosenEntries.complete


def _success(
    config: Config,
    source: SourceSnapshot,
    result: FetchResult,
    interval: float,
    parsed: ParsedSource,
    now: datetime,
    new_items: int = 0,  # stored by store_new_items_together (store_items counts its own)
    *,
    complete: bool = True,
) -> PollSuccess:
    # Articles left for a later poll: that poll must get the listing again, not a 304.
    keep = should_store_validators(result.status, True) and complete
    return PollSuccess(
        source.id,
        now=now,
        next_check_at=_next_check(config, result, interval, parsed.ttl_seconds, now),
        etag=result.etag if keep else None,
        last_modified=result.last_modified if keep else None,
        new_url=result.permanent_redirect_url,
        detected_kind=parsed.kind,
        title=parsed.title,
        entry_memo=parsed.memo,
        new_items=new_items,
    )


async def _store_together(
    session, polled: list[_Polled], *, now: Callable[[], datetime]
) -> list[IngestResult] | None:
    """Every source of a write group in a few statements (GroupWriter's `together`), when all of
    their items are new and every source is still there; None otherwise."""
    at = now()
    ids = {p.source.id for p in polled}
    if len(ids) != len(polled) or await present_source_ids(session, list(ids)) != ids:
        return None  # a source removed while it was polled: source by source, it is told so
    results = await store_new_items_together(session, [(p.source.id, p.prepared) for p in polled], at)
    if results is None:
        return None
    await record_successes(
        session,
        [
            _success(p.config, p.source, p.result, p.interval, p.parsed, at, result.new, complete=p.complete)
            for p, result in zip(polled, results, strict=True)
        ],
    )
    return results


async def _record_failure(
    db: Database,
    config: Config,
    source: SourceSnapshot,
    reason: str,
    interval: float,
    now: datetime,
    *,
    retry_after: float | None = None,
) -> None:
    delay = backoff_delay(
        source.error_count + 1, max(BACKOFF_BASE, min(interval, 900.0)), float(config.fetch.max_backoff)
    )
    if retry_after:
        delay = max(delay, min(retry_after, float(config.fetch.max_backoff)))
    log.warning("poll error: %s: %s", source.name, reason, extra={"source": source.name})
    async with turn(db), db.transaction() as session:
        await record_error(
            session, source.id, now=now, reason=reason, next_check_at=now + timedelta(seconds=delay)
        )
