"""Prometheus metrics of one bantin process, on its own CollectorRegistry (not the global one).

The poll path reports through `observe_poll` (called with the outcomes `run_poll` already has), the
send path through `MeasuredSender`, a wrapper around the Sender the outbox uses: `jobs` stays
unaware of this module. Outbox depth is read from the database when /metrics is scraped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from jobs.deliver import Sender
from jobs.poll import PollOutcome
from jobs.send_errors import FloodWait, SendError
from storage import outbox
from storage.db import Database

CONTENT_TYPE = CONTENT_TYPE_LATEST
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.polls = Counter(
            "bantin_polls", "Source polls, by source and status", ["source", "status"], registry=r
        )
        self.poll_errors = Counter(
            "bantin_poll_errors", "Failed source polls, by source", ["source"], registry=r
        )
        self.items_stored = Counter("bantin_items_stored", "New feed items stored", registry=r)
        self.stories_stored = Counter("bantin_stories_stored", "New stories stored", registry=r)
        self.poll_seconds = Histogram(
            "bantin_poll_seconds",
            "Time to poll one source",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
            registry=r,
        )
        self.messages_sent = Counter("bantin_messages_sent", "Messages Telegram accepted", registry=r)
        self.send_errors = Counter("bantin_send_errors", "Failed sends, by error", ["error"], registry=r)
        self.too_many_requests = Counter("bantin_telegram_429", "429 Too Many Requests received", registry=r)
        self.send_seconds = Histogram(
            "bantin_send_seconds",
            "Time of one sendMessage call",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 20),
            registry=r,
        )
        self.outbox_depth = Gauge("bantin_outbox_messages", "Outbox rows by status", ["status"], registry=r)

    def observe_poll(self, outcomes: Iterable[PollOutcome]) -> None:
        for o in outcomes:
            self.polls.labels(o.source, o.status).inc()
            if o.status == "error":
                self.poll_errors.labels(o.source).inc()
            self.items_stored.inc(len(o.new_item_ids) or o.new)
            self.stories_stored.inc(len(o.new_story_ids))
            self.poll_seconds.observe(o.elapsed)

    async def refresh_outbox(self, db: Database) -> None:
        async with db.reading() as conn:  # no write lock taken or waited for (see health_report)
            counts = await outbox.status_counts(conn)
        for status in set(OUTBOX_STATUSES) | set(counts):
            self.outbox_depth.labels(status).set(counts.get(status, 0))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MeasuredSender:
    """A Sender that times each send and counts successes, 429s and other errors."""

    def __init__(self, inner: Sender, metrics: Metrics, clock=time.perf_counter) -> None:
        self.inner, self.metrics, self.clock = inner, metrics, clock

    async def send(
        self, chat_id: int, text: str, parse_mode: str | None, disable_preview: bool, paid: bool
    ) -> int:
        started = self.clock()
        try:
            message_id = await self.inner.send(chat_id, text, parse_mode, disable_preview, paid)
        except FloodWait:
            self.metrics.too_many_requests.inc()
            raise
        except SendError as exc:
            self.metrics.send_errors.labels(type(exc).__name__).inc()
            raise
        finally:
            self.metrics.send_seconds.observe(self.clock() - started)
        self.metrics.messages_sent.inc()
        return message_id
