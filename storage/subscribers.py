"""Subscribers: one row per chat, its settings, its subscriptions, and deleting it on request.

Every change that moves a digest slot (times, time zone, mode, reactivation) recomputes
`next_digest_at` with the schedule's next-slot rule, so the periodic digest check finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from news.config import ScheduleConfig
from storage.digests import DIGEST_LOOKBACK, latest_sighting_id, sighting_id_before
from storage.models import RemovedFollow, Source, Subscriber, Subscription
from storage.outbox import cancel_chat
from storage.removed_sources import KEPT_FOR, drop_removal_notices
from storage.schedules import reschedule, reschedule_after_change

MODES = ("digest", "instant", "both", "off")
LANGUAGES = ("vi", "en")


async def get_subscriber(session: AsyncSession, chat_id: int) -> Subscriber | None:
    return await session.scalar(select(Subscriber).where(Subscriber.chat_id == chat_id))


async def get_or_create_subscriber(
    session: AsyncSession,
    chat_id: int,
    *,
    chat_type: str,
    now: datetime,
    schedule: ScheduleConfig,
    title: str | None = None,
    telegram_language: str | None = None,
) -> tuple[Subscriber, bool]:
    """The chat's subscriber (created when new: True), with its title and Telegram language kept fresh.

    A new subscriber's cursors stay at 0: digests look back a bounded window (jobs/digest.py), so the
    first one brings recent news rather than nothing or the whole archive."""
    subscriber = await get_subscriber(session, chat_id)
    if subscriber is not None:
        if title and subscriber.title != title:
            subscriber.title = title
        if telegram_language and subscriber.telegram_language != telegram_language:
            subscriber.telegram_language = telegram_language
        if subscriber.chat_type != chat_type:
            subscriber.chat_type = chat_type
        await session.flush()
        return subscriber, False
    subscriber = Subscriber(
        chat_id=chat_id,
        chat_type=chat_type,
        title=title,
        telegram_language=telegram_language,
        mode="digest",
        all_sources=False,
        include_keywords=[],
        exclude_keywords=[],
        active=True,
        digest_cursor=0,
        instant_cursor=0,
        created_at=now,
    )
    reschedule(subscriber, schedule, now)
    session.add(subscriber)
    await session.flush()
    return subscriber, True


def _touch(subscriber: Subscriber, now: datetime) -> None:
    subscriber.updated_at = now


# ---- settings --------------------------------------------------------------------------------------


def set_language(subscriber: Subscriber, language: str | None, now: datetime) -> None:
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    subscriber.language = language
    _touch(subscriber, now)


def set_digest_times(
    subscriber: Subscriber, times: Sequence[str] | None, schedule: ScheduleConfig, now: datetime
) -> None:
    """`times` are validated HH:MM strings; None goes back to the configured default times."""
    subscriber.digest_times = sorted(set(times)) if times is not None else None
    reschedule_after_change(subscriber, schedule, now)
    _touch(subscriber, now)


def set_timezone(
    subscriber: Subscriber, timezone: str | None, schedule: ScheduleConfig, now: datetime
) -> None:
    subscriber.timezone = timezone
    reschedule_after_change(subscriber, schedule, now)
    _touch(subscriber, now)


def set_mode(subscriber: Subscriber, mode: str, schedule: ScheduleConfig, now: datetime) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    _start_streams_turned_on(subscriber, mode)
    subscriber.mode = mode
    reschedule_after_change(subscriber, schedule, now)
    _touch(subscriber, now)


# The cursor of each kind of message a mode sends.
STREAM_CURSORS = {
    "digest": ("digest_cursor",),
    "instant": ("instant_cursor",),
    "both": ("digest_cursor", "instant_cursor"),
    "off": (),
}


def _start_streams_turned_on(subscriber: Subscriber, mode: str) -> None:
    """A kind of message the chat turns on starts where the one it had stands: its own cursor stood
    still (at 0 for a chat that never had it), and its first message brought back, as new, the
    stories of the last days the chat already got the other way. A chat coming from "off" got
    nothing: its cursors stay, as a new chat's do."""
    had = STREAM_CURSORS.get(subscriber.mode, ())
    if not had:
        return
    reached = max(getattr(subscriber, column) for column in had)
    for column in set(STREAM_CURSORS[mode]) - set(had):
        setattr(subscriber, column, max(getattr(subscriber, column), reached))


