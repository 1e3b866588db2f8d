"""A chat that changes what it gets (/settings: digest, instant alerts, both): what one kind of message
already brought does not come again in the other, and what came since still comes."""

from datetime import timedelta

import pytest

from jobs.digest import compose_digest_for, compose_due_digests, queue_instant_alerts
from news.config import Config
from news.telegram_html import strip_tags
from storage.subscribers import get_subscriber, set_mode
from tests.delivery.world import NOW, add_sources, add_story, add_subscribers, outbox_rows

CHAT = 1001
LATER = NOW + timedelta(minutes=5)
EVENING = NOW.replace(hour=10, minute=5)  # just after the 17:00 slot in Ho Chi Minh City
KINDS = {"digest": ["digest"], "instant": ["instant"], "both": ["instant", "digest"]}


async def _send(db, mode: str, at) -> None:
    """What `mode` sends at `at`: the due digest, or the instant alert."""
    if mode == "instant":
        await queue_instant_alerts(db, Config(), at)
    else:
        await compose_due_digests(db, Config(), at)


async def _switch(db, mode: str) -> None:
    async with db.transaction() as session:
        set_mode(await get_subscriber(session, CHAT), mode, Config().schedule, NOW)


@pytest.mark.parametrize(
    ("before", "after"),
    [("digest", "instant"), ("digest", "both"), ("instant", "digest"), ("instant", "both")],
)
async def test_a_story_one_kind_of_message_brought_does_not_come_again_in_the_other(fresh_db, before, after):
    src = await add_sources(fresh_db, "Tuổi Trẻ")
    await add_story(fresh_db, "Khai giảng năm học mới", [src["Tuổi Trẻ"]])
    await add_subscribers(fresh_db, 1, mode=before)
    await _send(fresh_db, before, NOW)
    assert "Khai giảng năm học mới" in strip_tags((await outbox_rows(fresh_db))[-1].text)

    await _switch(fresh_db, after)
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])
    already = {row.id for row in await outbox_rows(fresh_db)}
    for kind in KINDS[after]:
        await _send(fresh_db, kind, LATER if kind == "instant" else EVENING)

    texts = [strip_tags(row.text) for row in await outbox_rows(fresh_db) if row.id not in already]
    assert len(texts) == len(KINDS[after])
    assert all("Giá lúa tăng vụ đông" in text and "Khai giảng năm học mới" not in text for text in texts)


async def test_digest_on_demand_in_a_chat_that_gets_alerts_holds_what_no_alert_brought(fresh_db):
    """/digest in a chat on instant alerts only: its digest cursor never moves, so the digest brought
    back every story of the last two days, alerts already sent."""
    src = await add_sources(fresh_db, "Tuổi Trẻ")
    await add_story(fresh_db, "Khai giảng năm học mới", [src["Tuổi Trẻ"]])
    [sid] = await add_subscribers(fresh_db, 1, mode="instant")
    await queue_instant_alerts(fresh_db, Config(), NOW)
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])

    result = await compose_digest_for(fresh_db, Config(), sid, LATER)

    text = "\n".join(strip_tags(part) for part in result.parts)
    assert "Giá lúa tăng vụ đông" in text and "Khai giảng năm học mới" not in text


async def test_what_digest_on_demand_brought_a_chat_on_alerts_is_not_alerted_after_its_quiet_hours(fresh_db):
    src = await add_sources(fresh_db, "Tuổi Trẻ")
    [sid] = await add_subscribers(fresh_db, 1, mode="instant", quiet_start="07:00", quiet_end="08:00")
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])
    assert (await queue_instant_alerts(fresh_db, Config(), NOW)).held == 1  # 07:30 local
    assert (await compose_digest_for(fresh_db, Config(), sid, NOW)).story_count == 1

    after_quiet = await queue_instant_alerts(fresh_db, Config(), NOW + timedelta(minutes=31))

    assert after_quiet.messages == 0
