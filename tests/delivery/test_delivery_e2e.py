"""Digests and broadcasts through the outbox to a Bot API stand-in over HTTP, Telegram's limits
enforced (scaled up 10x): exactly once per slot, blocked chats, 429s, migrations, bad HTML."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert, update

from bot.api_sender import BotApiSender
from jobs.deliver import CLAIM_TTL, OutboxSender, drain_outbox
from jobs.digest import compose_due_digests, queue_broadcast
from jobs.outcomes import Outcome
from news.config import Config
from news.telegram_html import strip_tags
from storage import outbox
from storage.counters import read_counters
from storage.models import OutboxMessage
from tests.delivery.world import NOW, add_sources, add_story, add_subscribers, outbox_rows, subscriber

EVENING = NOW.replace(hour=10, minute=1)  # just after 17:00 in Ho Chi Minh City


@pytest.fixture
def config() -> Config:
    return Config()


async def counters(db) -> dict[str, int]:
    async with db.session() as session:
        return await read_counters(session, "delivery.")


def register_private_chats(standin, first: int, n: int) -> list[int]:
    chats = list(range(first, first + n))
    for chat in chats:
        standin.add_private_chat(chat)
    return chats


async def long_digest_world(db, n_subscribers: int, first_chat: int = 1001):
    """Stories enough for a digest of several messages."""
    src = await add_sources(db, "VnExpress")
    summary = "Người dân đổ về trung tâm thành phố để xem bắn pháo hoa mừng Quốc khánh. " * 6
    for i in range(30):
        await add_story(db, f"Tin dài số {i:02d}", [src["VnExpress"]], summary=summary)
    return await add_subscribers(db, n_subscribers, first_chat=first_chat, max_stories=30)


async def test_each_of_1000_subscribers_gets_exactly_one_digest_per_slot(fresh_db, standin, drain, config):
    chats = register_private_chats(standin, 1001, 1000)
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin buổi sáng", [src["VnExpress"]])
    await add_subscribers(fresh_db, 1000)

    morning = await compose_due_digests(fresh_db, config, NOW)
    assert (await compose_due_digests(fresh_db, config, NOW)).composed == 0
    tally = await drain(fresh_db)
    await add_story(fresh_db, "Tin buổi chiều", [src["VnExpress"]], seen_at=EVENING - timedelta(minutes=5))
    evening = await compose_due_digests(fresh_db, config, EVENING)
    await drain(fresh_db)

    assert morning.composed == evening.composed == 1000 and tally["sent"] == 1000
    for chat in chats:
        texts = [m["visible_text"] for m in standin.messages_for(chat)]
        assert len(texts) == 2 and "Tin buổi sáng" in texts[0] and "Tin buổi chiều" in texts[1], chat
    assert standin.too_many_requests_sent == 0
    assert {r.status for r in await outbox_rows(fresh_db)} == {"sent"}
    assert (await counters(fresh_db))["delivery.sent.digest"] == 2000


async def test_parts_of_a_digest_arrive_in_order(fresh_db, standin, drain):
    chats = register_private_chats(standin, 1001, 20)
    await long_digest_world(fresh_db, 20)
    await compose_due_digests(fresh_db, Config(), NOW)
    parts = len(await outbox_rows(fresh_db, chat_id=1001))
    assert parts >= 3

    await drain(fresh_db)

    for chat in chats:
        expected = [strip_tags(r.text) for r in await outbox_rows(fresh_db, chat_id=chat)]
        assert [m["visible_text"] for m in standin.messages_for(chat)] == expected
    assert standin.too_many_requests_sent == 0


async def test_blocked_and_deleted_chats_are_deactivated_and_their_rows_cancelled(fresh_db, standin, drain):
    register_private_chats(standin, 1001, 30)
    ids = await long_digest_world(fresh_db, 30)
    standin.user_blocks_bot(1003)
    standin.user_blocks_bot(1017)
    standin.user_deactivates(1020)
    standin.fail_next(1025, "chat_not_found")
    await compose_due_digests(fresh_db, Config(), NOW)

    await drain(fresh_db)

    gone = {1003, 1017, 1020, 1025}
    for chat, sid in zip(range(1001, 1031), ids, strict=True):
        sub = await subscriber(fresh_db, sid)
        rows = await outbox_rows(fresh_db, chat_id=chat)
        if chat in gone:
            assert not sub.active and sub.inactive_reason.startswith("telegram: ")
            assert {r.status for r in rows} == {"cancelled"}
            assert standin.messages_for(chat) == []
        else:
            assert sub.active and {r.status for r in rows} == {"sent"}
    figures = await counters(fresh_db)
    assert (figures["delivery.chats_blocked"], figures["delivery.chats_not_found"]) == (3, 1)


async def test_injected_429s_are_honoured_and_nothing_is_lost(fresh_db, standin, drain):
    chats = register_private_chats(standin, 1001, 200)
    await add_subscribers(fresh_db, 200)
    standin.fail_next(None, 429, count=3, retry_after=2)  # 2 s reported = 0.2 s at this scale
    await queue_broadcast(fresh_db, "Thông báo bảo trì", admin_id=1, now=NOW)

    tally = await drain(fresh_db)

    assert all(len(standin.messages_for(chat)) == 1 for chat in chats)
    assert tally["flood_waits"] == 3 and tally["sent"] == 200
    assert standin.flood.refused == 0  # the only 429s were the injected ones
    assert (await counters(fresh_db))["delivery.flood_waits"] == 3


async def test_one_chats_429_does_not_hold_the_other_chats_up(fresh_db, standin, drain):
    """A 429 for one chat (its own limit: a busy group, replies to commands there) keeps that chat
    waiting `retry_after`; the broadcast to everyone else goes on meanwhile."""
    chats = register_private_chats(standin, 1001, 40)
    await add_subscribers(fresh_db, 40)
    standin.fail_next(1001, 429, retry_after=30)  # 3 s at this scale
    await queue_broadcast(fresh_db, "Thông báo bảo trì", admin_id=1, now=NOW)
    draining = asyncio.create_task(drain(fresh_db))

    others = chats[1:]
    await standin.wait_for(lambda: all(standin.messages_for(chat) for chat in others), timeout=1.5)
    assert standin.messages_for(1001) == []
    tally = await draining

    assert [len(standin.messages_for(chat)) for chat in chats] == [1] * 40
    assert tally["flood_waits"] == 1 and tally["sent"] == 40


async def test_a_group_upgraded_to_a_supergroup_is_followed(fresh_db, standin, drain):
    standin.bot_added_to_group(-4001, by_user_id=7)
    [sid] = await add_subscribers(fresh_db, 1, first_chat=-4001)
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin cho nhóm", [src["VnExpress"]])
    standin.group_migrates(-4001, -1004001)
    await compose_due_digests(fresh_db, Config(), NOW)

    await drain(fresh_db)

    [message] = standin.messages_for(-1004001)
    assert "Tin cho nhóm" in message["visible_text"]
    assert (await subscriber(fresh_db, sid)).chat_id == -1004001
    assert [r.chat_id for r in await outbox_rows(fresh_db, status="sent")] == [-1004001]


async def test_a_group_upgraded_to_a_supergroup_that_subscribed_on_its_own_gets_one_digest(
    fresh_db, standin, drain
):
    """The supergroup already has its own subscriber (someone used the bot there after the upgrade):
    the old group's subscriber is retired and its queued digest is not sent there as a second copy."""
    standin.bot_added_to_group(-4001, by_user_id=7)
    [old] = await add_subscribers(fresh_db, 1, first_chat=-4001)
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin cho nhóm", [src["VnExpress"]])
    standin.group_migrates(-4001, -1004001)
    [new] = await add_subscribers(fresh_db, 1, first_chat=-1004001)
    assert (await compose_due_digests(fresh_db, Config(), NOW)).composed == 2

    await drain(fresh_db)

    [message] = standin.messages_for(-1004001)
    assert "Tin cho nhóm" in message["visible_text"]
    retired = await subscriber(fresh_db, old)
    assert (retired.active, retired.chat_id) == (False, -4001)
    assert {(r.subscriber_id, r.status) for r in await outbox_rows(fresh_db)} == {
        (old, "cancelled"),
        (new, "sent"),
    }


