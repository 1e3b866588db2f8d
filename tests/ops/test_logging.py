"""The bot token never reaches a log line: messages, arguments, tracebacks of failed HTTP calls."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from telegram import Bot
from telegram.error import TelegramError

from bot.logging_setup import MASK, redact, setup_logging
from bot.standin import BotApiStandIn
from news.config import LoggingConfig
from tests.ops.conftest import TOKEN


@contextmanager
def root_log_captured(level: str = "DEBUG") -> Iterator[io.StringIO]:
    """Root logging into a string buffer, as `bantin run` sets it up; restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    handler = setup_logging(LoggingConfig(level=level, format="plain"), [TOKEN], stream=stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for old in saved_handlers:
            root.addHandler(old)
        root.setLevel(saved_level)


@pytest.fixture
def captured_log():
    with root_log_captured() as stream:
        yield stream


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"GET https://api.telegram.org/bot{TOKEN}/getMe", f"GET https://api.telegram.org/bot{MASK}/getMe"),
        ("other token 123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 here", f"other token {MASK} here"),
        ("url /bot123:short/sendMessage", f"url /bot{MASK}/sendMessage"),
        ("Nguồn VnExpress: 3 tin mới", "Nguồn VnExpress: 3 tin mới"),
    ],
)
def test_redact(text, expected):
    assert redact(text, [TOKEN]) == expected


def test_message_and_args_are_masked(captured_log):
    logging.getLogger("bantin.test").info("token is %s", TOKEN)
    logging.getLogger("bantin.test").warning(f"url https://x/bot{TOKEN}/getMe")
    out = captured_log.getvalue()
    assert TOKEN not in out and TOKEN.split(":")[1] not in out
    assert out.count(MASK) == 2


async def test_traceback_of_failed_http_call_is_masked(captured_log, standin: BotApiStandIn):
    standin.fail_next(None, 500)
    raw_tracebacks = []
    async with httpx.AsyncClient() as client:
        response = await client.post(standin.url_for("getMe"))
        try:
            response.raise_for_status()
        except httpx.HTTPStatusError as exc:
            raw_tracebacks.append(str(exc))
            logging.getLogger("bantin.test").exception("the Bot API failed")
    standin.fail_next(None, "drop")
    try:
        async with Bot(TOKEN, base_url=standin.base_url) as bot:  # initialize() calls getMe
            await bot.get_me()
    except TelegramError:
        logging.getLogger("telegram.ext").error("getMe failed", exc_info=True)
    assert TOKEN in raw_tracebacks[0]  # the raw exception does carry it
    out = captured_log.getvalue()
    assert "HTTPStatusError" in out and "NetworkError" in out
    assert TOKEN not in out


def test_json_lines_carry_context(captured_log):
    root = logging.getLogger()
    handler = root.handlers[0]
    handler.setFormatter(__import__("bot.logging_setup", fromlist=["JsonFormatter"]).JsonFormatter())
    logging.getLogger("bantin.jobs").info("poll failed for %s", TOKEN, extra={"source": "Báo Lào Cai"})
    [line] = captured_log.getvalue().splitlines()
    data = json.loads(line)
    assert data["source"] == "Báo Lào Cai" and data["level"] == "INFO"
    assert TOKEN not in line


def test_httpx_request_lines_are_quiet(captured_log):
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


@pytest.mark.parametrize(("level", "traceback_kept"), [("INFO", False), ("DEBUG", True)])
def test_telegram_giving_up_at_start_logs_no_traceback_below_debug(level: str, traceback_kept: bool):
    with root_log_captured(level) as stream:
        try:
            raise TelegramError("httpx.ConnectError: All connection attempts failed")
        except TelegramError:  # as telegram/ext/_utils/networkloop.py logs it
            logging.getLogger("telegram.ext").exception(
                "%s Failed run number %s of %s. Aborting.", "Network Retry Loop (Bootstrap):", 0, 0
            )
            logging.getLogger("telegram.ext").exception("an error of another kind")
    first, other = stream.getvalue().split("an error of another kind")
    assert "Network Retry Loop (Bootstrap): Failed run number 0 of 0. Aborting." in first
    assert ("Traceback" in first) is traceback_kept
    assert "Traceback" in other, "other errors keep their traceback"
