"""The health and metrics endpoint under odd and busy requests (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import delete

from bot.health import HealthServer
from bot.metrics import Metrics
from bot.services import Services
from news.config import Config, validate
from storage.db import Database
from storage.models import ProcessedUpdate


@pytest.fixture
async def health(sqlite_url: str) -> AsyncIterator[tuple[Services, str]]:
    """A HealthServer on a free port over a fresh SQLite database, the scheduler alive."""
    config = Config()
    config.storage.url = sqlite_url
    services = Services(validate(config), Database(sqlite_url))
    services.started_at = services.scheduler_heartbeat_at = services.clock()
    server = HealthServer(services, Metrics(), "127.0.0.1", 0)
    port = server.start()
    try:
        yield services, f"http://127.0.0.1:{port}"
    finally:
        await server.stop()
        await services.db.close()


@pytest.mark.parametrize(
    ("paths", "at_once"),
    [(["/healthz"], 1), (["/metrics"], 1), (["/healthz", "/metrics"], 40)],  # 40: more than the pool
    ids=["healthz", "metrics", "40 at once"],
)
async def test_scrapes_are_answered_while_a_writer_holds_the_sqlite_lock(
    paths: list[str], at_once: int, health: tuple[Services, str]
):
    """Each scrape opened a transaction, and on SQLite that is BEGIN IMMEDIATE: it waited for the
    write lock a poll or the sender held (SQLite's 30 s busy timeout, the 5 s check could not cut
    it short) and /healthz said 503 "database TimeoutError" — and each scrape held writers up."""
    services, base = health
    async with services.db.transaction() as writer:
        await writer.execute(delete(ProcessedUpdate))  # the write lock, held until the block ends
        limits = httpx.Limits(max_connections=at_once)
        async with httpx.AsyncClient(base_url=base, timeout=3, limits=limits) as client:
            responses = await asyncio.gather(*(client.get(paths[i % len(paths)]) for i in range(at_once)))
    assert [r.status_code for r in responses] == [200] * at_once


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
async def test_head_gets_the_status_of_get_and_no_body(health, path):
    """Uptime monitors ask with HEAD; a 405 would read as "down"."""
    services, base = health
    async with httpx.AsyncClient(base_url=base) as client:
        got, headed = await client.get(path), await client.head(path)
        services.scheduler_heartbeat_at = None  # the scheduler stopped: unhealthy
        unhealthy = await client.head("/healthz")
    assert (headed.status_code, headed.content) == (got.status_code, b"") == (200, b"")
    assert headed.headers["content-type"] == got.headers["content-type"]
    assert unhealthy.status_code == 503
