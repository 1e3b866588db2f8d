"""The range each number in the config must fall in, and why a value is outside it.

Upper bounds keep a typo (an extra few zeros) from reaching the code that turns seconds into
dates or sizes into buffers, where it failed later, once per poll, with an OverflowError.
"""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86_400
MAX_SOURCE_INTERVAL = 30 * DAY  # a source polled less than once a month is not news
MAX_WAIT_SECONDS = 3600.0  # a timeout or pause longer than an hour is a mistake


@dataclass(frozen=True)
class Range:
    high: float
    zero_allowed: bool = False  # else the value must be greater than 0


# Dotted keys of the top-level tables; `feeds[i].interval` is checked with FEED_INTERVAL.
NUMBER_RANGES: dict[str, Range] = {
    "schedule.poll_interval": Range(MAX_SOURCE_INTERVAL),
    "schedule.digest_check_interval": Range(DAY),
    "fetch.concurrency": Range(10_000),
    "fetch.per_host": Range(1_000),
    "fetch.max_body_bytes": Range(1_000_000_000),
    "fetch.connect_timeout": Range(MAX_WAIT_SECONDS),
    "fetch.read_timeout": Range(MAX_WAIT_SECONDS),
    "fetch.max_interval": Range(MAX_SOURCE_INTERVAL),
    "fetch.max_backoff": Range(MAX_SOURCE_INTERVAL),
    "digest.max_stories": Range(1_000),
    "digest.summary_words": Range(1_000),
    "summaries.words": Range(1_000),
    "summaries.llm_timeout": Range(MAX_WAIT_SECONDS),
    "summaries.llm_daily_requests": Range(10_000_000, zero_allowed=True),
    "delivery.messages_per_second": Range(1_000),
    "delivery.paid_messages_per_second": Range(1_000),
    "delivery.per_chat_interval": Range(MAX_WAIT_SECONDS, zero_allowed=True),
    "delivery.group_messages_per_minute": Range(1_000),
    "delivery.max_attempts": Range(1_000),
    "delivery.send_timeout": Range(MAX_WAIT_SECONDS),
}
FEED_INTERVAL = Range(MAX_SOURCE_INTERVAL, zero_allowed=True)


def range_problem(value: float, allowed: Range) -> str | None:
    """Why `value` is outside `allowed`, or None."""
    if allowed.zero_allowed and value < 0:
        return f"must be 0 or more, got {value}"
    if not allowed.zero_allowed and value <= 0:
        return f"must be greater than 0, got {value}"
    if value > allowed.high:
        return f"must be at most {_plain(allowed.high)}, got {value}"
    return None


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number
