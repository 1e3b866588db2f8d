"""`my_chat_member` updates: keep a subscriber's active flag right when the bot is blocked or unblocked.

A private user who blocks the bot shows up as status "kicked"; unblocking as "member". In groups the
bot is "kicked" or "left" when removed, "member"/"administrator" when added back. The wiring registers
`on_my_chat_member` with a `ChatMemberHandler(..., ChatMemberHandler.MY_CHAT_MEMBER)`.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ContextTypes

from bot.services import services_of
from storage.chat_state import TELEGRAM_REASON, deactivate_chat, reactivate_chat
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
