"""A [[feeds]] entry for a source an admin added already (`feeds add`, /addfeed): one source, the
config entry's, with the items and followers it had."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from news.config import FeedConfig
from storage.models import Source
from storage.sources import SourceSpec, add_source, sync_config_sources

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
ENTRY = FeedConfig(name="Tin tỉnh", url="https://tinh.example.vn/rss", kind="rss", interval=1800)


async def _sources(session) -> list[tuple[str, str, str, str, int | None, bool]]:
    rows = (await session.scalars(select(Source).order_by(Source.name))).all()
    return [(s.name, s.origin, s.url, s.kind, s.interval_seconds, s.enabled) for s in rows]


@pytest.mark.parametrize(
    ("admin_name", "admin_url", "why"),
    [
        ("Tỉnh nhà", "https://tinh.example.vn/rss", "the same address"),
        ("Tỉnh nhà", "HTTPS://TINH.example.vn/rss?utm_source=rss", "the same address"),
        ("tin  TỈNH", "https://khac.example.vn/rss", "the same name"),
        ("Tin tỉnh", "https://khac.example.vn/rss", "the same name"),
    ],
)
async def test_a_config_entry_takes_over_the_admin_added_source(fresh_db, admin_name, admin_url, why):
    """Both were kept after the next start: the feed polled twice, or two names /removefeed could not
    tell apart, and /removefeed called the configured one admin-added."""
    async with fresh_db.transaction() as session:
        added = await add_source(session, SourceSpec(admin_name, admin_url), NOW)
        await add_source(session, SourceSpec("Báo Đồng Lúa", "https://donglua.example.vn/rss"), NOW)
    async with fresh_db.transaction() as session:
        notes = await sync_config_sources(session, [ENTRY], NOW)
        assert await _sources(session) == [
            ("Báo Đồng Lúa", "admin", "https://donglua.example.vn/rss", "auto", None, True),
            ("Tin tỉnh", "config", "https://tinh.example.vn/rss", "rss", 1800, True),
        ]
        assert (await session.get(Source, added.id)).name == "Tin tỉnh"  # its items and followers stay
    assert notes == [
        f"the source {admin_name!r}, added by an admin, is now the [[feeds]] entry 'Tin tỉnh' ({why})"
    ]


async def test_a_source_that_moved_is_taken_over_at_its_new_address(fresh_db):
    async with fresh_db.transaction() as session:
        added = await add_source(session, SourceSpec("Tỉnh nhà", "https://cu.example.vn/rss"), NOW)
        added.url = "https://tinh.example.vn/rss"  # a permanent redirect moved it
    async with fresh_db.transaction() as session:
        await sync_config_sources(session, [ENTRY], NOW)
        assert [row[:2] for row in await _sources(session)] == [("Tin tỉnh", "config")]


async def test_a_second_sync_has_nothing_to_say(fresh_db):
    async with fresh_db.transaction() as session:
        await add_source(session, SourceSpec("Tỉnh nhà", "https://tinh.example.vn/rss"), NOW)
    async with fresh_db.transaction() as session:
        await sync_config_sources(session, [ENTRY], NOW)
    async with fresh_db.transaction() as session:
        assert await sync_config_sources(session, [ENTRY], NOW) == []
        assert [row[:2] for row in await _sources(session)] == [("Tin tỉnh", "config")]
