"""A sender stopped (SIGTERM, `bantin run` shutting down) gives back the rows it claimed but did not
send, so the next start sends them at once, not a claim's life (a minute) later."""

import asyncio

from jobs.deliver import OutboxSender
from jobs.digest import queue_broadcast
from tests.delivery.conftest import scaled_delivery
from tests.delivery.world import NOW, add_subscribers, outbox_rows


async def test_a_row_waiting_for_a_free_connection_at_a_stop_is_given_back(fresh_db, standin, api_sender):
    slow, waiting = 1001, 1002
    for chat in (slow, waiting):
        standin.add_private_chat(chat)
    await add_subscribers(fresh_db, 2)
    await queue_broadcast(fresh_db, "Thông báo", admin_id=1, now=NOW)
    standin.fail_next(slow, "delay", delay=0.5)  # holds the only connection a while
    sender = OutboxSender(fresh_db, api_sender, scaled_delivery(), concurrency=1)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await standin.wait_for_messages(slow)  # the other row now waits for the connection

    stop.set()
    await running

    assert standin.messages_for(waiting) == []
    rows = {r.chat_id: r for r in await outbox_rows(fresh_db)}
    assert (rows[slow].status, rows[slow].attempts) == ("sent", 1)
    assert (rows[waiting].status, rows[waiting].attempts, rows[waiting].claimed_by) == ("pending", 0, None)
