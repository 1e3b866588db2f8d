"""The links of a listing page found to lead to no article (a notice with only a PDF, a topic
page), remembered per source for a while so that a poll does not fetch them again.

Without it, the same non-articles at the top of a listing were fetched at every poll and took the
poll's window of article fetches, so new articles further down were never reached. A link is
remembered for SKIP_FOR (a page may become an article later: a notice filled in, an outage
fixed), at most MAX_SKIPPED links per source (a listing shows a few dozen). The memory is a
small JSON object, link → until when (epoch seconds), kept as the page source's memo (the column
that holds a feed's news.feed_memo: each kind reads only its own format).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

SKIP_FOR = timedelta(hours=24)
MAX_SKIPPED = 200
MEMO_FORMAT = b"sk1"


def live_skipped(memo: bytes | None, now: datetime) -> dict[str, float]:
    """The remembered links whose time has not run out, with their expiry; another kind's memo
    (a feed's) or a damaged one remembers nothing."""
    if not memo or not memo.startswith(MEMO_FORMAT):
        return {}
    try:
        stored = json.loads(memo[len(MEMO_FORMAT) :])
    except ValueError:  # UnicodeDecodeError too
        return {}
    if not isinstance(stored, dict):
        return {}
    at = now.timestamp()
    return {
        link: until
        for link, until in stored.items()
        if isinstance(link, str) and isinstance(until, int | float) and until > at
    }


def remember_skipped(live: dict[str, float], found: Iterable[str], now: datetime) -> bytes | None:
    """The memo to store: the live links and those just found to be no article, the ones that
    expire last kept when there are too many; None when there is nothing to remember."""
    until = (now + SKIP_FOR).timestamp()
    merged = dict(live)
    merged.update(dict.fromkeys(found, until))
    if not merged:
        return None
    kept = sorted(merged.items(), key=lambda pair: pair[1], reverse=True)[:MAX_SKIPPED]
    return MEMO_FORMAT + json.dumps(dict(kept), separators=(",", ":")).encode()
