"""Digests in the database: the window of new story sightings, and one digest written atomically.

`record_digest` writes the digest row, its outbox rows and the subscriber's cursor in the caller's
transaction, so either all of them exist or none does; the unique (subscriber, slot) constraint makes
a second run for the same slot fail on insert, and that run then writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Digest,
    Item,
    OutboxMessage,
    RemovedFollow,
    RemovedSighting,
    Source,
    Story,
    StorySource,
    Subscriber,
    Subscription,
)

IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's and asyncpg's parameter limits
# A digest never reaches further back than this: a new subscriber (cursor 0) or one back after a long
# pause gets recent news, not the archive.
DIGEST_LOOKBACK = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class WindowStory:
    """A story of the window as a digest shows it; its sources come from the window's sightings."""

    id: int
    title: str
    url: str
    summary: str
    published_at: datetime
    published_day: date | None = None  # the source gave this day and no time (Story.published_day)


@dataclass(frozen=True, slots=True)
class Telling:
    """How one source's item tells a story: what a chat that follows that source, and not the one
    the story was made from, is shown."""

    title: str
    url: str
    summary: str


@dataclass
class StoryWindow:
    """Stories with a sighting in (after, up_to], with *all* their sightings up to `up_to` (older
    ones included, so a story a subscriber already saw through another source is recognised)."""

    after: int
    up_to: int
    stories: dict[int, WindowStory] = field(default_factory=dict)
    sightings: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # story -> [(ss id, source)]
    # The same, of sources removed since (storage.removed_sources): only to tell what a chat already got.
    removed_sightings: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    source_names: dict[int, str] = field(default_factory=dict)
    # story -> source -> its first item, for stories carried by more than one source
    tellings: dict[int, dict[int, Telling]] = field(default_factory=dict)


def _chunks(ids: Sequence[int], size: int = IN_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


async def latest_sighting_id(session: AsyncSession) -> int:
    """The newest story_sources id: a snapshot bound for a compose run, and a new subscriber's cursor."""
    return int((await session.execute(select(func.max(StorySource.id)))).scalar() or 0)


async def sighting_id_before(session: AsyncSession, moment: datetime) -> int:
    """The last story_sources id seen before `moment` (0 if none), by binary search over the primary
    key: ids grow with `seen_at`, and the column has no index of its own."""
    low = int((await session.execute(select(func.min(StorySource.id)))).scalar() or 0)
    high = await latest_sighting_id(session)
    if not high:
        return 0
    probe = select(StorySource.id, StorySource.seen_at).order_by(StorySource.id).limit(1)
    answer = 0
    while low <= high:
        mid = (low + high) // 2
        row = (await session.execute(probe.where(StorySource.id >= mid))).first()
        if row is None or row.id > high:
            high = mid - 1
        elif row.seen_at < moment:
            answer, low = row.id, row.id + 1
        else:
            high = mid - 1
    return answer


async def load_window(session: AsyncSession, after: int, up_to: int) -> StoryWindow:
    window = StoryWindow(after=after, up_to=up_to)
    if up_to <= after:
        return window
    story_ids = list(
        (
            await session.execute(
                select(StorySource.story_id).where(StorySource.id > after, StorySource.id <= up_to).distinct()
            )
        ).scalars()
    )
    for chunk in _chunks(story_ids):
        await _add_sightings(session, StorySource, chunk, up_to, window.sightings)
        await _add_sightings(session, RemovedSighting, chunk, up_to, window.removed_sightings)
        stories = await session.execute(
            select(
                Story.id, Story.title, Story.url, Story.summary, Story.published_at, Story.published_day
            ).where(Story.id.in_(chunk))
        )
        for row in stories:
            window.stories[row.id] = WindowStory(
                row.id, row.title, row.url, row.summary or "", row.published_at, row.published_day
            )
        await _add_tellings(
            session, [sid for sid in chunk if _several_sources(window.sightings.get(sid, ()))], window
        )
    window.source_names = dict((await session.execute(select(Source.id, Source.name))).all())
    return window


async def _add_sightings(
    session: AsyncSession,
    model: type[StorySource] | type[RemovedSighting],
    story_ids: Sequence[int],
    up_to: int,
    into: dict[int, list[tuple[int, int]]],
) -> None:
    """The sightings (`model`: current, or kept from removed sources) of these stories up to `up_to`,
    oldest first: story -> [(sighting id, source id)]."""
    rows = await session.execute(
        select(model.id, model.story_id, model.source_id)
        .where(model.story_id.in_(story_ids), model.id <= up_to)
        .order_by(model.id)
    )
    for sighting_id, story_id, source_id in rows:
        into.setdefault(story_id, []).append((sighting_id, source_id))


def _several_sources(sightings) -> bool:
    return len({source_id for _, source_id in sightings}) > 1


async def _add_tellings(session: AsyncSession, story_ids: Sequence[int], window: StoryWindow) -> None:
    """Each source's first item of these stories (title, link, summary as the story would take them)."""
    if not story_ids:
        return
    rows = await session.execute(
        select(
            Item.story_id,
            Item.source_id,
            Item.title,
            func.coalesce(Item.canonical_url, Item.url),
            func.coalesce(Item.summary_llm, Item.summary),
        )
        .where(Item.story_id.in_(story_ids))
        .order_by(Item.id)
    )
    for story_id, source_id, title, url, summary in rows:
        window.tellings.setdefault(story_id, {}).setdefault(source_id, Telling(title, url, summary or ""))


@dataclass
class SubscribedSources:
    """Subscribers' followed sources (absent key: none) with the sighting id each follow began after,
    and the sources each followed until they were removed or it left them, with (since, until)."""

    current: dict[int, dict[int, int]] = field(default_factory=dict)
    removed: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)


