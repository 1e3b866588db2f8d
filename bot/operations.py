"""What `bantin run` adds around the bot: the single-instance lease, update deduplication, the
scheduler heartbeat, metrics, the health endpoint, and a bounded graceful stop on SIGTERM/SIGINT.

`bantin run` puts an `Operations` in `services.extras["operations"]`; `post_init` calls `start`
(after the schema check, before the jobs and the sender) and `post_shutdown` calls `stop` (before
the database closes). Without it (sandbox, tests) the bot runs exactly as before.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass, field

from telegram.ext import Application, ContextTypes

from bot.dedup import UpdateDeduplicator, install_deduplication
from bot.health import HEARTBEAT_SECONDS, HealthServer
from bot.lease import BotLease
from bot.metrics import MeasuredSender, Metrics
from bot.periodic import cancel_poll_cycle
from bot.services import services_of

log = logging.getLogger("bantin.run")

HEARTBEAT_JOB = "scheduler-heartbeat"
PRUNE_JOB = "prune-processed-updates"
STOP_BOUND_SECONDS = 20.0
EXIT_FORCED = 1  # the graceful stop overran its bound


async def _heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services_of(context)
    svc.scheduler_heartbeat_at = svc.clock()


@dataclass
class Operations:
    lease: BotLease | None = None
    metrics: Metrics = field(default_factory=Metrics)
    health_listen: str | None = None  # None: no health endpoint
    health_port: int = 0
    stop_bound: float = STOP_BOUND_SECONDS
    handle_signals: bool = True
    health: HealthServer | None = None
    dedup: UpdateDeduplicator | None = None
    _lease_taken: bool = False
    _watchdog: threading.Timer | None = None
    _started: bool = False  # a refused start (lease held, schema) has nothing to say "stopped" about

    async def start(self, application: Application) -> None:
        svc = services_of(application)
        if self.lease is not None:
            await self.lease.acquire()  # LeaseHeld: the caller reports it and exits
            self._lease_taken = True
            self.lease.keep_renewed(on_lost=application.stop_running)
        self.dedup = install_deduplication(application)
        svc.extras["observe_poll"] = self.metrics.observe_poll
        svc.extras["wrap_sender"] = lambda sender: MeasuredSender(sender, self.metrics)
        job_queue = application.job_queue
        assert job_queue is not None
        job_queue.run_repeating(_heartbeat, interval=HEARTBEAT_SECONDS, first=0, name=HEARTBEAT_JOB)
        dedup = self.dedup
        job_queue.run_repeating(lambda _ctx: dedup.prune(), interval=3600, first=60, name=PRUNE_JOB)
        svc.scheduler_heartbeat_at = svc.clock()
        if self.health_listen is not None:
            self.health = HealthServer(svc, self.metrics, self.health_listen, self.health_port)
            self.health_port = self.health.start()
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.begin_stop, application, sig)
        self._started = True

    def begin_stop(self, application: Application, sig: int) -> None:
        """A stop signal: stop taking updates and wind down; past the bound, exit anyway."""
        if self._watchdog is not None:
            return
        log.info("received %s: stopping (at most %.0f s)", signal.Signals(sig).name, self.stop_bound)
        self._watchdog = threading.Timer(self.stop_bound, _force_exit, args=(self.stop_bound,))
        self._watchdog.daemon = True
        self._watchdog.start()
        cancel_poll_cycle(services_of(application))  # a slow source must not hold the stop
        application.stop_running()

    async def stop(self, application: Application) -> None:
        """Stop serving health, release the lease (the database is still open)."""
        if self.health is not None:
            await self.health.stop()
            self.health = None
        if self.lease is not None and self._lease_taken:
            try:
                await self.lease.release()
            except Exception:  # it expires by itself
                log.warning("could not release the instance lease", exc_info=True)
            self._lease_taken = False
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self._started:
            log.info("stopped")
            self._started = False


def _force_exit(bound: float) -> None:
    print(f"bantin: did not stop within {bound:.0f} s; exiting anyway", file=sys.stderr, flush=True)
    os._exit(EXIT_FORCED)
