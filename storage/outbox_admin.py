"""The outbox as an admin sees it (`bantin outbox`): counts, rows by state, failed rows sent again or
deleted. The sender's own side is `storage.outbox`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.outbox import CANCELLED, FAILED, PENDING, SENDING, SENT, status_counts

STATES = (PENDING, SENDING, SENT, FAILED, CANCELLED)


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]  # every state, 0 included
    oldest_pending_at: datetime | None  # when the oldest row still waiting was queued


@dataclass(frozen=True)
class ListedRow:
    id: int
    chat_id: int
    kind: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime


async def overview(session: AsyncSession) -> Overview:
    counts = await status_counts(session)
    oldest = await session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == PENDING)
    )
    return Overview({state: counts.get(state, 0) for state in STATES}, oldest)


async def list_rows(
    session: AsyncSession, status: str, *, limit: int, chat_id: int | None = None
) -> list[ListedRow]:
    """Rows in `status`, newest first."""
    query = (
        select(
            OutboxMessage.id,
            OutboxMessage.chat_id,
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
            OutboxMessage.next_attempt_at,
        )
        .where(OutboxMessage.status == status)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    if chat_id is not None:
        query = query.where(OutboxMessage.chat_id == chat_id)
    return [ListedRow(*row) for row in await session.execute(query)]


async def retry_failed(
    session: AsyncSession,
    now: datetime,
    *,
    row_ids: Sequence[int] | None = None,
    chat_id: int | None = None,
) -> int:
    """Failed rows (all, or those with these ids, or of this chat) back to pending, due now, with
    their attempts counted afresh; the last error stays until the next outcome. Returns how many."""
    query = update(OutboxMessage).where(OutboxMessage.status == FAILED)
    if row_ids is not None:
        query = query.where(OutboxMessage.id.in_(list(row_ids)))
    if chat_id is not None:
        query = query.where(OutboxMessage.chat_id == chat_id)
    result = await session.execute(
        query.values(status=PENDING, attempts=0, next_attempt_at=now, claimed_by=None, claimed_at=None)
    )
    return result.rowcount or 0


async def purge_failed(session: AsyncSession, created_before: datetime) -> int:
    """Delete failed rows queued before `created_before`; returns how many."""
    result = await session.execute(
        delete(OutboxMessage).where(OutboxMessage.status == FAILED, OutboxMessage.created_at < created_before)
    )
    return result.rowcount or 0
