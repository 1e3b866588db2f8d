"""Engine settings a poll's write groups rely on, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from news.config import DATABASE_SCHEMES
from storage.db import INSERT_PAGE_ROWS, normalize_url


async def test_multi_row_inserts_come_in_pages_of_a_few_sizes(fresh_db):
    # Each size of a multi-row INSERT ... RETURNING is a statement the driver keeps prepared:
    # pages bound how many sizes (and how much memory) a cold poll leaves behind.
    assert fresh_db.engine.sync_engine.dialect.insertmanyvalues_page_size == INSERT_PAGE_ROWS == 100


async def test_sqlite_connections_know_the_signature_distance(sqlite_db):
    async with sqlite_db.reading() as conn:
        found = await conn.execute(
            text("SELECT bantin_signature_distance(-1, 0), bantin_signature_distance(5, 6)")
        )
        assert tuple(found.one()) == (64, 2)


async def test_postgresql_compiles_no_query_just_in_time(fresh_db):
    if fresh_db.dialect != "postgresql":
        pytest.skip("a PostgreSQL setting")
    async with fresh_db.reading() as conn:
        assert await conn.scalar(text("SHOW jit")) == "off"


@pytest.mark.parametrize(
    ("written", "opened"),
    [
        ("sqlite:///data/bantin.db", "sqlite+aiosqlite:///data/bantin.db"),
        ("sqlite:////var/lib/bantin.db", "sqlite+aiosqlite:////var/lib/bantin.db"),
        ("sqlite+aiosqlite:///bantin.db", "sqlite+aiosqlite:///bantin.db"),
        ("postgresql://u:p@db/bantin", "postgresql+asyncpg://u:p@db/bantin"),
        ("postgres://u:p@db/bantin", "postgresql+asyncpg://u:p@db/bantin"),
        ("postgresql+asyncpg://u:p@db/bantin", "postgresql+asyncpg://u:p@db/bantin"),
        # a password may contain the scheme's letters: only the prefix is replaced
        ("postgres://u:postgres://@db/bantin", "postgresql+asyncpg://u:postgres://@db/bantin"),
    ],
)
def test_the_plain_driver_names_are_given_the_async_drivers(written, opened):
    assert normalize_url(written) == opened


def test_every_scheme_the_config_accepts_opens_with_an_async_driver():
    assert {normalize_url(scheme + "x").split("://")[0] for scheme in DATABASE_SCHEMES} == {
        "sqlite+aiosqlite",
        "postgresql+asyncpg",
    }
