"""The rows a new story and a new item are inserted as, from a prepared item first seen `now`."""

from __future__ import annotations

from datetime import datetime

from news.dates import placed_published
from news.prepare import PreparedItem


def story_row(prepared: PreparedItem, now: datetime, item_count: int = 1) -> dict:
    published, day = placed_published(prepared.published, prepared.published_day, now)
    return {
        "title": prepared.title,
        "url": story_url(prepared),
        "summary": prepared.summary,
        "signature": prepared.signature,
        "published_at": published or now,
        "published_day": day,
        "first_seen_at": now,
        "item_count": item_count,
    }


def story_url(prepared: PreparedItem) -> str:
    # Readers get the address without tracking parameters or fragment.
    return prepared.canonical_url or prepared.url


def item_row(source_id: int, story_id: int, prepared: PreparedItem, now: datetime) -> dict:
    published, _day = placed_published(prepared.published, prepared.published_day, now)
    return {
        "source_id": source_id,
        "story_id": story_id,
        "guid": prepared.guid,
        "url": prepared.url,
        "canonical_url": prepared.canonical_url,
        "title": prepared.title,
        "author": prepared.author,
        # undated (or dated after it was seen): the first-seen time, kept for good
        "published_at": published or now,
        "dated": published is not None,
        "first_seen_at": now,
        "body": prepared.body,
        "summary": prepared.summary,
        "language": prepared.language,
        "read_count": prepared.read_count,
        "content_fingerprint": prepared.fingerprint,
        "signature": prepared.signature,
        "search_text": prepared.search_text,
    }
