"""Telegram's `migrate_to_chat_id` answers that lead back to a chat already tried (A→B→A): the row
fails with the chain in its error instead of going round for ever."""

import asyncio

import pytest

from jobs.digest import queue_broadcast
from tests.delivery.world import NOW, add_subscribers, outbox_rows

LOOPS = {
    "A→B→A": [(-4001, -1004001), (-1004001, -4001)],
    "A→B→C→A": [(-4001, -1004001), (-1004001, -1004002), (-1004002, -4001)],
    "A→B→C→B": [(-4001, -1004001), (-1004001, -1004002), (-1004002, -1004001)],
}


@pytest.mark.parametrize("migrations", list(LOOPS.values()), ids=list(LOOPS))
async def test_a_migration_that_leads_back_fails_the_row_with_the_chain(fresh_db, standin, drain, migrations):
    standin.bot_added_to_group(-4001, by_user_id=7)
    await add_subscribers(fresh_db, 1, first_chat=-4001)
    for old, new in migrations:
        standin.group_migrates(old, new)
    await queue_broadcast(fresh_db, "Thông báo cho nhóm", admin_id=1, now=NOW)

    tally = await asyncio.wait_for(drain(fresh_db), timeout=10)

    [row] = await outbox_rows(fresh_db)
    chain = [migrations[0][0], *(new for _, new in migrations)]
    assert row.status == "failed" and tally["failed"] == 1
    assert "migration loop" in row.last_error
    assert " → ".join(str(chat) for chat in chain) in row.last_error
    assert all(standin.messages_for(chat) == [] for chat in chain)
