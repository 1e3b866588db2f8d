"""What a removed source leaves behind for digests: its recent sightings and who followed it.

The digest counts a story as already sent to a chat when the story's first sighting among the chat's
sources is at or before the chat's cursor (jobs.digest_content). Deleting a source deleted its
sightings, so a story the chat had got through it looked new again as soon as another source carried
it. `keep_for_digests` copies them first, with their ids, and the chats that followed the source;
the digest reads them back (storage.digests: `load_window`, `subscribed_sources`).

They are kept only while they can matter: a story takes new sources for STORY_WINDOW after it is
first seen, and a digest reaches back at most DIGEST_LOOKBACK.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.digests import DIGEST_LOOKBACK
from storage.models import RemovedFollow, RemovedSighting, StorySource, Subscription, UTCDateTime
from storage.story_match import STORY_WINDOW

KEPT_FOR = STORY_WINDOW + DIGEST_LOOKBACK


async def keep_for_digests(session: AsyncSession, source_id: int, now: datetime) -> None:
    """Copy the source's recent sightings and its followers before the source is deleted; forget
    what earlier removals kept that can no longer matter."""
    since = now - KEPT_FOR
    await session.execute(delete(RemovedSighting).where(RemovedSighting.seen_at < since))
    await session.execute(delete(RemovedFollow).where(RemovedFollow.removed_at < since))
    sightings = select(
        StorySource.id, StorySource.story_id, StorySource.source_id, StorySource.seen_at
    ).where(StorySource.source_id == source_id, StorySource.seen_at >= since)
    await session.execute(
        insert(RemovedSighting).from_select(["id", "story_id", "source_id", "seen_at"], sightings)
    )
    followers = select(Subscription.subscriber_id, Subscription.source_id, literal(now, UTCDateTime)).where(
        Subscription.source_id == source_id
    )
    await session.execute(
        insert(RemovedFollow).from_select(["subscriber_id", "source_id", "removed_at"], followers)
    )
