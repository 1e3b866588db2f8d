"""The daily request cap of the abstractive-summary endpoint: an atomic increment under the cap, on
SQLite and PostgreSQL, even with many writers racing for the last requests."""

from __future__ import annotations

import asyncio

import pytest

from storage.llm_usage import requests_on, try_reserve_request


async def reserve(db, day: str, cap: int) -> bool:
    async with db.transaction() as session:
        return await try_reserve_request(session, day, cap)


@pytest.mark.parametrize(("cap", "tries", "granted"), [(3, 5, 3), (1, 2, 1), (0, 2, 0), (5, 5, 5)])
async def test_requests_are_granted_up_to_the_cap(fresh_db, cap, tries, granted):
    results = [await reserve(fresh_db, "2026-11-27", cap) for _ in range(tries)]
    assert results == [True] * granted + [False] * (tries - granted)
    async with fresh_db.session() as session:
        assert await requests_on(session, "2026-11-27") == granted


async def test_each_day_has_its_own_count(fresh_db):
    assert await reserve(fresh_db, "2026-11-27", 1)
    assert not await reserve(fresh_db, "2026-11-27", 1)
    assert await reserve(fresh_db, "2026-11-28", 1)


async def test_racing_writers_never_pass_the_cap(fresh_db):
    results = await asyncio.gather(*(reserve(fresh_db, "2026-11-27", 4) for _ in range(12)))
    assert sum(results) == 4
    async with fresh_db.session() as session:
        assert await requests_on(session, "2026-11-27") == 4