async def test_html_telegram_refuses_is_resent_as_plain_text(fresh_db, standin, drain):
    register_private_chats(standin, 1001, 1)
    await add_subscribers(fresh_db, 1)
    async with fresh_db.transaction() as session:
        await session.execute(
            insert(OutboxMessage).values(
                chat_id=1001,
                kind="notice",
                ref_id=1,
                part=0,
                text="<b>Lỗi <i>thẻ</b> lồng nhau",
                next_attempt_at=NOW,
            )
        )

    await drain(fresh_db)

    [message] = standin.messages_for(1001)
    assert (message["parse_mode"], message["visible_text"]) == (None, "Lỗi thẻ lồng nhau")
    assert (await counters(fresh_db))["delivery.markup"] == 1


async def test_plain_text_refused_as_bad_markup_fails_instead_of_going_round(fresh_db, standin, drain):
    """Plain text has no markup to fix: a server that still says "can't parse entities" gets no
    endless resends of the same text, and the chat's next message goes on."""
    register_private_chats(standin, 1001, 1)
    await add_subscribers(fresh_db, 1)
    standin.fail_next(1001, "markup", count=2)  # the HTML, then the plain text it falls back to
    for ref_id, text in ((1, "Lỗi <b>thẻ</b>"), (2, "Tin kế tiếp")):
        async with fresh_db.transaction() as session:
            await session.execute(
                insert(OutboxMessage).values(
                    chat_id=1001, kind="notice", ref_id=ref_id, part=0, text=text, next_attempt_at=NOW
                )
            )

    tally = await drain(fresh_db)

    first, second = await outbox_rows(fresh_db)
    assert (first.status, first.parse_mode, first.text) == ("failed", None, "Lỗi thẻ")
    assert "parse entities" in first.last_error
    assert second.status == "sent" and tally["markup"] == 1 and tally["rejected"] == 1


