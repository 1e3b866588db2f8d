"""Named leases in the database: one holder at a time, taken over only once expired.

Acquisition is one INSERT ... ON CONFLICT DO UPDATE ... WHERE statement (SQLite and PostgreSQL
both have it), so two processes racing for the same name cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import InstanceLease


@dataclass(frozen=True)
class LeaseInfo:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


async def acquire_lease(session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the lease if free, expired, or already ours; True when `holder` has it afterwards."""
    insert = dialect_insert(session.bind.dialect.name)
    table = InstanceLease.__table__
    statement = insert(table).values(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={"holder": holder, "acquired_at": now, "expires_at": now + ttl},
        where=(table.c.expires_at < now) | (table.c.holder == holder),
    ).returning(table.c.holder)
    won = (await session.execute(statement)).scalar_one_or_none()
    return won == holder


async def renew_lease(session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Push the expiry forward; False when the lease is no longer ours (it expired and was taken)."""
    result = await session.execute(
        update(InstanceLease)
        .where(InstanceLease.name == name, InstanceLease.holder == holder)
        .values(expires_at=now + ttl)
    )
    return result.rowcount == 1


async def release_lease(session: AsyncSession, name: str, holder: str) -> None:
    await session.execute(
        delete(InstanceLease).where(InstanceLease.name == name, InstanceLease.holder == holder)
    )


async def get_lease(session: AsyncSession, name: str) -> LeaseInfo | None:
    row = await session.scalar(select(InstanceLease).where(InstanceLease.name == name))
    if row is None:
        return None
    return LeaseInfo(row.name, row.holder, row.acquired_at, row.expires_at)


async def count_live_leases(session: AsyncSession, prefix: str, now: datetime) -> int:
    """How many leases whose name starts with `prefix` have not expired."""
    return (
        await session.execute(
            select(func.count()).where(InstanceLease.name.startswith(prefix), InstanceLease.expires_at >= now)
        )
    ).scalar_one()


async def delete_expired_leases(session: AsyncSession, prefix: str, now: datetime) -> int:
    """Forget the expired leases whose name starts with `prefix` (holders that died)."""
    result = await session.execute(
        delete(InstanceLease).where(InstanceLease.name.startswith(prefix), InstanceLease.expires_at < now)
    )
    return result.rowcount or 0
