"""Migration 0012: stories still open to new sources get the signature today's rule gives them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from news.entries import Entry
from news.fingerprint import SHINGLE_SIZE, _shingles, minhash64, signature_distance, syllables, to_signed64
from news.prepare import prepare_entry
from storage import schema
from storage.db import Database
from storage.items import store_items
from storage.models import Source, Story, StorySource
from storage.sources import SourceSpec, add_source
from storage.story_match import story_keys

# The migration reads the wall clock (what is "within the window" when it runs), so the stories
# here are placed relative to it.
NOW = datetime.now(UTC).replace(microsecond=0)

TITLE = "Tỉnh Sông Xanh khánh thành cầu Bến Đò nối hai huyện ven sông"
BODY = (
    "Sáng 20/9, Ủy ban nhân dân tỉnh Sông Xanh khánh thành cầu Bến Đò dài 312 mét nối hai huyện "
    "Hòa Bình và Thủy Tiên. Cây cầu rộng chín mét, được xây dựng trong mười tám tháng với tổng vốn "
    "hơn một trăm hai mươi tỷ đồng từ ngân sách tỉnh. Người dân hai bên sông không còn phải chờ phà "
    "vào mùa nước nổi như trước."
)


def _signature_before_0012(title: str, body: str) -> int:
    """What the signature rule stored before the lead sentence: the title and the first 60 body
    syllables."""
    return to_signed64(minhash64(_shingles(syllables(title), syllables(body)[:60], SHINGLE_SIZE)))


async def _store(db: Database, name: str, entry: Entry, now: datetime) -> None:
    async with db.transaction() as session:
        source = await session.scalar(select(Source).where(Source.name == name))
        if source is None:
            source = await add_source(session, SourceSpec(name, f"https://{name}.example.vn/rss"), now)
        await store_items(session, source, [prepare_entry(entry, words=40)], now)


async def _sign_as_before_0012(db: Database, story_url: str) -> int:
    """Give the story at `story_url` the signature and keys the rule before 0012 stored."""
    old = _signature_before_0012(TITLE, BODY)
    async with db.engine.begin() as conn:
        story_id, seen = (
            await conn.execute(text("SELECT id, first_seen_at FROM stories WHERE url = :u"), {"u": story_url})
        ).one()
        await conn.execute(text("UPDATE stories SET signature = :s WHERE id = :i"), {"s": old, "i": story_id})
        await conn.execute(text("DELETE FROM story_bands WHERE story_id = :i"), {"i": story_id})
        for key in story_keys(old):
            await conn.execute(
                text(
                    "INSERT INTO story_bands (band, first_seen_at, story_id, signature) VALUES (:b, :t, :i, :s)"
                ),
                {"b": key, "t": seen, "i": story_id, "s": old},
            )
    return story_id


async def _signatures_and_keys(db: Database) -> dict[int, tuple[int, set[int]]]:
    async with db.engine.connect() as conn:
        stories = dict((await conn.execute(text("SELECT id, signature FROM stories"))).all())
        keys: dict[int, set[int]] = {story_id: set() for story_id in stories}
        for story_id, band, signature in await conn.execute(
            text("SELECT story_id, band, signature FROM story_bands")
        ):
            assert signature == stories[story_id]
            keys[story_id].add(band)
    return {story_id: (stories[story_id], keys[story_id]) for story_id in stories}


def test_0012_resigns_the_stories_of_the_window_so_a_copy_joins_them(empty_db_url):
    fresh = Entry(url="https://a.example.vn/cau-ben-do.html", title=TITLE, body=BODY)
    stale = Entry(url="https://a.example.vn/cau-cu.html", title=TITLE, body=BODY + " Bài cũ.")
    copy = Entry(
        url="https://b.example.vn/tin/cau-ben-do-1.html", title=TITLE, body=BODY + " (Theo Báo Sông Xanh)"
    )
    new_rule = prepare_entry(fresh, words=40).signature
    # Otherwise the copy would join the story without the migration.
    assert signature_distance(new_rule, _signature_before_0012(TITLE, BODY)) > 7
    schema.upgrade(empty_db_url, "0011")

    async def before() -> tuple[int, int]:
        db = Database(empty_db_url)
        try:
            await _store(db, "a", stale, NOW - timedelta(days=5))  # past the window: left as it is
            await _store(db, "a", fresh, NOW - timedelta(hours=30))
            return await _sign_as_before_0012(db, stale.url), await _sign_as_before_0012(db, fresh.url)
        finally:
            await db.close()

    stale_id, fresh_id = asyncio.run(before())
    schema.upgrade(empty_db_url)

    async def after() -> None:
        db = Database(empty_db_url)
        try:
            stored = await _signatures_and_keys(db)
            assert stored[fresh_id] == (new_rule, set(story_keys(new_rule)))
            old = _signature_before_0012(TITLE, BODY)
            assert stored[stale_id] == (old, set(story_keys(old)))
            await _store(db, "b", copy, NOW)
            async with db.session() as session:
                assert await session.scalar(select(func.count()).select_from(Story)) == 2
                assert (await session.get(Story, fresh_id)).item_count == 2
                linked = await session.scalars(
                    select(StorySource.source_id).where(StorySource.story_id == fresh_id)
                )
                assert len(linked.all()) == 2
        finally:
            await db.close()

    asyncio.run(after())
