"""The outbox: every message is a row before it is an HTTP call.

Life of a row: pending -> sending (claimed, committed before the send) -> sent | failed | cancelled,
or back to pending for a retry. A chat's rows go out strictly in id order: only the oldest unfinished
row of a chat can be claimed, so the parts of a digest never overtake each other, even with several
workers. On PostgreSQL claims use `FOR UPDATE SKIP LOCKED`; SQLite serialises writers anyway.

After a crash, rows left "sending" are re-sent (at-least-once): see docs/delivery.md for why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, exists, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from storage.models import OutboxMessage

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
UNFINISHED = (PENDING, SENDING)
FINISHED = (SENT, FAILED, CANCELLED)


@dataclass(slots=True)
class ClaimedRow:
    """What the sender needs of a claimed row (a plain object: no session attached)."""

    id: int
    chat_id: int
    subscriber_id: int | None
    kind: str
    ref_id: int
    part: int
    text: str
    parse_mode: str | None
    disable_preview: bool
    attempts: int
    # The chats Telegram said this row's chat migrated from, oldest first (set by the sender while it
    # follows `migrate_to_chat_id`: an answer leading back to one of them is a loop).
    moved_from: tuple[int, ...] = ()


_CLAIM_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.chat_id,
    OutboxMessage.subscriber_id,
    OutboxMessage.kind,
    OutboxMessage.ref_id,
    OutboxMessage.part,
    OutboxMessage.text,
    OutboxMessage.parse_mode,
    OutboxMessage.disable_preview,
    OutboxMessage.attempts,
)


def _head_of_chat():
    """No older unfinished row in the same chat: this row is the next one the chat should get."""
    earlier = aliased(OutboxMessage)
    return ~exists().where(
        and_(
            earlier.chat_id == OutboxMessage.chat_id,
            earlier.id < OutboxMessage.id,
            earlier.status.in_(UNFINISHED),
        )
    )


async def claim_outbox_rows(
    session: AsyncSession, worker: str, now: datetime, limit: int
) -> list[ClaimedRow]:
    """Claim up to `limit` due rows, each the oldest unfinished row of its chat. The caller commits
    (before sending anything: a crash then finds the rows "sending")."""
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now, _head_of_chat())
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await session.execute(query)).scalars())
    if not ids:
        return []
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == PENDING)
        .values(status=SENDING, claimed_by=worker, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(*_CLAIM_COLUMNS).where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == worker)
    )
    claimed = [ClaimedRow(*row) for row in rows]
    claimed.sort(key=lambda row: row.id)
    return claimed


def _still_claimed_by(worker: str | None):
    """An outcome applies only while the row is still the sender's own claim: one cut off from the
    database past the claim's life finds it taken over (`recover_stale_sending`), maybe sent already.
    (None: any row, for callers that are not a sender.)"""
    if worker is None:
        return true()
    return and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_by == worker)


async def still_claimed(session: AsyncSession, row_id: int, worker: str) -> bool:
    """Whether the row is still `worker`'s claim (not taken over by another sender)."""
    return (
        await session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.id == row_id, _still_claimed_by(worker))
        )
    ) is not None


async def mark_sent(
    session: AsyncSession, sent: Sequence[tuple[int, int]], now: datetime, *, worker: str | None = None
) -> None:
    """Record (row id, Telegram message id) pairs as sent."""
    if sent:
        table = OutboxMessage.__table__
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"), _still_claimed_by(worker))
            .values(status=SENT, message_id=bindparam("telegram_id"), sent_at=now, last_error=None),
            [{"row_id": row_id, "telegram_id": message_id} for row_id, message_id in sent],
        )


async def mark_retry(
    session: AsyncSession, row_id: int, at: datetime, error: str, *, worker: str | None = None
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, _still_claimed_by(worker))
        .values(status=PENDING, next_attempt_at=at, last_error=error[:1000], claimed_by=None)
    )


