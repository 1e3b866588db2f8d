"""`my_chat_member` updates: keep a subscriber's active flag right when the bot is blocked or unblocked;
a group's migration to a supergroup moves its subscriber to the new chat id.

A private user who blocks the bot shows up as status "kicked"; unblocking as "member". In groups the
bot is "kicked" or "left" when removed, "member"/"administrator" when added back. The wiring registers
`on_my_chat_member` with a `ChatMemberHandler(..., ChatMemberHandler.MY_CHAT_MEMBER)`, and
`on_chat_migration` for the service messages of `filters.StatusUpdate.MIGRATE`.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ContextTypes

from bot.services import services_of
from storage.chat_state import TELEGRAM_REASON, deactivate_chat, move_chat, reactivate_chat
from storage.counters import increment

GONE = (ChatMember.BANNED, ChatMember.LEFT)  # BANNED is "kicked"
BACK = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None:
        return
    svc = services_of(context)
    chat_id = change.chat.id
    status = change.new_chat_member.status
    now = svc.clock()
    async with svc.db.transaction() as session:
        if status in GONE:
            what = (
                "bot was blocked by the user"
                if change.chat.type == "private"
                else "bot was removed from the chat"
            )
            if await deactivate_chat(session, chat_id, TELEGRAM_REASON + what, now):
                await increment(session, "delivery.chats_blocked")
        elif status in BACK:
            if await reactivate_chat(session, chat_id, now):
                await increment(session, "delivery.chats_returned")


async def on_chat_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: Telegram says so in both chats (`migrate_to_chat_id` in the old,
    `migrate_from_chat_id` in the new), at once, before anyone can write in the new one. Moving the
    subscriber then keeps the group's settings and subscriptions; waiting for the first send to fail
    would let a command in the supergroup create an empty subscriber that replaces them."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old_chat_id, new_chat_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old_chat_id, new_chat_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    svc = services_of(context)
    async with svc.db.transaction() as session:
        await move_chat(session, old_chat_id, new_chat_id, svc.clock())
