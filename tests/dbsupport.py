"""Database helpers for tests: the PostgreSQL URL from the environment, resets, corpora paths."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database

REPO = Path(__file__).resolve().parents[1]
CORPORA = (REPO / ".." / "shared" / "corpora").resolve()
PG_URL = os.environ.get("BANTIN_TEST_DATABASE_URL", "")
PG_SKIP_REASON = "PostgreSQL tests need BANTIN_TEST_DATABASE_URL (set by .ci/run)"


def corpora_path(*parts: str) -> Path:
    """A path under ../shared/corpora, or skip the test when the corpora are absent."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpora not available: {path} (they live in ../shared, absent from a plain clone)")
    return path


def reset_pg_schema(url: str) -> None:
    async def reset() -> None:
        db = Database(url)
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await db.close()

    asyncio.run(reset())


async def truncate_all(db: Database) -> None:
    async with db.engine.begin() as conn:
        tables = (
            await conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"
                )
            )
        ).scalars().all()
        if tables:
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


