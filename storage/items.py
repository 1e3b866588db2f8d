"""Storing polled items: deduplication by guid, canonical URL and content, and story clustering.

An entry is the same item when it has the same (source, guid), the same canonical URL or the
same content fingerprint. A near-duplicate (same story told by another source) becomes a new
item joined to the existing story (storage.story_match finds it). The database's unique
constraints back every rule, so two concurrent polls cannot insert twins: new items go in with
a few bulk statements (storage.bulk_items), and when that meets a twin the batch is redone item
by item, a losing insert becoming a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from news.fingerprint import has_thin_body
from news.prepare import PreparedItem
from storage.bulk_items import bulk_insert_if_distinct
from storage.db import dialect_insert
from storage.item_rows import item_row, story_row
from storage.models import Item, Source, Story, StoryBand, StorySource, UTCDateTime
from storage.removed_sources import retell_stories, stories_left_without_items
from storage.story_match import (
    STORY_WINDOW,
    candidate_ids,
    candidate_stories,
    closest_story,
    stories_carried,
    story_key_rows,
)


class SourceRef(Protocol):
    """The source items are stored for: its row, or anything else that knows its id."""

    @property
    def id(self) -> int: ...


@dataclass
class IngestResult:
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    new_item_ids: list[int] = field(default_factory=list)
    new_story_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoredText:
    """What a stored item says, to tell an unchanged entry without preparing it again."""

    guid: str
    canonical_url: str | None
    title: str
    body: str


async def stored_texts(
    session: AsyncSession | AsyncConnection, source_id: int, guids: list[str], urls: list[str]
) -> list[StoredText]:
    """Title and body of `source_id`'s items that have one of these guids or canonical URLs."""
    conditions = []
    if guids:
        conditions.append(Item.guid.in_(guids))
    if urls:
        conditions.append(Item.canonical_url.in_(urls))
    if not conditions:
        return []
    rows = await session.execute(
        select(Item.guid, Item.canonical_url, Item.title, Item.body).where(
            Item.source_id == source_id, or_(*conditions)
        )
    )
    return [StoredText(*row) for row in rows]


async def _existing(session: AsyncSession, source_id: int, items: list[PreparedItem]) -> list[Item]:
    stmt = select(Item).where(_stored_as_any([(source_id, items)]))
    return list((await session.scalars(stmt)).all())


def _stored_as_any(batches: list[tuple[int, list[PreparedItem]]]):
    """Stored items that are one of the batches' items: same content, same canonical URL, or the
    same guid from the same source."""
    prints = [p.fingerprint for _, items in batches for p in items]
    urls = [p.canonical_url for _, items in batches for p in items if p.canonical_url]
    conditions = [Item.content_fingerprint.in_(prints)]
    if urls:
        conditions.append(Item.canonical_url.in_(urls))
    for source_id, items in batches:
        if items:
            conditions.append((Item.source_id == source_id) & Item.guid.in_([p.guid for p in items]))
    return or_(*conditions)


def _match(prepared: PreparedItem, source_id: int, existing: Iterable[Item]) -> Item | None:
    by_identity = None
    by_content = None
    for item in existing:
        if (item.source_id == source_id and item.guid == prepared.guid) or (
            prepared.canonical_url and item.canonical_url == prepared.canonical_url
        ):
            by_identity = item
            break
        if item.content_fingerprint == prepared.fingerprint:
            by_content = item
    return by_identity or by_content


async def _link_source(session: AsyncSession, story_id: int | None, source_id: int, now: datetime) -> None:
    if story_id is None:
        return
    # The row carries the story's published time: read from the story in the same statement.
    story = select(Story.id, literal(source_id), literal(now, UTCDateTime), Story.published_at).where(
        Story.id == story_id
    )
    stmt = dialect_insert(session.bind.dialect.name)(StorySource).from_select(
        ["story_id", "source_id", "seen_at", "published_at"], story
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["story_id", "source_id"]))


async def _find_story(
    session: AsyncSession, prepared: PreparedItem, source_id: int, now: datetime
) -> Story | None:
    candidates = await candidate_stories(session, [prepared.signature], now - STORY_WINDOW)
    own: set[int] = set()
    if has_thin_body(prepared.body):  # never another item of its own source's story (news.fingerprint)
        found = candidate_ids(candidates, prepared.signature)
        own = {story_id for story_id, _ in await stories_carried(session, found, [source_id])}
    story_id = closest_story(prepared.signature, candidates, own)
    return None if story_id is None else await session.get(Story, story_id)


async def _new_story(session: AsyncSession, prepared: PreparedItem, now: datetime) -> Story:
    story = Story(**story_row(prepared, now))
    session.add(story)
    await session.flush()
    rows = story_key_rows(story.id, story.signature, story.first_seen_at)
    if rows:
        await session.execute(insert(StoryBand.__table__), rows)
    return story


def _changed(item: Item, prepared: PreparedItem) -> bool:
    return item.title != prepared.title or item.body != prepared.body


async def _update(session: AsyncSession, item: Item, prepared: PreparedItem, now: datetime) -> None:
    item.title = prepared.title
    item.body = prepared.body
    item.summary = prepared.summary
    item.summary_llm = None  # the cached abstractive summary described the old text
    item.search_text = prepared.search_text
    item.author = prepared.author or item.author
    item.read_count = prepared.read_count if prepared.read_count is not None else item.read_count
    item.updated_at = now
    taken = await session.scalar(
        select(Item.id).where(Item.content_fingerprint == prepared.fingerprint, Item.id != item.id)
    )
    if taken is None:
        item.content_fingerprint = prepared.fingerprint
    if item.story_id is not None:
        await session.execute(
            update(Story)
            .where(Story.id == item.story_id, Story.url == (item.canonical_url or item.url))
            .values(title=prepared.title, summary=prepared.summary)
        )


