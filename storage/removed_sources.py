"""What a removed source leaves behind: its recent sightings and who followed it, for digests; its
stories, for the sources that still carry them; a notice for the chats it leaves with nothing.

The digest counts a story as already sent to a chat when the story's first sighting among the chat's
sources is at or before the chat's cursor (jobs.digest_content). Deleting a source deleted its
sightings, so a story the chat had got through it looked new again as soon as another source carried
it. `keep_for_digests` copies them first, with their ids, and the chats that followed the source;
the digest reads them back (storage.digests: `load_window`, `subscribed_sources`).

They are kept only while they can matter: a story takes new sources for STORY_WINDOW after it is
first seen, and a digest reaches back at most DIGEST_LOOKBACK.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from news.prepare import PreparedItem
from storage.db import dialect_insert
from storage.digests import DIGEST_LOOKBACK, latest_sighting_id
from storage.item_rows import story_url
from storage.models import (
    Item,
    OutboxMessage,
    RemovedFollow,
    RemovedSighting,
    Story,
    StorySource,
    Subscriber,
    Subscription,
    UTCDateTime,
)
from storage.outbox import CANCELLED, PENDING
from storage.story_match import STORY_WINDOW

KEPT_FOR = STORY_WINDOW + DIGEST_LOOKBACK


async def keep_for_digests(session: AsyncSession, source_id: int, now: datetime) -> None:
    """Copy the source's recent sightings and its followers before the source is deleted; forget
    what earlier removals kept that can no longer matter."""
    since = now - KEPT_FOR
    await session.execute(delete(RemovedSighting).where(RemovedSighting.seen_at < since))
    await session.execute(delete(RemovedFollow).where(RemovedFollow.removed_at < since))
    sightings = select(
        StorySource.id, StorySource.story_id, StorySource.source_id, StorySource.seen_at
    ).where(StorySource.source_id == source_id, StorySource.seen_at >= since)
    await session.execute(
        insert(RemovedSighting).from_select(["id", "story_id", "source_id", "seen_at"], sightings)
    )
    await _remember_followers(session, source_id, now)


async def _remember_followers(session: AsyncSession, source_id: int, now: datetime) -> None:
    """A row per chat that follows the source, from where its follow began to the newest sighting.
    A chat that had left the source and followed it again keeps one row, from the start of its first
    follow; one that left it for good keeps the row it has."""
    until = await latest_sighting_id(session)
    follow_since = (
        select(Subscription.since_sighting)
        .where(Subscription.subscriber_id == RemovedFollow.subscriber_id, Subscription.source_id == source_id)
        .scalar_subquery()
    )
    await session.execute(
        update(RemovedFollow)
        .where(RemovedFollow.source_id == source_id, RemovedFollow.subscriber_id.in_(following(source_id)))
        .values(
            removed_at=now,
            until_sighting=until,
            since_sighting=case(
                (follow_since < RemovedFollow.since_sighting, follow_since),
                else_=RemovedFollow.since_sighting,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    remembered = exists().where(
        RemovedFollow.subscriber_id == Subscription.subscriber_id, RemovedFollow.source_id == source_id
    )
    followers = select(
        Subscription.subscriber_id,
        Subscription.source_id,
        literal(now, UTCDateTime),
        Subscription.since_sighting,
        literal(until),
    ).where(Subscription.source_id == source_id, ~remembered)
    await session.execute(
        insert(RemovedFollow).from_select(
            ["subscriber_id", "source_id", "removed_at", "since_sighting", "until_sighting"], followers
        )
    )


def following(source_id: int):
    """The ids of the chats that follow the source (a subquery)."""
    return select(Subscription.subscriber_id).where(Subscription.source_id == source_id)


async def hand_over_stories(session: AsyncSession, source_id: int) -> None:
    """Stories the source told first show its item's title, link and summary: each one another
    source carries takes those of the earliest item stored for it by another source."""
    told_first = (
        select(Story.id)
        .join(Item, Item.story_id == Story.id)
        .where(Item.source_id == source_id, Story.url == func.coalesce(Item.canonical_url, Item.url))
    )
    story_ids = sorted(set((await session.scalars(told_first)).all()))
    for start in range(0, len(story_ids), 500):  # well under the databases' parameter limits
        others = await session.execute(
            select(Item.story_id, Item.canonical_url, Item.url, Item.title, Item.summary)
            .where(Item.story_id.in_(story_ids[start : start + 500]), Item.source_id != source_id)
            .order_by(Item.id)
        )
        heirs: dict[int, dict] = {}
        for story_id, canonical, url, title, summary in others:
            heirs.setdefault(
                story_id, {"id": story_id, "url": canonical or url, "title": title, "summary": summary}
            )
        if heirs:
            await session.execute(update(Story), list(heirs.values()))


async def stories_left_without_items(session: AsyncSession, story_ids: list[int]) -> set[int]:
    """Of these stories, the ones no stored item tells any more: their source was removed."""
    if not story_ids:
        return set()
    told = exists().where(Item.story_id == Story.id)
    return set((await session.scalars(select(Story.id).where(Story.id.in_(story_ids), ~told))).all())


async def retell_stories(session: AsyncSession, tellers: dict[int, PreparedItem]) -> None:
    """Story id -> the item that now tells it: the story takes its title, link and summary."""
    rows = [
        {"id": story_id, "url": story_url(p), "title": p.title, "summary": p.summary}
        for story_id, p in tellers.items()
    ]
    if rows:
        await session.execute(update(Story), rows)


async def followers_left_with_nothing(session: AsyncSession, source_id: int) -> list[Subscriber]:
    """The active chats, digests or alerts on, that follow this source and no other (not all sources):
    once it is removed, nothing reaches them."""
    other = (
        select(Subscription.source_id)
        .where(Subscription.subscriber_id == Subscriber.id, Subscription.source_id != source_id)
        .exists()
    )
    followed = exists().where(
        Subscription.subscriber_id == Subscriber.id, Subscription.source_id == source_id
    )
    query = select(Subscriber).where(
        Subscriber.active.is_(True),
        Subscriber.all_sources.is_(False),
        Subscriber.mode != "off",
        followed,
        ~other,
    )
    return list((await session.scalars(query.order_by(Subscriber.id))).all())


async def queue_removal_notices(
    session: AsyncSession, source_id: int, notices: list[tuple[Subscriber, str, datetime]], now: datetime
) -> None:
    """One HTML message per chat about the removed source, not sent before the time given with it; a
    chat already told about this source id (an id SQLite gave again to a later source) is not told
    twice."""
    if not notices:
        return
    rows = [
        {
            "chat_id": subscriber.chat_id,
            "subscriber_id": subscriber.id,
            "kind": "notice",
            "ref_id": source_id,
            "part": 0,
            "text": text,
            "parse_mode": "HTML",
            "next_attempt_at": not_before,
            "created_at": now,
        }
        for subscriber, text, not_before in notices
    ]
    insert_rows = dialect_insert(session.bind.dialect.name)(OutboxMessage).on_conflict_do_nothing(
        index_elements=["kind", "ref_id", "chat_id", "part"]
    )
    await session.execute(insert_rows, rows)


async def drop_removal_notices(session: AsyncSession, subscriber_id: int) -> None:
    """The chat follows a source again: a removal notice still waiting (quiet hours) would tell it
    that it follows nothing."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.subscriber_id == subscriber_id,
            OutboxMessage.kind == "notice",
            OutboxMessage.status == PENDING,
        )
        .values(status=CANCELLED, last_error="cancelled: the chat chose sources again")
    )
