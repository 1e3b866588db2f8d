"""`BotApiSender`: the outbox's `Sender`, one sendMessage as JSON over kept-alive HTTP/1.1 connections
(`bot.http_pool`), and Telegram's error answers read as `jobs.send_errors` exceptions.

python-telegram-bot still runs the handlers; the outbox bypasses it because at paid-broadcast rates
(1000/s) its per-message CPU (httpx, then `Message.de_json`) was the limit, and the outbox needs only
the message id back. The rules below keep the meanings python-telegram-bot gave these answers.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from bot.http_pool import ConnectionPool, RequestFailed, proxy_from_environment
from jobs.send_errors import (
    BadMarkup,
    ChatGone,
    ChatMoved,
    FloodWait,
    Rejected,
    SendError,
    TransientError,
)
from news.config import DEFAULT_BASE_URL

# 400 descriptions that mean the chat is gone for good.
_GONE_MARKERS = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "have no rights to send",
    "not enough rights",
)
_MARKUP_MARKERS = ("can't parse entities", "can't find end of the entity", "unsupported start tag")
_TOKEN_PLACEHOLDER = "{token}"


def bot_api_url(token: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """One bot's Bot API URL, formed as python-telegram-bot forms it (`Bot.base_url`): `{token}` in
    `base_url` is replaced by the token, else the token is appended."""
    if _TOKEN_PLACEHOLDER in base_url:
        return base_url.replace(_TOKEN_PLACEHOLDER, token)
    return base_url + token


def _description(text: str) -> str:
    """Telegram's description as python-telegram-bot showed it (the stored reasons stay the same)."""
    stripped = text.removeprefix("Bad Request: ")
    return stripped.capitalize() if stripped != text else text


def error_for_reply(error_code: int, description: str, parameters: Mapping[str, Any] | None) -> SendError:
    """The `jobs.send_errors` exception for a Bot API error answer (`ok: false`)."""
    parameters = parameters or {}
    if parameters.get("migrate_to_chat_id"):
        return ChatMoved(int(parameters["migrate_to_chat_id"]))
    if parameters.get("retry_after"):
        return FloodWait(float(parameters["retry_after"]))
    text = _description(description)
    if error_code == 403:
        return ChatGone(text)
    if error_code == 400:
        lowered = text.lower()
        if any(marker in lowered for marker in _MARKUP_MARKERS):
            return BadMarkup(text)
        if any(marker in lowered for marker in _GONE_MARKERS):
            return ChatGone(text)
        return Rejected(text)
    # 5xx, 401/404 (a wrong token), 409, a 429 without retry_after: the request reached Telegram.
    return TransientError(f"HTTP {error_code}: {text}", ambiguous=True)


def message_id_from(status: int, body: bytes) -> int:
    """The sent message's id from a sendMessage answer; raises the `jobs.send_errors` exception for
    anything else."""
    try:
        answer = json.loads(body)
    except ValueError:
        raise TransientError(f"HTTP {status}: the answer is not JSON", ambiguous=True) from None
    if not isinstance(answer, dict):
        raise TransientError(f"HTTP {status}: unexpected answer", ambiguous=True)
    if 200 <= status < 300:
        result = answer.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if isinstance(message_id, int) and not isinstance(message_id, bool):
            return message_id
        # Telegram said yes but we cannot tell to what: the message probably went out.
        raise TransientError(f"HTTP {status}: no message id in the answer", ambiguous=True)
    parameters = answer.get("parameters")
    raise error_for_reply(
        status,
        str(answer.get("description") or f"HTTP {status}"),
        parameters if isinstance(parameters, dict) else None,
    )


class BotApiSender:
    """Sends one message with sendMessage. `api_url` is the bot's URL with its token
    (`bot_api_url(token, base_url)`, or python-telegram-bot's `bot.base_url`). `timeout` bounds one
    send after the connection is made, `connect_timeout` (default: `timeout`) making one. `proxy`
    defaults to the environment's (HTTPS_PROXY...) unless `trust_env` is False, as with
    python-telegram-bot. Call `aclose()` when done."""

    def __init__(
        self,
        api_url: str,
        *,
        timeout: float = 20.0,
        connect_timeout: float | None = None,
        max_idle: int = 64,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        split = urlsplit(api_url)
        origin = f"{split.scheme}://{split.netloc}"
        self.pool = ConnectionPool(
            origin,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_idle=max_idle,
            ssl_context=ssl_context,
            proxy=proxy or (proxy_from_environment(origin) if trust_env else None),
        )
        self.send_message_path = f"{split.path.rstrip('/')}/sendMessage"

    @classmethod
    def for_token(cls, token: str, base_url: str = DEFAULT_BASE_URL, **options: Any) -> BotApiSender:
        return cls(bot_api_url(token, base_url), **options)

    def __repr__(self) -> str:  # never the URL's path: it holds the token
        return f"BotApiSender({self.pool.origin!r})"

    async def send(
        self, chat_id: int, text: str, parse_mode: str | None, disable_preview: bool, paid: bool
    ) -> int:
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if parse_mode:
            payload["parse_mode"] = parse_mode
        if disable_preview:
            payload["link_preview_options"] = {"is_disabled": True}
        if paid:
            payload["allow_paid_broadcast"] = True
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            status, answer = await self.pool.post(self.send_message_path, body)
        except RequestFailed as exc:
            raise TransientError(exc.reason, ambiguous=exc.sent) from None
        return message_id_from(status, answer)

    async def aclose(self) -> None:
        await self.pool.aclose()