async def test_network_errors_are_retried_then_fail_with_the_reason(fresh_db, standin, drain):
    register_private_chats(standin, 1001, 2)
    await add_subscribers(fresh_db, 2)
    standin.fail_next(1001, 500, count=2)
    standin.fail_next(1002, 500, count=10)
    await queue_broadcast(fresh_db, "Thông báo", admin_id=1, now=NOW)

    tally = await drain(fresh_db, delivery=_delivery(max_attempts=3))

    assert len(standin.messages_for(1001)) == 1 and standin.messages_for(1002) == []
    [failed] = await outbox_rows(fresh_db, status="failed")
    assert failed.chat_id == 1002 and failed.attempts == 3 and "Internal Server Error" in failed.last_error
    assert tally["retry"] == 4 and tally["failed"] == 1


async def test_a_lost_reply_is_the_ambiguous_case_and_is_sent_again(fresh_db, standin, drain):
    """At-least-once: the message arrived but the answer did not; we cannot know, so we resend."""
    register_private_chats(standin, 1001, 3)
    await add_subscribers(fresh_db, 3)
    standin.fail_next(1002, "lost_reply")
    await queue_broadcast(fresh_db, "Thông báo", admin_id=1, now=NOW)

    tally = await drain(fresh_db)

    assert [len(standin.messages_for(c)) for c in (1001, 1002, 1003)] == [1, 2, 1]
    assert tally["ambiguous"] == 1


async def test_a_read_timeout_after_telegram_took_the_message_is_sent_again(fresh_db, standin):
    """The other ambiguous case: Telegram handled the send but answered after our timeout. The outbox
    cannot tell a message that arrived from one that did not, so it sends again (at-least-once): the
    chat sees it twice, the row is sent once, with the second message's id."""
    register_private_chats(standin, 1001, 2)
    await add_subscribers(fresh_db, 2)
    standin.fail_next(1001, "delay", delay=1.0)  # handled at once, answered after the timeout
    await queue_broadcast(fresh_db, "Thông báo", admin_id=1, now=NOW)
    impatient = BotApiSender.for_token(standin.token, standin.base_url, timeout=0.2)
    try:
        tally = await drain_outbox(fresh_db, impatient, _delivery(), retry_base=0.05)
    finally:
        await impatient.aclose()

    first, second = standin.messages_for(1001)
    [row] = await outbox_rows(fresh_db, chat_id=1001)
    assert (row.status, row.attempts, row.message_id) == ("sent", 2, second["message_id"])
    assert first["visible_text"] == second["visible_text"] == "Thông báo"
    assert len(standin.messages_for(1002)) == 1
    assert tally["ambiguous"] == 1 and tally["retry"] == 1


async def test_a_sender_starting_beside_a_live_one_leaves_its_claims_alone(
    fresh_db, standin, api_sender, drain
):
    """Extra workers beside `bantin run` send nothing twice: rows another sender has just claimed
    (in its queue or in flight) are its own; only when it stops renewing them (it died) are they
    taken over, and then sent once."""
    chats = register_private_chats(standin, 1001, 5)
    await add_subscribers(fresh_db, 5)
    await queue_broadcast(fresh_db, "Thông báo", admin_id=1, now=NOW)
    async with fresh_db.transaction() as session:
        assert len(await outbox.claim_outbox_rows(session, "alive", NOW, 100)) == 5

    beside = OutboxSender(
        fresh_db, api_sender, _delivery(), worker="beside", wall_clock=lambda: NOW + timedelta(seconds=5)
    )
    recovery = await beside.recover()

    assert recovery.requeued == 0
    assert {(r.status, r.claimed_by) for r in await outbox_rows(fresh_db)} == {("sending", "alive")}

    # It never renewed its claims: it died. A sender a while later takes its rows over.
    tally = await drain(fresh_db, wall_clock=lambda: NOW + timedelta(minutes=5))

    assert tally["recovered"] == 5 and tally["sent"] == 5
    assert [len(standin.messages_for(chat)) for chat in chats] == [1] * 5


