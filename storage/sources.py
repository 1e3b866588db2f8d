"""Sources: configured and admin-added feeds, their HTTP validators, health and next check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from news.config import FeedConfig
from news.source_address import folded_source_name
from news.tones import search_key
from news.urls import canonical_url
from storage.models import Source, utcnow
from storage.removed_sources import hand_over_stories, keep_for_digests

CLAIM_LEASE = timedelta(minutes=10)  # a claimed source is not claimed again before this
MAX_SOURCE_ID = 2**31 - 1  # the largest value of the Integer id column on PostgreSQL
MAX_NAME_CHARS = Source.__table__.c.name.type.length  # longer names do not fit (PostgreSQL refuses them)


class SourceExists(Exception):
    """A source of that name (in any case and spacing) exists; `existing` is its name."""

    def __init__(self, existing: str, message: str | None = None) -> None:
        super().__init__(message or f"a source named {existing!r} exists already")
        self.existing = existing


class SourceUrlExists(SourceExists):
    """A source polls that address already (as given, or where a redirect moved it)."""

    def __init__(self, existing: str) -> None:
        super().__init__(existing, f"the source {existing!r} polls this address already")


@dataclass(frozen=True)
class SourceSpec:
    name: str
    url: str
    kind: str = "auto"
    selector: str | None = None
    full_text: bool = False
    interval_seconds: int | None = None
    timezone: str | None = None
    language: str | None = None

    @classmethod
    def from_config(cls, feed: FeedConfig) -> SourceSpec:
        return cls(
            name=feed.name,
            url=feed.url,
            kind=feed.kind,
            selector=feed.selector or None,
            full_text=feed.full_text,
            interval_seconds=feed.interval or None,
            timezone=feed.timezone or None,
            language=feed.language or None,
        )


def _apply(source: Source, spec: SourceSpec) -> None:
    # A permanent redirect moves `url`; only a changed config URL moves it back.
    if source.configured_url != spec.url:
        source.url = spec.url
        source.configured_url = spec.url
        source.etag = source.last_modified = None  # a different document: forget its validators
    source.kind = spec.kind
    source.selector = spec.selector
    source.full_text = spec.full_text
    source.interval_seconds = spec.interval_seconds
    source.timezone = spec.timezone
    source.language = spec.language


async def sync_config_sources(session: AsyncSession, feeds: list[FeedConfig], now: datetime) -> list[str]:
    """Make the configured [[feeds]] present and enabled; configured ones that left the file are disabled.

    An admin-added source with an entry's name (in any case and spacing) or address becomes that
    entry, keeping its items and followers: kept apart, the feed was polled twice or two sources had
    names commands cannot tell apart. Returns one line per source taken over so, for the admin.
    Other admin-added sources are left alone.
    """
    session.info.pop(_TAKEN, None)
    existing = list((await session.scalars(select(Source))).all())
    by_name = {s.name: s for s in existing}
    wanted = {f.name for f in feeds}
    notes: list[str] = []
    for feed in feeds:
        spec = SourceSpec.from_config(feed)
        source = by_name.get(spec.name)
        why = "the same name" if source is not None and source.origin != "config" else None
        if source is None:
            source, why = _admin_source_for(existing, spec, wanted)
        if source is None:
            source = Source(name=spec.name, url=spec.url, origin="config", next_check_at=now)
            session.add(source)
        if why:
            notes.append(
                f"the source {source.name!r}, added by an admin, is now the [[feeds]] entry {spec.name!r} ({why})"
            )
            source.name, source.origin = spec.name, "config"
        _apply(source, spec)
        source.enabled = True
    for source in existing:
        if source.origin == "config" and source.name not in wanted:
            source.enabled = False
    await session.flush()
    return notes


def _admin_source_for(
    sources: list[Source], spec: SourceSpec, wanted: set[str]
) -> tuple[Source | None, str | None]:
    """The admin-added source a config entry takes over (by name in any case and spacing, else by
    address, where a redirect moved it too), with why; (None, None) when there is none."""
    free = [s for s in sources if s.origin != "config" and s.name not in wanted]
    folded = folded_source_name(spec.name)
    for source in free:
        if folded_source_name(source.name) == folded:
            return source, "the same name"
    address = canonical_url(spec.url)
    for source in free:
        if address in {canonical_url(u) for u in (source.url, source.configured_url) if u}:
            return source, "the same address"
    return None, None


_TAKEN = "bantin_sources_taken"  # session.info key: the names and addresses in use, built once


async def _taken(session: AsyncSession) -> tuple[dict[str, str], dict[str, str]]:
    """Folded names and canonical addresses (where a redirect moved a source too) -> the source's
    name; built once per session, so importing an OPML file of thousands reads the table once."""
    if _TAKEN not in session.info:
        names: dict[str, str] = {}
        urls: dict[str, str] = {}
        for name, *addresses in (
            await session.execute(select(Source.name, Source.url, Source.configured_url))
        ).all():
            names[folded_source_name(name)] = name
            urls.update((canonical_url(address), name) for address in addresses if address)
        session.info[_TAKEN] = (names, urls)
    return session.info[_TAKEN]


async def _refuse_a_second_copy(session: AsyncSession, spec: SourceSpec) -> None:
    """SourceExists for a taken name, SourceUrlExists for a feed polled already: the same feed under
    two names was fetched twice and each story credited to either."""
    names, urls = await _taken(session)
    if existing := names.get(folded_source_name(spec.name)):
        raise SourceExists(existing)
    if existing := urls.get(canonical_url(spec.url)):
        raise SourceUrlExists(existing)
    names[folded_source_name(spec.name)] = urls[canonical_url(spec.url)] = spec.name


async def add_source(session: AsyncSession, spec: SourceSpec, now: datetime, origin: str = "admin") -> Source:
    await _refuse_a_second_copy(session, spec)
    source = Source(name=spec.name, url=spec.url, origin=origin, next_check_at=now)
    _apply(source, spec)
    session.add(source)
    await session.flush()
    return source


async def remove_source(session: AsyncSession, name: str, now: datetime | None = None) -> bool:
    """Delete the source, its items and its sightings. What digests need of them is kept first, so its
    followers never get a story they had again, and the stories it told first take another source's
    item (storage.removed_sources)."""
    session.info.pop(_TAKEN, None)
    source_id = await session.scalar(select(Source.id).where(Source.name == name))
    if source_id is None:
        return False
    await keep_for_digests(session, source_id, now or utcnow())
    await hand_over_stories(session, source_id)
    result = await session.execute(delete(Source).where(Source.id == source_id))
    return result.rowcount > 0


async def polled_source_names(session: AsyncSession) -> set[str]:
    """The names of the enabled sources: the ones a poll cycle polls."""
    return set((await session.scalars(select(Source.name).where(Source.enabled.is_(True)))).all())


async def list_sources(session: AsyncSession, *, enabled_only: bool = False) -> list[Source]:
    stmt = select(Source).order_by(Source.name)
    if enabled_only:
        stmt = stmt.where(Source.enabled.is_(True))
    return list((await session.scalars(stmt)).all())


async def get_source(session: AsyncSession, name: str) -> Source | None:
    return await session.scalar(select(Source).where(Source.name == name))


async def get_source_by_id(session: AsyncSession, source_id: int) -> Source | None:
    """The source with this id; None for any number no id can be (the database would refuse it)."""
    if not 0 < source_id <= MAX_SOURCE_ID:
        return None
    return await session.get(Source, source_id)


async def find_source(session: AsyncSession, name_or_id: str) -> Source | None:
    """By exact name, else id, else a unique case-insensitive prefix of the name."""
    source = await get_source(session, name_or_id)
    # ASCII digits only: `²` passes isdigit() but not int(), and ids are never written otherwise.
    if source is None and name_or_id.isascii() and name_or_id.isdigit() and len(name_or_id) <= 10:
        source = await get_source_by_id(session, int(name_or_id))
    if source is None:
        matches = [
            s for s in await list_sources(session) if s.name.casefold().startswith(name_or_id.casefold())
        ]
        source = matches[0] if len(matches) == 1 else None
    return source


async def matching_sources(session: AsyncSession, query: str, *, enabled_only: bool = True) -> list[Source]:
    """The sources a user may mean: its number, exact name, a unique prefix, or the same with the
    diacritics left out (`bao song xanh`). One source, several (ambiguous), or none."""
    source = await find_source(session, query) if query else None
    if source is not None and (source.enabled or not enabled_only):
        return [source]
    key = search_key(query)
    if not key:
        return []
    candidates = await list_sources(session, enabled_only=enabled_only)
    for matches in (
        [s for s in candidates if search_key(s.name) == key],
        [s for s in candidates if search_key(s.name).startswith(key)],
        [s for s in candidates if key in search_key(s.name)],
    ):
        if matches:
            return matches
    return []


async def claim_due_sources(
    session: AsyncSession, now: datetime, limit: int = 500, name: str | None = None
) -> list[Source]:
    """Enabled sources whose next check has come (only the one called `name`, when given), pushed
    forward by a lease so no one else claims them.

    On PostgreSQL, FOR UPDATE SKIP LOCKED lets several workers share the work.
    """
    stmt = (
        select(Source)
        .where(Source.enabled.is_(True), Source.next_check_at <= now)
        .order_by(Source.next_check_at)
        .limit(limit)
    )
    if name is not None:
        stmt = stmt.where(Source.name == name)
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    sources = list((await session.scalars(stmt)).all())
    for source in sources:
        source.next_check_at = now + CLAIM_LEASE
    await session.flush()
    return sources


@dataclass(frozen=True)
class PollSuccess:
    """A successful poll to record with others (`record_successes`): record_success's arguments,
    and the number of new items it stored."""

    source_id: int
    now: datetime
    next_check_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    new_url: str | None = None
    detected_kind: str | None = None
    title: str | None = None
    entry_memo: bytes | None = None
    new_items: int = 0


_RECORD_SUCCESS = (
    update(Source.__table__)
    .where(Source.__table__.c.id == bindparam("p_id"))
    .values(
        last_polled_at=bindparam("p_now"),
        last_success_at=bindparam("p_now"),
        error_count=0,
        next_check_at=bindparam("p_next"),
        etag=bindparam("p_etag"),
        last_modified=bindparam("p_last_modified"),
        entry_memo=bindparam("p_memo"),
        url=func.coalesce(bindparam("p_url", type_=Source.url.type), Source.__table__.c.url),
        detected_kind=func.coalesce(
            bindparam("p_kind", type_=Source.detected_kind.type), Source.__table__.c.detected_kind
        ),
        title=func.coalesce(bindparam("p_title", type_=Source.title.type), Source.__table__.c.title),
        item_count=Source.__table__.c.item_count + bindparam("p_new", type_=Source.item_count.type),
    )
)


async def record_success(session: AsyncSession, record: PollSuccess) -> bool:
    """Record a successful poll; False when the source is gone (removed while it was polled)."""
    # One parameter set, not a list of one: an executemany's row count is not reliable.
    result = await (await session.connection()).execute(_RECORD_SUCCESS, _success_rows([record])[0])
    return result.rowcount == 1


async def record_successes(session: AsyncSession, records: list[PollSuccess]) -> None:
    """Record many successful polls in one executemany, their new items counted in (sources
    removed meanwhile are not there to update)."""
    if records:
        await (await session.connection()).execute(_RECORD_SUCCESS, _success_rows(records))


async def present_source_ids(session: AsyncSession, ids: list[int]) -> set[int]:
    """Which of these sources still exist."""
    return set((await session.scalars(select(Source.id).where(Source.id.in_(ids)))).all())


def _success_rows(records: list[PollSuccess]) -> list[dict]:
    return [
        {
            "p_id": r.source_id,
            "p_now": r.now,
            "p_next": r.next_check_at,
            "p_etag": r.etag,
            "p_last_modified": r.last_modified,
            "p_memo": r.entry_memo,
            "p_url": r.new_url or None,  # None keeps the stored value: only what the poll found replaces it
            "p_kind": r.detected_kind or None,
            "p_title": r.title or None,
            "p_new": r.new_items,
        }
        for r in records
    ]


@dataclass(frozen=True)
class NotModified:
    """A 304 to record: the source is fine and unchanged, polled at `now`."""

    source_id: int
    now: datetime
    next_check_at: datetime
    new_url: str | None = None


async def record_not_modified(session: AsyncSession, records: list[NotModified]) -> None:
    """Record many 304s in one executemany (a 304 cycle of thousands of sources is mostly this)."""
    rows = []
    for record in records:
        row = {
            "id": record.source_id,
            "last_polled_at": record.now,
            "last_success_at": record.now,
            "error_count": 0,
            "next_check_at": record.next_check_at,
        }
        if record.new_url:
            row["url"] = record.new_url
        rows.append(row)
    if rows:
        await session.execute(update(Source), rows)


async def record_error(
    session: AsyncSession, source_id: int, *, now: datetime, reason: str, next_check_at: datetime
) -> None:
    await session.execute(
        update(Source)
        .where(Source.id == source_id)
        .values(
            last_polled_at=now,
            last_error=reason[:1000],
            last_error_at=now,
            error_count=Source.error_count + 1,
            next_check_at=next_check_at,
        )
    )


async def schedule_now(session: AsyncSession, now: datetime, name: str | None = None) -> int:
    """Make sources due now (/pollnow, `bantin poll`)."""
    stmt = update(Source).where(Source.enabled.is_(True)).values(next_check_at=now)
    if name is not None:
        stmt = stmt.where(Source.name == name)
    return (await session.execute(stmt)).rowcount
