"""The scheduled run at the edges of a schedule: a due slot whose times or zone changed before it was
served, and the slot a digest is labelled with."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.digest import compose_due_digests
from news.config import Config
from news.telegram_html import strip_tags
from storage.models import Subscriber
from storage.schedules import reschedule
from storage.subscribers import reactivate, set_digest_times, set_mode, set_timezone
from tests.delivery.world import (
    NOW,
    add_sources,
    add_story,
    add_subscribers,
    digests,
    outbox_rows,
    subscriber,
)

SLOT_0700 = NOW - timedelta(minutes=30)  # 07:00 in Ho Chi Minh City on 19 Sep 2024


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.mark.parametrize(
    "times, zone, header",
    [
        # Times changed from 07:00 to 08:00 after 07:00 came: the newest 08:00 is yesterday's.
        (["08:00"], None, "07:00 — 19/09/2024"),
        # The default zone changed: 07:00 in Berlin last came yesterday, 01:00 here.
        (["07:00"], "Europe/Berlin", "02:00 — 19/09/2024"),
    ],
)
async def test_a_due_slot_is_served_as_itself_not_as_an_older_slot_of_the_new_settings(
    fresh_db, config, times, zone, header
):
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin sáng", [src["VnExpress"]])
    [sid] = await add_subscribers(fresh_db, 1, digest_times=times, timezone=zone, next_digest_at=SLOT_0700)

    report = await compose_due_digests(fresh_db, config, NOW)

    assert report.composed == 1
    [digest] = await digests(fresh_db)
    assert digest.slot_at == SLOT_0700
    [row] = await outbox_rows(fresh_db)
    assert header in strip_tags(row.text)
    assert (await subscriber(fresh_db, sid)).next_digest_at > NOW


@pytest.mark.parametrize(
    "change",
    [
        lambda s, schedule, at: set_digest_times(s, ["07:00", "17:00"], schedule, at),
        lambda s, schedule, at: set_digest_times(s, ["07:00", "12:00"], schedule, at),
        lambda s, schedule, at: set_timezone(s, "Asia/Bangkok", schedule, at),  # the same offset
        lambda s, schedule, at: set_mode(s, "both", schedule, at),
    ],
    ids=["same times", "another time added", "zone of the same offset", "mode"],
)
async def test_a_change_after_a_slot_came_due_does_not_lose_that_digest(fresh_db, config, change):
    """07:00 came, the check has not run yet (it runs every minute, or the bot is just back up) and
    the subscriber changes a setting: the 07:00 digest still goes, once."""
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin sáng", [src["VnExpress"]])
    [sid] = await add_subscribers(fresh_db, 1, next_digest_at=SLOT_0700)

    async with fresh_db.transaction() as session:
        change(await session.get(Subscriber, sid), config.schedule, NOW)
    first = await compose_due_digests(fresh_db, config, NOW + timedelta(seconds=30))
    async with fresh_db.transaction() as session:
        change(await session.get(Subscriber, sid), config.schedule, NOW + timedelta(minutes=1))
    again = await compose_due_digests(fresh_db, config, NOW + timedelta(minutes=2))

    assert (first.composed, again.composed) == (1, 0)
    assert [d.slot_at for d in await digests(fresh_db)] == [SLOT_0700]
    assert (await subscriber(fresh_db, sid)).next_digest_at > NOW


async def test_coming_back_after_a_stop_brings_no_catch_up_digest(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin sáng", [src["VnExpress"]])
    [sid] = await add_subscribers(fresh_db, 1, next_digest_at=SLOT_0700 - timedelta(days=3), active=False)

    async with fresh_db.transaction() as session:
        reactivate(await session.get(Subscriber, sid), config.schedule, NOW)
    report = await compose_due_digests(fresh_db, config, NOW + timedelta(seconds=30))

    assert report.composed == 0
    assert (await subscriber(fresh_db, sid)).next_digest_at == NOW.replace(hour=10, minute=0)


def hcm(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A wall-clock time in Ho Chi Minh City in September 2024, as an aware datetime."""
    return datetime(2024, 9, day, hour, minute, second, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.mark.parametrize(
    "times, interval, first_seen, second_seen, checks, headers",
    [
        # Across midnight, the job checking every 2 minutes: one check sees both slots come.
        (
            ["23:59", "00:00"],
            120,
            hcm(18, 23, 58, 30),
            hcm(18, 23, 59, 30),
            [hcm(18, 23, 58, 40), hcm(19, 0, 0, 40)],
            ["23:59 — 18/09/2024", "00:00 — 19/09/2024"],
        ),
        # A minute apart, the job checking every 5 minutes.
        (
            ["07:00", "07:01"],
            300,
            hcm(19, 6, 59, 10),
            hcm(19, 7, 0, 20),
            [hcm(19, 6, 59, 20), hcm(19, 7, 4, 20)],
            ["07:00 — 19/09/2024", "07:01 — 19/09/2024"],
        ),
        # Checked every minute, but this check came 70 s after the last one (a busy event loop).
        (
            ["07:00", "07:01"],
            60,
            hcm(19, 6, 59, 50),
            hcm(19, 7, 0, 30),
            [hcm(19, 6, 59, 55), hcm(19, 7, 1, 5)],
            ["07:00 — 19/09/2024", "07:01 — 19/09/2024"],
        ),
    ],
    ids=["23:59 and 00:00", "07:00 and 07:01, checked every 5 min", "a late check"],
)
async def test_two_slots_inside_one_check_interval_each_get_their_own_digest(
    fresh_db, times, interval, first_seen, second_seen, checks, headers
):
    """Each configured time gets its digest, with the stories that came since the one before."""
    config = Config()
    config.schedule.digest_check_interval = interval
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin trước giờ thứ nhất", [src["VnExpress"]], seen_at=first_seen)
    await add_story(fresh_db, "Tin giữa hai giờ", [src["VnExpress"]], seen_at=second_seen)
    [sid] = await add_subscribers(fresh_db, 1, digest_times=times, next_digest_at=None)
    async with fresh_db.transaction() as session:
        reschedule(await session.get(Subscriber, sid), config.schedule, checks[0] - timedelta(hours=1))

    for check in checks:
        await compose_due_digests(fresh_db, config, check.astimezone(UTC))

    texts = [strip_tags(row.text) for row in await outbox_rows(fresh_db)]
    assert len(texts) == 2
    assert [header in text for header, text in zip(headers, texts, strict=True)] == [True, True]
    assert "Tin trước giờ thứ nhất" in texts[0] and "Tin giữa hai giờ" not in texts[0]
    assert "Tin giữa hai giờ" in texts[1] and "Tin trước giờ thứ nhất" not in texts[1]
    assert (await subscriber(fresh_db, sid)).next_digest_at > checks[-1]
