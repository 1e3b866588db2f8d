"""The bot's own membership in chats (`my_chat_member`): blocked, unblocked, removed, re-added; and
a group's upgrade to a supergroup (its migration service messages).

The handler itself lives in `bot/chat_member.py` (delivery owns the active flag); this module only
registers it with the application, like every handler module.
"""

from __future__ import annotations

from telegram.ext import Application, ChatMemberHandler, MessageHandler, filters

from bot.chat_member import on_chat_migration, on_my_chat_member

COMMANDS: list[tuple[str, str]] = []  # no commands: updates only


def register(application: Application) -> None:
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_chat_migration))
