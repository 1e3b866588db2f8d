"""The counts an admin's /stats shows: subscribers, items, stories, digests, outbox, source errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.counters import read_counters
from storage.models import Digest, Item, Source, Story, Subscriber
from storage.outbox import status_counts


@dataclass(frozen=True)
class BotStats:
    subscribers_active: int
    subscribers_inactive: int
    sources: int
    sources_failing: int  # enabled sources whose last poll failed
    items: int
    items_since: int  # first seen since the `since` given (the start of today)
    stories: int
    digests_since: int
    outbox: dict[str, int] = field(default_factory=dict)  # by status
    counters: dict[str, int] = field(default_factory=dict)  # monotonic, e.g. delivery.sent


async def _count(session: AsyncSession, stmt) -> int:
    return int(await session.scalar(stmt) or 0)


async def bot_stats(session: AsyncSession, since: datetime) -> BotStats:
    subscribers = dict(
        (bool(active), int(n))
        for active, n in await session.execute(
            select(Subscriber.active, func.count()).group_by(Subscriber.active)
        )
    )
    return BotStats(
        subscribers_active=subscribers.get(True, 0),
        subscribers_inactive=subscribers.get(False, 0),
        sources=await _count(
            session, select(func.count()).select_from(Source).where(Source.enabled.is_(True))
        ),
        sources_failing=await _count(
            session,
            select(func.count()).select_from(Source).where(Source.enabled.is_(True), Source.error_count > 0),
        ),
        items=await _count(session, select(func.count()).select_from(Item)),
        items_since=await _count(
            session, select(func.count()).select_from(Item).where(Item.first_seen_at >= since)
        ),
        stories=await _count(session, select(func.count()).select_from(Story)),
        digests_since=await _count(
            session, select(func.count()).select_from(Digest).where(Digest.created_at >= since)
        ),
        outbox=await status_counts(session),
        counters=await read_counters(session),
    )
