"""The memory of a listing's links that lead to no article (news.skipped_links)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from news.feed_memo import MEMO_FORMAT as FEED_MEMO_FORMAT
from news.feed_memo import FeedMemo
from news.skipped_links import MAX_SKIPPED, MEMO_FORMAT, SKIP_FOR, live_skipped, remember_skipped

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
NOTICE = "https://tinhmau.example.vn/tin-tuc/thong-bao-3001.html"


def test_a_remembered_link_lives_for_skip_for():
    memo = remember_skipped({}, [NOTICE], NOW)
    assert set(live_skipped(memo, NOW + SKIP_FOR - timedelta(seconds=1))) == {NOTICE}
    assert live_skipped(memo, NOW + SKIP_FOR) == {}


def test_remembering_again_keeps_the_live_links_and_renews_the_found_ones():
    first = live_skipped(remember_skipped({}, [NOTICE, NOTICE + "?a"], NOW), NOW)
    later = NOW + timedelta(hours=20)
    stored = MEMO_FORMAT + json.dumps(first).encode()
    memo = remember_skipped(live_skipped(stored, later), [NOTICE], later)
    assert set(live_skipped(memo, NOW + SKIP_FOR + timedelta(hours=1))) == {NOTICE}


def test_the_memory_is_bounded_keeping_the_latest():
    old = {f"{NOTICE}?n={n}": (NOW + timedelta(hours=1)).timestamp() for n in range(MAX_SKIPPED)}
    memo = remember_skipped(old, [NOTICE], NOW)
    kept = live_skipped(memo, NOW)
    assert len(kept) == MAX_SKIPPED and NOTICE in kept


@pytest.mark.parametrize(
    "memo",
    [
        None,
        b"",
        MEMO_FORMAT + "không phải JSON".encode(),
        MEMO_FORMAT + b"\xff\xfe",
        MEMO_FORMAT + b"[1, 2]",
        MEMO_FORMAT + b'{"a": "x", "b": null}',
        FEED_MEMO_FORMAT + b'{"a": 9999999999}',  # a feed's memo (the source was a feed)
        b'{"a": 9999999999}',
    ],
)
def test_a_missing_or_damaged_memo_remembers_nothing(memo):
    assert live_skipped(memo, NOW) == {}


def test_nothing_to_remember_is_no_memo():
    assert remember_skipped({}, [], NOW) is None


def test_a_feed_reads_a_listing_memo_as_no_memo_of_its_own():
    assert FeedMemo.from_bytes(remember_skipped({}, [NOTICE], NOW)) is None
