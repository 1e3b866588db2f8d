"""/latest and /search end to end through the running bantin application, for bench/query.py.

The real Application (`bot.app.build_application`: the gate, the registered handlers, the error
handler, `post_init` with its schema check and source sync) runs on the bench's database with its
Bot API calls going over HTTP to the stand-in (`bot.standin`) on 127.0.0.1, in the same event loop,
as in tests/bot. Each timed run hands one user message (a command with its bot_command entity, made
by the stand-in as Telegram would) to `Application.process_update`; the clock stops when the
stand-in records the reply's sendMessage. So a sample covers the gate, the handler, its database
session and queries, rendering, and the sendMessage round trip up to the stand-in accepting it;
not getUpdates nor decoding the update's JSON, which no query changes.

Nothing else runs meanwhile: the periodic jobs (polling, digests, outbox pruning) are removed
before the job queue starts and the outbox sender, which would look at the outbox every second,
is stopped once started.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, post_init, running
from bot.periodic import stop_sender
from bot.services import Services
from bot.standin import BotApiStandIn, RateLimits
from news.config import Config, FeedConfig, validate
from storage.db import Database

USER = 1001  # a private chat that has not subscribed: /latest and /search need no subscription
WARM_UP = 3  # runs per command not counted: the first ones fill caches and connection pools


@dataclass(frozen=True)
class Timing:
    label: str
    p50: float
    p95: float
    reply: str  # the reply's first line, to see that the command did what it says


class _ErrorCount(logging.Handler):
    """Counts error logs (the application's error handler logs every exception it catches)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def bench_config(url: str, standin: BotApiStandIn, feeds: list[FeedConfig]) -> Config:
    """The bench's sources as the configured feeds, so the sync in post_init keeps them as they are."""
    config = Config(feeds=feeds)
    config.telegram.token = standin.token
    config.telegram.base_url = standin.base_url
    config.storage.url = url
    return validate(config)


async def _post_init_without_background_work(application: Application) -> None:
    await post_init(application)
    assert application.job_queue is not None
    for job in application.job_queue.jobs():  # not started yet: nothing has run
        job.schedule_removal()
    await stop_sender(application)


def percentiles(samples: list[float]) -> tuple[float, float]:
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]
    return statistics.median(samples), p95


async def time_commands(
    url: str, feeds: list[FeedConfig], commands: list[tuple[str, str]], runs: int
) -> list[Timing]:
    """p50/p95 in ms of each (label, command text), `runs` timed runs each after WARM_UP untimed ones."""
    standin = await BotApiStandIn(limits=RateLimits.unlimited()).start()
    replies: list[tuple[float, dict[str, Any]]] = []
    standin.add_listener(_stamp_sends(replies))
    config = bench_config(url, standin, feeds)
    application = build_application(config, Services(config, Database(url)))
    application.post_init = _post_init_without_background_work
    errors = _ErrorCount()
    logging.getLogger().addHandler(errors)
    results = []
    try:
        async with running(application, poll_updates=False):
            for label, text in commands:
                samples = []
                for attempt in range(runs + WARM_UP):
                    raw = standin.user_sends(USER, text)
                    standin.updates.clear()  # nobody calls getUpdates: the update goes in directly
                    update = Update.de_json(raw, application.bot)
                    replies.clear()
                    started = time.perf_counter()
                    await application.process_update(update)
                    if errors.count or len(replies) != 1:
                        raise RuntimeError(f"{text!r}: {len(replies)} replies, {errors.count} errors logged")
                    if attempt >= WARM_UP:
                        samples.append((replies[0][0] - started) * 1000)
                p50, p95 = percentiles(samples)
                results.append(Timing(label, p50, p95, replies[0][1]["visible_text"].split("\n", 1)[0]))
    finally:
        logging.getLogger().removeHandler(errors)
        await standin.stop()
    return results


def _stamp_sends(replies: list[tuple[float, dict[str, Any]]]) -> Callable[[dict[str, Any]], None]:
    def listener(record: dict[str, Any]) -> None:
        if record["method"] == "sendMessage":
            replies.append((time.perf_counter(), record))

    return listener
