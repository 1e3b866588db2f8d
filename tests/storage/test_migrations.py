"""The models and the migrations agree, on SQLite and PostgreSQL; migrations go up and down."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from itertools import combinations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from news.entries import Entry
from news.prepare import prepare_entry
from storage import schema
from storage.db import Database
from storage.items import store_items
from storage.models import Base
from storage.schema import include_object
from storage.search import search_stories
from storage.sources import SourceSpec, add_source
from storage.story_match import story_keys
from tests.dbsupport import PG_URL

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def _diff(url: str) -> list:
    async def run() -> list:
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                return await conn.run_sync(
                    lambda c: compare_metadata(
                        MigrationContext.configure(
                            c, opts={"include_object": include_object, "compare_type": True}
                        ),
                        Base.metadata,
                    )
                )
        finally:
            await db.close()

    return asyncio.run(run())


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await db.close()

    return asyncio.run(run())


def test_autogenerate_finds_no_difference(empty_db_url):
    schema.upgrade(empty_db_url)
    assert _diff(empty_db_url) == []


def test_upgrade_downgrade_upgrade(empty_db_url):
    schema.upgrade(empty_db_url)
    model_tables = set(Base.metadata.tables)
    assert model_tables <= _tables(empty_db_url)
    schema.downgrade(empty_db_url, "base")
    assert not (model_tables & _tables(empty_db_url))
    schema.upgrade(empty_db_url)
    assert _diff(empty_db_url) == []


def _execute(url: str, statement: str) -> None:
    async def run() -> None:
        db = Database(url)
        async with db.engine.begin() as conn:
            await conn.execute(text(statement))
        await db.close()

    asyncio.run(run())


def test_diff_detects_a_model_change(empty_db_url):
    """The guard itself works: a column the migrations lack is reported."""
    schema.upgrade(empty_db_url)

    _execute(empty_db_url, "ALTER TABLE subscribers DROP COLUMN quiet_end")
    diff = _diff(empty_db_url)
    assert any("quiet_end" in repr(d) for d in diff)


async def test_run_refuses_out_of_date_schema(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        with pytest.raises(schema.SchemaOutOfDate, match="bantin db upgrade"):
            await schema.ensure_up_to_date(db.engine)
    finally:
        await db.close()


def _bantin_db(action: str, url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
    env["BANTIN_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "db", action], capture_output=True, text=True, env=env
    )


def test_a_database_newer_than_the_code_is_said_so_not_upgrade_it(empty_db_url):
    """A newer bantin migrated the database, then the older one was put back: `bantin db upgrade`
    cannot help, so nothing may tell the admin to run it, and it must fail in one line, exit 2."""
    schema.upgrade(empty_db_url)

    _execute(empty_db_url, "UPDATE alembic_version SET version_num = '0999'")  # a revision this code lacks

    upgrade = _bantin_db("upgrade", empty_db_url)
    assert upgrade.returncode == 2, upgrade.stderr
    assert upgrade.stderr.startswith("bantin: The database is at revision 0999")
    assert "newer" in upgrade.stderr and "Traceback" not in upgrade.stderr
    current = _bantin_db("current", empty_db_url)
    assert current.returncode == 1
    assert "newer" in current.stdout and "run: bantin db upgrade" not in current.stdout

    with pytest.raises(schema.SchemaOutOfDate, match="newer") as refused:
        schema.upgrade(empty_db_url)  # [storage] auto_upgrade = true: `bantin run` reports it, exit 2
    assert "bantin db upgrade" not in str(refused.value)

    async def check() -> None:
        db = Database(empty_db_url)
        try:
            await schema.ensure_up_to_date(db.engine)
        finally:
            await db.close()

    with pytest.raises(schema.SchemaOutOfDate, match="newer") as refused:
        asyncio.run(check())
    assert "bantin db upgrade" not in str(refused.value)
    assert _rows_in(empty_db_url, "SELECT version_num FROM alembic_version") == [("0999",)]


async def test_sqlite_pragmas(sqlite_db):
    async with sqlite_db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000
        assert (await conn.execute(text("PRAGMA cache_size"))).scalar() == -16384  # KiB: 16 MB
        assert (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 10000


def _rows_in(url: str, sql: str) -> list[tuple]:
    async def run() -> list[tuple]:
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                return [tuple(row) for row in await conn.execute(text(sql))]
        finally:
            await db.close()

    return asyncio.run(run())


def _story_keys_in(url: str) -> dict[int, set[int]]:
    keys: dict[int, set[int]] = {}
    for story_id, band in _rows_in(url, "SELECT story_id, band FROM story_bands"):
        keys.setdefault(story_id, set()).add(band)
    return keys


def _pair_keys_before_0003(signature: int) -> set[int]:
    """What storage.story_match stored up to 0002: each pair of 8-bit bands, tagged by the pair."""
    unsigned = signature & (2**64 - 1)
    bands = [(unsigned >> (8 * index)) & 0xFF for index in range(8)]
    return {
        2**21 + (pair << 16) + (bands[i] << 8) + bands[j]
        for pair, (i, j) in enumerate(combinations(range(8), 2))
    }


async def _insert_story(
    conn, story_id: int, signature: int, published: str = "2026-11-27", seen: str = "2026-11-27"
):
    """A story row as any revision since 0001 has it (literal dates: asyncpg takes no str for them)."""
    await conn.execute(
        text(
            "INSERT INTO stories (id, title, url, summary, signature, published_at, first_seen_at, item_count) "
            f"VALUES (:id, 't', :url, '', :sig, '{published}', '{seen}', 1)"
        ),
        {"id": story_id, "url": f"https://x.vn/{story_id}", "sig": signature},
    )


async def _insert_narrow_keys(conn, story_id: int, keys) -> None:
    """story_bands rows as revisions before 0004 have them: (band, story_id)."""
    for key in keys:
        await conn.execute(
            text("INSERT INTO story_bands (band, story_id) VALUES (:b, :s)"), {"b": key, "s": story_id}
        )


def test_0003_rewrites_story_keys_as_chunk_keys_and_back(empty_db_url):
    signatures = {1: 0x0123_4567_89AB_CDEF, 2: -2, 3: 0}  # signed as stored; 0 has no keys
    pair_keys = {story_id: _pair_keys_before_0003(s) for story_id, s in signatures.items() if s}
    schema.upgrade(empty_db_url, "0002")

    async def add_stories() -> None:
        db = Database(empty_db_url)
        async with db.engine.begin() as conn:
            for story_id, signature in signatures.items():
                await _insert_story(conn, story_id, signature)
            for story_id, keys in pair_keys.items():
                await _insert_narrow_keys(conn, story_id, keys)
        await db.close()

    asyncio.run(add_stories())

    schema.upgrade(empty_db_url)
    assert _story_keys_in(empty_db_url) == {
        story_id: set(story_keys(signature)) for story_id, signature in signatures.items() if signature
    }
    schema.downgrade(empty_db_url, "0002")
    assert _story_keys_in(empty_db_url) == pair_keys


def _key_rows_in(url: str) -> set[tuple]:
    rows = _rows_in(url, "SELECT band, story_id, first_seen_at, signature FROM story_bands")
    return {(band, story_id, str(seen)[:10], signature) for band, story_id, seen, signature in rows}


def test_0004_key_rows_carry_the_story_signature_and_first_seen_time(empty_db_url):
    signatures = {1: 0x0123_4567_89AB_CDEF, 2: -2}
    seen = {1: "2026-11-25", 2: "2026-11-27"}
    schema.upgrade(empty_db_url, "0003")

    async def add_stories() -> None:
        db = Database(empty_db_url)
        async with db.engine.begin() as conn:
            for story_id, signature in signatures.items():
                await _insert_story(conn, story_id, signature, seen[story_id], seen[story_id])
                await _insert_narrow_keys(conn, story_id, story_keys(signature))
        await db.close()

    asyncio.run(add_stories())
    before = _story_keys_in(empty_db_url)

    schema.upgrade(empty_db_url)
    assert _key_rows_in(empty_db_url) == {
        (key, story_id, seen[story_id], signature)
        for story_id, signature in signatures.items()
        for key in story_keys(signature)
    }
    schema.downgrade(empty_db_url, "0003")
    assert _story_keys_in(empty_db_url) == before


def _link_times_in(url: str) -> dict[tuple[int, int], str]:
    rows = _rows_in(url, "SELECT id, story_id, source_id, published_at FROM story_sources")
    return {(link_id, story_id, source_id): str(at)[:16] for link_id, story_id, source_id, at in rows}


def test_0005_story_sources_take_the_story_published_time(empty_db_url):
    published = {1: "2026-11-20 08:30", 2: "2026-11-27 06:00"}
    links = [(7, 1, 1), (8, 2, 1), (9, 1, 2)]  # (id, story, source): ids are digest cursors, kept
    schema.upgrade(empty_db_url, "0004")

    async def add_rows() -> None:
        db = Database(empty_db_url)
        async with db.engine.begin() as conn:
            for source_id in (1, 2):
                await conn.execute(
                    text(
                        "INSERT INTO sources (id, name, url, kind, full_text, origin, enabled, error_count, "
                        "next_check_at, item_count, created_at) VALUES (:id, :name, :url, 'rss', false, "
                        "'config', true, 0, '2026-11-27', 0, '2026-11-27')"
                    ),
                    {"id": source_id, "name": f"nguồn {source_id}", "url": f"https://n{source_id}.vn/rss"},
                )
            for story_id, at in published.items():
                await _insert_story(conn, story_id, 1, published=at)
            for link_id, story_id, source_id in links:
                await conn.execute(
                    text(
                        "INSERT INTO story_sources (id, story_id, source_id, seen_at) "
                        "VALUES (:id, :story, :source, '2026-11-27')"
                    ),
                    {"id": link_id, "story": story_id, "source": source_id},
                )
        await db.close()

    asyncio.run(add_rows())

    schema.upgrade(empty_db_url)
    assert _link_times_in(empty_db_url) == {link: published[link[1]] for link in links}
    schema.downgrade(empty_db_url, "0004")
    schema.upgrade(empty_db_url)
    assert _link_times_in(empty_db_url) == {link: published[link[1]] for link in links}


async def _store_and_count(url: str, query: str, *, store: bool) -> int:
    """Store one item (when `store`) with the models of today, then count the stories `query` finds."""
    db = Database(url)
    try:
        if store:
            entry = Entry(
                url="https://tin.example.vn/1.html", title="Khách quốc tế đến TP.HCM", body="Tăng 12%."
            )
            async with db.transaction() as session:
                source = await add_source(session, SourceSpec("baotinh", "https://baotinh.vn/rss"), NOW)
                await store_items(session, source, [prepare_entry(entry, words=40)], NOW)
        async with db.session() as session:
            return (await search_stories(session, query))[1]
    finally:
        await db.close()


def test_0009_indexes_the_parts_of_stored_words_joined_by_punctuation(empty_db_url):
    schema.upgrade(empty_db_url, "0008")
    before = asyncio.run(_store_and_count(empty_db_url, "hcm", store=True))
    schema.upgrade(empty_db_url)
    assert asyncio.run(_store_and_count(empty_db_url, "hcm", store=False)) == 1
    assert before == (0 if empty_db_url == PG_URL else 1)  # PostgreSQL read `tp.hcm` as a host name


def test_0010_folds_the_eth_that_older_code_left_in_stored_search_text(empty_db_url):
    schema.upgrade(empty_db_url, "0009")
    asyncio.run(_store_and_count(empty_db_url, "hcm", store=True))
    _execute(empty_db_url, "UPDATE items SET search_text = 'ða nang ɖon khach'")  # as stored before 0010
    schema.upgrade(empty_db_url)
    assert asyncio.run(_store_and_count(empty_db_url, "da nang don", store=False)) == 1


@pytest.mark.parametrize(
    ("blocker", "says"),
    [
        ("the file is a directory", "cannot open the SQLite database {path}: Is a directory"),
        (
            "the directory is a file",
            "cannot create {path.parent}, the SQLite database's directory: File exists",
        ),
    ],
)
def test_a_sqlite_path_that_cannot_be_opened_is_named(tmp_path, blocker: str, says: str):
    if blocker == "the file is a directory":
        path = tmp_path / "bantin.db"
        path.mkdir()
    else:
        (tmp_path / "data").write_text("not a directory")
        path = tmp_path / "data" / "bantin.db"

    done = _bantin_db("upgrade", f"sqlite+aiosqlite:///{path}")

    assert done.returncode == 2  # as any database bantin cannot open
    assert done.stderr.strip() == "bantin: " + says.format(path=path)
