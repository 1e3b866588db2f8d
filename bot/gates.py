"""Gatekeepers (handler group -1) and fallbacks (added after every other handler).

The gate runs before any command handler: it drops updates the bot must not act on (channel posts,
edits of old messages, forwarded commands, commands of a chat Telegram holds for flooding) and refuses admin commands to everyone but the configured admins. The
fallbacks answer what no handler took: an unknown command, plain text in a private chat, a press
on a button whose data no handler knows (old or forged).
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import flood
from bot.handlers.callbacks import answer_stale
from bot.handlers.context import Context, chat_language, send, services, shown
from news.i18n import translator

GATE_GROUP = -1


def command_of(message: Message | None, bot_username: str) -> str | None:
    """The command a message starts with (`/stats@bantin_bot` → "stats"), lower-cased; None when
    it has none or addresses another bot."""
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != "bot_command" or first.offset != 0:
        return None
    word = message.text[1 : first.length] if first.length <= len(message.text) else message.text[1:]
    name, _at, target = word.partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return name.lower()


def make_gate(admin_commands: frozenset[str]):
    async def gate(update: Update, context: Context) -> None:
        if update.channel_post or update.edited_channel_post or update.edited_message:
            raise ApplicationHandlerStop  # subscribers act by new messages and buttons only
        message = update.message
        command = command_of(message, context.bot.username)
        if command is not None and message.forward_origin is not None:
            # A forwarded chat log quotes commands, it does not give them: a quoted /stop must not
            # unsubscribe the chat it is forwarded to. Silently: the log may hold many of them.
            raise ApplicationHandlerStop
        if flood.skip_while_held(update, context):
            raise ApplicationHandlerStop  # Telegram would refuse the answer: do not run it unseen
        if command is None or command not in admin_commands:
            return
        user = update.effective_user
        if user is not None and services(context).is_admin(user.id):
            return
        _ = translator(await chat_language(update, context))
        await send(update, context, _("That command is for the bot's administrators."))
        raise ApplicationHandlerStop

    return gate


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    chat = update.effective_chat
    addressed = bool(message and message.text and "@" in message.text.split(None, 1)[0])
    if chat is None or (chat.type != ChatType.PRIVATE and not addressed):
        return  # in a group, a bare /command may be for another bot
    if command_of(message, context.bot.username) is None:
        return
    _ = translator(await chat_language(update, context))
    command = message.text.split(None, 1)[0]
    text = _("I don't know the command {command}. Send /help to see what I can do.")
    await send(update, context, text.format(command=shown(command)))


async def private_text_hint(update: Update, context: Context) -> None:
    _ = translator(await chat_language(update, context))
    await send(update, context, _("I answer commands. Send /help to see them, or /latest for the news."))


async def stale_button(update: Update, context: Context) -> None:
    await answer_stale(update.callback_query, await chat_language(update, context))


def install_gate(application: Application, admin_commands: frozenset[str]) -> None:
    application.add_handler(TypeHandler(Update, make_gate(admin_commands)), group=GATE_GROUP)


def install_fallbacks(application: Application) -> None:
    """Call after every handler module registered: in group 0 these match only what none took."""
    new_messages = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(new_messages & filters.COMMAND, unknown_command))
    application.add_handler(
        MessageHandler(
            new_messages & filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
            private_text_hint,
        )
    )
    application.add_handler(CallbackQueryHandler(stale_button))
