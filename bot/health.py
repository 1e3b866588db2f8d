"""The health and metrics HTTP endpoint (tornado, in the bot's own event loop).

    GET /healthz  JSON: database reachable, scheduler alive (heartbeat age), age of the last
                  successful poll; 200 when all three are ok, 503 when one is not.
    GET /metrics  Prometheus text format (bot/metrics.py).

The poll is ok while the newer of the last successful poll cycle and the start of the process is
at most 3 × `poll_interval` old. A cycle counts as successful unless every source failed at its
latest fetch (bot/periodic.py note_poll_cycle), so one broken source among working ones stays
healthy, while a poller stuck in a cycle that never ends, or every source failing (network or DNS
down), goes unhealthy: both are things a restart or an admin can fix.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web
from sqlalchemy import text

from bot.metrics import CONTENT_TYPE, Metrics
from bot.services import Services

log = logging.getLogger("bantin.health")

HEARTBEAT_SECONDS = 15  # the scheduler's heartbeat job interval (bot/operations.py)
DB_TIMEOUT = 5.0


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else round((now - then).total_seconds(), 1)


def _poll_check(svc: Services, now: datetime) -> dict[str, Any]:
    # The start counts as a success: a fresh process has a full grace period for its first cycle.
    since = max((t for t in (svc.last_poll_ok_at, svc.started_at) if t is not None), default=None)
    since_age = _age(now, since)
    ok = since_age is not None and since_age <= 3 * svc.config.schedule.poll_interval
    return {"last_ok_age_seconds": _age(now, svc.last_poll_ok_at), "stale": not ok, "ok": ok}


async def health_report(svc: Services) -> tuple[bool, dict[str, Any]]:
    now = svc.clock()
    try:
        async with asyncio.timeout(DB_TIMEOUT):
            # A read without a transaction: on SQLite a session's BEGIN IMMEDIATE would wait for the
            # write lock a poll or the sender holds (and hold them up in turn).
            async with svc.db.reading() as conn:
                await conn.execute(text("SELECT 1"))
        database = {"ok": True}
    except Exception as exc:
        database = {"ok": False, "error": type(exc).__name__}
    heartbeat_age = _age(now, svc.scheduler_heartbeat_at)
    scheduler = {
        "ok": heartbeat_age is not None and heartbeat_age <= 3 * HEARTBEAT_SECONDS,
        "heartbeat_age_seconds": heartbeat_age,
    }
    poll = _poll_check(svc, now)
    ok = database["ok"] and scheduler["ok"] and poll["ok"]
    return ok, {
        "status": "ok" if ok else "unhealthy",
        "database": database,
        "scheduler": scheduler,
        "poll": poll,
    }


class _HealthHandler(tornado.web.RequestHandler):
    def initialize(self, svc: Services) -> None:
        self.svc = svc

    async def get(self) -> None:
        ok, body = await health_report(self.svc)
        self.set_status(200 if ok else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    # Uptime monitors often ask with HEAD: the same status, and tornado sends no body.
    head = get


class _MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, svc: Services, metrics: Metrics) -> None:
        self.svc, self.metrics = svc, metrics

    async def get(self) -> None:
        try:
            await self.metrics.refresh_outbox(self.svc.db)
        except Exception:  # the other metrics are still worth serving
            log.warning("could not read the outbox depth", exc_info=True)
        self.set_header("Content-Type", CONTENT_TYPE)
        self.finish(self.metrics.render())

    head = get


class CannotListen(Exception):
    """The health server's address is taken or not ours to bind; the message names the setting."""


class HealthServer:
    def __init__(self, svc: Services, metrics: Metrics, listen: str, port: int) -> None:
        app = tornado.web.Application(
            [
                (r"/healthz", _HealthHandler, {"svc": svc}),
                (r"/metrics", _MetricsHandler, {"svc": svc, "metrics": metrics}),
            ],
            log_function=lambda handler: None,  # no access log lines
        )
        self._server = tornado.httpserver.HTTPServer(app)
        self.listen, self.port = listen, port

    def start(self) -> int:
        """Bind and serve in the running loop; returns the port (useful with port 0)."""
        try:
            sockets = tornado.netutil.bind_sockets(self.port, self.listen)
        except OSError as exc:
            raise CannotListen(
                f"cannot listen on {self.listen}:{self.port} for /healthz and /metrics: "
                f"{exc.strerror or exc}; change [health] listen or port, or set [health] enabled = false"
            ) from exc
        self._server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        log.info("health and metrics on http://%s:%d/healthz", self.listen, self.port)
        return self.port

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
