"""The database going away under a running sender (locked by a long write, restarting): delivery waits
and goes on when it is back; nothing sent is sent again, nothing claimed is dropped."""

import asyncio
import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from jobs.deliver import OutboxSender
from jobs.digest import queue_broadcast
from storage.db import Database
from tests.delivery.conftest import scaled_delivery
from tests.delivery.world import NOW, add_subscribers, outbox_rows


class TroubleWatchingSender(OutboxSender):
    """The real sender; the test learns when the database failed it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.troubled = asyncio.Event()

    def _database_trouble(self, exc: Exception) -> float:
        wait = super()._database_trouble(exc)
        self.troubled.set()
        return wait


def _short_busy_timeout(dbapi_connection, _record) -> None:
    # After the project's own connect hook: a locked database fails in 50 ms, not 30 s.
    dbapi_connection.cursor().execute("PRAGMA busy_timeout=50")


@pytest.fixture
async def quick_failing_db(sqlite_url):
    db = Database(sqlite_url)
    event.listen(db.engine.sync_engine, "connect", _short_busy_timeout)
    yield db
    await db.close()


@pytest.fixture
def write_lock(sqlite_url):
    """Another process's long write: holds SQLite's write lock from `take()` to `give_back()`."""
    connection = sqlite3.connect(
        make_url(sqlite_url).database, isolation_level=None, timeout=5, check_same_thread=False
    )

    class Lock:
        async def take(self) -> None:
            # In a thread: the sender may be in a transaction, which this loop must let finish.
            await asyncio.to_thread(connection.execute, "BEGIN IMMEDIATE")

        def give_back(self) -> None:
            connection.rollback()

    yield Lock()
    connection.close()


async def until_troubled_or_stopped(sender: TroubleWatchingSender, running: asyncio.Task) -> None:
    troubled = asyncio.ensure_future(sender.troubled.wait())
    await asyncio.wait([running, troubled], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    troubled.cancel()
    assert not running.done(), running.exception()
    assert sender.troubled.is_set()


async def test_a_sender_starting_while_the_database_is_locked_waits_and_then_delivers(
    quick_failing_db, write_lock, standin, api_sender
):
    chats = list(range(1001, 1006))
    for chat in chats:
        standin.add_private_chat(chat)
    await add_subscribers(quick_failing_db, len(chats))
    await queue_broadcast(quick_failing_db, "Thông báo bảo trì", admin_id=1, now=NOW)
    await write_lock.take()
    sender = TroubleWatchingSender(quick_failing_db, api_sender, scaled_delivery(), database_retry=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))

    await until_troubled_or_stopped(sender, running)
    write_lock.give_back()
    for chat in chats:
        await standin.wait_for_messages(chat)
    stop.set()
    await running

    assert [len(standin.messages_for(chat)) for chat in chats] == [1] * len(chats)
    assert {r.status for r in await outbox_rows(quick_failing_db)} == {"sent"}
    assert sender.stats["database_errors"] >= 1


async def test_outcomes_the_locked_database_could_not_take_are_written_later_not_sent_again(
    quick_failing_db, write_lock, standin, api_sender
):
    """The reply comes back while another write holds the lock: the sender keeps the outcome until
    the database takes it, instead of stopping with the row left "sending" (re-sent a minute later)."""
    [chat] = [1001]
    standin.add_private_chat(chat)
    await add_subscribers(quick_failing_db, 1)
    await queue_broadcast(quick_failing_db, "Thông báo", admin_id=1, now=NOW)
    standin.fail_next(chat, "delay", delay=0.3)  # delivered at once, answered 0.3 s later
    sender = TroubleWatchingSender(quick_failing_db, api_sender, scaled_delivery(), database_retry=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await standin.wait_for_messages(chat)  # claimed and in flight: the lock comes before the answer
    await write_lock.take()

    await until_troubled_or_stopped(sender, running)
    write_lock.give_back()
    stop.set()
    await running

    [message] = standin.messages_for(chat)
    [row] = await outbox_rows(quick_failing_db)
    assert (row.status, row.message_id, row.attempts) == ("sent", message["message_id"], 1)
