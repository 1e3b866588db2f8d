"""Composing digests into the outbox: content, filters, duplicates, catch-up, races, instant, broadcast."""

import asyncio
from datetime import timedelta

import pytest

from jobs.digest import compose_digest_for, compose_due_digests, queue_broadcast, queue_instant_alerts
from news.config import Config
from news.telegram_html import strip_tags
from storage.db import Database
from storage.models import Digest, OutboxMessage
from storage.sources import remove_source
from tests.delivery.world import (
    NOW,
    add_sighting,
    add_sources,
    add_story,
    add_subscribers,
    count_rows,
    digests,
    outbox_rows,
    subscriber,
)

SLOT_0700 = NOW - timedelta(minutes=30)


@pytest.fixture
def config() -> Config:
    return Config()


def text_of(rows) -> str:
    return "\n".join(strip_tags(r.text) for r in rows)


async def test_digest_holds_new_stories_of_the_subscribed_sources_only(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress", "Tuổi Trẻ", "Dân Trí")
    await add_story(fresh_db, "Bão số 3 đổ bộ", [src["VnExpress"]], summary="Gió giật cấp 12.")
    await add_story(fresh_db, "Giá xăng giảm", [src["Tuổi Trẻ"]])
    await add_story(fresh_db, "Tin không đăng ký", [src["Dân Trí"]])
    [sid] = await add_subscribers(fresh_db, 1, sources=[src["VnExpress"], src["Tuổi Trẻ"]])

    report = await compose_due_digests(fresh_db, config, NOW)

    assert (report.composed, report.messages) == (1, 1)
    [row] = await outbox_rows(fresh_db)
    text = strip_tags(row.text)
    assert "Bão số 3 đổ bộ" in text and "Gió giật cấp 12." in text and "Giá xăng giảm" in text
    assert "Tin không đăng ký" not in text
    assert (row.chat_id, row.kind, row.part, row.status) == (1001, "digest", 0, "pending")
    [digest] = await digests(fresh_db)
    assert (digest.slot_at, digest.story_count, digest.kind) == (SLOT_0700, 2, "scheduled")
    sub = await subscriber(fresh_db, sid)
    assert sub.digest_cursor == digest.cursor_to > 0
    assert sub.next_digest_at == NOW.replace(hour=10, minute=0)  # 17:00 local


async def test_a_story_carried_by_two_subscribed_sources_is_one_entry(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress", "Tuổi Trẻ")
    await add_story(fresh_db, "Khai giảng năm học mới", [src["VnExpress"], src["Tuổi Trẻ"]])
    await add_subscribers(fresh_db, 1)

    await compose_due_digests(fresh_db, config, NOW)

    text = text_of(await outbox_rows(fresh_db))
    assert text.count("Khai giảng năm học mới") == 1
    assert "Tuổi Trẻ" in text  # shown as "also in"


async def test_a_story_already_sent_is_not_sent_again_when_another_source_carries_it(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress", "Tuổi Trẻ")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["VnExpress"]])
    [sid] = await add_subscribers(fresh_db, 1)
    await compose_due_digests(fresh_db, config, NOW)
    await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await add_story(fresh_db, "Tin chiều", [src["Tuổi Trẻ"]])

    evening = NOW.replace(hour=10, minute=5)
    report = await compose_due_digests(fresh_db, config, evening)

    assert report.composed == 1
    evening_rows = [r for r in await outbox_rows(fresh_db) if r.ref_id == (await digests(fresh_db))[-1].id]
    assert "Khai giảng" not in text_of(evening_rows) and "Tin chiều" in text_of(evening_rows)
    assert (await subscriber(fresh_db, sid)).next_digest_at == NOW.replace(day=20, hour=0, minute=0)


@pytest.mark.parametrize(
    "include, exclude, expected",
    [
        (["Điều lệ Đảng"], [], {"Sửa đổi Điều lệ Đảng"}),
        (["dieu le dang"], [], {"Sửa đổi Điều lệ Đảng"}),  # typed without tone marks
        (["bóng đá"], [], {"Đội tuyển bóng đá thắng"}),
        ([], ["bong da"], {"Sửa đổi Điều lệ Đảng", "Giá vàng tăng mạnh"}),
        (["vàng"], ["tăng"], set()),
        (["dang"], [], {"Sửa đổi Điều lệ Đảng"}),  # a whole word: "dang" is not inside another word
    ],
)
async def test_keyword_filters_ignore_tone_marks(fresh_db, config, include, exclude, expected):
    src = await add_sources(fresh_db, "VnExpress")
    titles = ["Sửa đổi Điều lệ Đảng", "Đội tuyển bóng đá thắng", "Giá vàng tăng mạnh"]
    for title in titles:
        await add_story(fresh_db, title, [src["VnExpress"]], summary="Tin trong ngày.")
    await add_subscribers(fresh_db, 1, include_keywords=include, exclude_keywords=exclude)

    await compose_due_digests(fresh_db, config, NOW)

    text = text_of(await outbox_rows(fresh_db))
    assert {t for t in titles if t in text} == expected


@pytest.mark.parametrize(
    "include, exclude, expected",
    [
        # Typed with its marks, a word means that word: "bão" (storm) is not "báo" (newspaper).
        (["bão"], [], {"Bão số 3 vào đất liền"}),
        (["Đảng"], [], {"Đại hội Đảng bộ tỉnh"}),
        (
            [],
            ["báo"],
            {"Bão số 3 vào đất liền", "Đại hội Đảng bộ tỉnh", "Lúa đang trổ bông", "Thủy điện xả lũ"},
        ),
        # Typed without marks, it matches the word with any marks.
        (["bao"], [], {"Bão số 3 vào đất liền", "Giá báo in tăng"}),
        (["dang"], [], {"Đại hội Đảng bộ tỉnh", "Lúa đang trổ bông"}),
        # Only the marked words of a phrase have to match their marks.
        (["bão so 3"], [], {"Bão số 3 vào đất liền"}),
        (["báo so 3"], [], set()),
        # Tone marks placed the old way (hoà, thuỷ) are the same word.
        (["thuỷ"], [], {"Thủy điện xả lũ"}),
    ],
)
async def test_keywords_typed_with_tone_marks_match_those_marks(fresh_db, config, include, exclude, expected):
    src = await add_sources(fresh_db, "VnExpress")
    titles = [
        "Bão số 3 vào đất liền",
        "Giá báo in tăng",
        "Đại hội Đảng bộ tỉnh",
        "Lúa đang trổ bông",
        "Thủy điện xả lũ",
    ]
    for title in titles:
        await add_story(fresh_db, title, [src["VnExpress"]], summary="Tin trong ngày.")
    await add_subscribers(fresh_db, 1, include_keywords=include, exclude_keywords=exclude)

    await compose_due_digests(fresh_db, config, NOW)

    text = text_of(await outbox_rows(fresh_db))
    assert {t for t in titles if t in text} == expected


async def test_at_most_n_stories_then_and_k_more(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress")
    for i in range(12):
        await add_story(
            fresh_db, f"Tin số {i:02d}", [src["VnExpress"]], published=NOW - timedelta(minutes=60 - i)
        )
    await add_subscribers(fresh_db, 1, max_stories=5)

    await compose_due_digests(fresh_db, config, NOW)

    text = text_of(await outbox_rows(fresh_db))
    assert [f"Tin số {i:02d}" in text for i in range(12)] == [False] * 7 + [True] * 5  # the newest five
    assert "7" in text.splitlines()[-1] and "/latest" in text
    assert (await digests(fresh_db))[0].story_count == 5


@pytest.mark.parametrize("notice, expected_rows", [(False, 0), (True, 1)])
async def test_nothing_new_sends_nothing_unless_asked(fresh_db, config, notice, expected_rows):
    [sid] = await add_subscribers(fresh_db, 1, no_news_notice=notice)

    report = await compose_due_digests(fresh_db, config, NOW)

    assert len(await outbox_rows(fresh_db)) == expected_rows
    assert report.due == 1
    assert (await subscriber(fresh_db, sid)).next_digest_at > NOW


@pytest.mark.parametrize(
    "language, expected",
    [
        ("vi", "Có 2 tin mới kể từ bản tin trước của bạn, nhưng không tin nào khớp với từ khóa"),
        ("en", "There are 2 new stories since your last digest, but none matches your keywords"),
    ],
)
async def test_the_no_news_line_says_when_the_keywords_left_out_the_news(
    fresh_db, config, language, expected
):
    """Two stories came, neither matches the subscriber's keywords: "no new stories" would be untrue,
    and /digest already says it as it is."""
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Bão số 3 vào đất liền", [src["VnExpress"]])
    await add_story(fresh_db, "Giá xăng giảm", [src["VnExpress"]])
    await add_subscribers(fresh_db, 1, no_news_notice=True, include_keywords=["lũ"], language=language)

    await compose_due_digests(fresh_db, config, NOW)

    [row] = await outbox_rows(fresh_db)
    assert expected in strip_tags(row.text)


async def test_the_no_news_line_of_a_chat_left_without_sources_says_so(fresh_db, config):
    """Its only source was removed (or it unsubscribed from all): "no new stories" at every digest
    time would hide why; it is told how to follow some, as /digest tells it."""
    src = await add_sources(fresh_db, "VnExpress", "Báo Cũ")
    await add_story(fresh_db, "Bão số 3 vào đất liền", [src["VnExpress"]])
    await add_subscribers(fresh_db, 1, no_news_notice=True, sources=[src["Báo Cũ"]])
    async with fresh_db.transaction() as session:
        await remove_source(session, "Báo Cũ")

    await compose_due_digests(fresh_db, config, NOW)

    [row] = await outbox_rows(fresh_db)
    assert "Bạn chưa theo dõi nguồn nào. Chọn nguồn bằng /sources." in strip_tags(row.text)


async def test_catch_up_after_downtime_sends_only_the_latest_missed_slot(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin trong lúc tắt máy", [src["VnExpress"]])
    three_days_ago = NOW - timedelta(days=3)
    await add_subscribers(fresh_db, 3, next_digest_at=three_days_ago)

    first = await compose_due_digests(fresh_db, config, NOW)
    again = await compose_due_digests(fresh_db, config, NOW + timedelta(minutes=1))

    assert (first.composed, again.due) == (3, 0)
    assert [d.slot_at for d in await digests(fresh_db)] == [SLOT_0700] * 3
    assert len(await outbox_rows(fresh_db)) == 3


async def test_two_racing_runs_create_each_slot_once(db_url, config):
    first, second = Database(db_url), Database(db_url)
    try:
        if first.dialect == "postgresql":
            from tests.dbsupport import truncate_all

            await truncate_all(first)
        src = await add_sources(first, "VnExpress")
        await add_story(first, "Tin nóng", [src["VnExpress"]])
        await add_subscribers(first, 60)

        reports = await asyncio.gather(
            compose_due_digests(first, config, NOW, batch_size=7),
            compose_due_digests(second, config, NOW, batch_size=7),
        )

        assert sum(r.composed for r in reports) == 60
        assert await count_rows(first, Digest) == 60
        assert await count_rows(first, OutboxMessage) == 60
    finally:
        await first.close()
        await second.close()


async def test_two_overlapping_instant_alert_runs_send_each_alert_once(fresh_db, config):
    """After a poll and on the periodic digest check both queue instant alerts, and the two jobs can
    overlap: the second run must not compose again what the first one is composing."""
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin nóng", [src["VnExpress"]])
    await add_subscribers(fresh_db, 50, mode="instant")

    reports = await asyncio.gather(
        queue_instant_alerts(fresh_db, config, NOW, batch_size=7),
        queue_instant_alerts(fresh_db, config, NOW + timedelta(seconds=1), batch_size=7),
    )

    assert sum(r.composed for r in reports) == 50
    assert sorted(r.chat_id for r in await outbox_rows(fresh_db, kind="instant")) == list(range(1001, 1051))


@pytest.mark.parametrize("mode", ["off", "instant"])
async def test_modes_without_digests_get_none_but_stay_scheduled(fresh_db, config, mode):
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin nóng", [src["VnExpress"]])
    [sid] = await add_subscribers(fresh_db, 1, mode=mode)

    report = await compose_due_digests(fresh_db, config, NOW)

    assert report.composed == 0 and await outbox_rows(fresh_db) == []
    assert (await subscriber(fresh_db, sid)).next_digest_at > NOW


async def test_new_subscribers_get_their_first_slot_in_their_zone(fresh_db, config):
    [sid] = await add_subscribers(
        fresh_db, 1, next_digest_at=None, timezone="Europe/Paris", digest_times=["08:15"]
    )

    report = await compose_due_digests(fresh_db, config, NOW)

    assert report.scheduled == 1
    assert (await subscriber(fresh_db, sid)).next_digest_at == NOW.replace(hour=6, minute=15)  # 08:15 CEST


async def test_a_new_subscriber_gets_recent_news_not_the_archive(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress")
    old = NOW - timedelta(days=5)
    await add_story(fresh_db, "Tin cũ", [src["VnExpress"]], published=old, seen_at=old)
    await add_story(fresh_db, "Tin mới", [src["VnExpress"]])
    await add_subscribers(fresh_db, 1)

    await compose_due_digests(fresh_db, config, NOW)

    text = text_of(await outbox_rows(fresh_db))
    assert "Tin mới" in text and "Tin cũ" not in text


async def test_preview_writes_nothing_and_on_demand_moves_the_cursor(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin nóng", [src["VnExpress"]])
    [sid] = await add_subscribers(fresh_db, 1)

    preview = await compose_digest_for(fresh_db, config, sid, NOW, record=False)
    assert preview.story_count == 1 and "Tin nóng" in strip_tags(preview.parts[0])
    assert await outbox_rows(fresh_db) == [] and (await subscriber(fresh_db, sid)).digest_cursor == 0

    manual = await compose_digest_for(fresh_db, config, sid, NOW)
    assert manual.digest_id is not None and len(await outbox_rows(fresh_db)) == 1
    assert (await compose_due_digests(fresh_db, config, NOW)).composed == 0  # nothing new left


async def test_instant_alerts_come_once_per_poll_and_wait_for_quiet_hours(fresh_db, config):
    src = await add_sources(fresh_db, "VnExpress")
    await add_story(fresh_db, "Tin một", [src["VnExpress"]])
    await add_story(fresh_db, "Tin hai", [src["VnExpress"]])
    [awake] = await add_subscribers(fresh_db, 1, mode="instant")
    # 07:30 local is inside 22:00-08:00.
    [asleep] = await add_subscribers(
        fresh_db, 1, first_chat=2001, mode="both", quiet_start="22:00", quiet_end="08:00"
    )
    await add_subscribers(fresh_db, 1, first_chat=3001, mode="digest")

    report = await queue_instant_alerts(fresh_db, config, NOW)

    assert (report.composed, report.held) == (1, 1)
    [alert] = await outbox_rows(fresh_db)
    assert (alert.chat_id, alert.kind) == (1001, "instant")
    assert "Tin một" in strip_tags(alert.text) and "Tin hai" in strip_tags(alert.text)
    assert (await queue_instant_alerts(fresh_db, config, NOW)).composed == 0  # nothing new

    after_quiet = NOW + timedelta(hours=1)  # 08:30 local
    later = await queue_instant_alerts(fresh_db, config, after_quiet)
    assert later.composed == 1
    assert [r.chat_id for r in await outbox_rows(fresh_db, kind="instant")] == [1001, 2001]
    assert (await subscriber(fresh_db, asleep)).instant_cursor > 0
    assert (await subscriber(fresh_db, awake)).instant_cursor > 0


async def test_broadcast_reaches_every_active_subscriber_once(fresh_db):
    await add_subscribers(fresh_db, 5)
    await add_subscribers(fresh_db, 2, first_chat=5001, active=False)

    broadcast_id, recipients = await queue_broadcast(
        fresh_db, "<b>Bảo trì</b> lúc 22:00", admin_id=42, now=NOW
    )

    rows = await outbox_rows(fresh_db, kind="broadcast")
    assert recipients == 5 == len(rows)
    assert {r.chat_id for r in rows} == set(range(1001, 1006))
    assert all(r.ref_id == broadcast_id and r.status == "pending" and r.parse_mode == "HTML" for r in rows)
