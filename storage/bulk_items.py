"""New items in a handful of statements: the stories they start, the items, their links and story
keys, each kind inserted many rows at once. The usual case of a poll; a batch that meets a twin is
redone item by item by storage.items."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from news.fingerprint import has_thin_body
from news.prepare import PreparedItem
from storage.db import dialect_insert
from storage.item_rows import item_row, story_row
from storage.models import Item, Story, StoryBand, StorySource
from storage.removed_sources import retell_stories, stories_left_without_items
from storage.story_match import (
    STORY_WINDOW,
    Candidates,
    add_candidate,
    candidate_ids,
    candidate_stories,
    closest_story,
    stories_carried,
    story_key_rows,
)


async def bulk_insert_if_distinct(
    session: AsyncSession, owners: list[int], fresh: list[PreparedItem], now: datetime
) -> tuple[list[int], dict[int, int]] | None:
    """`_bulk_insert` in a savepoint; None, with nothing written, when the batch holds twins or a
    concurrent poll stored one of them first."""
    if not _all_distinct(fresh, owners):
        return None
    try:
        async with session.begin_nested():
            return await _bulk_insert(session, owners, fresh, now)
    except IntegrityError:
        return None


def _all_distinct(items: list[PreparedItem], owners: list[int]) -> bool:
    """No two items (item i of source `owners[i]`) share a source and guid, a canonical URL or a
    fingerprint (else they are one item)."""
    identities = [
        [(owner, i.guid) for i, owner in zip(items, owners, strict=True)],
        [i.canonical_url for i in items if i.canonical_url],
        [i.fingerprint for i in items],
    ]
    return all(len(set(values)) == len(values) for values in identities)


async def _bulk_insert(
    session: AsyncSession, owners: list[int], fresh: list[PreparedItem], now: datetime
) -> tuple[list[int], dict[int, int]]:
    """Insert `fresh` (item i for source `owners[i]`) with their stories, links and story keys.

    Returns the items' ids, in order, and the ids of the stories they created, by item index.
    """
    candidates: Candidates = await candidate_stories(
        session, [p.signature for p in fresh], now - STORY_WINDOW
    )
    thin = [bool(p.signature) and has_thin_body(p.body) for p in fresh]
    carried = await _stories_each_carries(session, candidates, owners, fresh, thin)
    # A story first told in this batch gets a provisional id (-1, -2, ...) so that the batch's
    # later items can join it before it exists.
    creators: list[int] = []  # indexes in fresh
    story_of: list[int] = []
    for index, prepared in enumerate(fresh):
        own = carried.get(owners[index], set()) if thin[index] else ()
        story_id = closest_story(prepared.signature, candidates, own)
        if story_id is None:
            creators.append(index)
            story_id = -len(creators)
            add_candidate(candidates, story_id, prepared.signature)
        story_of.append(story_id)
        carried.setdefault(owners[index], set()).add(story_id)
    joined = Counter(story_of)
    real: dict[int, int] = {}
    published: dict[int, datetime] = {}  # story id -> its published time, for the links
    if creators:
        rows = [story_row(fresh[i], now, joined[-n]) for n, i in enumerate(creators, start=1)]
        ids = await _insert_returning_ids(session, Story, rows, "url")
        real = {-n: story_id for n, story_id in enumerate(ids, start=1)}
        published = {real[-n]: row["published_at"] for n, row in enumerate(rows, start=1)}
        bands = [
            row
            for n, i in enumerate(creators, start=1)
            for row in story_key_rows(real[-n], fresh[i].signature, now)
        ]
        if bands:
            await session.execute(insert(StoryBand.__table__), bands)
    for story_id, count in joined.items():
        if story_id > 0:
            await session.execute(
                update(Story).where(Story.id == story_id).values(item_count=Story.item_count + count)
            )
    story_of = [real.get(story_id, story_id) for story_id in story_of]
    # A story its removed source left without items is told by the first item that joins it.
    left = await stories_left_without_items(session, [story_id for story_id in joined if story_id > 0])
    await retell_stories(session, {sid: fresh[story_of.index(sid)] for sid in left})
    item_rows = [
        item_row(owner, story_id, p, now) for p, owner, story_id in zip(fresh, owners, story_of, strict=True)
    ]
    item_ids = await _insert_returning_ids(session, Item, item_rows, "content_fingerprint")
    joined_ids = [story_id for story_id in joined if story_id > 0]
    if joined_ids:
        stories = select(Story.id, Story.published_at).where(Story.id.in_(joined_ids))
        published.update((await session.execute(stories)).all())
    links = [
        {"story_id": story_id, "source_id": owner, "seen_at": now, "published_at": published[story_id]}
        for story_id, owner in dict.fromkeys(zip(story_of, owners, strict=True))
    ]
    await session.execute(
        dialect_insert(session.bind.dialect.name)(StorySource).on_conflict_do_nothing(
            index_elements=["story_id", "source_id"]
        ),
        links,
    )
    return list(item_ids), {i: real[-n] for n, i in enumerate(creators, start=1)}


async def _stories_each_carries(
    session: AsyncSession,
    candidates: Candidates,
    owners: list[int],
    fresh: list[PreparedItem],
    thin: list[bool],
) -> dict[int, set[int]]:
    """source id -> the candidate stories it carries already, for the sources of items with a `thin`
    body: such an item is never another item of its own source's story (news.fingerprint)."""
    picked = [(owner, p) for owner, p, is_thin in zip(owners, fresh, thin, strict=True) if is_thin]
    story_ids = {story_id for _, p in picked for story_id in candidate_ids(candidates, p.signature)}
    carried: dict[int, set[int]] = {}
    for story_id, source_id in await stories_carried(session, story_ids, {owner for owner, _ in picked}):
        carried.setdefault(source_id, set()).add(story_id)
    return carried


async def _insert_returning_ids(session: AsyncSession, model, rows: list[dict], key: str) -> list[int]:
    """Insert `rows` and return their ids in row order.

    RETURNING rows of a multi-row INSERT come back in no promised order, and SQLAlchemy's
    sort_by_parameter_order makes SQLite insert row by row (15,000 statements for 15,000 items):
    instead one multi-row INSERT returns each id with `key`, a column unique within the rows.
    """
    keys = [row[key] for row in rows]
    table = model.__table__
    if len(set(keys)) != len(keys):
        result = await session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return list(result.all())
    found = dict(
        (value, row_id)
        for row_id, value in await session.execute(insert(table).returning(table.c.id, table.c[key]), rows)
    )
    return [found[value] for value in keys]
