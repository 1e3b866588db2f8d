"""One running instance per bot: a database lease named after a hash of the token, renewed while the
process lives. Two pollers would get Telegram's 409 and two schedulers would send every digest twice."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.leases import acquire_lease, get_lease, release_lease, renew_lease

log = logging.getLogger("bantin.lease")

DEFAULT_TTL = timedelta(seconds=60)


def lease_name(token: str) -> str:
    """The lease's name: a hash of the token (the token itself must never be stored)."""
    return "bot-" + hashlib.sha256(token.encode()).hexdigest()[:16]


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaseHeld(Exception):
    """Another instance holds the lease."""

    def __init__(self, holder: str, expires_at: datetime) -> None:
        self.holder, self.expires_at = holder, expires_at
        super().__init__(
            f"another bantin instance ({holder}) is already running for this bot token and database; "
            f"stop it first (or wait until its lease expires at {expires_at:%Y-%m-%d %H:%M:%S} UTC "
            "if it died)"
        )


class BotLease:
    def __init__(
        self,
        db: Database,
        token: str,
        *,
        holder: str | None = None,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db, self.name = db, lease_name(token)
        self.holder = holder or default_holder()
        self.ttl, self.clock = ttl, clock
        self.lost = False
        self._task: asyncio.Task | None = None

    async def acquire(self) -> None:
        """Take the lease or raise LeaseHeld."""
        async with self.db.transaction() as session:
            won = await acquire_lease(session, self.name, self.holder, self.clock(), self.ttl)
            info = None if won else await get_lease(session, self.name)
        if not won:
            assert info is not None
            raise LeaseHeld(info.holder, info.expires_at)
        log.info("instance lease %s taken by %s", self.name, self.holder)

    async def renew(self) -> bool:
        async with self.db.transaction() as session:
            ok = await renew_lease(session, self.name, self.holder, self.clock(), self.ttl)
        if not ok and not self.lost:
            self.lost = True
            log.error("the instance lease %s was lost: another instance may be running", self.name)
        return ok

    def keep_renewed(self, on_lost: Callable[[], None] | None = None) -> None:
        """Renew every third of the TTL in a background task until `release()`."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(self.ttl.total_seconds() / 3)
                try:
                    if not await self.renew() and on_lost is not None:
                        on_lost()
                        return
                except Exception:  # a database hiccup: try again next round, the TTL leaves room
                    log.warning("could not renew the instance lease", exc_info=True)

        self._task = asyncio.create_task(loop(), name="lease-renewal")

    async def release(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        async with self.db.transaction() as session:
            await release_lease(session, self.name, self.holder)
        log.info("instance lease %s released", self.name)
