"""Subscribers in the database: created once per chat, settings that move the next digest,
subscriptions (one source, all, leaving one of all), and deleting a chat's data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from news.config import FeedConfig, ScheduleConfig
from storage.models import Digest, OutboxMessage, Source, Subscriber, Subscription
from storage.schedules import follow_default_schedule
from storage.sources import sync_config_sources
from storage.subscribers import (
    deactivate,
    delete_subscriber_data,
    get_or_create_subscriber,
    list_subscriptions,
    reactivate,
    set_digest_times,
    set_keywords,
    set_language,
    set_mode,
    set_quiet_hours,
    set_timezone,
    subscribe,
    subscribe_all,
    subscribed_source_ids,
    unsubscribe,
    unsubscribe_all,
)

NOW = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # 08:00 in Hồ Chí Minh City
SCHEDULE = ScheduleConfig()  # Asia/Ho_Chi_Minh, 07:00 and 17:00
FEEDS = [
    FeedConfig(name=n, url=f"https://{i}.example/rss") for i, n in enumerate(["Báo A", "Báo B", "Báo C"])
]


async def new_subscriber(session, chat_id: int = 1001, **kwargs) -> Subscriber:
    subscriber, _created = await get_or_create_subscriber(
        session, chat_id, chat_type=kwargs.pop("chat_type", "private"), now=NOW, schedule=SCHEDULE, **kwargs
    )
    return subscriber


async def source_ids(session) -> dict[str, int]:
    await sync_config_sources(session, FEEDS, NOW)
    return {s.name: s.id for s in (await session.scalars(select(Source))).all()}


async def test_one_subscriber_per_chat_with_fresh_details(fresh_db) -> None:
    async with fresh_db.transaction() as session:
        first, created = await get_or_create_subscriber(
            session, -100, chat_type="group", now=NOW, schedule=SCHEDULE, title="Nhóm A"
        )
        again, created_again = await get_or_create_subscriber(
            session, -100, chat_type="supergroup", now=NOW, schedule=SCHEDULE, title="Nhóm A mới"
        )

    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert (again.chat_type, again.title, again.mode, again.all_sources) == (
        "supergroup",
        "Nhóm A mới",
        "digest",
        False,
    )
    assert again.next_digest_at == datetime(2025, 3, 10, 10, 0, tzinfo=UTC)  # 17:00 local


@pytest.mark.parametrize(
    ("change", "next_digest_at"),
    [
        (
            lambda s: set_digest_times(s, ["18:00", "06:30", "18:00"], SCHEDULE, NOW),
            datetime(2025, 3, 10, 11, 0, tzinfo=UTC),
        ),
        (lambda s: set_digest_times(s, None, SCHEDULE, NOW), datetime(2025, 3, 10, 10, 0, tzinfo=UTC)),
        (lambda s: set_timezone(s, "Europe/Berlin", SCHEDULE, NOW), datetime(2025, 3, 10, 6, 0, tzinfo=UTC)),
        (lambda s: set_mode(s, "instant", SCHEDULE, NOW), datetime(2025, 3, 10, 10, 0, tzinfo=UTC)),
    ],
)
async def test_schedule_changes_recompute_the_next_digest(fresh_db, change, next_digest_at) -> None:
    async with fresh_db.transaction() as session:
        change(await new_subscriber(session))

    async with fresh_db.session() as session:
        subscriber = await session.scalar(select(Subscriber))
    assert subscriber.next_digest_at == next_digest_at


async def test_settings_are_stored_as_given(fresh_db) -> None:
    async with fresh_db.transaction() as session:
        subscriber = await new_subscriber(session)
        set_digest_times(subscriber, ["18:00", "06:30", "18:00"], SCHEDULE, NOW)
        set_language(subscriber, "en", NOW)
        set_keywords(subscriber, "include", ["lúa", "Giá cả"], NOW)
        set_keywords(subscriber, "exclude", ["quảng cáo"], NOW)
        set_quiet_hours(subscriber, "22:00", "06:00", NOW)

    async with fresh_db.session() as session:
        s = await session.scalar(select(Subscriber))
    assert (s.digest_times, s.language, s.include_keywords, s.exclude_keywords) == (
        ["06:30", "18:00"], "en", ["lúa", "Giá cả"], ["quảng cáo"],
    )  # fmt: skip
    assert (s.quiet_start, s.quiet_end, s.updated_at) == ("22:00", "06:00", NOW)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: set_language(s, "fr", NOW),
        lambda s: set_mode(s, "loud", SCHEDULE, NOW),
        lambda s: set_keywords(s, "maybe", [], NOW),
        lambda s: set_quiet_hours(s, "22:00", None, NOW),
    ],
)
async def test_invalid_settings_raise(fresh_db, change) -> None:
    async with fresh_db.transaction() as session:
        subscriber = await new_subscriber(session)
        with pytest.raises(ValueError):
            change(subscriber)


async def test_subscriptions_one_all_and_leaving_one_of_all(fresh_db) -> None:
    async with fresh_db.transaction() as session:
        ids = await source_ids(session)
        subscriber = await new_subscriber(session)

        assert await subscribe(session, subscriber, ids["Báo A"], NOW) is True
        assert await subscribe(session, subscriber, ids["Báo A"], NOW) is False
        assert [s.name for s in await list_subscriptions(session, subscriber)] == ["Báo A"]

        await subscribe_all(session, subscriber, NOW)
        assert await subscribed_source_ids(session, subscriber) == set(ids.values())

        assert await unsubscribe(session, subscriber, ids["Báo B"], NOW) is True
        assert subscriber.all_sources is False
        assert await subscribed_source_ids(session, subscriber) == {ids["Báo A"], ids["Báo C"]}
        assert await unsubscribe(session, subscriber, ids["Báo B"], NOW) is False

        await unsubscribe_all(session, subscriber, NOW)
        assert await subscribed_source_ids(session, subscriber) == set()


async def test_deactivate_and_reactivate(fresh_db) -> None:
    async with fresh_db.transaction() as session:
        subscriber = await new_subscriber(session)
        deactivate(subscriber, "stopped with /stop", NOW)
        assert (subscriber.active, subscriber.inactive_reason) == (False, "stopped with /stop")

        assert reactivate(subscriber, SCHEDULE, NOW) is True
        assert reactivate(subscriber, SCHEDULE, NOW) is False
        assert (subscriber.active, subscriber.inactive_reason, subscriber.inactive_since) == (
            True,
            None,
            None,
        )


async def test_deleting_a_chats_data_cancels_its_unsent_messages(fresh_db) -> None:
    async with fresh_db.transaction() as session:
        ids = await source_ids(session)
        subscriber = await new_subscriber(session)
        other = await new_subscriber(session, chat_id=2002)
        await subscribe(session, subscriber, ids["Báo A"], NOW)
        session.add(Digest(subscriber_id=subscriber.id, slot_at=NOW))
        session.add_all(
            [
                OutboxMessage(
                    chat_id=1001, subscriber_id=subscriber.id, kind="digest", ref_id=1, part=0, text="a"
                ),
                OutboxMessage(
                    chat_id=1001,
                    subscriber_id=subscriber.id,
                    kind="digest",
                    ref_id=0,
                    part=0,
                    text="b",
                    status="sent",
                ),
                OutboxMessage(
                    chat_id=2002, subscriber_id=other.id, kind="digest", ref_id=1, part=0, text="c"
                ),
            ]
        )

    async with fresh_db.transaction() as session:
        assert await delete_subscriber_data(session, 1001) is True
    async with fresh_db.transaction() as session:
        assert await delete_subscriber_data(session, 1001) is False

    async with fresh_db.session() as session:
        chats = (await session.scalars(select(Subscriber.chat_id))).all()
        subscriptions = await session.scalar(select(func.count()).select_from(Subscription))
        digests = await session.scalar(select(func.count()).select_from(Digest))
        outbox = (
            await session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.status).order_by(OutboxMessage.text)
            )
        ).all()
    assert (chats, subscriptions, digests) == ([2002], 0, 0)
    assert [tuple(row) for row in outbox] == [(1001, "cancelled"), (1001, "sent"), (2002, "pending")]


async def test_database_allows_one_digest_per_subscriber_and_slot(fresh_db) -> None:
    async with fresh_db.transaction() as session:
        subscriber = await new_subscriber(session)
        session.add(Digest(subscriber_id=subscriber.id, slot_at=NOW))
    async with fresh_db.session() as session:
        session.add(Digest(subscriber_id=subscriber.id, slot_at=NOW))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_the_default_schedule_moves_the_next_digest_of_those_who_follow_it(fresh_db) -> None:
    """At start the bot recomputes the upcoming slot of chats on the default times or zone: the admin
    may have changed them (here 07:00, 17:00 became 20:00 and Ho Chi Minh City became Berlin)."""
    async with fresh_db.transaction() as session:
        await new_subscriber(session, 1001)
        reset = await new_subscriber(session, 1002)
        set_digest_times(reset, None, SCHEDULE, NOW)  # back to the default: a JSON null, maybe
        own_times = await new_subscriber(session, 1003)
        set_digest_times(own_times, ["09:00"], SCHEDULE, NOW)
        own_both = await new_subscriber(session, 1004)
        set_digest_times(own_both, ["09:00"], SCHEDULE, NOW)
        set_timezone(own_both, "Asia/Ho_Chi_Minh", SCHEDULE, NOW)
        gone = await new_subscriber(session, 1005)
        deactivate(gone, "stopped", NOW)
    changed = ScheduleConfig(digest_times=["20:00"], timezone="Europe/Berlin")

    async with fresh_db.transaction() as session:
        moved = await follow_default_schedule(session, changed, NOW)
    async with fresh_db.session() as session:
        rows = (await session.execute(select(Subscriber.chat_id, Subscriber.next_digest_at))).all()

    tonight_in_berlin, at_nine = (
        datetime(2025, 3, 10, 19, 0, tzinfo=UTC),
        datetime(2025, 3, 10, 2, 0, tzinfo=UTC),
    )
    nine_in_berlin = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
    assert dict(rows) == {
        1001: tonight_in_berlin,
        1002: tonight_in_berlin,
        1003: nine_in_berlin,
        1004: at_nine,
        1005: datetime(2025, 3, 10, 10, 0, tzinfo=UTC),  # inactive: reactivation reschedules it
    }
    assert moved == 3


class SubscriberReads:
    """Counts the statements that read the subscribers table, as the database sees them."""

    def __init__(self, db) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        lowered = statement.lower()
        self.count += lowered.lstrip().startswith("select") and "from subscribers" in lowered


async def test_the_default_schedule_is_followed_only_when_it_changed(fresh_db) -> None:
    """Every start runs follow_default_schedule: with the defaults as last applied, it reads no chat;
    after the admin changes them, it moves the chats that follow them (and only then)."""
    async with fresh_db.transaction() as session:
        await new_subscriber(session, 1001)
        await new_subscriber(session, 1002)
    reads = SubscriberReads(fresh_db)
    changed = ScheduleConfig(digest_times=["20:00"], timezone="Asia/Ho_Chi_Minh")

    moved = []
    for schedule in (SCHEDULE, SCHEDULE, changed, changed, SCHEDULE):
        before = reads.count
        async with fresh_db.transaction() as session:
            moved.append((await follow_default_schedule(session, schedule, NOW), reads.count > before))

    # The first start after the upgrade does not know what was applied before: it looks once.
    assert moved == [(0, True), (0, False), (2, True), (0, False), (2, True)]
