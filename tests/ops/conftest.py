"""Shared pieces of the operations tests: a realistic token (so the token pattern is exercised too)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.standin import BotApiStandIn, RateLimits

TOKEN = "7012345678:AAHk3v-Zq9_xYb2LmNoPqRsTuVwXyZ01234"


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn(TOKEN, limits=RateLimits.unlimited())
    await server.start()
    yield server
    await server.stop()
