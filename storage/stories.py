"""Reading stories: the newest ones, with every source that carried each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Source, Story, StorySource

# A story some source still carries: one whose only source was removed (its items with it) is not
# shown; it stays stored so that a removed source's followers are not sent it again when another
# source carries it later (storage.removed_sources). One probe of the (story_id, source_id) index.
_carried = select(StorySource.id).where(StorySource.story_id == Story.id).exists()


@dataclass(frozen=True)
class StoryRow:
    id: int
    title: str
    url: str
    summary: str
    published_at: datetime
    sources: tuple[str, ...]
    published_day: date | None = None  # the source gave this day and no time (Story.published_day)


async def source_names(session: AsyncSession, story_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Source names per story, in the order the sources first carried it."""
    if not story_ids:
        return {}
    rows = await session.execute(
        select(StorySource.story_id, Source.name)
        .join(Source, Source.id == StorySource.source_id)
        .where(StorySource.story_id.in_(story_ids))
        .order_by(StorySource.id)
    )
    names: dict[int, list[str]] = {}
    for story_id, name in rows:
        names.setdefault(story_id, []).append(name)
    return {k: tuple(v) for k, v in names.items()}


async def story_rows(session: AsyncSession, stories: list[Story]) -> list[StoryRow]:
    names = await source_names(session, [s.id for s in stories])
    return [
        StoryRow(s.id, s.title, s.url, s.summary, s.published_at, names.get(s.id, ()), s.published_day)
        for s in stories
    ]


async def latest_stories(
    session: AsyncSession, *, limit: int = 10, offset: int = 0, source_id: int | None = None
) -> list[StoryRow]:
    """The newest stories (of one source), by published time then id, newest first."""
    if source_id is None:
        stmt = (
            select(Story)
            .where(_carried)
            .order_by(Story.published_at.desc(), Story.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await story_rows(session, list((await session.scalars(stmt)).all()))
    # One range of the source's (source_id, published_at, story_id) index; story_sources carries
    # the story's published time, so the order is the stories' own.
    page = (
        select(StorySource.story_id)
        .where(StorySource.source_id == source_id)
        .order_by(StorySource.published_at.desc(), StorySource.story_id.desc())
        .limit(limit)
        .offset(offset)
    )
    ids = list((await session.scalars(page)).all())
    if not ids:
        return []
    found = {s.id: s for s in (await session.scalars(select(Story).where(Story.id.in_(ids)))).all()}
    return await story_rows(session, [found[i] for i in ids if i in found])


async def count_stories(
    session: AsyncSession, *, source_id: int | None = None, cap: int | None = None
) -> int:
    """How many stories (a source carried); with `cap`, counting stops there (cheap on big tables)."""
    ids = (
        select(Story.id).where(_carried)
        if source_id is None
        else select(StorySource.story_id).where(StorySource.source_id == source_id)
    )  # (story, source) is unique, so a source's story ids are distinct; the source's index covers it
    if cap is not None:
        ids = ids.limit(cap)
    return int(await session.scalar(select(func.count()).select_from(ids.subquery())) or 0)
