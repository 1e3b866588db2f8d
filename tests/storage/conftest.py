"""Shared fixtures of the storage tests."""

from __future__ import annotations

import pytest

from storage import schema
from tests.dbsupport import PG_SKIP_REASON, PG_URL, reset_pg_schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request, tmp_path):
    """A database with no tables yet, for migrations to build (SQLite, and PostgreSQL when set)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    reset_pg_schema(PG_URL)
    yield PG_URL
    reset_pg_schema(PG_URL)
    schema.upgrade(PG_URL)  # leave the session's migrated database as other tests expect it
