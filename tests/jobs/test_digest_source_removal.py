"""Removing a source (/removefeed, `bantin feeds remove`) as its followers see their digests: a story
they already got never comes again, and no chat is left silent without being told."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.digest import compose_due_digests, queue_instant_alerts
from jobs.source_removal import remove_source_telling_followers
from news.config import Config
from news.telegram_html import strip_tags
from storage.models import Subscriber
from storage.outbox import claim_outbox_rows
from storage.schedules import reschedule
from storage.sources import remove_source
from storage.subscribers import get_subscriber, subscribe, subscribe_all
from tests.delivery.world import (
    NOW,
    add_sighting,
    add_sources,
    add_story,
    add_subscribers,
    digests,
    outbox_rows,
)

EVENING = NOW.replace(hour=10, minute=5)  # just after the 17:00 slot in Ho Chi Minh City


@pytest.fixture
def config() -> Config:
    return Config()


async def _remove(db, name: str) -> None:
    async with db.transaction() as session:
        assert await remove_source(session, name, NOW)


async def last_digest_text(db) -> str:
    last = (await digests(db))[-1]
    return "\n".join(strip_tags(r.text) for r in await outbox_rows(db, ref_id=last.id))


@pytest.mark.parametrize("follows", ["all sources", "both sources"])
@pytest.mark.parametrize("second_source_carries_it", ["before the removal", "after the removal"])
async def test_a_story_sent_is_not_sent_again_after_the_source_that_brought_it_is_removed(
    fresh_db, config, follows, second_source_carries_it
):
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    sources = None if follows == "all sources" else [src["Báo Cũ"], src["Tuổi Trẻ"]]
    await add_subscribers(fresh_db, 1, sources=sources)
    await compose_due_digests(fresh_db, config, NOW)
    assert "Khai giảng năm học mới" in await last_digest_text(fresh_db)

    if second_source_carries_it == "before the removal":
        await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await _remove(fresh_db, "Báo Cũ")
    if second_source_carries_it == "after the removal":
        await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])
    await compose_due_digests(fresh_db, config, EVENING)

    evening = await last_digest_text(fresh_db)
    assert "Giá lúa tăng vụ đông" in evening and "Khai giảng năm học mới" not in evening


async def test_an_instant_alert_is_not_sent_again_after_the_source_that_brought_it_is_removed(
    fresh_db, config
):
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    await add_subscribers(fresh_db, 1, mode="instant")
    await queue_instant_alerts(fresh_db, config, NOW)
    await _remove(fresh_db, "Báo Cũ")
    await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])

    await queue_instant_alerts(fresh_db, config, NOW + timedelta(minutes=5))

    alert = await last_digest_text(fresh_db)
    assert "Giá lúa tăng vụ đông" in alert and "Khai giảng năm học mới" not in alert


async def test_a_story_the_chat_never_got_still_comes_from_its_own_source(fresh_db, config):
    """The removed source carried it first, but this chat did not follow that source."""
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    await add_subscribers(fresh_db, 1, sources=[src["Tuổi Trẻ"]], no_news_notice=False)
    await compose_due_digests(fresh_db, config, NOW)
    await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await _remove(fresh_db, "Báo Cũ")

    await compose_due_digests(fresh_db, config, EVENING)

    assert "Khai giảng năm học mới" in await last_digest_text(fresh_db)


async def test_a_story_only_the_removed_source_carried_is_not_sent(fresh_db, config):
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    await add_story(fresh_db, "Tin của nguồn đã gỡ", [src["Báo Cũ"]])
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])
    await add_subscribers(fresh_db, 1)
    await _remove(fresh_db, "Báo Cũ")

    await compose_due_digests(fresh_db, config, NOW)

    text = await last_digest_text(fresh_db)
    assert "Giá lúa tăng vụ đông" in text and "Tin của nguồn đã gỡ" not in text


async def test_only_chats_left_following_nothing_are_told_of_the_removal(fresh_db):
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    [alone] = await add_subscribers(fresh_db, 1, sources=[src["Báo Cũ"]], language="en")
    await add_subscribers(fresh_db, 1, first_chat=2001, sources=[src["Báo Cũ"], src["Tuổi Trẻ"]])
    await add_subscribers(fresh_db, 1, first_chat=3001)  # all sources
    await add_subscribers(fresh_db, 1, first_chat=4001, sources=[src["Báo Cũ"]], mode="off")

    async with fresh_db.transaction() as session:
        told = await remove_source_telling_followers(session, "Báo Cũ", NOW, Config().schedule)

    [row] = await outbox_rows(fresh_db)
    assert (told, row.kind, row.subscriber_id, row.chat_id) == (1, "notice", alone, 1001)
    assert strip_tags(row.text).startswith("The source Báo Cũ that you followed has been removed.")


async def test_a_story_seen_after_a_removal_is_sent(fresh_db, config):
    """The removed source held the newest sightings: the next ones must still count as new."""
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    await add_story(fresh_db, "Tin sáng của Tuổi Trẻ", [src["Tuổi Trẻ"]])
    await add_story(fresh_db, "Tin sáng của Báo Cũ", [src["Báo Cũ"]])
    await add_subscribers(fresh_db, 1)
    await compose_due_digests(fresh_db, config, NOW)
    await _remove(fresh_db, "Báo Cũ")
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])

    await compose_due_digests(fresh_db, config, EVENING)

    assert "Giá lúa tăng vụ đông" in await last_digest_text(fresh_db)


async def test_a_story_its_removed_source_saw_before_a_missed_slot_comes_in_that_slots_digest(fresh_db):
    """One check serves 07:00 and 07:01: the removed source saw it before 07:00, another source at
    07:00:20. It belongs to the 07:00 digest; the 07:01 one must not take it for already sent."""
    config = Config()
    config.schedule.digest_check_interval = 300
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    local = ZoneInfo("Asia/Ho_Chi_Minh")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]],
                            seen_at=datetime(2024, 9, 19, 6, 59, 10, tzinfo=local))  # fmt: skip
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]],
                    seen_at=datetime(2024, 9, 19, 6, 59, 30, tzinfo=local))  # fmt: skip
    [sid] = await add_subscribers(fresh_db, 1, digest_times=["07:00", "07:01"], next_digest_at=None)
    async with fresh_db.transaction() as session:
        reschedule(
            await session.get(Subscriber, sid), config.schedule, datetime(2024, 9, 19, 6, 0, tzinfo=local)
        )
    await _remove(fresh_db, "Báo Cũ")
    await add_sighting(
        fresh_db, story, src["Tuổi Trẻ"], seen_at=datetime(2024, 9, 19, 7, 0, 20, tzinfo=local)
    )

    await compose_due_digests(fresh_db, config, datetime(2024, 9, 19, 7, 4, 20, tzinfo=local).astimezone(UTC))

    texts = [strip_tags(row.text) for row in await outbox_rows(fresh_db)]
    assert sum("Khai giảng năm học mới" in text for text in texts) == 1


HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("quiet", "removed_at", "sent_at"),
    [
        (("22:00", "07:00"), "23:10", "07:00"),  # quiet hours over midnight: at 07:00 the next morning
        (("22:00", "07:00"), "06:59", "07:00"),
        (("12:00", "13:30"), "12:15", "13:30"),
        (("22:00", "07:00"), "21:59", "21:59"),  # not yet quiet: at once
        (None, "23:10", "23:10"),
    ],
)
async def test_the_removal_notice_waits_for_the_end_of_the_chats_quiet_hours(
    fresh_db, quiet, removed_at, sent_at
):
    src = await add_sources(fresh_db, "Báo Cũ")
    start, end = quiet or (None, None)
    await add_subscribers(fresh_db, 1, sources=[src["Báo Cũ"]], quiet_start=start, quiet_end=end)
    removal = datetime.combine(NOW.astimezone(HCM).date(), _hhmm(removed_at), HCM)
    expected = datetime.combine(removal.date(), _hhmm(sent_at), HCM)
    if expected < removal:
        expected += timedelta(days=1)

    async with fresh_db.transaction() as session:
        assert await remove_source_telling_followers(
            session, "Báo Cũ", removal.astimezone(UTC), Config().schedule
        )

    async with fresh_db.transaction() as session:
        early = await claim_outbox_rows(session, "w1", expected - timedelta(seconds=1), 10)
        on_time = await claim_outbox_rows(session, "w1", expected, 10)
    assert (len(early), [row.kind for row in on_time]) == (0, ["notice"])


def _hhmm(text: str):
    return datetime.strptime(text, "%H:%M").time()


@pytest.mark.parametrize("chooses", ["one source", "every source"])
async def test_a_held_removal_notice_is_dropped_once_the_chat_follows_a_source_again(fresh_db, chooses):
    """It would say the chat follows nothing when it already chose again, during its quiet hours."""
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    await add_subscribers(fresh_db, 1, sources=[src["Báo Cũ"]], quiet_start="22:00", quiet_end="07:00")
    night = datetime(2024, 9, 19, 23, 10, tzinfo=HCM).astimezone(UTC)
    async with fresh_db.transaction() as session:
        assert await remove_source_telling_followers(session, "Báo Cũ", night, Config().schedule) == 1
    async with fresh_db.transaction() as session:
        chat = await get_subscriber(session, 1001)
        if chooses == "one source":
            assert await subscribe(session, chat, src["Tuổi Trẻ"], night)
        else:
            await subscribe_all(session, chat, night)

    async with fresh_db.transaction() as session:
        assert await claim_outbox_rows(session, "w1", night + timedelta(hours=9), 10) == []
