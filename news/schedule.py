"""Digest slots and quiet hours in a subscriber's own time zone: pure arithmetic on aware datetimes.

A slot is a local wall-clock time ("07:00") on a local date, turned into one UTC instant. Daylight
saving time is handled by zoneinfo's rules for `fold=0`: a time skipped by a spring-forward gap lands
at the same distance after the gap (02:30 in a 02:00→03:00 gap is sent at 03:30), a time repeated by
a fall-back is sent at its first occurrence; each configured time gives at most one slot a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

# Digest times a day, in the config and in a chat's /settings alike: more would be a feed, not a digest.
MAX_DIGEST_TIMES = 6


def digest_times_problem(times: Sequence[str]) -> tuple[int | None, str] | None:
    """Why `times` (each HH:MM already) cannot be a day's digest times: the index of the time at
    fault (None: the list) and the reason; None when they are one to MAX_DIGEST_TIMES different times."""
    if not times:
        return None, 'needs at least one time, e.g. ["07:00"]'
    if len(times) > MAX_DIGEST_TIMES:
        return None, f"at most {MAX_DIGEST_TIMES} times a day, got {len(times)}"
    first: dict[str, int] = {}
    for i, hhmm in enumerate(times):
        if hhmm in first:
            return i, f"{hhmm} is digest_times[{first[hhmm]}] already"
        first[hhmm] = i
    return None


def parse_hhmm(value: str) -> time:
    """`"07:00"` -> time(7, 0); raise ValueError for anything else."""
    hours, sep, minutes = value.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"expected HH:MM, got {value!r}")
    return time(int(hours), int(minutes))


def zone(tz: tzinfo | str) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one (UTC or local)")


def slots_on(day: date, times: Sequence[str], tz: tzinfo | str) -> list[datetime]:
    """The UTC instants of `times` on local date `day`, sorted, without duplicates."""
    local_zone = zone(tz)
    instants = {datetime.combine(day, parse_hhmm(hhmm), tzinfo=local_zone).astimezone(UTC) for hhmm in times}
    return sorted(instants)


def _local_days_around(moment: datetime, tz: tzinfo) -> list[date]:
    today = moment.astimezone(tz).date()
    return [today + timedelta(days=offset) for offset in (-1, 0, 1, 2)]


def next_slot(times: Sequence[str], tz: tzinfo | str, after: datetime) -> datetime | None:
    """The first slot strictly after `after` (UTC), or None when there are no times."""
    _require_aware(after)
    if not times:
        return None
    local_zone = zone(tz)
    for day in _local_days_around(after, local_zone):
        for slot in slots_on(day, times, local_zone):
            if slot > after:
                return slot
    raise AssertionError("a daily time always recurs within two days")  # pragma: no cover


def latest_slot(times: Sequence[str], tz: tzinfo | str, at: datetime) -> datetime | None:
    """The last slot at or before `at` (UTC): the one to catch up after downtime; None without times."""
    _require_aware(at)
    if not times:
        return None
    local_zone = zone(tz)
    for day in reversed(_local_days_around(at, local_zone)):
        for slot in reversed(slots_on(day, times, local_zone)):
            if slot <= at:
                return slot
    raise AssertionError("a daily time always recurs within two days")  # pragma: no cover


def slots_between(times: Sequence[str], tz: tzinfo | str, start: datetime, end: datetime) -> list[datetime]:
    """The slots in [start, end] (UTC), sorted: meant for a span of minutes or hours, not of months."""
    _require_aware(start)
    _require_aware(end)
    local_zone = zone(tz)
    first, last = start.astimezone(local_zone).date(), end.astimezone(local_zone).date()
    days = [first + timedelta(days=offset) for offset in range(-1, (last - first).days + 2)]
    return [slot for day in days for slot in slots_on(day, times, local_zone) if start <= slot <= end]


def slots_to_serve(
    times: Sequence[str], tz: tzinfo | str, due: datetime, now: datetime, recent: timedelta
) -> list[datetime]:
    """The slots a check at `now` writes digests for, oldest first, given the slot that came due.

    Slots that came within `recent` (about one check interval) each get their own digest: times a
    minute apart, or 23:59 and 00:00, are two digests even when one check sees both. Older ones were
    missed by downtime: only the newest slot is served then (one catch-up, not one per missed slot),
    and never one older than `due` (times or zone changed after it came due)."""
    if due >= now - recent:
        return sorted({due, *slots_between(times, tz, due, now)})
    fresh = slots_between(times, tz, now - recent, now)
    if fresh:
        return fresh
    latest = latest_slot(times, tz, now)
    return [max(latest, due) if latest is not None else due]


def in_quiet_hours(at: datetime, tz: tzinfo | str, start: str | None, end: str | None) -> bool:
    """Whether local time at `at` is within [start, end); a window may wrap midnight (22:00-07:00)."""
    _require_aware(at)
    if not start or not end:
        return False
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin == finish:
        return False
    now = at.astimezone(zone(tz)).time().replace(second=0, microsecond=0)
    if begin < finish:
        return begin <= now < finish
    return now >= begin or now < finish


def quiet_hours_end(at: datetime, tz: tzinfo | str, start: str | None, end: str | None) -> datetime | None:
    """When the quiet hours holding `at` end (UTC), or None when `at` is not in quiet hours."""
    if not in_quiet_hours(at, tz, start, end):
        return None
    assert end is not None
    return next_slot([end], tz, at)
