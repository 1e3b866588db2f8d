"""A subscriber's chat as Telegram reports it: blocked or gone (inactive), back (active), migrated."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Subscriber
from storage.outbox import cancel_chat, move_chat_rows

# Prefix of `inactive_reason` when Telegram refused the chat (not when the user chose /stop): only
# those subscribers come back by themselves when the user unblocks the bot.
TELEGRAM_REASON = "telegram: "


async def deactivate_chat(session: AsyncSession, chat_id: int, reason: str, now: datetime) -> bool:
    """Mark the chat's subscriber inactive and cancel its unfinished rows; True if it was active."""
    result = await session.execute(
        update(Subscriber)
        .where(Subscriber.chat_id == chat_id, Subscriber.active.is_(True))
        .values(active=False, inactive_reason=reason[:500], inactive_since=now, updated_at=now)
    )
    await cancel_chat(session, chat_id, reason)
    return bool(result.rowcount)


async def reactivate_chat(session: AsyncSession, chat_id: int, now: datetime) -> bool:
    """The user unblocked the bot (or re-added it): active again if Telegram's refusal had made it
    inactive (not a /stop), with its next slot computed afresh by the next digest run."""
    result = await session.execute(
        update(Subscriber)
        .where(
            Subscriber.chat_id == chat_id,
            Subscriber.active.is_(False),
            Subscriber.inactive_reason.startswith(TELEGRAM_REASON),
        )
        .values(active=True, inactive_reason=None, inactive_since=None, next_digest_at=None, updated_at=now)
    )
    return bool(result.rowcount)


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
    """A group became a supergroup: the subscriber and its unfinished rows follow the new id (True).
    If the new id already has a subscriber (it subscribed on its own), the old one is retired instead
    and its unfinished rows are cancelled (False): the new chat gets its own subscriber's digests and
    broadcasts, so the old one's would reach it a second time."""
    taken = (await session.execute(select(Subscriber.id).where(Subscriber.chat_id == new_chat_id))).scalar()
    if taken is None:
        await session.execute(
            update(Subscriber)
            .where(Subscriber.chat_id == old_chat_id)
            .values(chat_id=new_chat_id, chat_type="supergroup", updated_at=now)
        )
        await move_chat_rows(session, old_chat_id, new_chat_id)
        return True
    reason = f"migrated to {new_chat_id}"
    await session.execute(
        update(Subscriber)
        .where(Subscriber.chat_id == old_chat_id)
        .values(active=False, inactive_reason=reason, inactive_since=now)
    )
    await cancel_chat(session, old_chat_id, f"{reason}, which has its own subscriber")
    return False