async def subscribed_sources(session: AsyncSession, subscriber_ids: Sequence[int]) -> SubscribedSources:
    """Each subscriber's subscribed source ids, and the ones it followed until they were removed or it
    left them."""
    result = SubscribedSources()
    for chunk in _chunks(list(subscriber_ids)):
        rows = await session.execute(
            select(Subscription.subscriber_id, Subscription.source_id, Subscription.since_sighting).where(
                Subscription.subscriber_id.in_(chunk)
            )
        )
        for subscriber_id, source_id, since in rows:
            result.current.setdefault(subscriber_id, {})[source_id] = since
        left = await session.execute(
            select(
                RemovedFollow.subscriber_id,
                RemovedFollow.source_id,
                RemovedFollow.since_sighting,
                RemovedFollow.until_sighting,
            ).where(RemovedFollow.subscriber_id.in_(chunk))
        )
        for subscriber_id, source_id, since, until in left:
            result.removed.setdefault(subscriber_id, {})[source_id] = (since, until)
    return result


def _advance(column, value: int):
    """`column = max(column, value)`: a cursor never moves back, whichever run commits last."""
    return case((column < value, value), else_=column)


async def advance_cursor(session: AsyncSession, subscriber_id: int, column: str, value: int) -> None:
    col = getattr(Subscriber, column)
    await session.execute(
        update(Subscriber).where(Subscriber.id == subscriber_id).values({column: _advance(col, value)})
    )


async def record_digest(
    session: AsyncSession,
    *,
    subscriber_id: int,
    chat_id: int,
    slot_at: datetime,
    kind: str,
    cursor_column: str,
    cursor_from: int,
    cursor_to: int,
    story_count: int,
    parts: Sequence[str],
    outbox_kind: str = "digest",
    parse_mode: str | None = "HTML",
    not_before: datetime | None = None,
) -> int | None:
    """Insert the digest, its outbox parts and the cursor move; None if this slot already exists."""
    try:
        async with session.begin_nested():
            digest = Digest(
                subscriber_id=subscriber_id,
                slot_at=slot_at,
                kind=kind,
                story_count=story_count,
                cursor_from=cursor_from,
                cursor_to=cursor_to,
            )
            session.add(digest)
            await session.flush()
    except IntegrityError:
        return None
    for part, text in enumerate(parts):
        row = OutboxMessage(
            chat_id=chat_id,
            subscriber_id=subscriber_id,
            kind=outbox_kind,
            ref_id=digest.id,
            part=part,
            text=text,
            parse_mode=parse_mode,
        )
        if not_before is not None:
            row.next_attempt_at = not_before
        session.add(row)
    await advance_cursor(session, subscriber_id, cursor_column, cursor_to)
    await session.flush()
    return digest.id
