"""A local Telegram Bot API stand-in over HTTP: tests, `bantin sandbox` and delivery benchmarks."""

from bot.standin.errors import ApiError
from bot.standin.limits import RateLimits
from bot.standin.server import DEFAULT_TOKEN, BotApiStandIn
from bot.standin.telegram_html import ParsedText, parse_html, parse_text
from bot.standin.thread import StandInThread

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiStandIn",
    "ParsedText",
    "RateLimits",
    "StandInThread",
    "parse_html",
    "parse_text",
]
