"""The service's operational side in one event loop: /healthz and /metrics after a poll (real HTTP),
the poll part of /healthz over real poll cycles with an injected clock, and webhook mode end to end
with the Bot API stand-in (secret checked, redeliveries handled once)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from telegram import Update

from bot.app import build_application, running
from bot.cli.run import webhook_options
from bot.health import health_report
from bot.operations import Operations
from bot.periodic import POLL_CHECK_SECONDS, run_poll
from bot.services import Services
from bot.standin import BotApiStandIn
from jobs.fetch import Fetcher
from news.config import Config, bundled_sample_feeds, validate
from storage.db import Database
from storage.sources import SourceSpec, add_source, remove_source
from tests.feedserver import FeedServer
from tests.jobs.pollkit import Clock, FeedItem, rss
from tests.ops.conftest import ops_config

USER = 1001
OTHER = 1002
SECRET = "webhook-secret_42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    return ops_config(sqlite_url, standin, bundled_sample_feeds())


def operations() -> Operations:
    return Operations(lease=None, health_listen="127.0.0.1", health_port=0, handle_signals=False)


async def test_healthz_and_metrics_after_a_poll(config: Config):
    services = Services(config, Database(config.storage.url))
    ops = operations()
    services.extras["operations"] = ops
    application = build_application(config, services)
    async with running(application):
        assert services.started_at is not None  # set by post_init: the poll check's grace period
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


async def test_the_first_poll_runs_at_start_not_one_check_interval_later(config: Config):
    """The poll job is added in post_init, before the scheduler starts; APScheduler then moved its
    `first=0` start, already past, to the next interval: no source was polled for 60 s."""
    services = Services(config, Database(config.storage.url))
    polled = asyncio.Event()
    services.extras["observe_poll"] = lambda _outcomes: polled.set()  # run_poll calls it after a cycle
    application = build_application(config, services)
    async with running(application, poll_updates=False):
        await asyncio.wait_for(polled.wait(), timeout=POLL_CHECK_SECONDS / 3)
    assert services.last_poll_ok_at is not None


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
    services.started_at = services.scheduler_heartbeat_at = services.clock()
    try:
        ok, body = await health_report(services)
    finally:
        await services.db.close()
    assert (ok, body["database"]["ok"], body["scheduler"]["ok"]) == (reachable, reachable, True)


POLL_INTERVAL = 900  # the poll check allows 3 × this: 2700 s
EVERY_5_MIN_FOR_AN_HOUR = tuple(range(0, 3600, 300))  # the last cycle ends 300 s before the check


@dataclass(frozen=True)
class PollCase:
    sources: tuple[int, ...]  # the HTTP status each source's feed answers with
    cycles: tuple[int, ...]  # seconds after the start at which a poll cycle runs and ends
    check_at: int  # seconds after the start at which /healthz is asked
    ok: bool
    last_ok_age: float | None
    source_interval: int | None = None  # each source's own interval (None: poll_interval)


POLL_CASES = {
    "fresh start, no poll yet": PollCase((200,), (), 60, True, None),
    "first cycle never ends": PollCase((200,), (), 2701, False, None),
    "one of two sources failing": PollCase((200, 500), EVERY_5_MIN_FOR_AN_HOUR, 3600, True, 300),
    "every source failing for an hour": PollCase((500, 500), EVERY_5_MIN_FOR_AN_HOUR, 3600, False, None),
    "no sources at all": PollCase((), EVERY_5_MIN_FOR_AN_HOUR, 3600, True, 300),
    # One fetch at the start, then an hour of cycles with nothing due: the poller works.
    "nothing due after a good fetch": PollCase((200,), EVERY_5_MIN_FOR_AN_HOUR, 3600, True, 300, 6 * 3600),
    "no cycle end for longer than the bound": PollCase((200,), (0,), 2701, False, 2701),
}


@pytest.fixture
async def poll_fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(connect_timeout=2, read_timeout=5, per_host=16, max_concurrency=16) as fetcher:
        yield fetcher


@pytest.fixture
def polling_services(sqlite_db: Database, poll_fetcher: Fetcher) -> Services:
    """Services as a freshly started bot has them, with a clock that moves only when a test moves it."""
    config = Config()
    config.schedule.poll_interval = POLL_INTERVAL
    services = Services(validate(config), sqlite_db, fetcher=poll_fetcher, clock=Clock())
    services.started_at = services.clock()
    return services


async def serve_sources(
    services: Services, server: FeedServer, statuses: tuple[int, ...], interval: int | None = None
) -> None:
    for n, status in enumerate(statuses):
        item = FeedItem(f"Tin số {n} của tỉnh", f"https://tinh.example.vn/tin-{n}.html", "Nội dung.")
        body = rss([item]).encode() if status == 200 else b"loi may chu"
        url = server.serve(f"/nguon-{n}.xml", body, status=status)
        async with services.db.transaction() as session:
            await add_source(
                session, SourceSpec(f"nguon-{n}", url, interval_seconds=interval), services.clock()
            )


async def health_at(services: Services, seconds_after_start: int) -> tuple[bool, dict]:
    assert services.started_at is not None
    services.clock.now = services.started_at + timedelta(seconds=seconds_after_start)
    services.scheduler_heartbeat_at = services.clock()  # the scheduler is not what these cases are about
    return await health_report(services)


@pytest.mark.parametrize("case", POLL_CASES.values(), ids=POLL_CASES.keys())
async def test_the_poll_check_of_healthz_over_real_poll_cycles(
    polling_services: Services, feed_server: FeedServer, case: PollCase
):
    await serve_sources(polling_services, feed_server, case.sources, case.source_interval)
    for at in case.cycles:
        await health_at(polling_services, at)
        await run_poll(polling_services)
    ok, body = await health_at(polling_services, case.check_at)
    assert body["database"]["ok"] and body["scheduler"]["ok"]
    assert (ok, body["poll"]) == (
        case.ok,
        {"last_ok_age_seconds": case.last_ok_age, "stale": not case.ok, "ok": case.ok},
    )


@pytest.mark.parametrize(
    ("statuses", "moves_last_poll_ok_at"),
    [
        ((200,), True),
        ((200, 500), True),  # one source fetched without error is enough
        ((500,), False),
        ((500, 500), False),
        ((), True),  # nothing due: the poller ran and had nothing to do
    ],
)
async def test_a_poll_cycle_sets_last_poll_ok_at_when_some_source_works(
    polling_services: Services,
    feed_server: FeedServer,
    statuses: tuple[int, ...],
    moves_last_poll_ok_at: bool,
):
    await serve_sources(polling_services, feed_server, statuses)
    outcomes = await run_poll(polling_services)
    assert len(outcomes) == len(statuses)
    expected = polling_services.clock() if moves_last_poll_ok_at else None
    assert polling_services.last_poll_ok_at == expected


async def test_the_poll_is_healthy_again_once_a_failing_source_recovers(
    polling_services: Services, feed_server: FeedServer
):
    await serve_sources(polling_services, feed_server, (500,))
    for at in EVERY_5_MIN_FOR_AN_HOUR:  # down for an hour: the source backs off, cycles find nothing due
        await health_at(polling_services, at)
        await run_poll(polling_services)
    assert (await health_at(polling_services, 3600))[0] is False
    feed_server.serve(
        "/nguon-0.xml", rss([FeedItem("Tin trở lại", "https://tinh.example.vn/tro-lai.html")]).encode()
    )
    await health_at(polling_services, 6 * 3600)  # past the longest back-off: the source is due again
    outcomes = await run_poll(polling_services)
    ok, body = await health_at(polling_services, 6 * 3600)
    assert [o.status for o in outcomes] == ["new"] and ok and body["poll"]["last_ok_age_seconds"] == 0


async def test_a_working_source_removed_by_another_process_no_longer_keeps_the_poll_healthy(
    polling_services: Services, feed_server: FeedServer
):
    await serve_sources(polling_services, feed_server, (200, 500))
    await health_at(polling_services, 0)
    await run_poll(polling_services)
    async with polling_services.db.transaction() as session:  # `bantin feeds remove`, not the bot
        assert await remove_source(session, "nguon-0")
    for at in EVERY_5_MIN_FOR_AN_HOUR:
        await health_at(polling_services, at)
        await run_poll(polling_services)

    ok, body = await health_at(polling_services, 3600)

    assert polling_services.source_fetch_ok == {"nguon-1": False}
    assert (ok, body["poll"]["stale"], body["poll"]["last_ok_age_seconds"]) == (False, True, 3600)


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
