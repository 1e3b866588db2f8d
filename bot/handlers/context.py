"""What every handler needs: the chat's subscriber and language, cleaned input, replies and edits, and
who may change a group's settings."""

from __future__ import annotations

import unicodedata

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, TelegramError
from telegram.ext import ContextTypes

from bot.handlers.callbacks import answer_press
from bot.services import Services, services_of
from news.i18n import pick_language, translator
from news.telegram_html import escape_html, split_message
from news.text import BIDI_CONTROLS
from storage.models import Subscriber
from storage.subscribers import get_or_create_subscriber, get_subscriber

Context = ContextTypes.DEFAULT_TYPE
MAX_ARGUMENT_CHARS = 1000  # more than any setting needs; the rest of a 4096-character message is dropped
SHOWN_INPUT_CHARS = 60  # user input echoed back is cut to this


def services(context: Context) -> Services:
    return services_of(context)


def telegram_language(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user else None


def language_for(update: Update, subscriber: Subscriber | None) -> str:
    """The chat's own choice, else the Telegram language of whoever wrote, else Vietnamese."""
    return pick_language(subscriber.language if subscriber else None, telegram_language(update))


async def find_subscriber(context: Context, chat_id: int) -> Subscriber | None:
    async with services(context).db.session() as session:
        return await get_subscriber(session, chat_id)


async def chat_language(update: Update, context: Context) -> str:
    chat = update.effective_chat
    subscriber = await find_subscriber(context, chat.id) if chat else None
    return language_for(update, subscriber)


async def ensure_subscriber(session: AsyncSession, update: Update, context: Context) -> Subscriber:
    chat = update.effective_chat
    assert chat is not None
    svc = services(context)
    subscriber, _created = await get_or_create_subscriber(
        session,
        chat.id,
        chat_type=chat.type,
        now=svc.clock(),
        schedule=svc.config.schedule,
        title=chat.title if chat.type != ChatType.PRIVATE else None,
        telegram_language=telegram_language(update) if chat.type == ChatType.PRIVATE else None,
    )
    return subscriber


# ---- input -----------------------------------------------------------------------------------------


# Characters that show as nothing, which text pasted from web pages and other apps carries: soft
# hyphen, word joiner and invisible operators, byte-order mark, and the bidi marks, embeddings,
# overrides and isolates (echoed back, an override turns the rest of the bot's sentence around).
# Joiners (U+200C, U+200D) stay: emoji sequences and some scripts need them.
INVISIBLE = frozenset("\u00ad\u2060\u2061\u2062\u2063\u2064\ufeff" + BIDI_CONTROLS)
ZERO_WIDTH_SPACE = "\u200b"  # it parts words where it stands: read as a space


def _kept(ch: str) -> bool:
    if ch in INVISIBLE:
        return False
    return ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")


def clean_text(text: str, limit: int = MAX_ARGUMENT_CHARS) -> str:
    """NFC text with control, private-use and invisible characters gone, whitespace collapsed, cut
    to `limit`."""
    text = unicodedata.normalize("NFC", text[: limit * 2])
    kept = "".join(" " if ch.isspace() or ch == ZERO_WIDTH_SPACE else ch for ch in text if _kept(ch))
    return " ".join(kept.split())[:limit]


def command_argument(update: Update) -> str:
    """The cleaned text after the command word (`/settings tz Asia/Bangkok` → `tz Asia/Bangkok`)."""
    message = update.effective_message
    text = (message.text or "") if message else ""
    parts = text.split(None, 1)
    return clean_text(parts[1]) if len(parts) > 1 else ""


def shown(text: str) -> str:
    """User input as it may be echoed back: cut short and escaped."""
    text = text if len(text) <= SHOWN_INPUT_CHARS else text[: SHOWN_INPUT_CHARS - 1] + "…"
    return escape_html(text)


# ---- groups ----------------------------------------------------------------------------------------


async def can_change_settings(update: Update, context: Context) -> bool:
    """Anyone in a private chat; in a group, its owner and administrators (an anonymous admin writes
    as the group itself)."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message if update.callback_query is None else None
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    user = update.effective_user
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def refuse_non_admin(update: Update, context: Context, lang: str) -> None:
    _ = translator(lang)
    text = _("Only this group's administrators can change its subscriptions and settings.")
    if update.callback_query is not None:
        await answer_press(update.callback_query, text, show_alert=True)
    else:
        await send(update, context, text)


# ---- output ----------------------------------------------------------------------------------------


async def send(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    chat = update.effective_chat
    assert chat is not None
    thread = topic_of(update.effective_message)
    try:
        return await context.bot.send_message(chat.id, text, reply_markup=markup, message_thread_id=thread)
    except ChatMigrated as exc:
        # The group became a supergroup between the command and the answer: the answer goes where the
        # group now is (the migration's service messages, handled next, move its subscriber there).
        return await context.bot.send_message(exc.new_chat_id, text, reply_markup=markup)


async def send_lines(update: Update, context: Context, lines: list[str]) -> None:
    """Send reply lines as one message, or as several split between lines when they are more than
    Telegram's 4096 characters (twenty 200-character source names are)."""
    for text in split_message(lines, separator="\n"):
        await send(update, context, text)


def topic_of(message: Message | None) -> int | None:
    """The forum topic a message was written in: answers go there, not to the forum's General topic.
    (Outside forums `message_thread_id` can name a reply thread, which is not a place to send to.)"""
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


async def edit_or_send(
    query: CallbackQuery, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show `text` in place of the pressed message; a message that cannot be edited gets a new one."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        if query.message is None:
            raise
        thread = topic_of(query.message) if isinstance(query.message, Message) else None
        await context.bot.send_message(
            query.message.chat.id, text, reply_markup=markup, message_thread_id=thread
        )
