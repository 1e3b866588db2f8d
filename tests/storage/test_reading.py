"""Database.reading(): reads that take no write lock, so a poll's reads go on beside its writer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import event, func, select

from storage.models import Source
from storage.sources import SourceSpec, add_source

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


async def test_a_read_goes_on_while_a_writer_holds_its_transaction(fresh_db):
    async with fresh_db.transaction() as writer:
        await add_source(writer, SourceSpec(name="dang-ghi", url="https://a.example.vn/rss"), NOW)
        await writer.flush()
        async with asyncio.timeout(5), fresh_db.reading() as conn:  # BEGIN IMMEDIATE would wait 30 s
            before_commit = await conn.scalar(select(func.count()).select_from(Source))
    async with fresh_db.reading() as conn:
        after_commit = await conn.scalar(select(func.count()).select_from(Source))

    assert (before_commit, after_commit) == (0, 1)  # a reader sees the last commit, not the writer's work


async def test_a_writing_session_still_takes_the_write_lock_first(sqlite_db):
    """Only reading() skips BEGIN IMMEDIATE: two writers never deadlock upgrading a read lock."""
    statements: list[str] = []

    event.listen(sqlite_db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    async with sqlite_db.transaction() as session:
        await session.scalar(select(func.count()).select_from(Source))
    async with sqlite_db.reading() as conn:
        await conn.scalar(select(func.count()).select_from(Source))

    assert [s.split()[0] for s in statements] == ["BEGIN", "SELECT", "SELECT"]
