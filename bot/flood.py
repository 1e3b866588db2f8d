"""Chats that write faster than Telegram lets the bot answer them.

Telegram refuses answers beyond about one a second per chat (a few at once; 20 a minute in a group)
with 429 and `retry_after`. When an answer is refused, the error handler puts the chat on hold until
then: the gate skips the chat's commands without running them (a /stop nobody sees answered must not
unsubscribe anyone) and counts them, and when the hold ends one notice says how many got no answer.
Reacting to Telegram's refusals, not guessing its limits, leaves chats within them untouched. The
hold lives in chat_data (memory): a restart forgets it, as Telegram forgets its count in seconds.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from telegram import Update
from telegram.constants import ChatType
from telegram.error import RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.handlers.context import chat_language, topic_of
from news.i18n import plural_translator

log = logging.getLogger("bantin.bot")

Context = ContextTypes.DEFAULT_TYPE
HOLD_KEY = "flood_hold"
NOTICE_JOB = "flood-notice"


@dataclass
class Hold:
    until: float  # time.monotonic() when Telegram takes answers again
    unanswered: int  # commands of the chat that got no answer
    lang: str
    thread: int | None  # the forum topic to send the notice to


def retry_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB gives an int now, a timedelta in a later version)."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def answers_to(update: Update) -> bool:
    """Whether the bot would answer this message: a command, or anything written in a private chat.
    (Group chatter is no business of the hold.)"""
    message = update.message
    if message is None or update.effective_chat is None:
        return False
    if update.effective_chat.type == ChatType.PRIVATE:
        return True
    entities = message.entities or ()
    return bool(entities) and entities[0].type == "bot_command" and entities[0].offset == 0


async def hold(update: Update, context: Context, seconds: float) -> None:
    """Telegram refused an answer in the update's chat for `seconds`: hold the chat until then."""
    chat = update.effective_chat
    if chat is None or context.chat_data is None:
        return
    held = context.chat_data.get(HOLD_KEY)
    if held is None:
        held = Hold(0.0, 0, await chat_language(update, context), topic_of(update.effective_message))
        context.chat_data[HOLD_KEY] = held
        context.job_queue.run_once(_notice, when=seconds, chat_id=chat.id, name=f"{NOTICE_JOB}:{chat.id}")
    held.until = max(held.until, time.monotonic() + seconds)
    if answers_to(update):
        held.unanswered += 1  # the command whose answer was refused ran, but nobody saw its answer


def skip_while_held(update: Update, context: Context) -> bool:
    """True, and counted, when the update is a message the bot would answer in a chat on hold."""
    held = context.chat_data.get(HOLD_KEY) if context.chat_data is not None else None
    if held is None or time.monotonic() >= held.until or not answers_to(update):
        return False
    held.unanswered += 1
    return True


async def _notice(context: Context) -> None:
    """At the end of the hold (later if another refusal extended it): say how many commands got no
    answer; a notice refused again holds the chat once more."""
    job = context.job
    held: Hold | None = context.chat_data.get(HOLD_KEY)
    if held is None:
        return
    remaining = held.until - time.monotonic()
    if remaining > 0:
        context.job_queue.run_once(_notice, when=remaining, chat_id=job.chat_id, name=job.name)
        return
    if held.unanswered == 0:  # only an edit was refused: nothing the chat asked went unanswered
        del context.chat_data[HOLD_KEY]
        return
    ngettext = plural_translator(held.lang)
    text = ngettext(
        "You sent commands faster than Telegram lets me answer: {count} command got no answer. "
        "Send it again if you still need it.",
        "You sent commands faster than Telegram lets me answer: {count} commands got no answer. "
        "Send again what you still need.",
        held.unanswered,
    ).format(count=held.unanswered)
    try:
        await context.bot.send_message(job.chat_id, text, message_thread_id=held.thread)
    except RetryAfter as exc:
        held.until = time.monotonic() + retry_seconds(exc)
        context.job_queue.run_once(_notice, when=retry_seconds(exc), chat_id=job.chat_id, name=job.name)
        return
    except TelegramError as exc:  # blocked, removed from the group: nobody to tell
        log.info("no flood notice for chat %s: %s", job.chat_id, exc)
    del context.chat_data[HOLD_KEY]
