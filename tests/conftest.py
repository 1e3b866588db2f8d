"""Shared fixtures: databases (SQLite always, PostgreSQL when BANTIN_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from storage import schema
from storage.db import Database
from tests.dbsupport import PG_SKIP_REASON, PG_URL, reset_pg_schema, truncate_all
from tests.feedserver import FeedServer


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file made once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    schema.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> str:
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    reset_pg_schema(PG_URL)
    schema.upgrade(PG_URL)
    return PG_URL


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "bantin.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """A migrated, empty database URL: every storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_migrated")


@pytest.fixture
async def fresh_db(db_url):
    db = Database(db_url)
    if db.dialect == "postgresql":
        await truncate_all(db)
    yield db
    await db.close()


@pytest.fixture
async def sqlite_db(sqlite_url):
    """SQLite only: for tests that are not about the database."""
    db = Database(sqlite_url)
    yield db
    await db.close()


@pytest.fixture
async def feed_server():
    """A local HTTP feed server on 127.0.0.1 (a free port) in the test's event loop."""
    async with FeedServer() as server:
        yield server


def pytest_terminal_summary(terminalreporter) -> None:
    """One line saying whether the PostgreSQL tests ran: CI must show they were not skipped."""
    counts = Counter(
        status
        for status in ("passed", "failed", "error", "skipped")
        for report in terminalreporter.stats.get(status, [])
        if "postgres" in getattr(report, "keywords", {})
    )
    if counts:
        where = "BANTIN_TEST_DATABASE_URL set" if PG_URL else "BANTIN_TEST_DATABASE_URL not set"
        summary = ", ".join(f"{n} {status}" for status, n in counts.items())
        terminalreporter.write_line(f"PostgreSQL tests ({where}): {summary}")
