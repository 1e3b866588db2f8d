"""Who is due for a digest: keyset batches over the indexed `next_digest_at`, and setting it.

One periodic job reads these batches instead of keeping one scheduler job per subscriber, so
100,000 subscribers cost one indexed range scan per check and a batch of rows in memory at a time.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from news.config import ScheduleConfig
from news.schedule import next_slot
from storage.applied_settings import applied_value, record_applied
from storage.models import Subscriber

DueKey = tuple[datetime, int]  # (next_digest_at, id) of the last subscriber of a batch


def digest_times_of(subscriber: Subscriber, schedule: ScheduleConfig) -> list[str]:
    return (
        list(subscriber.digest_times) if subscriber.digest_times is not None else list(schedule.digest_times)
    )


def timezone_of(subscriber: Subscriber, schedule: ScheduleConfig) -> ZoneInfo:
    return ZoneInfo(subscriber.timezone or schedule.timezone)


def next_digest_time(subscriber: Subscriber, schedule: ScheduleConfig, after: datetime) -> datetime | None:
    """The subscriber's first slot after `after`, in UTC (None: they chose no digest times)."""
    return next_slot(digest_times_of(subscriber, schedule), timezone_of(subscriber, schedule), after)


async def due_subscribers(
    session: AsyncSession, now: datetime, *, after: DueKey | None = None, limit: int = 500
) -> list[Subscriber]:
    """Active subscribers whose `next_digest_at` has come, in (next_digest_at, id) order after `after`."""
    query = select(Subscriber).where(Subscriber.active.is_(True), Subscriber.next_digest_at <= now)
    if after is not None:
        at, sid = after
        query = query.where(
            or_(Subscriber.next_digest_at > at, and_(Subscriber.next_digest_at == at, Subscriber.id > sid))
        )
    query = query.order_by(Subscriber.next_digest_at, Subscriber.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def unscheduled_subscribers(
    session: AsyncSession, *, after_id: int = 0, limit: int = 500
) -> list[Subscriber]:
    """Active subscribers with no `next_digest_at` yet (new, or times changed by a handler that cleared it)."""
    query = (
        select(Subscriber)
        .where(Subscriber.active.is_(True), Subscriber.next_digest_at.is_(None), Subscriber.id > after_id)
        .order_by(Subscriber.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


def reschedule(subscriber: Subscriber, schedule: ScheduleConfig, now: datetime) -> datetime | None:
    """Set `next_digest_at` to the first slot after `now` (a new chat, one coming back: no catch-up)."""
    subscriber.next_digest_at = next_digest_time(subscriber, schedule, now)
    return subscriber.next_digest_at


def reschedule_after_change(
    subscriber: Subscriber, schedule: ScheduleConfig, now: datetime
) -> datetime | None:
    """Set `next_digest_at` after a change of times, zone or mode. A slot that came due before the
    change and that the periodic check has not served yet (it runs every minute, and first a minute
    after a restart) stays due: moving it on would drop that digest without a word."""
    due = subscriber.next_digest_at
    if subscriber.active and due is not None and due <= now:
        return due
    return reschedule(subscriber, schedule, now)


DEFAULT_SCHEDULE = "schedule.defaults"  # applied_settings: the defaults next_digest_at was computed from


def default_schedule_key(schedule: ScheduleConfig) -> str:
    """The defaults a subscriber's slots depend on, in one comparable string (order of times aside)."""
    return json.dumps({"digest_times": sorted(set(schedule.digest_times)), "timezone": schedule.timezone})


async def follow_default_schedule(
    session: AsyncSession, schedule: ScheduleConfig, now: datetime, *, batch_size: int = 500
) -> int:
    """Move the upcoming slot of subscribers on the default times or zone to what `schedule` says now;
    returns how many moved. Run at start: `next_digest_at` was computed from the defaults of the last
    run, and an admin who changed them would otherwise see everyone's next digest at the old time.
    A slot already due is left alone: the catch-up serves it. Defaults the same as those last applied
    cost one read, not a scan of every chat that follows them."""
    key = default_schedule_key(schedule)
    if await applied_value(session, DEFAULT_SCHEDULE) == key:
        return 0
    moved = await _move_default_followers(session, schedule, now, batch_size)
    await record_applied(session, DEFAULT_SCHEDULE, key, now)
    return moved


async def _move_default_followers(
    session: AsyncSession, schedule: ScheduleConfig, now: datetime, batch_size: int
) -> int:
    # A column set back to None may hold JSON `null` rather than SQL NULL.
    on_default_times = func.coalesce(cast(Subscriber.digest_times, String), "null") == "null"
    moved, after_id = 0, 0
    while True:
        query = (
            select(Subscriber)
            .where(
                Subscriber.active.is_(True),
                Subscriber.next_digest_at > now,
                or_(on_default_times, Subscriber.timezone.is_(None)),
                Subscriber.id > after_id,
            )
            .order_by(Subscriber.id)
            .limit(batch_size)
        )
        batch = list((await session.execute(query)).scalars())
        for subscriber in batch:
            upcoming = next_digest_time(subscriber, schedule, now)
            if upcoming != subscriber.next_digest_at:
                subscriber.next_digest_at = upcoming
                moved += 1
        if len(batch) < batch_size:
            return moved
        after_id = batch[-1].id
