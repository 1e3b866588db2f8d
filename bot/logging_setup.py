"""Logging for `bantin run`: one line per event, plain or JSON, and never the bot token.

The redaction sits in a Filter on the root handler, so it sees every record that reaches the
output, whatever logger it came from: the message, its arguments and the formatted traceback
(python-telegram-bot and httpx exceptions carry the request URL, which holds the token).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from news.config import LoggingConfig

MASK = "****"
# Any Bot API token shape (<bot id>:<secret>), also when it is not the configured one.
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
BOT_URL_PATTERN = re.compile(r"/bot[^/\s\"']+")
CONTEXT_FIELDS = ("source", "chat", "digest", "update")  # passed with `extra={...}`
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "tornado.access")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secrets, any token-shaped string and `/bot<token>` URL paths masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = TOKEN_PATTERN.sub(MASK, text)
    return BOT_URL_PATTERN.sub("/bot" + MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record in place: the message is rendered and masked, the traceback formatted
    and masked (the formatter then uses that text instead of formatting `exc_info` again)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the event
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
            record.exc_info = None  # the masked text is what gets printed
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = " ".join(f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if hasattr(record, k))
        if not context:
            return line
        first, _, rest = line.partition("\n")
        return f"{first} [{context}]" + (f"\n{rest}" if rest else "")


class JsonFormatter(logging.Formatter):
    """One JSON object per line (a traceback goes in the "exc" field, never across lines)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


class BriefStartFailureFilter(logging.Filter):
    """python-telegram-bot logs a full traceback when its start-up call to Telegram gives up (no
    network, a wrong base_url, a rejected token). `bantin run` then says what failed in one line,
    so below DEBUG the record keeps its message and drops the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not logging.getLogger().isEnabledFor(logging.DEBUG):
            message = str(record.msg)
            if "Aborting" in message and "Network Retry Loop" in str(record.args or message):
                record.exc_info = record.exc_text = None
        return True


# Where python-telegram-bot's retry loop logs (telegram/ext/_utils/networkloop.py)
PTB_RETRY_LOGGER = "telegram.ext"


def setup_logging(
    config: LoggingConfig, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Replace the root handlers with one redacting handler on `stream` (stderr by default); uncaught
    exceptions go through it too. Returns the handler (tests remove it)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(JsonFormatter() if config.format == "json" else PlainFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(config.level.upper())
    for name in QUIET_LOGGERS:  # httpx logs every request URL at INFO, the token included
        logging.getLogger(name).setLevel(logging.WARNING)
    retry_logger = logging.getLogger(PTB_RETRY_LOGGER)
    if not any(isinstance(f, BriefStartFailureFilter) for f in retry_logger.filters):
        retry_logger.addFilter(BriefStartFailureFilter())

    def log_uncaught(kind, value, tb) -> None:
        logging.getLogger("bantin").critical("uncaught exception", exc_info=(kind, value, tb))

    sys.excepthook = log_uncaught
    return handler
