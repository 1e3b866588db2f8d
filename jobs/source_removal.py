"""Removing a source (/removefeed, `bantin feeds remove`), and telling the chats it leaves with nothing.

A chat that followed only the removed source gets no digest and no alert afterwards, and with the
"no news" line turned off it would never learn why: it is told once, in its language, what it follows
now (nothing, since the code leaves it so) and how to choose sources. Not in its quiet hours: the
notice waits in the outbox until they end.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jobs.digest_content import language_of
from news.config import ScheduleConfig
from news.i18n import translator
from news.schedule import quiet_hours_end
from news.telegram_html import escape_html
from storage.models import Subscriber
from storage.removed_sources import followers_left_with_nothing, queue_removal_notices
from storage.schedules import timezone_of
from storage.sources import get_source, remove_source


def removal_notice(subscriber: Subscriber, source_name: str) -> str:
    _ = translator(language_of(subscriber))
    text = _(
        "The source {name} that you followed has been removed. You now follow no source, so no news "
        "will come: choose sources with /sources."
    )
    return text.format(name=f"<b>{escape_html(source_name)}</b>")


def awake_at(subscriber: Subscriber, schedule: ScheduleConfig, now: datetime) -> datetime:
    """Now, or the end of the chat's quiet hours when they hold now: a notice is no alert to wake
    anyone for, and the outbox sends no row before its time."""
    tz = timezone_of(subscriber, schedule)
    return quiet_hours_end(now, tz, subscriber.quiet_start, subscriber.quiet_end) or now


async def remove_source_telling_followers(
    session: AsyncSession, name: str, now: datetime, schedule: ScheduleConfig
) -> int | None:
    """Remove the source called `name` in the caller's transaction and queue the notices (each for
    after the chat's quiet hours); the number of chats told, None when there is no such source."""
    source = await get_source(session, name)
    if source is None:
        return None
    source_id = source.id
    left = await followers_left_with_nothing(session, source_id)
    notices = [
        (subscriber, removal_notice(subscriber, name), awake_at(subscriber, schedule, now))
        for subscriber in left
    ]
    if not await remove_source(session, name, now):
        return None
    await queue_removal_notices(session, source_id, notices, now)
    return len(notices)
