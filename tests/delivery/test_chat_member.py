"""The my_chat_member handler keeps a subscriber's active flag right when a user blocks or unblocks the
bot (updates as the stand-in words them)."""

from types import SimpleNamespace

import pytest
from telegram import Bot, Update

from bot.chat_member import on_my_chat_member
from bot.services import Services
from news.config import Config
from storage.counters import read_counters
from tests.delivery.world import NOW, add_subscribers, subscriber


@pytest.fixture
def ptb_bot(standin):
    """Only to read updates with (`Update.de_json`): it never makes a request."""
    return Bot(standin.token, base_url=standin.base_url)


def handler_context(db):
    services = Services(config=Config(), db=db, clock=lambda: NOW)
    return SimpleNamespace(application=SimpleNamespace(bot_data={"services": services}))


async def test_my_chat_member_blocks_and_unblocks(fresh_db, standin, ptb_bot):
    [sid] = await add_subscribers(fresh_db, 1)
    context = handler_context(fresh_db)

    await on_my_chat_member(Update.de_json(standin.user_blocks_bot(1001), ptb_bot), context)
    blocked = await subscriber(fresh_db, sid)
    await on_my_chat_member(Update.de_json(standin.user_unblocks_bot(1001), ptb_bot), context)
    back = await subscriber(fresh_db, sid)

    assert (blocked.active, blocked.inactive_reason) == (False, "telegram: bot was blocked by the user")
    assert (back.active, back.next_digest_at) == (True, None)  # rescheduled by the next digest run
    async with fresh_db.session() as session:
        assert (await read_counters(session, "delivery."))["delivery.chats_blocked"] == 1


async def test_unblocking_does_not_undo_a_stop(fresh_db, standin, ptb_bot):
    [sid] = await add_subscribers(fresh_db, 1, active=False, inactive_reason="stopped by the user")

    await on_my_chat_member(
        Update.de_json(standin.user_unblocks_bot(1001), ptb_bot), handler_context(fresh_db)
    )

    assert not (await subscriber(fresh_db, sid)).active
