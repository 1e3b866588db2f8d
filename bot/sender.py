"""`PtbSender`: the outbox's `Sender` over python-telegram-bot, mapping its errors to ours.

Order matters below: `BadRequest` and `TimedOut` are subclasses of `NetworkError`, and
`ChatMigrated`/`RetryAfter` must be seen before the generic `TelegramError`.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from jobs.send_errors import BadMarkup, ChatGone, ChatMoved, FloodWait, Rejected, TransientError

# BadRequest descriptions (PTB strips "Bad Request: ") that mean the chat is gone for good.
_GONE_MARKERS = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "have no rights to send",
    "not enough rights",
)
_MARKUP_MARKERS = ("can't parse entities", "can't find end of the entity", "unsupported start tag")
# Connection never made: the request certainly did not reach Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _ambiguous(exc: BaseException) -> bool:
    """A request that may have reached Telegram: everything but "could not connect"."""
    cause = exc.__cause__
    return not isinstance(cause, _NOT_SENT)


def map_error(exc: TelegramError) -> Exception:
    """The `jobs.send_errors` exception for a python-telegram-bot error."""
    if isinstance(exc, RetryAfter):
        return FloodWait(_seconds(exc.retry_after))
    if isinstance(exc, ChatMigrated):
        return ChatMoved(int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return ChatGone(exc.message)
    if isinstance(exc, BadRequest):
        text = exc.message.lower()
        if any(marker in text for marker in _MARKUP_MARKERS):
            return BadMarkup(exc.message)
        if any(marker in text for marker in _GONE_MARKERS):
            return ChatGone(exc.message)
        return Rejected(exc.message)
    if isinstance(exc, TimedOut):
        return TransientError(f"timed out: {exc.__cause__!r}", ambiguous=_ambiguous(exc))
    if isinstance(exc, NetworkError):
        return TransientError(exc.message, ambiguous=_ambiguous(exc))
    return TransientError(f"{type(exc).__name__}: {exc.message}", ambiguous=True)


class PtbSender:
    """Sends one message with `bot.send_message`. The bot's connection pool must hold the outbox
    sender's concurrency (PTB 22's default of 256 connections does)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(
        self, chat_id: int, text: str, parse_mode: str | None, disable_preview: bool, paid: bool
    ) -> int:
        try:
            message = await self.bot.send_message(
                chat_id=chat_id,
                text=text,
                parse_mode=parse_mode,
                link_preview_options=LinkPreviewOptions(is_disabled=True) if disable_preview else None,
                allow_paid_broadcast=True if paid else None,
            )
        except TelegramError as exc:
            raise map_error(exc) from exc
        return message.message_id


def build_bot(token: str, base_url: str, *, pool_size: int = 64, timeout: float = 20.0) -> Bot:
    """A Bot whose HTTP pool lets the outbox sender have `pool_size` sends in flight."""
    request = HTTPXRequest(
        connection_pool_size=pool_size,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        pool_timeout=timeout,
    )
    return Bot(token, base_url=base_url, request=request)