class SteppedClocks:
    """A sender's monotonic and wall clocks, moved together by the test."""

    def __init__(self) -> None:
        self.elapsed = 0.0

    def monotonic(self) -> float:
        return self.elapsed

    def wall(self):
        return NOW + timedelta(seconds=self.elapsed)


class ClaimKeepingSender(OutboxSender):
    """The real sender; the test learns when its loop has kept its claims."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.claims_kept = asyncio.Event()

    async def _keep_claims(self) -> None:
        await super()._keep_claims()
        self.claims_kept.set()


async def test_a_live_sender_keeps_its_claims_while_a_send_takes_longer_than_their_life(
    fresh_db, standin, api_sender
):
    """A message still in flight after the claim's life (a slow Bot API, a flood wait): the live
    sender's loop renews the claim, so a sender starting beside it then leaves the row alone and
    the chat gets the message once."""
    [chat] = register_private_chats(standin, 1001, 1)
    await add_subscribers(fresh_db, 1)
    await queue_broadcast(fresh_db, "Thông báo", admin_id=1, now=NOW)
    standin.fail_next(chat, "delay", delay=1.5)  # handled at once, answered 1.5 s later
    clocks = SteppedClocks()
    alive = ClaimKeepingSender(
        fresh_db, api_sender, _delivery(), worker="alive", clock=clocks.monotonic, wall_clock=clocks.wall
    )
    stop = asyncio.Event()
    running = asyncio.create_task(alive.run(stop))
    await standin.wait_for_messages(chat)  # in flight: delivered, its answer held back

    clocks.elapsed = CLAIM_TTL + 1
    alive.wake()
    await asyncio.wait_for(alive.claims_kept.wait(), 5)
    beside = OutboxSender(fresh_db, api_sender, _delivery(), worker="beside", wall_clock=clocks.wall)
    recovery = await beside.recover()
    stop.set()
    await running

    assert recovery.requeued == 0
    assert len(standin.messages_for(chat)) == 1
    assert [(r.status, r.claimed_by) for r in await outbox_rows(fresh_db)] == [("sent", "alive")]


def _delivery(**overrides):
    from tests.delivery.conftest import scaled_delivery

    return scaled_delivery(**overrides)


async def test_a_late_markup_refusal_for_a_row_taken_over_is_not_sent_again(fresh_db, standin, api_sender):
    """A sender cut off from the database past the claim's life learns Telegram refused the HTML; by
    then another sender took the row over and sent it: no plain-text copy goes out."""
    await add_subscribers(fresh_db, 1)
    await queue_broadcast(fresh_db, "<b>Thông báo</b>", admin_id=1, now=NOW)
    async with fresh_db.transaction() as session:
        [row] = await outbox.claim_outbox_rows(session, "stalled", NOW, 10)
        await session.execute(update(OutboxMessage).values(status="sent", claimed_by="other", message_id=500))
    stalled = OutboxSender(fresh_db, api_sender, _delivery(), worker="stalled")

    _counts, resend = await stalled._record([Outcome(row, "markup", error="Can't parse entities")])

    assert resend == []
    [stored] = await outbox_rows(fresh_db)
    assert (stored.status, stored.parse_mode, stored.message_id) == ("sent", "HTML", 500)


async def test_a_late_migration_answer_for_a_row_taken_over_is_not_sent_again(fresh_db, standin, api_sender):
    """As above, Telegram's answer being that the group became a supergroup: the subscriber follows
    the new id, but the row another sender already delivered is not sent there a second time."""
    [sid] = await add_subscribers(fresh_db, 1, first_chat=-4001)
    await queue_broadcast(fresh_db, "Thông báo cho nhóm", admin_id=1, now=NOW)
    async with fresh_db.transaction() as session:
        [row] = await outbox.claim_outbox_rows(session, "stalled", NOW, 10)
        await session.execute(update(OutboxMessage).values(status="sent", claimed_by="other", message_id=500))
    stalled = OutboxSender(fresh_db, api_sender, _delivery(), worker="stalled")

    _counts, resend = await stalled._record([Outcome(row, "moved", new_chat_id=-1004001)])

    assert resend == []
    assert (await subscriber(fresh_db, sid)).chat_id == -1004001
    [stored] = await outbox_rows(fresh_db)
    assert (stored.status, stored.chat_id, stored.message_id) == ("sent", -4001, 500)
