"""The service's operational side in one event loop: /healthz and /metrics after a poll (real HTTP),
and webhook mode end to end with the Bot API stand-in (secret checked, redeliveries handled once)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import Update

from bot.app import build_application, running
from bot.cli.run import webhook_options
from bot.health import health_report
from bot.operations import Operations
from bot.services import Services
from bot.standin import BotApiStandIn
from news.config import Config, bundled_sample_feeds, validate
from storage.db import Database

USER = 1001
OTHER = 1002
SECRET = "webhook-secret_42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    config = Config(feeds=bundled_sample_feeds())
    config.telegram.token = standin.token
    config.telegram.base_url = standin.base_url
    config.storage.url = sqlite_url
    return validate(config)


def operations() -> Operations:
    return Operations(lease=None, health_listen="127.0.0.1", health_port=0, handle_signals=False)


async def test_healthz_and_metrics_after_a_poll(config: Config):
    services = Services(config, Database(config.storage.url))
    ops = operations()
    services.extras["operations"] = ops
    application = build_application(config, services)
    async with running(application):
        await services.poll_now()  # the first poll job may have run it already: one poll either way
        assert services.last_poll_ok_at is not None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ops.health_port}") as client:
            health = await client.get("/healthz")
            metrics = await client.get("/metrics")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["scheduler"]["ok"]
    assert body["poll"]["last_ok_age_seconds"] is not None and not body["poll"]["stale"]
    text = metrics.text
    assert metrics.headers["content-type"].startswith("text/plain")
    polled = [line for line in text.splitlines() if line.startswith("bantin_polls_total{")]
    assert len(polled) == len(config.feeds)
    for counter in ("bantin_items_stored_total", "bantin_stories_stored_total"):
        stored = next(line for line in text.splitlines() if line.startswith(f"{counter} "))
        assert float(stored.split()[1]) > 0
    for name in (
        "# TYPE bantin_poll_errors_total counter",  # by source; no sample until a source fails
        "bantin_messages_sent_total",
        "bantin_outbox_messages",
        "bantin_poll_seconds_bucket",
        "bantin_send_seconds_count",
        "bantin_telegram_429_total",
    ):
        assert name in text


async def test_healthz_is_503_when_the_scheduler_stops(config: Config):
    services = Services(config, Database(config.storage.url))
    ops = operations()
    services.extras["operations"] = ops
    application = build_application(config, services)
    async with running(application, poll_updates=False):
        services.scheduler_heartbeat_at = services.clock().replace(year=2000)
        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{ops.health_port}/healthz")
    assert health.status_code == 503 and health.json()["scheduler"]["ok"] is False


@pytest.mark.parametrize("reachable", [True, False])
async def test_healthz_reports_an_unreachable_database(config: Config, reachable: bool):
    if not reachable:  # nothing listens on port 1: connection refused at once
        config.storage.url = "postgresql+asyncpg://bantin:x@127.0.0.1:1/bantin"
    services = Services(config, Database(config.storage.url))
    services.scheduler_heartbeat_at = services.clock()
    try:
        ok, body = await health_report(services)
    finally:
        await services.db.close()
    assert (ok, body["database"]["ok"], body["scheduler"]["ok"]) == (reachable, reachable, True)


@asynccontextmanager
async def webhook_bot(config: Config) -> AsyncIterator[tuple[Services, str]]:
    """The bot in webhook mode, started the way `run_webhook` does it (same options as `bantin run`)."""
    port = free_port()
    config.telegram.mode = "webhook"
    config.telegram.webhook.port = port
    config.telegram.webhook.url = f"http://127.0.0.1:{port}/telegram"
    config.telegram.webhook.secret_token = SECRET
    validate(config)
    services = Services(config, Database(config.storage.url))
    services.extras["operations"] = Operations(lease=None, handle_signals=False)
    application = build_application(config, services)
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_webhook(**webhook_options(config), allowed_updates=Update.ALL_TYPES)
    await application.start()
    try:
        yield services, config.telegram.webhook.url
    finally:
        await application.updater.stop()
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
        await application.post_shutdown(application)


async def test_webhook_mode_end_to_end(config: Config, standin: BotApiStandIn):
    async with webhook_bot(config) as (_services, url):
        assert standin.webhook is not None
        assert standin.webhook.config.url == url and standin.webhook.config.secret_token == SECRET
        update = standin.user_sends(USER, "/help")  # POSTed by the stand-in with the secret header
        await standin.wait_for_messages(USER, 1)
        async with httpx.AsyncClient() as client:
            refused = [
                await client.post(url, json={**update, "update_id": 777}, headers=headers)
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            ]
            again = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            # A new update from another user: updates are handled in order, so once it is answered
            # the redelivery before it has been handled (or dropped).
            standin.chats.add_user(OTHER, first_name="Lan", language_code="vi")
            standin.chats.add_chat(OTHER)
            message = {
                **update["message"],
                "chat": {"id": OTHER, "type": "private"},
                "from": {"id": OTHER, "is_bot": False, "first_name": "Lan"},
            }
            fresh = await client.post(
                url,
                json={"update_id": 778, "message": message},
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
        assert [r.status_code for r in refused] == [403, 403]
        assert again.status_code == fresh.status_code == 200
        await standin.wait_for_messages(OTHER, 1)
        # Neither 777 (refused) nor the redelivered update made a reply.
        assert len(standin.messages_for(USER)) == 1
