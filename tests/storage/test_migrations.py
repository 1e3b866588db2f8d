"""The models and the migrations agree, on SQLite and PostgreSQL; migrations go up and down."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import schema
from storage.db import Database
from storage.models import Base
from storage.schema import include_object
from tests.dbsupport import PG_SKIP_REASON, PG_URL, reset_pg_schema


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    reset_pg_schema(PG_URL)
    yield PG_URL
    reset_pg_schema(PG_URL)
    schema.upgrade(PG_URL)  # leave the session's migrated database as other tests expect it


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


def test_diff_detects_a_model_change(empty_db_url):
    """The guard itself works: a column the migrations lack is reported."""
    schema.upgrade(empty_db_url)

    async def drop_column() -> None:
        db = Database(empty_db_url)
        async with db.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE subscribers DROP COLUMN quiet_end"))
        await db.close()

    asyncio.run(drop_column())
    diff = _diff(empty_db_url)
    assert any("quiet_end" in repr(d) for d in diff)


async def test_run_refuses_out_of_date_schema(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        with pytest.raises(schema.SchemaOutOfDate, match="bantin db upgrade"):
            await schema.ensure_up_to_date(db.engine)
    finally:
        await db.close()


async def test_sqlite_pragmas(sqlite_db):
    async with sqlite_db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000
