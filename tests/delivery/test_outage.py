"""The Bot API out of reach for longer than the retries of one message (the bot's network or DNS
down, Telegram unreachable): nothing is given up; everything goes out once it is back."""

import asyncio

from bot.api_sender import BotApiSender
from bot.standin import BotApiStandIn, RateLimits
from jobs.deliver import OutboxSender
from jobs.digest import queue_broadcast
from jobs.send_errors import TransientError
from tests.delivery.conftest import SCALE, scaled_delivery
from tests.delivery.world import NOW, add_subscribers, outbox_rows

CHATS = [1001, 1002, 1003]


class RefusalCountingSender:
    """The real sender; the test learns when `wanted` sends found no one listening."""

    def __init__(self, inner: BotApiSender, wanted: int) -> None:
        self.inner, self.wanted, self.refused = inner, wanted, 0
        self.enough = asyncio.Event()

    async def send(self, *args) -> int:
        try:
            return await self.inner.send(*args)
        except TransientError:
            self.refused += 1
            if self.refused >= self.wanted:
                self.enough.set()
            raise


async def test_a_bot_api_out_of_reach_for_many_retries_loses_nothing(fresh_db):
    async with BotApiStandIn(limits=RateLimits().scaled(SCALE)) as gone:
        port, token, base_url = gone.port, gone.token, gone.base_url
    await add_subscribers(fresh_db, len(CHATS))
    await queue_broadcast(fresh_db, "Thông báo", admin_id=1, now=NOW)
    delivery = scaled_delivery(max_attempts=2)
    api_sender = BotApiSender.for_token(token, base_url, timeout=5.0)
    counting = RefusalCountingSender(api_sender, wanted=len(CHATS) * delivery.max_attempts + 1)
    sender = OutboxSender(fresh_db, counting, delivery, retry_base=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    try:
        await asyncio.wait_for(counting.enough.wait(), 10)  # every row refused more than its attempts
        back = await BotApiStandIn(token, limits=RateLimits().scaled(SCALE)).start(port=port)
        try:
            for chat in CHATS:
                back.add_private_chat(chat)
            for chat in CHATS:
                await back.wait_for_messages(chat)
            stop.set()
            await running
            assert [len(back.messages_for(chat)) for chat in CHATS] == [1] * len(CHATS)
        finally:
            await back.stop()
    finally:
        stop.set()
        await api_sender.aclose()

    rows = await outbox_rows(fresh_db)
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * len(CHATS)
    assert sender.stats["unreachable"] >= len(CHATS) * delivery.max_attempts and sender.stats["failed"] == 0