def set_keywords(subscriber: Subscriber, kind: str, keywords: Sequence[str], now: datetime) -> None:
    """Include or exclude keywords, stored as the user wrote them (matching folds diacritics)."""
    if kind == "include":
        subscriber.include_keywords = list(keywords)
    elif kind == "exclude":
        subscriber.exclude_keywords = list(keywords)
    else:
        raise ValueError(f"keyword kind must be include or exclude, not {kind!r}")
    _touch(subscriber, now)


def set_quiet_hours(subscriber: Subscriber, start: str | None, end: str | None, now: datetime) -> None:
    if (start is None) != (end is None):
        raise ValueError("quiet hours need both a start and an end, or neither")
    subscriber.quiet_start, subscriber.quiet_end = start, end
    _touch(subscriber, now)


def set_no_news_notice(subscriber: Subscriber, enabled: bool | None, now: datetime) -> None:
    subscriber.no_news_notice = enabled
    _touch(subscriber, now)


# ---- subscriptions ---------------------------------------------------------------------------------


async def enabled_source_ids(session: AsyncSession) -> list[int]:
    return list((await session.scalars(select(Source.id).where(Source.enabled.is_(True)))).all())


async def subscribed_source_ids(session: AsyncSession, subscriber: Subscriber) -> set[int]:
    """The sources whose stories reach this subscriber (every enabled one with `all_sources`)."""
    if subscriber.all_sources:
        return set(await enabled_source_ids(session))
    rows = await session.scalars(
        select(Subscription.source_id).where(Subscription.subscriber_id == subscriber.id)
    )
    return set(rows.all())


async def list_subscriptions(session: AsyncSession, subscriber: Subscriber) -> list[Source]:
    ids = await subscribed_source_ids(session, subscriber)
    if not ids:
        return []
    return list((await session.scalars(select(Source).where(Source.id.in_(ids)).order_by(Source.name))).all())


async def follow_start(session: AsyncSession, subscriber: Subscriber, now: datetime) -> int:
    """The sighting id a follow beginning now starts after: the lowest cursor of the streams the chat
    gets (digest, alerts; the digest's for a chat with both off), never under the digest lookback.
    The source's sightings up to it cannot reach the chat through this follow."""
    cursors = {
        "instant": [subscriber.instant_cursor],
        "both": [subscriber.digest_cursor, subscriber.instant_cursor],
    }.get(subscriber.mode, [subscriber.digest_cursor])
    return max(min(cursors), await sighting_id_before(session, now - DIGEST_LOOKBACK))


async def subscribe(session: AsyncSession, subscriber: Subscriber, source_id: int, now: datetime) -> bool:
    """Subscribe to one source; False when it was already subscribed."""
    if source_id in await subscribed_source_ids(session, subscriber):
        return False
    since = await follow_start(session, subscriber, now)
    await drop_removal_notices(session, subscriber.id)
    session.add(
        Subscription(subscriber_id=subscriber.id, source_id=source_id, created_at=now, since_sighting=since)
    )
    _touch(subscriber, now)
    await session.flush()
    return True


async def unsubscribe(session: AsyncSession, subscriber: Subscriber, source_id: int, now: datetime) -> bool:
    """Unsubscribe from one source; False when it was not subscribed.

    Leaving one source while subscribed to all turns "all" into the explicit list of the others (when
    "all" began is not kept: their follows count from the start)."""
    if subscriber.all_sources:
        others = [sid for sid in await enabled_source_ids(session) if sid != source_id]
        subscriber.all_sources = False
        await session.execute(delete(Subscription).where(Subscription.subscriber_id == subscriber.id))
        session.add_all(
            Subscription(subscriber_id=subscriber.id, source_id=sid, created_at=now) for sid in others
        )
        await _remember_left(session, subscriber, {source_id: 0}, now)
        _touch(subscriber, now)
        await session.flush()
        return True
    left = await _follows_of(session, subscriber, source_id)
    await session.execute(
        delete(Subscription).where(
            Subscription.subscriber_id == subscriber.id, Subscription.source_id == source_id
        )
    )
    if left:
        await _remember_left(session, subscriber, left, now)
    _touch(subscriber, now)
    return bool(left)


async def subscribe_all(session: AsyncSession, subscriber: Subscriber, now: datetime) -> None:
    """Every source, including those added later."""
    await drop_removal_notices(session, subscriber.id)
    subscriber.all_sources = True
    await session.execute(delete(Subscription).where(Subscription.subscriber_id == subscriber.id))
    _touch(subscriber, now)
    await session.flush()