async def mark_failed(session: AsyncSession, row_id: int, error: str, *, worker: str | None = None) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, _still_claimed_by(worker))
        .values(status=FAILED, last_error=error[:1000])
    )


async def release(session: AsyncSession, row_ids: Sequence[int]) -> None:
    """Give claimed rows back untried (shutdown before their turn): the claim's attempt is undone."""
    if row_ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(row_ids)), OutboxMessage.status == SENDING)
            .values(status=PENDING, claimed_by=None, attempts=OutboxMessage.attempts - 1)
        )


async def rewrite_as_plain_text(
    session: AsyncSession, row_id: int, text: str, *, worker: str | None = None
) -> bool:
    """Replace a row's HTML by plain text; False when the row is no longer the sender's own claim
    (taken over, maybe sent already): then it must not be sent again either."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, _still_claimed_by(worker))
        .values(text=text, parse_mode=None)
    )
    return bool(result.rowcount)


async def cancel_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """Cancel every unfinished row of a chat (blocked, gone); returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status.in_(UNFINISHED))
        .values(status=CANCELLED, last_error=reason[:1000])
    )
    return result.rowcount or 0


async def move_chat_rows(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """Point a migrated group's unfinished rows at its new supergroup id."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status.in_(UNFINISHED))
        .values(chat_id=new_chat_id)
    )
    return result.rowcount or 0


@dataclass(frozen=True)
class Recovery:
    requeued: int  # rows left "sending" that go out again (possibly a second time: the in-flight bound)
    failed: int  # rows that had used up their attempts


async def recover_stale_sending(
    session: AsyncSession, *, claimed_before: datetime, max_attempts: int, worker: str | None = None
) -> Recovery:
    """Rows "sending" since before `claimed_before` belong to a process that died (a live sender renews
    its claims: `renew_claims`): re-send them, unless their attempts are used up (a row that kills
    the sender every time)."""
    stale = and_(
        OutboxMessage.status == SENDING,
        OutboxMessage.claimed_at < claimed_before,
    )
    if worker is not None:
        stale = and_(stale, OutboxMessage.claimed_by != worker)
    failed = await session.execute(
        update(OutboxMessage)
        .where(stale, OutboxMessage.attempts >= max_attempts)
        .values(status=FAILED, last_error="sender died while sending; attempts used up")
    )
    requeued = await session.execute(
        update(OutboxMessage)
        .where(stale)
        .values(status=PENDING, claimed_by=None, last_error="sender died while sending; re-sent")
    )
    return Recovery(requeued=requeued.rowcount or 0, failed=failed.rowcount or 0)


async def renew_claims(session: AsyncSession, worker: str, now: datetime) -> int:
    """A live sender's heartbeat: its rows still "sending" were claimed just now, so a sender starting
    beside it (`recover_stale_sending`) leaves them alone."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_by == worker)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def oldest_claim_of_others(session: AsyncSession, worker: str) -> datetime | None:
    """When the oldest row "sending" for another sender was claimed (None: there is none)."""
    return (
        await session.execute(
            select(func.min(OutboxMessage.claimed_at)).where(
                OutboxMessage.status == SENDING, OutboxMessage.claimed_by != worker
            )
        )
    ).scalar()


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending row becomes due (None: nothing pending)."""
    return (
        await session.execute(
            select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == PENDING)
        )
    ).scalar()


async def status_counts(session: AsyncSession | AsyncConnection) -> dict[str, int]:
    rows = await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: int(count) for status, count in rows}


async def prune_finished(session: AsyncSession, now: datetime, keep: timedelta = timedelta(days=14)) -> int:
    """Delete finished rows older than `keep`: the head-of-chat check stays an index lookup."""
    result = await session.execute(
        delete(OutboxMessage).where(OutboxMessage.status.in_(FINISHED), OutboxMessage.created_at < now - keep)
    )
    return result.rowcount or 0
