"""Compose digests into the outbox: the scheduled run, /digest on demand, instant alerts, broadcasts.

These are plain async functions with explicit dependencies; the bot's JobQueue calls them. Each
digest is written with its outbox rows and the cursor move in one transaction (`record_digest`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, literal, select

from jobs.digest_content import (
    DigestContent,
    KeywordFilter,
    StoryKeys,
    digest_start,
    lowest_cursor,
    max_stories_of,
    new_stories,
    render_instant,
    render_no_news,
    render_scheduled,
    source_filter,
    wants_no_news_notice,
)
from news.config import Config
from news.schedule import in_quiet_hours, slots_to_serve
from storage.db import Database
from storage.digests import (
    DIGEST_LOOKBACK,
    StoryWindow,
    advance_cursor,
    latest_sighting_id,
    load_window,
    record_digest,
    sighting_id_before,
    subscribed_sources,
)
from storage.models import Broadcast, OutboxMessage, Subscriber, utcnow
from storage.schedules import (
    digest_times_of,
    due_subscribers,
    next_digest_time,
    timezone_of,
    unscheduled_subscribers,
)

BATCH_SIZE = 500
LOOKBACK = DIGEST_LOOKBACK
DIGEST_MODES = ("digest", "both")
INSTANT_MODES = ("instant", "both")


@dataclass
class ComposeReport:
    due: int = 0
    composed: int = 0  # digests written (with at least one outbox row)
    already_done: int = 0  # slot existed: another run made it
    empty: int = 0  # nothing new: nothing sent
    held: int = 0  # instant alerts held by quiet hours
    messages: int = 0  # outbox rows written
    scheduled: int = 0  # subscribers given their first next_digest_at
    digest_ids: list[int] = field(default_factory=list)


async def _record_counted(session, report: ComposeReport, **digest) -> None:
    """Write a digest with its outbox rows, and count it (or its slot already taken) in `report`."""
    digest_id = await record_digest(session, **digest)
    if digest_id is None:
        report.already_done += 1
        return
    report.composed += 1
    report.messages += len(digest["parts"])
    report.digest_ids.append(digest_id)


class _WindowCache:
    """One window per run, reloaded only when a batch needs older sightings than it holds."""

    def __init__(self, up_to: int) -> None:
        self.up_to = up_to
        self.window: StoryWindow | None = None

    async def covering(self, session, after: int) -> StoryWindow:
        if self.window is None or after < self.window.after:
            self.window = await load_window(session, after, self.up_to)
        return self.window


async def _snapshot(db: Database, now: datetime) -> tuple[int, int]:
    async with db.session() as session:
        return await latest_sighting_id(session), await sighting_id_before(session, now - LOOKBACK)


async def schedule_new_subscribers(
    db: Database, config: Config, now: datetime, *, batch_size: int = BATCH_SIZE
) -> int:
    """Give subscribers without a `next_digest_at` their next slot (new ones, reactivated ones)."""
    count, after_id = 0, 0
    while True:
        async with db.transaction() as session:
            batch = await unscheduled_subscribers(session, after_id=after_id, limit=batch_size)
            for subscriber in batch:
                subscriber.next_digest_at = next_digest_time(subscriber, config.schedule, now)
                count += subscriber.next_digest_at is not None
        if len(batch) < batch_size:
            return count
        after_id = batch[-1].id


async def compose_due_digests(
    db: Database, config: Config, now: datetime | None = None, *, batch_size: int = BATCH_SIZE
) -> ComposeReport:
    """Write the digests of every subscriber whose slot has come, in batches, and move their
    `next_digest_at` on. After downtime only the latest missed slot is served (catch-up)."""
    now = now or utcnow()
    report = ComposeReport(scheduled=await schedule_new_subscribers(db, config, now, batch_size=batch_size))
    up_to, floor = await _snapshot(db, now)
    windows = _WindowCache(up_to)
    bounds = _SlotBounds(up_to)
    after = None
    while True:
        async with db.transaction() as session:
            batch = await due_subscribers(session, now, after=after, limit=batch_size)
            if not batch:
                break
            after = (batch[-1].next_digest_at, batch[-1].id)
            wanting = [s for s in batch if s.mode in DIGEST_MODES]
            if wanting:
                subscriptions = await subscribed_sources(
                    session, [s.id for s in wanting if not s.all_sources]
                )
                window = await windows.covering(
                    session, lowest_cursor([s.digest_cursor for s in wanting], floor)
                )
                keys = StoryKeys(window)
            for subscriber in batch:
                report.due += 1
                if subscriber.mode in DIGEST_MODES:
                    await _write_due_slots(
                        session,
                        config,
                        subscriber,
                        now,
                        report,
                        window=window,
                        keys=keys,
                        subscriptions=subscriptions,
                        floor=floor,
                        bounds=bounds,
                    )
                subscriber.next_digest_at = next_digest_time(subscriber, config.schedule, now)
    return report


def catch_up_horizon(config: Config) -> timedelta:
    """How far back a slot counts as just come rather than missed by downtime: two check intervals
    (a check can run late), and never under 10 minutes."""
    return max(timedelta(seconds=2 * config.schedule.digest_check_interval), timedelta(minutes=10))


class _SlotBounds:
    """The last sighting seen before each slot, looked up once per run: when one check serves two
    slots, each digest holds what came before its own slot."""

    def __init__(self, up_to: int) -> None:
        self.up_to = up_to
        self._ids: dict[datetime, int] = {}

    async def before(self, session, slot: datetime) -> int:
        if slot not in self._ids:
            self._ids[slot] = min(await sighting_id_before(session, slot), self.up_to)
        return self._ids[slot]


async def _write_due_slots(
    session, config, subscriber, now, report, *, window, keys, subscriptions, floor, bounds
) -> None:
    """One digest per slot to serve; all but the last hold only what was seen before their own slot
    (the last one, written now, holds everything up to now, as a single slot's digest does)."""
    slots = slots_to_serve(
        digest_times_of(subscriber, config.schedule),
        timezone_of(subscriber, config.schedule),
        subscriber.next_digest_at,
        now,
        catch_up_horizon(config),
    )
    cursor_from, cursor = subscriber.digest_cursor, max(subscriber.digest_cursor, floor)
    follows = source_filter(subscriber, subscriptions)
    keywords = KeywordFilter.of(subscriber.include_keywords, subscriber.exclude_keywords)
    for slot in slots:
        content = new_stories(
            window,
            keys,
            cursor=cursor,
            follows=follows,
            keywords=keywords,
            max_stories=max_stories_of(subscriber, config),
            up_to=None if slot == slots[-1] else await bounds.before(session, slot),
        )
        await _write_scheduled(session, config, subscriber, slot, content, report, cursor_from)
        cursor_from = cursor = max(cursor, content.cursor_to)


async def _write_scheduled(
    session, config, subscriber, slot, content: DigestContent, report, cursor_from: int
) -> None:
    if content.total:
        parts = render_scheduled(subscriber, config, content, slot)
    elif wants_no_news_notice(subscriber, config):
        parts = render_no_news(subscriber, config, content, slot)
    else:
        report.empty += 1
        await advance_cursor(session, subscriber.id, "digest_cursor", content.cursor_to)
        return
    await _record_counted(
        session,
        report,
        subscriber_id=subscriber.id,
        chat_id=subscriber.chat_id,
        slot_at=slot,
        kind="scheduled",
        cursor_column="digest_cursor",
        cursor_from=cursor_from,
        cursor_to=content.cursor_to,
        story_count=len(content.stories),
        parts=parts,
    )


@dataclass
class DigestResult:
    parts: list[str]
    story_count: int
    more: int
    digest_id: int | None  # None: previewed, or nothing to send
    unmatched: int = 0  # new stories the subscriber's keywords left out


async def compose_digest_for(
    db: Database, config: Config, subscriber_id: int, now: datetime | None = None, *, record: bool = True
) -> DigestResult:
    """The subscriber's next digest right now (/digest). With `record=False` (a preview) nothing is
    written: no digest row, no outbox row, the cursor stays."""
    now = now or utcnow()
    up_to, floor = await _snapshot(db, now)
    async with db.transaction() as session:
        subscriber = await session.get(Subscriber, subscriber_id)
        if subscriber is None:
            raise LookupError(f"no subscriber with id {subscriber_id}")
        cursor = max(digest_start(subscriber), floor)
        window = await load_window(session, cursor, up_to)
        subscriptions = await subscribed_sources(session, [subscriber.id])
        content = new_stories(
            window,
            StoryKeys(window),
            cursor=cursor,
            follows=source_filter(subscriber, subscriptions),
            keywords=KeywordFilter.of(subscriber.include_keywords, subscriber.exclude_keywords),
            max_stories=max_stories_of(subscriber, config),
        )
        parts = render_scheduled(subscriber, config, content, now) if content.total else []
        result = DigestResult(parts, len(content.stories), content.more, None, content.unmatched)
        if record and parts:
            result.digest_id = await record_digest(
                session,
                subscriber_id=subscriber.id,
                chat_id=subscriber.chat_id,
                slot_at=now,
                kind="manual",
                cursor_column="digest_cursor",
                cursor_from=subscriber.digest_cursor,
                cursor_to=content.cursor_to,
                story_count=len(content.stories),
                parts=parts,
            )
            if result.digest_id is not None and subscriber.mode == "instant":  # no alert for it later
                await advance_cursor(session, subscriber.id, "instant_cursor", content.cursor_to)
        elif not record:
            await session.rollback()
    return result


async def queue_instant_alerts(
    db: Database, config: Config, now: datetime | None = None, *, batch_size: int = BATCH_SIZE
) -> ComposeReport:
    """One alert per instant/both subscriber with matching new stories (call it after each poll and on
    the periodic check, which also releases alerts held by quiet hours: they are not composed while
    quiet, so they go out as one message when the quiet hours end)."""
    now = now or utcnow()
    report = ComposeReport()
    up_to, floor = await _snapshot(db, now)
    windows = _WindowCache(up_to)
    after_id = 0
    while True:
        async with db.transaction() as session:
            query = (
                select(Subscriber)
                .where(
                    Subscriber.active.is_(True),
                    Subscriber.mode.in_(INSTANT_MODES),
                    Subscriber.instant_cursor < up_to,
                    Subscriber.id > after_id,
                )
                .order_by(Subscriber.id)
                .limit(batch_size)
            )
            if session.bind.dialect.name == "postgresql":
                # Runs overlap (after a poll, on the digest check): a subscriber another run is
                # composing for is its business; its cursor has moved when we look again.
                query = query.with_for_update(skip_locked=True)
            batch = list((await session.execute(query)).scalars())
            if not batch:
                break
            after_id = batch[-1].id
            awake = [
                s
                for s in batch
                if not in_quiet_hours(now, timezone_of(s, config.schedule), s.quiet_start, s.quiet_end)
            ]
            report.held += len(batch) - len(awake)
            if not awake:
                continue
            subscriptions = await subscribed_sources(session, [s.id for s in awake if not s.all_sources])
            window = await windows.covering(session, lowest_cursor([s.instant_cursor for s in awake], floor))
            keys = StoryKeys(window)
            for subscriber in awake:
                report.due += 1
                content = new_stories(
                    window,
                    keys,
                    cursor=max(subscriber.instant_cursor, floor),
                    follows=source_filter(subscriber, subscriptions),
                    keywords=KeywordFilter.of(subscriber.include_keywords, subscriber.exclude_keywords),
                    max_stories=max_stories_of(subscriber, config),
                )
                if not content.total:
                    report.empty += 1
                    await advance_cursor(session, subscriber.id, "instant_cursor", content.cursor_to)
                    continue
                parts = render_instant(subscriber, config, content)
                await _record_counted(
                    session,
                    report,
                    subscriber_id=subscriber.id,
                    chat_id=subscriber.chat_id,
                    slot_at=now,
                    kind="instant",
                    cursor_column="instant_cursor",
                    cursor_from=subscriber.instant_cursor,
                    cursor_to=content.cursor_to,
                    story_count=len(content.stories),
                    parts=parts,
                    outbox_kind="instant",
                )
    return report


async def queue_broadcast(
    db: Database,
    text: str,
    admin_id: int | None,
    *,
    parse_mode: str | None = "HTML",
    now: datetime | None = None,
) -> tuple[int, int]:
    """An admin's message to every active subscriber, as outbox rows written in one statement.
    `text` is Telegram HTML when `parse_mode` is "HTML" (escape what the admin typed if it is plain).
    Returns (broadcast id, recipients)."""
    now = now or utcnow()
    async with db.transaction() as session:
        broadcast = Broadcast(text=text, created_by=admin_id, created_at=now)
        session.add(broadcast)
        await session.flush()
        recipients = select(
            Subscriber.chat_id,
            Subscriber.id,
            literal("broadcast"),
            literal(broadcast.id),
            literal(0),
            literal(text),
            literal(parse_mode),
            literal(True),
            literal("pending"),
            literal(0),
            literal(now, OutboxMessage.next_attempt_at.type),
            literal(now, OutboxMessage.created_at.type),
        ).where(Subscriber.active.is_(True))
        columns = [
            "chat_id", "subscriber_id", "kind", "ref_id", "part", "text", "parse_mode",
            "disable_preview", "status", "attempts", "next_attempt_at", "created_at",
        ]  # fmt: skip
        await session.execute(insert(OutboxMessage).from_select(columns, recipients))
        count = (
            await session.execute(
                select(func.count()).where(
                    OutboxMessage.kind == "broadcast", OutboxMessage.ref_id == broadcast.id
                )
            )
        ).scalar_one()
        broadcast.recipients = count
    return broadcast.id, count
