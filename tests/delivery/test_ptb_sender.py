"""PtbSender: python-telegram-bot's errors become the outbox's, against the stand-in and one by one;
and the my_chat_member handler keeps the active flag right."""

from types import SimpleNamespace

import httpx
import pytest
from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.chat_member import on_my_chat_member
from bot.sender import PtbSender, build_bot, map_error
from bot.services import Services
from jobs.send_errors import BadMarkup, ChatGone, ChatMoved, FloodWait, Rejected, TransientError
from news.config import Config
from storage.counters import read_counters
from tests.delivery.world import NOW, add_subscribers, subscriber


def caused_by(error, cause):
    try:
        raise error from cause
    except type(error) as raised:
        return raised


@pytest.mark.parametrize(
    "error, expected, detail",
    [
        (RetryAfter(7), FloodWait, ("retry_after", 7.0)),
        (ChatMigrated(-1001234), ChatMoved, ("new_chat_id", -1001234)),
        (Forbidden("Forbidden: bot was blocked by the user"), ChatGone, None),
        (BadRequest("Chat not found"), ChatGone, None),
        (BadRequest('Can\'t parse entities: unsupported start tag "x"'), BadMarkup, None),
        (BadRequest("Message is too long"), Rejected, None),
        (caused_by(TimedOut(), httpx.ReadTimeout("read")), TransientError, ("ambiguous", True)),
        (caused_by(TimedOut(), httpx.ConnectTimeout("connect")), TransientError, ("ambiguous", False)),
        (
            caused_by(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused")),
            TransientError,
            ("ambiguous", False),
        ),
        (
            caused_by(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("closed")),
            TransientError,
            ("ambiguous", True),
        ),
    ],
)
def test_each_ptb_error_maps_to_one_outbox_error(error, expected, detail):
    mapped = map_error(error)
    assert type(mapped) is expected
    if detail:
        assert getattr(mapped, detail[0]) == detail[1]


@pytest.mark.parametrize(
    "fault, expected",
    [
        (dict(kind=429, retry_after=3), FloodWait),
        (dict(kind="blocked"), ChatGone),
        (dict(kind="deactivated"), ChatGone),
        (dict(kind="chat_not_found"), ChatGone),
        (dict(kind="migrate", new_chat_id=-100555), ChatMoved),
        (dict(kind=500), TransientError),
    ],
)
async def test_stand_in_replies_raise_the_outbox_errors(standin, bot, fault, expected):
    standin.add_private_chat(1001)
    standin.fail_next(1001, **fault)
    with pytest.raises(expected):
        await PtbSender(bot).send(1001, "Xin chào", "HTML", True, False)


async def test_a_read_timeout_is_ambiguous_and_the_message_did_arrive(standin):
    standin.add_private_chat(1001)
    standin.fail_next(1001, "delay", delay=1.0)
    async with build_bot(standin.token, standin.base_url, timeout=0.2) as impatient:
        with pytest.raises(TransientError) as caught:
            await PtbSender(impatient).send(1001, "Xin chào", None, True, False)
    assert caught.value.ambiguous
    await standin.wait_for_messages(1001, 1)


async def test_sends_carry_parse_mode_preview_and_paid_flags(standin, bot):
    standin.add_private_chat(1001)
    message_id = await PtbSender(bot).send(1001, "<b>Tin</b> nóng", "HTML", True, True)
    [record] = standin.messages_for(1001)
    assert record["message_id"] == message_id
    assert (record["visible_text"], record["parse_mode"], record["allow_paid_broadcast"]) == (
        "Tin nóng",
        "HTML",
        True,
    )
    assert record["link_preview_options"]["is_disabled"] is True


async def test_my_chat_member_blocks_and_unblocks(fresh_db, standin, bot):
    [sid] = await add_subscribers(fresh_db, 1)
    services = Services(config=Config(), db=fresh_db, clock=lambda: NOW)
    context = SimpleNamespace(application=SimpleNamespace(bot_data={"services": services}))

    await on_my_chat_member(Update.de_json(standin.user_blocks_bot(1001), bot), context)
    blocked = await subscriber(fresh_db, sid)
    await on_my_chat_member(Update.de_json(standin.user_unblocks_bot(1001), bot), context)
    back = await subscriber(fresh_db, sid)

    assert (blocked.active, blocked.inactive_reason) == (False, "telegram: bot was blocked by the user")
    assert (back.active, back.next_digest_at) == (True, None)  # rescheduled by the next digest run
    async with fresh_db.session() as session:
        assert (await read_counters(session, "delivery."))["delivery.chats_blocked"] == 1


async def test_unblocking_does_not_undo_a_stop(fresh_db, standin, bot):
    [sid] = await add_subscribers(fresh_db, 1, active=False, inactive_reason="stopped by the user")
    services = Services(config=Config(), db=fresh_db, clock=lambda: NOW)
    context = SimpleNamespace(application=SimpleNamespace(bot_data={"services": services}))

    await on_my_chat_member(Update.de_json(standin.user_unblocks_bot(1001), bot), context)

    assert not (await subscriber(fresh_db, sid)).active
