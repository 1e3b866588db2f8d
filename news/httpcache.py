"""HTTP-cache decisions for polling: which validators to send, when to look again, how to back off.

Pure functions over header values and numbers; the fetcher applies them. A source's own
interval is a floor: servers may ask us to come back later (Cache-Control max-age, Expires,
Retry-After, RSS <ttl>), never sooner, and what they ask is capped so a bad header cannot
silence a source for a year.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

DEFAULT_BACKOFF_CAP = 6 * 3600.0

_MAX_AGE = re.compile(r'^\s*max-age\s*=\s*"?(\d+)"?\s*$', re.IGNORECASE)
_DIGITS = re.compile(r"^\s*(\d+)\s*$")


def _clean_header_value(value: str | None) -> str | None:
    # A value with CR/LF would inject headers; an empty one says nothing.
    if value is None:
        return None
    stripped = value.strip()
    if not stripped or "\r" in stripped or "\n" in stripped:
        return None
    return stripped


def request_validators(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Conditional-GET headers from the stored validators: both are sent when both are known.

    The ETag goes out verbatim (a weak `W/"..."` stays weak); the server prefers If-None-Match
    when it gets both (RFC 9110 13.2.2), so sending both costs nothing.
    """
    headers: dict[str, str] = {}
    if (value := _clean_header_value(etag)) is not None:
        headers["If-None-Match"] = value
    if (value := _clean_header_value(last_modified)) is not None:
        headers["If-Modified-Since"] = value
    return headers


def should_store_validators(status: int, parsed_ok: bool) -> bool:
    """Save a response's ETag/Last-Modified only after its body parsed (miniflux's rule).

    Storing them after a failed parse would make the next poll a 304 and the broken content
    would never be fetched again; a 304 carries nothing new to store.
    """
    return 200 <= status < 300 and status not in (204, 206) and parsed_ok


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items() if isinstance(value, str)}


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _max_age(cache_control: str | None, age: str | None) -> float | None:
    """Seconds the response stays fresh per `max-age`, minus its `Age`; s-maxage is for shared caches."""
    if not cache_control:
        return None
    for directive in cache_control.split(","):
        match = _MAX_AGE.match(directive)
        if match:
            seconds = float(match.group(1))
            age_match = _DIGITS.match(age or "")
            if age_match:
                seconds -= float(age_match.group(1))
            return seconds
    return None


def _expires(expires: str | None, date: str | None, now: datetime) -> float | None:
    expiry = _http_date(expires)
    if expiry is None:
        return None
    origin = _http_date(date) or now
    return (expiry - origin).total_seconds()


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    match = _DIGITS.match(value)
    if match:
        return float(match.group(1))
    when = _http_date(value)
    return None if when is None else (when - now).total_seconds()


def next_check_delay(
    interval: float,
    headers: Mapping[str, str],
    ttl_seconds: int | None,
    now: datetime,
    cap: float,
) -> float:
    """Seconds until the next poll: `interval`, raised by what the response asks, capped at `cap`.

    Considered: Cache-Control max-age (less the Age header), Expires (relative to the Date
    header when it parses, else to `now`), Retry-After (seconds or an HTTP date) and the RSS
    <ttl> (`ttl_seconds`). `now` should be aware (a naive one is taken as UTC). Garbage, negative and past values are ignored; no-cache, no-store
    and max-age=0 never make the poll sooner. The cap bounds only what headers add: an
    interval already above `cap` is kept.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    fields = _lower_keys(headers)
    asked = [
        _max_age(fields.get("cache-control"), fields.get("age")),
        _expires(fields.get("expires"), fields.get("date"), now),
        _retry_after(fields.get("retry-after"), now),
        float(ttl_seconds) if ttl_seconds is not None else None,
    ]
    longest = max((seconds for seconds in asked if seconds is not None and seconds > 0), default=0.0)
    return max(interval, min(longest, cap))


def backoff_delay(
    error_count: int,
    base: float,
    cap: float = DEFAULT_BACKOFF_CAP,
    random: Callable[[], float] | None = None,
) -> float:
    """Delay after `error_count` consecutive failures: base * 2**(n-1), capped; 0 when n <= 0.

    Deterministic unless `random` (returning a float in [0, 1), e.g. `random.Random(s).random`)
    is given: then the delay is spread over [d/2, d) so sources that failed together do not
    all retry in the same second.
    """
    if error_count <= 0:
        return 0.0
    # 2**64 already exceeds any sensible cap; keeps huge counts from overflowing a float.
    delay = min(base * 2.0 ** min(error_count - 1, 64), cap)
    if random is not None:
        delay = delay / 2 + random() * delay / 2
    return delay
