"""The daily request cap of the abstractive-summary endpoint: one row per UTC day in `llm_usage`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import LlmUsage


async def try_reserve_request(session: AsyncSession, day: str, cap: int) -> bool:
    """Count one request for `day` ("YYYY-MM-DD") and return True, or return False when `cap` is reached.

    One upsert whose update only applies under the cap: two workers racing for the last request
    cannot both get it (PostgreSQL locks the row; SQLite has one writer at a time).
    """
    if cap <= 0:
        return False
    insert = dialect_insert(session.bind.dialect.name)
    stmt = insert(LlmUsage).values(day=day, requests=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[LlmUsage.day],
        set_={"requests": LlmUsage.requests + 1},
        where=LlmUsage.requests < cap,
    ).returning(LlmUsage.requests)
    return (await session.execute(stmt)).first() is not None


async def requests_on(session: AsyncSession, day: str) -> int:
    """Requests counted for `day` so far."""
    return int(await session.scalar(select(LlmUsage.requests).where(LlmUsage.day == day)) or 0)
