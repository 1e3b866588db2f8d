"""Storing polled items: deduplication by guid, canonical URL and content, and story clustering.

An entry is the same item when it has the same (source, guid), the same canonical URL or the
same content fingerprint. A near-duplicate (same story told by another source) becomes a new
item joined to the existing story. The database's unique constraints back every rule, so two
concurrent polls cannot insert twins: a losing insert is retried as a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from news.fingerprint import band_keys, same_story
from news.prepare import PreparedItem
from storage.models import Item, Source, Story, StoryBand, StorySource

STORY_WINDOW = timedelta(days=3)  # a story stays open to new sources this long


@dataclass
class IngestResult:
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    new_item_ids: list[int] = field(default_factory=list)
    new_story_ids: list[int] = field(default_factory=list)


def _insert(session: AsyncSession):
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def _existing(session: AsyncSession, source_id: int, items: list[PreparedItem]) -> list[Item]:
    guids = [i.guid for i in items]
    urls = [i.canonical_url for i in items if i.canonical_url]
    prints = [i.fingerprint for i in items]
    conditions = [Item.content_fingerprint.in_(prints), (Item.source_id == source_id) & Item.guid.in_(guids)]
    if urls:
        conditions.append(Item.canonical_url.in_(urls))
    return list((await session.scalars(select(Item).where(or_(*conditions)))).all())


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
    stmt = _insert(session)(StorySource).values(story_id=story_id, source_id=source_id, seen_at=now)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["story_id", "source_id"]))


async def _find_story(session: AsyncSession, prepared: PreparedItem, now: datetime) -> Story | None:
    bands = band_keys(prepared.signature)
    candidates = await session.scalars(
        select(Story)
        .join(StoryBand, StoryBand.story_id == Story.id)
        .where(StoryBand.band.in_(bands), Story.first_seen_at >= now - STORY_WINDOW)
        .distinct()
    )
    for story in candidates:
        if same_story(story.signature, prepared.signature):
            return story
    return None


async def _new_story(session: AsyncSession, prepared: PreparedItem, published: datetime, now: datetime) -> Story:
    story = Story(
        title=prepared.title,
        url=prepared.url,
        summary=prepared.summary,
        signature=prepared.signature,
        published_at=published,
        first_seen_at=now,
        item_count=1,
    )
    session.add(story)
    await session.flush()
    session.add_all(StoryBand(band=b, story_id=story.id) for b in set(band_keys(prepared.signature)))
    return story


def _changed(item: Item, prepared: PreparedItem) -> bool:
    return item.title != prepared.title or item.body != prepared.body


async def _update(session: AsyncSession, item: Item, prepared: PreparedItem, now: datetime) -> None:
    item.title = prepared.title
    item.body = prepared.body
    item.summary = prepared.summary
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
            .where(Story.id == item.story_id, Story.url == item.url)
            .values(title=prepared.title, summary=prepared.summary)
        )


async def _insert_item(
    session: AsyncSession, source: Source, prepared: PreparedItem, now: datetime, result: IngestResult
) -> Item:
    published = prepared.published or now
    story = await _find_story(session, prepared, now)
    if story is None:
        story = await _new_story(session, prepared, published, now)
        result.new_story_ids.append(story.id)
    else:
        story.item_count += 1
    item = Item(
        source_id=source.id,
        story_id=story.id,
        guid=prepared.guid,
        url=prepared.url,
        canonical_url=prepared.canonical_url,
        title=prepared.title,
        author=prepared.author,
        published_at=published,
        dated=prepared.published is not None,
        first_seen_at=now,
        body=prepared.body,
        summary=prepared.summary,
        language=prepared.language,
        read_count=prepared.read_count,
        content_fingerprint=prepared.fingerprint,
        signature=prepared.signature,
        search_text=prepared.search_text,
    )
    session.add(item)
    await session.flush()
    await _link_source(session, story.id, source.id, now)
    result.new += 1
    result.new_item_ids.append(item.id)
    return item


async def store_items(
    session: AsyncSession, source: Source, items: list[PreparedItem], now: datetime
) -> IngestResult:
    """Store one poll's items for `source` inside the caller's transaction."""
    result = IngestResult()
    if not items:
        return result
    existing = await _existing(session, source.id, items)
    for prepared in items:
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
    await session.execute(
        update(Source)
        .where(Source.id == source.id)
        .values(item_count=select(func.count(Item.id)).where(Item.source_id == source.id).scalar_subquery())
    )
    return result


async def _apply_known(
    session: AsyncSession, source: Source, item: Item, prepared: PreparedItem, now: datetime, result: IngestResult
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
