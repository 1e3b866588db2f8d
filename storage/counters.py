"""Monotonic counters for /stats (messages sent, 429s, blocked chats...), kept across restarts."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import Counter


async def increment(session: AsyncSession, name: str, by: int = 1) -> None:
    await increment_many(session, {name: by})


async def increment_many(session: AsyncSession, deltas: Mapping[str, int]) -> None:
    """Add each delta to its counter in one statement per counter (an upsert: no read, no race)."""
    insert = dialect_insert(session.bind.dialect.name)
    for name, by in sorted(deltas.items()):  # a fixed order: two writers never deadlock on row locks
        if not by:
            continue
        stmt = insert(Counter).values(name=name, value=by)
        stmt = stmt.on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + by})
        await session.execute(stmt)


async def read_counters(session: AsyncSession, prefix: str = "") -> dict[str, int]:
    query = select(Counter.name, Counter.value).order_by(Counter.name)
    if prefix:
        query = query.where(Counter.name.startswith(prefix))
    return {name: int(value) for name, value in (await session.execute(query)).all()}
