"""Crash safety with a real process: the outbox sender is SIGKILLed mid-broadcast and restarted.

The stand-in runs in a thread of the test process, so it outlives the killed sender. Policy under
test (docs/delivery.md): rows left "sending" are sent again, so nothing is lost; a chat may get a
message twice only if its row was in flight at the kill, so duplicates <= rows left "sending".
"""

import asyncio
import signal
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.standin import RateLimits, StandInThread
from jobs.digest import queue_broadcast
from storage.db import Database
from storage.models import Digest, OutboxMessage, utcnow
from tests.dbsupport import truncate_all
from tests.delivery.world import add_sources, add_story, add_subscribers

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CHATS = 1000
SCALE = 10
BROADCAST = "Thông báo: bảo trì hệ thống lúc 22:00"


@pytest.fixture
def standin_thread():
    thread = StandInThread(limits=RateLimits().scaled(SCALE)).start()
    for chat in range(1001, 1001 + CHATS):
        thread.call(thread.standin.add_private_chat, chat)
    yield thread
    thread.stop()


async def start_worker(db_url: str, thread: StandInThread) -> asyncio.subprocess.Process:
    standin = thread.standin
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.deliver_worker",
        "--db", db_url, "--base-url", standin.base_url, "--token", standin.token,
        "--rate", str(30 * SCALE), "--per-chat-interval", str(1 / SCALE), "--concurrency", "16",
        "--retry-after-scale", str(1 / SCALE), "--claim-ttl", "1", "--compose", "--until-idle",
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


def count_sends(standin) -> int:
    """On the stand-in's loop only (wait_for conditions run there)."""
    return sum(1 for r in standin.sent if r["method"] == "sendMessage")


def messages_sent(thread: StandInThread) -> int:
    return thread.call(count_sends, thread.standin)


@pytest.mark.parametrize("kill_at", [0.1, 0.5, 0.9])
async def test_a_killed_sender_restarts_without_losing_or_repeating(db_url, standin_thread, kill_at):
    db = Database(db_url)
    if db.dialect == "postgresql":
        await truncate_all(db)
    now = utcnow()
    src = await add_sources(db, "VnExpress")
    await add_story(
        db,
        "Tin trước giờ gửi",
        [src["VnExpress"]],
        published=now - timedelta(minutes=20),
        seen_at=now - timedelta(minutes=10),
    )
    await add_subscribers(
        db, CHATS, next_digest_at=now - timedelta(minutes=1), created_at=now - timedelta(days=1)
    )
    await queue_broadcast(db, BROADCAST, admin_id=1, parse_mode=None)
    total = 2 * CHATS  # a broadcast and a digest per chat

    first = await start_worker(db_url, standin_thread)
    target = int(total * kill_at)
    standin_thread.run(
        standin_thread.standin.wait_for(lambda: count_sends(standin_thread.standin) >= target, 60), 70
    )
    first.send_signal(signal.SIGKILL)
    await first.wait()
    async with db.session() as session:
        in_flight = (
            await session.execute(select(func.count()).where(OutboxMessage.status == "sending"))
        ).scalar_one()
    sent_before_restart = messages_sent(standin_thread)

    second = await start_worker(db_url, standin_thread)
    output, _ = await asyncio.wait_for(second.communicate(), 120)
    assert second.returncode == 0, output.decode()

    per_chat: dict[int, Counter] = {}
    for record in standin_thread.call(lambda: list(standin_thread.standin.sent)):
        kind = "broadcast" if record["visible_text"] == BROADCAST else "digest"
        per_chat.setdefault(record["chat_id"], Counter())[kind] += 1
    duplicates = sum(n - 1 for counts in per_chat.values() for n in counts.values())
    async with db.session() as session:
        statuses = dict(
            (
                await session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )
            ).all()
        )
        digests = (await session.execute(select(func.count()).select_from(Digest))).scalar_one()
    await db.close()

    print(
        f"kill at {kill_at:.0%}: {sent_before_restart} sent, {in_flight} in flight, {duplicates} duplicates"
    )
    assert target <= sent_before_restart < total  # the kill did land mid-way
    assert "composed 0 digests" in output.decode()  # the restart made no slot twice
    assert digests == CHATS
    assert statuses == {"sent": total}
    assert len(per_chat) == CHATS and all(c["broadcast"] >= 1 and c["digest"] >= 1 for c in per_chat.values())
    assert duplicates <= in_flight, (duplicates, in_flight)
    assert all(n <= 2 for counts in per_chat.values() for n in counts.values())
