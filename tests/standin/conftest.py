"""Fixtures for the Bot API stand-in tests: a running stand-in, a raw HTTP client to it, a fake clock."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.standin import BotApiStandIn, RateLimits


class FakeClock:
    """Monotonic time that moves only when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def standin(clock: FakeClock) -> AsyncIterator[BotApiStandIn]:
    """A running stand-in with Telegram's default limits on a fake clock (time stands still)."""
    server = BotApiStandIn(clock=clock, webhook_retry_delay=0.01)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def unlimited_standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn(limits=RateLimits.unlimited())
    await server.start()
    yield server
    await server.stop()


class Api:
    """Raw Bot API calls over HTTP: `await api.call("sendMessage", chat_id=1, text="x")` -> (status, body)."""

    def __init__(self, client: httpx.AsyncClient, standin: BotApiStandIn) -> None:
        self.client = client
        self.standin = standin

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await self.client.post(self.standin.url_for(method), data=_form(params))
        return response.status_code, response.json()

    async def json_call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await self.client.post(self.standin.url_for(method), json=params)
        return response.status_code, response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.call(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]


def _form(params: dict[str, Any]) -> dict[str, str]:
    """Encode like python-telegram-bot: strings as they are, everything else as JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items() if v is not None}


@pytest.fixture
async def api(standin: BotApiStandIn) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield Api(client, standin)
