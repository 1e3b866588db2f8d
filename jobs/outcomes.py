"""What became of each send, written to the database in one transaction per batch: the row sent,
retried later or failed, the chat deactivated or followed to its new id, the HTML resent as text."""

from __future__ import annotations

import logging
from collections import Counter as Tally
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from news.telegram_html import strip_tags
from storage import outbox
from storage.chat_state import TELEGRAM_REASON, deactivate_chat, move_chat
from storage.outbox import ClaimedRow

log = logging.getLogger("bantin.deliver")


@dataclass
class Outcome:
    row: ClaimedRow
    kind: str  # sent|gone|moved|markup|rejected|retry|flood_waits|unreachable
    message_id: int | None = None
    error: str = ""
    new_chat_id: int | None = None
    ambiguous: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base: float  # seconds before the second attempt; doubled for each next one
    cap: float

    def backoff(self, attempts: int) -> float:
        return min(self.cap, self.base * 2 ** (attempts - 1))


async def record_outcomes(
    session: AsyncSession, outcomes: list[Outcome], *, worker: str, now: datetime, retry: RetryPolicy
) -> tuple[Tally[str], list[ClaimedRow]]:
    """Write a batch of outcomes; returns the counts and the rows to send again (changed copies: the
    outcomes stay as they were in case the transaction fails)."""
    counts: Tally[str] = Tally()
    resend: list[ClaimedRow] = []
    sent = [(o.row.id, o.message_id) for o in outcomes if o.kind == "sent"]
    await outbox.mark_sent(session, sent, now, worker=worker)
    for o in outcomes:
        counts[f"sent.{o.row.kind}" if o.kind == "sent" else o.kind] += o.kind != "retry"
        if o.kind == "gone":
            await deactivate_chat(session, o.row.chat_id, TELEGRAM_REASON + o.error, now)
            counts["chats_not_found" if "not found" in o.error.lower() else "chats_blocked"] += 1
        elif o.kind == "moved":
            chain = (*o.row.moved_from, o.row.chat_id)
            if o.new_chat_id in chain:
                await _fail_migration_loop(session, o.row, (*chain, o.new_chat_id), worker)
                counts["failed"] += 1
            elif await move_chat(session, o.row.chat_id, o.new_chat_id, now):
                # A row another sender took over (maybe delivered already) is not ours to send again.
                if await outbox.still_claimed(session, o.row.id, worker):
                    resend.append(replace(o.row, chat_id=o.new_chat_id, moved_from=chain))
        elif o.kind == "markup":
            log.error("Telegram refused our HTML (a rendering bug), resending as text: %s", o.error)
            plain = strip_tags(o.row.text)
            if await outbox.rewrite_as_plain_text(session, o.row.id, plain, worker=worker):
                resend.append(replace(o.row, text=plain, parse_mode=None))
        elif o.kind == "rejected":
            log.error("Telegram rejected outbox row %d for good: %s", o.row.id, o.error)
            await outbox.mark_failed(session, o.row.id, o.error, worker=worker)
        elif o.kind == "retry":
            counts["ambiguous"] += o.ambiguous
            if o.row.attempts >= retry.max_attempts:
                await outbox.mark_failed(session, o.row.id, o.error, worker=worker)
                counts["failed"] += 1
            else:
                counts["retry"] += 1
                at = now + timedelta(seconds=retry.backoff(o.row.attempts))
                await outbox.mark_retry(session, o.row.id, at, o.error, worker=worker)
    counts["sent"] = len(sent)
    return counts, resend


async def _fail_migration_loop(
    session: AsyncSession, row: ClaimedRow, chain: tuple[int, ...], worker: str
) -> None:
    """Telegram's `migrate_to_chat_id` led back to a chat this row was already sent to: following
    it again would go round for ever, so the row fails saying where it went."""
    error = "chat migration loop: " + " → ".join(str(chat) for chat in chain)
    log.error("outbox row %d: %s", row.id, error)
    await outbox.mark_failed(session, row.id, error, worker=worker)
