"""The application's error handler: log what failed and where, tell the user and the admins briefly.

Secrets never leave: the bot token (which appears in Bot API URLs) is masked in everything logged or
sent, and admins get the exception's type and a short masked message, not a traceback.
"""

from __future__ import annotations

import logging
import time
import traceback

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot import flood
from bot.handlers.context import Context, chat_language, services
from bot.services import Services
from jobs.digest_content import language_of
from news.i18n import DEFAULT_LANGUAGE, translator
from news.telegram_html import escape_html
from storage.subscribers import get_subscriber

log = logging.getLogger("bantin.bot")

ADMIN_NOTICE_INTERVAL = 60.0  # seconds between two error notices to admins (a failing loop must not flood)
NOTICE_DETAIL_CHARS = 200


def mask_secrets(text: str, svc: Services) -> str:
    for secret in (svc.config.telegram.token, svc.config.telegram.webhook.secret_token):
        if secret:
            text = text.replace(secret, "****")
    return text


def where(update: object, context: Context) -> str:
    if isinstance(update, Update):
        chat = update.effective_chat
        return f"update {update.update_id}" + (f" in chat {chat.id}" if chat else "")
    job = getattr(context, "job", None)
    return f"job {job.name}" if job is not None else "no update"


async def on_error(update: object, context: Context) -> None:
    svc = services(context)
    error = context.error
    place = where(update, context)
    if isinstance(update, Update) and isinstance(error, RetryAfter):
        # The chat sends commands faster than Telegram lets the bot answer: hold it (bot/flood.py).
        log.warning("answer refused (%s): %s", place, error)
        await flood.hold(update, context, flood.retry_seconds(error))
        return
    if isinstance(update, Update) and _chat_refused_answer(error, place, svc):
        return
    details = "".join(traceback.format_exception(error)) if error else "unknown error"
    log.error("error handling %s:\n%s", place, mask_secrets(details, svc))
    if isinstance(update, Update):
        await _tell_user(update, context)
    await _tell_admins(context, svc, place, error)


def _chat_refused_answer(error: BaseException | None, place: str, svc: Services) -> bool:
    """Log, in a line, an answer Telegram refused for the chat's sake, not for a fault of ours (True):
    such a refusal is no error to tell the admins about, and writing to the chat again would fail too."""
    if isinstance(error, Forbidden):
        # The chat blocked the bot or removed it while a command waited for its answer; Telegram's
        # my_chat_member update about it (bot/chat_member.py) marks the chat inactive.
        log.info("chat shut the bot out before its answer (%s): %s", place, mask_secrets(str(error), svc))
        return True
    return False


async def _tell_user(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    try:
        _ = translator(await chat_language(update, context))
        text = _("Sorry, something went wrong. Please try again in a moment.")
        if update.callback_query is not None:
            await update.callback_query.answer(text)
        else:
            await context.bot.send_message(chat.id, text)
    except Exception:  # the database or Telegram may be what failed: the log has it already
        log.debug("could not tell chat %s about an error", chat.id, exc_info=True)


async def _tell_admins(context: Context, svc: Services, place: str, error: BaseException | None) -> None:
    admins = svc.config.telegram.admins
    now = time.monotonic()
    last = svc.extras.get("last_error_notice")
    if not admins or (last is not None and now - last < ADMIN_NOTICE_INTERVAL):
        return
    svc.extras["last_error_notice"] = now
    message = mask_secrets(str(error) if error else "", svc)[:NOTICE_DETAIL_CHARS]
    # The place and the error are the log's words (English): shown as code, not as a sentence.
    detail = f"{place}\n{type(error).__name__}: {message}"
    for admin in admins:
        _ = translator(await _admin_language(svc, admin))
        header = _("The bot ran into an error")
        text = f"⚠️ {escape_html(header)}\n<code>{escape_html(detail)}</code>"
        try:
            await context.bot.send_message(admin, text)
        except TelegramError as exc:  # an admin who never started the bot cannot be written to
            log.info("could not notify admin %s: %s", admin, mask_secrets(str(exc), svc))


async def _admin_language(svc: Services, admin: int) -> str:
    """The language the admin's private chat reads, as its digests would be: its own choice, else the
    Telegram language it wrote in, else the bot's default. (The database may be what failed.)"""
    try:
        async with svc.db.session() as session:
            subscriber = await get_subscriber(session, admin)
    except Exception:
        log.debug("no language for admin %s", admin, exc_info=True)
        return DEFAULT_LANGUAGE
    return language_of(subscriber) if subscriber is not None else DEFAULT_LANGUAGE
