"""Finding a source the way a user names it: by name, by number, by the start of its name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.sources import SourceSpec, add_source, find_source, get_source_by_id

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Báo Sông Xanh", "Báo Sông Xanh"),
        ("{id}", "Báo Sông Xanh"),
        ("Green", "Green River Times"),
        ("0", None),
        ("2147483648", None),  # one past the id column's range on PostgreSQL
        ("99999999999999999999999", None),  # past SQLite's 64-bit integers
        ("²", None),  # a digit to str.isdigit, not to int()
        ("٣", None),
    ],
)
async def test_find_source_by_name_or_number(fresh_db, typed: str, found: str | None) -> None:
    async with fresh_db.transaction() as session:
        first = await add_source(session, SourceSpec("Báo Sông Xanh", "https://a.example.vn/rss"), NOW)
        await add_source(session, SourceSpec("Green River Times", "https://b.example/rss"), NOW)
        source = await find_source(session, typed.format(id=first.id))

    assert (source.name if source else None) == found


@pytest.mark.parametrize("source_id", [0, 2**31, 10**12, 10**30])
async def test_no_source_has_an_id_out_of_range(fresh_db, source_id: int) -> None:
    async with fresh_db.session() as session:
        assert await get_source_by_id(session, source_id) is None
