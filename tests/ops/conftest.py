"""Shared pieces of the operations tests: a realistic token (so the token pattern is exercised too)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.standin import BotApiStandIn, RateLimits
from news.config import Config, FeedConfig, validate

TOKEN = "7012345678:AAHk3v-Zq9_xYb2LmNoPqRsTuVwXyZ01234"


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn(TOKEN, limits=RateLimits.unlimited())
    await server.start()
    yield server
    await server.stop()


def ops_config(sqlite_url: str, standin: BotApiStandIn, feeds: list[FeedConfig] | None = None) -> Config:
    """The service's config for an operations test: the stand-in's token and address, the test's
    SQLite database and `feeds` (none when not given)."""
    config = Config(feeds=feeds or [])
    config.telegram.token = standin.token
    config.telegram.base_url = standin.base_url
    config.storage.url = sqlite_url
    return validate(config)
