"""Config values the rows were last brought in line with, by name: work done at start for a config
value (re-applying the default schedule) is skipped when the value is the one last applied."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import AppliedSetting


async def applied_value(session: AsyncSession, name: str) -> str | None:
    """The value last recorded under `name`, or None when none was."""
    return await session.scalar(select(AppliedSetting.value).where(AppliedSetting.name == name))


async def record_applied(session: AsyncSession, name: str, value: str, now: datetime) -> None:
    """Record `value` under `name` (an upsert: two processes starting together do not collide)."""
    insert = dialect_insert(session.bind.dialect.name)
    stmt = insert(AppliedSetting).values(name=name, value=value, applied_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[AppliedSetting.name], set_={"value": value, "applied_at": now}
    )
    await session.execute(stmt)
