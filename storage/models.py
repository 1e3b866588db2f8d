"""The database schema as SQLAlchemy 2 typed models.

Uniqueness that matters lives in the database, not only in code, so two concurrent polls or
two racing digest runs cannot create twins: (source, guid), canonical URL, content
fingerprint, (subscriber, digest slot), (outbox kind, ref, chat, part).

All datetimes are stored timezone-aware in UTC (`UTCDateTime` restores the tzinfo that
SQLite drops).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(Text)  # where it is fetched (moved by permanent redirects)
    configured_url: Mapped[str | None] = mapped_column(Text)  # as the config or the admin gave it
    kind: Mapped[str] = mapped_column(String(10), default="auto")  # as configured: auto|rss|html
    detected_kind: Mapped[str | None] = mapped_column(String(10))
    selector: Mapped[str | None] = mapped_column(Text)
    full_text: Mapped[bool] = mapped_column(Boolean, default=False)
    interval_seconds: Mapped[int | None] = mapped_column(Integer)  # None: the configured default
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    # config | admin (the command line) | chat (/addfeed)
    origin: Mapped[str] = mapped_column(String(10), default="config")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    title: Mapped[str | None] = mapped_column(Text)
    # HTTP validators, saved only after a good parse
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    # What the last stored document's items were (news.feed_memo): the next poll parses the others;
    # for a listing page, its links that are no article (news.skipped_links): not fetched again
    entry_memo: Mapped[bytes | None] = mapped_column(LargeBinary)
    # health
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Story(Base):
    """Near-duplicate items across sources: one story, several sources."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    signature: Mapped[int] = mapped_column(BigInteger)  # 64-bit near-duplicate signature (signed)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Set when the source gave a day and no time of day: shown instead of published_at's time,
    # which is then only its place in the order (news.dates.placed_published).
    published_day: Mapped[date | None] = mapped_column(Date)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    item_count: Mapped[int] = mapped_column(Integer, default=1)

    items: Mapped[list[Item]] = relationship(back_populates="story")


class StoryBand(Base):
    """A story's lookup keys (storage.story_match), each with the story's signature and first-seen
    time: finding the candidates of a new item reads this one index, no story row.

    Without a rowid on SQLite, the rows of a key lie together in the primary key's B-tree, ordered
    by first-seen time, so a lookup skips the stories past the window without reading them.
    """

    __tablename__ = "story_bands"
    __table_args__ = {"sqlite_with_rowid": False}

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[int] = mapped_column(BigInteger)


class StorySource(Base):
    """Every source that carried a story. The id grows monotonically, never given twice: digest
    cursors use it.

    `published_at` copies the story's (which never changes once the story exists), so a source's
    newest stories are one range of the (source_id, published_at, story_id) index, not a sort of
    all the source's stories.
    """

    __tablename__ = "story_sources"
    __table_args__ = (
        UniqueConstraint("story_id", "source_id"),
        Index("ix_story_sources_source_id_published_at_story_id", "source_id", "published_at", "story_id"),
        # SQLite would otherwise give the ids of the newest rows again once they are deleted (a source
        # removed): a new sighting at or under a chat's cursor is never sent (migration 0013).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No index of their own: (story_id, source_id) is unique, and (source_id, published_at,
    # story_id) is indexed; each would be a third and fourth index written per link (0007).
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the story's


class RemovedSighting(Base):
    """A story_sources row of a removed source, kept (same id) while its story can still reach a
    digest: a chat that got the story through that source must not get it again when another source
    carries it (storage.removed_sources)."""

    __tablename__ = "removed_sightings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(Integer)  # the removed source's id (no row left to refer to)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RemovedFollow(Base):
    """A chat followed a source that was removed, or that it stopped following: its digests still
    count that source's sightings (RemovedSighting, or story_sources while the source exists) as what
    the chat already got."""

    __tablename__ = "removed_follows"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The newest story_sources id when it was removed or left: a later sighting never reached the chat.
    until_sighting: Mapped[int] = mapped_column(Integer, default=0)
    # Subscription.since_sighting of the follow that ended: an earlier sighting never reached the chat.
    since_sighting: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("source_id", "guid"),
        UniqueConstraint("canonical_url"),
        UniqueConstraint("content_fingerprint"),
        Index("ix_items_published_at_id", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    guid: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)  # first-seen time when undated
    dated: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_llm: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    read_count: Mapped[int | None] = mapped_column(Integer)
    content_fingerprint: Mapped[str] = mapped_column(String(64))
    signature: Mapped[int] = mapped_column(BigInteger)
    search_text: Mapped[str] = mapped_column(Text, default="")  # accent-folded title + summary + body

    story: Mapped[Story | None] = relationship(back_populates="items")


class Subscriber(Base):
    __tablename__ = "subscribers"
    __table_args__ = (Index("ix_subscribers_due", "active", "next_digest_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_type: Mapped[str] = mapped_column(String(16), default="private")  # private|group|supergroup|channel
    title: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))  # the user's choice; None: Telegram's
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))  # None: [schedule] timezone
    digest_times: Mapped[list[str] | None] = mapped_column(JSON)  # None: [schedule] digest_times
    mode: Mapped[str] = mapped_column(String(10), default="digest")  # digest|instant|both|off
    all_sources: Mapped[bool] = mapped_column(Boolean, default=False)
    include_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    exclude_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiet_start: Mapped[str | None] = mapped_column(String(5))  # HH:MM local
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    no_news_notice: Mapped[bool | None] = mapped_column(Boolean)
    max_stories: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(Text)
    inactive_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_cursor: Mapped[int] = mapped_column(Integer, default=0)  # last story_sources.id in a digest
    instant_cursor: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    __tablename__ = "subscriptions"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The chat's cursor when it began to follow the source: the source's sightings at or before it
    # never reached the chat through this follow (0: unknown, all of them count as reached).
    since_sighting: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Digest(Base):
    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("subscriber_id", "slot_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the scheduled time; now() for /digest
    kind: Mapped[str] = mapped_column(String(10), default="scheduled")  # scheduled|manual|instant
    story_count: Mapped[int] = mapped_column(Integer, default=0)
    cursor_from: Mapped[int] = mapped_column(Integer, default=0)
    cursor_to: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Base):
    """A message to send. Written before any HTTP call; the sender claims, sends, records."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id", "chat_id", "part"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12))  # digest|instant|broadcast|notice
    ref_id: Mapped[int] = mapped_column(Integer)  # digest id, broadcast id, ...
    part: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    parse_mode: Mapped[str | None] = mapped_column(String(10), default="HTML")
    disable_preview: Mapped[bool] = mapped_column(Boolean, default=True)
    # pending|sending|sent|failed|cancelled (a crash while sending re-sends: see docs/delivery.md)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InstanceLease(Base):
    """One running instance per bot: a lease renewed while the process lives."""

    __tablename__ = "instance_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedUpdate(Base):
    """Telegram update ids already handled (webhooks may redeliver)."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LlmUsage(Base):
    """Requests made to the optional abstractive-summary endpoint, per UTC day (the daily cap)."""

    __tablename__ = "llm_usage"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD
    requests: Mapped[int] = mapped_column(Integer, default=0)


class Counter(Base):
    """Monotonic counters that /stats shows and must survive restarts (sends, 429s, errors)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class AppliedSetting(Base):
    """Config values the rows were last brought in line with (the default schedule): a start with the
    same values has nothing to redo."""

    __tablename__ = "applied_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
