"""The single-instance lease: refused while held, taken over once expired, atomic under a race."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.lease import BotLease, LeaseHeld, lease_name
from storage.db import Database
from storage.leases import get_lease
from tests.ops.conftest import TOKEN

T0 = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)
TTL = timedelta(seconds=60)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def lease(db: Database, holder: str, clock: Clock) -> BotLease:
    return BotLease(db, TOKEN, holder=holder, ttl=TTL, clock=clock)


def test_name_is_a_hash_not_the_token():
    name = lease_name(TOKEN)
    assert TOKEN not in name and TOKEN.split(":")[0] not in name
    assert name == lease_name(TOKEN) != lease_name(TOKEN + "x")


async def test_second_instance_is_refused_with_a_clear_message(fresh_db, clock):
    await lease(fresh_db, "host-a:1", clock).acquire()
    with pytest.raises(LeaseHeld) as refused:
        await lease(fresh_db, "host-b:2", clock).acquire()
    assert "host-a:1" in str(refused.value) and "already running" in str(refused.value)


@pytest.mark.parametrize(
    "elapsed, renewed, taken_over", [(59, False, False), (61, False, True), (61, True, False)]
)
async def test_takeover_only_after_expiry(fresh_db, clock, elapsed, renewed, taken_over):
    first = lease(fresh_db, "host-a:1", clock)
    await first.acquire()
    if renewed:
        clock.now = T0 + timedelta(seconds=30)
        assert await first.renew()
    clock.now = T0 + timedelta(seconds=elapsed)
    second = lease(fresh_db, "host-b:2", clock)
    if taken_over:
        await second.acquire()
        assert not await first.renew() and first.lost
    else:
        with pytest.raises(LeaseHeld):
            await second.acquire()


async def test_release_frees_it_at_once(fresh_db, clock):
    first = lease(fresh_db, "host-a:1", clock)
    await first.acquire()
    await first.release()
    async with fresh_db.session() as session:
        assert await get_lease(session, lease_name(TOKEN)) is None
    await lease(fresh_db, "host-b:2", clock).acquire()


async def test_the_holder_may_acquire_again(fresh_db, clock):
    await lease(fresh_db, "host-a:1", clock).acquire()
    await lease(fresh_db, "host-a:1", clock).acquire()


async def test_racing_acquirers_one_wins(db_url, clock):
    if "postgresql" in db_url:
        from tests.dbsupport import truncate_all

        setup = Database(db_url)
        await truncate_all(setup)
        await setup.close()
    dbs = [Database(db_url) for _ in range(5)]
    try:
        results = await asyncio.gather(
            *(lease(db, f"host-{i}:1", clock).acquire() for i, db in enumerate(dbs)), return_exceptions=True
        )
    finally:
        for db in dbs:
            await db.close()
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, LeaseHeld) for r in results if r is not None)
