"""Finding a source the way a user names it: by name, by number, by the start of its name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.sources import (
    SourceExists,
    SourceSpec,
    SourceUrlExists,
    add_source,
    find_source,
    get_source_by_id,
)

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


@pytest.mark.parametrize(
    ("name", "url", "refused_as"),
    [
        ("Sông Xanh 2", "https://a.example.vn/rss", "address"),
        ("Sông Xanh 2", "HTTPS://A.Example.VN/rss?utm_source=rss#top", "address"),  # the same feed
        ("Sông Xanh 2", "https://a.example.vn/chuyen-huong.rss", "address"),  # where it moved to
        ("báo sông  xanh", "https://c.example.vn/rss", "name"),  # /removefeed could no longer tell them apart
        ("Báo Sông Xanh 2", "https://a.example.vn/rss?trang=2", None),
    ],
)
async def test_a_source_is_added_once(fresh_db, name: str, url: str, refused_as: str | None) -> None:
    """The same feed added twice under two names was polled twice, its stories credited to either."""
    async with fresh_db.transaction() as session:
        first = await add_source(session, SourceSpec("Báo Sông Xanh", "https://a.example.vn/rss"), NOW)
        first.url = "https://a.example.vn/chuyen-huong.rss"  # a permanent redirect moved it
    async with fresh_db.transaction() as session:
        if refused_as is None:
            await add_source(session, SourceSpec(name, url), NOW)
            return
        with pytest.raises(SourceExists) as refused:
            await add_source(session, SourceSpec(name, url), NOW)
    assert refused.value.existing == "Báo Sông Xanh"
    assert isinstance(refused.value, SourceUrlExists) == (refused_as == "address")
