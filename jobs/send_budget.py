"""Telegram's rate is per bot, not per process: the senders of one bot sharing one database
(`bantin run` beside `python -m bot.deliver_worker`, or several workers) split it between them.

A sender with messages to send holds a lease named after it (`SENDER_LEASE_PREFIX` + its worker name),
renewed every `check_interval`; it paces at the cap divided by the number of live such leases
(`Pacer.share`). An idle sender gives its lease up, so a lone busy sender gets the whole rate. A sender
that joins holds its sends back for two `check_interval`s: by then the others have seen it and slowed
down. One that dies without giving its lease up counts until the lease expires (`ttl`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from jobs.pacing import Clock, Pacer
from storage.db import Database
from storage.leases import acquire_lease, count_live_leases, delete_expired_leases, release_lease

log = logging.getLogger("bantin.deliver")

SENDER_LEASE_PREFIX = "outbox-sender:"
SHARE_CHECK = 1.0  # seconds between looks at how many senders there are
SHARE_TTL = 5.0  # a sender gone without a word (killed) stops counting after this, or its claim TTL


class SharedBudget:
    """One sender's part of its bot's rate."""

    def __init__(
        self,
        db: Database,
        pacer: Pacer,
        worker: str,
        *,
        clock: Clock,
        wall_clock: Callable[[], datetime],
        check_interval: float = SHARE_CHECK,
        ttl: float = SHARE_TTL,
    ) -> None:
        self.db, self.pacer = db, pacer
        self.name = SENDER_LEASE_PREFIX + worker
        self.worker = worker
        self.clock, self.wall_clock = clock, wall_clock
        self.check_interval = check_interval
        self.ttl = timedelta(seconds=max(ttl, 3 * check_interval))
        self.joined = False
        self.senders = 1
        self._next_check = 0.0

    def hold_back(self) -> None:
        """Nothing goes out until `join` has counted the senders (called before the first rows are
        queued: the dispatcher may run while `join` waits on the database)."""
        if not self.joined:
            # Two looks' worth: a sender that looked just before our lease was there needs one more.
            self.pacer.hold(2 * self.check_interval)

    async def join(self) -> None:
        """Take our lease and pace by the number of busy senders; alone, go at once (the hold is
        lifted), else wait out the hold for the others to slow down to their share."""
        now = self.wall_clock()
        async with self.db.transaction() as session:
            await delete_expired_leases(session, SENDER_LEASE_PREFIX, now)
            await acquire_lease(session, self.name, self.worker, now, self.ttl)
        self.joined = True
        # Counted in a transaction of its own, after ours committed: of two senders joining at once,
        # at least the second to count sees the first.
        await self._count()
        if self.senders == 1:
            self.pacer.release_hold()

    def seconds_to_check(self) -> float | None:
        """Until the next `keep` is due (None: not joined, nothing to keep)."""
        return max(0.0, self._next_check - self.clock()) if self.joined else None

    async def keep(self) -> None:
        """Renew our lease and follow the number of senders, every `check_interval` while busy."""
        if not self.joined or self.clock() < self._next_check:
            return
        async with self.db.transaction() as session:
            await acquire_lease(session, self.name, self.worker, self.wall_clock(), self.ttl)
        await self._count()

    async def leave(self) -> None:
        """Idle or stopping: our share goes back to the others."""
        if not self.joined:
            return
        self.joined = False
        async with self.db.transaction() as session:
            await release_lease(session, self.name, self.worker)

    async def _count(self) -> None:
        async with self.db.session() as session:
            senders = max(1, await count_live_leases(session, SENDER_LEASE_PREFIX, self.wall_clock()))
        self._next_check = self.clock() + self.check_interval
        if senders != self.senders:
            log.info("%d senders share the bot's rate", senders)
            self.senders = senders
            self.pacer.share(senders)
