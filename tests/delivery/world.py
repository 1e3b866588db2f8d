"""Builders for delivery tests: sources, stories seen by sources, subscribers (rows written directly)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from sqlalchemy import func, insert, select

from storage.db import Database
from storage.models import Digest, OutboxMessage, Source, Story, StorySource, Subscriber, Subscription

NOW = datetime(2024, 9, 19, 0, 30, tzinfo=UTC)  # 07:30 in Ho Chi Minh City, just after the 07:00 slot
_story_numbers = count(1)


async def add_sources(db: Database, *names: str) -> dict[str, int]:
    async with db.transaction() as session:
        sources = [Source(name=name, url=f"https://{name.lower()}.example.vn/rss") for name in names]
        session.add_all(sources)
        await session.flush()
        return {s.name: s.id for s in sources}


async def add_story(
    db: Database,
    title: str,
    source_ids: list[int],
    *,
    summary: str = "",
    published: datetime | None = None,
    seen_at: datetime | None = None,
) -> int:
    """A story and one sighting per source, in the order given (the first source saw it first)."""
    number = next(_story_numbers)
    published = published or NOW - timedelta(hours=1)
    async with db.transaction() as session:
        story = Story(
            title=title,
            url=f"https://news.example.vn/{number}",
            summary=summary,
            signature=number,
            published_at=published,
            first_seen_at=seen_at or NOW - timedelta(minutes=50),
        )
        session.add(story)
        await session.flush()
        for source_id in source_ids:
            session.add(
                StorySource(
                    story_id=story.id,
                    source_id=source_id,
                    seen_at=seen_at or NOW - timedelta(minutes=50),
                    published_at=published,
                )
            )
            await session.flush()
        return story.id


async def add_sighting(db: Database, story_id: int, source_id: int, seen_at: datetime | None = None) -> None:
    async with db.transaction() as session:
        session.add(
            StorySource(
                story_id=story_id,
                source_id=source_id,
                seen_at=seen_at or NOW - timedelta(minutes=40),
                published_at=(await session.get(Story, story_id)).published_at,
            )
        )


async def add_subscribers(
    db: Database,
    n: int,
    *,
    first_chat: int = 1001,
    chat_step: int = 1,
    sources: list[int] | None = None,
    **fields,
) -> list[int]:
    """`n` subscribers with chats first_chat, first_chat+step, ...; all sources unless `sources`."""
    fields.setdefault("all_sources", sources is None)
    fields.setdefault("next_digest_at", NOW - timedelta(minutes=30))
    fields.setdefault("created_at", NOW - timedelta(days=30))
    rows = [
        {
            "chat_id": first_chat + i * chat_step,
            "chat_type": "private" if first_chat > 0 else "group",
            **fields,
        }
        for i in range(n)
    ]
    async with db.transaction() as session:
        await session.execute(insert(Subscriber), rows)
        ids = list(
            (
                await session.execute(
                    select(Subscriber.id)
                    .where(Subscriber.chat_id.in_([r["chat_id"] for r in rows]))
                    .order_by(Subscriber.id)
                )
            ).scalars()
        )
        if sources:
            await session.execute(
                insert(Subscription), [{"subscriber_id": s, "source_id": src} for s in ids for src in sources]
            )
    return ids


async def outbox_rows(db: Database, **where) -> list[OutboxMessage]:
    async with db.session() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for key, value in where.items():
            query = query.where(getattr(OutboxMessage, key) == value)
        return list((await session.execute(query)).scalars())


async def digests(db: Database) -> list[Digest]:
    async with db.session() as session:
        return list((await session.execute(select(Digest).order_by(Digest.id))).scalars())


async def subscriber(db: Database, subscriber_id: int) -> Subscriber:
    async with db.session() as session:
        return await session.get(Subscriber, subscriber_id)


async def count_rows(db: Database, model) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()