async def _insert_item(
    session: AsyncSession, source: SourceRef, prepared: PreparedItem, now: datetime, result: IngestResult
) -> Item:
    story = await _find_story(session, prepared, source.id, now)
    created = story is None
    if story is None:
        story = await _new_story(session, prepared, now)
    else:
        story.item_count += 1
        # A story its removed source left without items is told by the first item that joins it.
        if await stories_left_without_items(session, [story.id]):
            await retell_stories(session, {story.id: prepared})
    item = Item(**item_row(source.id, story.id, prepared, now))
    session.add(item)
    await session.flush()
    await _link_source(session, story.id, source.id, now)
    # Counted only once written: a twin's IntegrityError above leaves the result as it was.
    if created:
        result.new_story_ids.append(story.id)
    result.new += 1
    result.new_item_ids.append(item.id)
    return item


async def store_items(
    session: AsyncSession, source: SourceRef, items: list[PreparedItem], now: datetime
) -> IngestResult:
    """Store one poll's items for `source` inside the caller's transaction."""
    result = IngestResult()
    if not items:
        return result
    existing = await _existing(session, source.id, items)
    fresh = []
    for prepared in items:
        match = _match(prepared, source.id, existing)
        if match is None:
            fresh.append(prepared)
        else:
            await _apply_known(session, source, match, prepared, now, result)
    if fresh and not await _insert_all_at_once(session, source, fresh, now, result):
        await _insert_one_by_one(session, source, fresh, existing, now, result)
    if result.new:
        await session.execute(
            update(Source).where(Source.id == source.id).values(item_count=Source.item_count + result.new)
        )
    return result


async def _insert_all_at_once(
    session: AsyncSession, source: SourceRef, fresh: list[PreparedItem], now: datetime, result: IngestResult
) -> bool:
    """The usual case, in a handful of statements: new items, none already stored. False (and
    nothing written) when the batch holds twins or a concurrent poll stored one of them first."""
    inserted = await bulk_insert_if_distinct(session, [source.id] * len(fresh), fresh, now)
    if inserted is None:
        return False
    item_ids, created = inserted
    result.new += len(fresh)
    result.new_item_ids += item_ids
    result.new_story_ids += list(created.values())
    return True


async def store_new_items_together(
    session: AsyncSession, batches: list[tuple[int, list[PreparedItem]]], now: datetime
) -> list[IngestResult] | None:
    """Several sources' items in one set of statements (a handful in all, not per source), when
    each is new: no two share an identity and none is stored. The result per (source id, items)
    batch; None, with nothing written, when that is not so (then store them source by source).

    A source's `item_count` is the caller's to move (it records the poll in the same statement).
    """
    owners = [source_id for source_id, items in batches for _ in items]
    fresh = [p for _, items in batches for p in items]
    results = [IngestResult() for _ in batches]
    if not fresh:
        return results
    if await _any_stored(session, batches):
        return None
    inserted = await bulk_insert_if_distinct(session, owners, fresh, now)
    if inserted is None:
        return None
    item_ids, created = inserted
    index = 0
    for result, (_, items) in zip(results, batches, strict=True):
        result.new = len(items)
        result.new_item_ids = item_ids[index : index + len(items)]
        result.new_story_ids = [created[i] for i in range(index, index + len(items)) if i in created]
        index += len(items)
    return results


async def _any_stored(session: AsyncSession, batches: list[tuple[int, list[PreparedItem]]]) -> bool:
    """One of the batches' items is stored already."""
    # No LIMIT 1: with it PostgreSQL scanned the whole table hoping for an early match (45 ms at
    # 40,000 items when none matches, the usual answer) instead of one index probe per list.
    return (await session.execute(select(Item.id).where(_stored_as_any(batches)))).first() is not None


async def _insert_one_by_one(
    session: AsyncSession,
    source: SourceRef,
    fresh: list[PreparedItem],
    existing: list[Item],
    now: datetime,
    result: IngestResult,
) -> None:
    """Item by item, each in a savepoint: twins within the batch, or a concurrent poll's."""
    for prepared in fresh:
        match = _match(prepared, source.id, existing)
        if match is not None:
            await _apply_known(session, source, match, prepared, now, result)
            continue
        try:
            async with session.begin_nested():
                existing.append(await _insert_item(session, source, prepared, now, result))
        except IntegrityError:
            # A concurrent poll (or an earlier entry of this batch) stored its twin first.
            twin = _match(prepared, source.id, await _existing(session, source.id, [prepared]))
            if twin is None:
                raise
            await _apply_known(session, source, twin, prepared, now, result)
            existing.append(twin)


async def _apply_known(
    session: AsyncSession,
    source: SourceRef,
    item: Item,
    prepared: PreparedItem,
    now: datetime,
    result: IngestResult,
) -> None:
    same_place = item.source_id == source.id and (
        item.guid == prepared.guid or item.canonical_url == prepared.canonical_url
    )
    if same_place and _changed(item, prepared):
        await _update(session, item, prepared, now)
        result.updated += 1
        return
    await _link_source(session, item.story_id, source.id, now)
    result.duplicate += 1
