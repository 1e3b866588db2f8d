"""Senders of one bot sharing one database (`bantin run` beside `deliver_worker`, or two workers)
share Telegram's per-bot rate: together they stay under it, against the stand-in enforcing it."""

import asyncio

import pytest

from jobs.deliver import OutboxSender
from jobs.digest import queue_broadcast
from jobs.send_budget import SENDER_LEASE_PREFIX
from storage.leases import count_live_leases
from tests.delivery.conftest import SCALE, scaled_delivery
from tests.delivery.world import NOW, add_subscribers, outbox_rows


@pytest.mark.parametrize("second_after", [0, 150], ids=["started together", "second joins mid-way"])
async def test_two_senders_together_stay_under_the_bots_rate(fresh_db, standin, api_sender, second_after):
    """The second sender starts at once, or once the first has sent `second_after` messages."""
    chats = list(range(1001, 1601))
    for chat in chats:
        standin.add_private_chat(chat)
    await add_subscribers(fresh_db, len(chats))
    await queue_broadcast(fresh_db, "Thông báo bảo trì hệ thống", admin_id=1, now=NOW)
    senders = [
        OutboxSender(
            fresh_db,
            api_sender,
            scaled_delivery(),
            worker=f"sender-{i}",
            retry_after_scale=1 / SCALE,
            retry_base=0.05,
            concurrency=8,
            share_check=0.2,
        )
        for i in range(2)
    ]

    first = asyncio.create_task(senders[0].run(until_idle=True))
    await standin.wait_for(lambda: sent_so_far(standin, chats) >= second_after, timeout=10)
    second = asyncio.create_task(senders[1].run(until_idle=True))
    tallies = await asyncio.wait_for(asyncio.gather(first, second), 30)

    assert standin.too_many_requests_sent == 0
    assert all(tally["sent"] > 0 for tally in tallies)  # both took part
    assert sum(tally["sent"] for tally in tallies) == len(chats)
    assert [len(standin.messages_for(chat)) for chat in chats] == [1] * len(chats)
    assert {row.status for row in await outbox_rows(fresh_db)} == {"sent"}
    async with fresh_db.session() as session:  # idle, neither keeps a share of the rate
        assert await count_live_leases(session, SENDER_LEASE_PREFIX, NOW.replace(year=2000)) == 0


def sent_so_far(standin, chats: list[int]) -> int:
    return sum(len(standin.messages_for(chat)) for chat in chats)