async def unsubscribe_all(session: AsyncSession, subscriber: Subscriber, now: datetime) -> None:
    if subscriber.all_sources:
        left = dict.fromkeys(await enabled_source_ids(session), 0)
    else:
        left = await _follows_of(session, subscriber)
    await _remember_left(session, subscriber, left, now)
    subscriber.all_sources = False
    await session.execute(delete(Subscription).where(Subscription.subscriber_id == subscriber.id))
    _touch(subscriber, now)
    await session.flush()


async def _follows_of(
    session: AsyncSession, subscriber: Subscriber, source_id: int | None = None
) -> dict[int, int]:
    """The chat's subscriptions (or the one to `source_id`): source -> the sighting id it began after."""
    query = select(Subscription.source_id, Subscription.since_sighting).where(
        Subscription.subscriber_id == subscriber.id
    )
    if source_id is not None:
        query = query.where(Subscription.source_id == source_id)
    return dict((await session.execute(query)).all())


async def _remember_left(
    session: AsyncSession, subscriber: Subscriber, left: dict[int, int], now: datetime
) -> None:
    """Remember the sources the chat stops following (source -> where its follow began), as a source's
    removal does: its digests count their sightings in between as what the chat already got, so a
    story it had through one of them does not come again when a source it still follows carries it
    (jobs.digest_content). An earlier follow of the same source, still remembered, is merged in."""
    ids = sorted(left)
    earlier = await _earlier_follows(session, subscriber, ids, now)
    left = {sid: min(since, earlier.get(sid, since)) for sid, since in left.items()}
    await session.execute(
        delete(RemovedFollow).where(
            RemovedFollow.subscriber_id == subscriber.id,
            (RemovedFollow.source_id.in_(ids)) | (RemovedFollow.removed_at < now - KEPT_FOR),
        )
    )
    if ids:
        until = await latest_sighting_id(session)
        await session.execute(
            insert(RemovedFollow),
            [
                {
                    "subscriber_id": subscriber.id,
                    "source_id": sid,
                    "removed_at": now,
                    "since_sighting": left[sid],
                    "until_sighting": until,
                }
                for sid in ids
            ],
        )


async def _earlier_follows(
    session: AsyncSession, subscriber: Subscriber, source_ids: list[int], now: datetime
) -> dict[int, int]:
    """Where the remembered earlier follows of these sources began: one row per chat and source holds
    them, from the first one's start (the gaps between follows count as followed: a story the source
    told then may not come, but none the chat got comes again)."""
    if not source_ids:
        return {}
    query = select(RemovedFollow.source_id, RemovedFollow.since_sighting).where(
        RemovedFollow.subscriber_id == subscriber.id,
        RemovedFollow.source_id.in_(source_ids),
        RemovedFollow.removed_at >= now - KEPT_FOR,
    )
    return dict((await session.execute(query)).all())


# ---- lifecycle -------------------------------------------------------------------------------------


def deactivate(subscriber: Subscriber, reason: str, now: datetime) -> None:
    subscriber.active = False
    subscriber.inactive_reason = reason[:500]
    subscriber.inactive_since = now
    _touch(subscriber, now)


def reactivate(subscriber: Subscriber, schedule: ScheduleConfig, now: datetime) -> bool:
    """Active again (after /stop or a block); the next slot counts from now. False if it was active."""
    if subscriber.active:
        return False
    subscriber.active = True
    subscriber.inactive_reason = None
    subscriber.inactive_since = None
    reschedule(subscriber, schedule, now)
    _touch(subscriber, now)
    return True


async def delete_subscriber_data(session: AsyncSession, chat_id: int) -> bool:
    """Forget a chat: its subscriber row, subscriptions and digests go (cascade); unsent messages are
    cancelled. False when there was nothing to delete."""
    await cancel_chat(session, chat_id, "cancelled: the chat asked to delete its data")
    subscriber = await get_subscriber(session, chat_id)
    if subscriber is None:
        return False
    # Bulk deletes do not rely on the ORM cascade; the foreign keys cascade in the database.
    await session.execute(delete(Subscription).where(Subscription.subscriber_id == subscriber.id))
    await session.execute(delete(Subscriber).where(Subscriber.id == subscriber.id))
    session.expunge(subscriber)
    return True
