"""bench/query.py on a small archive: the commands go through the real bot and get the replies they should."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bench import query
from bench.query_handlers import time_commands


@pytest.fixture
async def archive_url(sqlite_url: str) -> str:
    """A migrated SQLite copy holding the bench's synthetic items."""
    path = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    await asyncio.to_thread(query.load_sqlite, path, 400, 100)
    return sqlite_url


async def test_each_command_is_timed_through_the_bot_and_answered(archive_url: str) -> None:
    timings = await time_commands(archive_url, query.bench_feeds(), query.commands(400), runs=2)
    replies = {t.label: t.reply for t in timings}
    assert list(replies) == [label for label, _text in query.commands(400)]
    assert replies["/latest"].startswith("Tin mới nhất")
    assert replies["/latest 5 <source>"].startswith("Tin mới nhất")
    assert re.fullmatch(r"\d+ kết quả cho “của” — trang 1/\d+", replies["/search common"])
    assert replies["/search absent"] == "Không tìm thấy tin nào cho “xyzzy”."
    assert all(0 < t.p50 <= t.p95 for t in timings)


@pytest.mark.parametrize(
    "samples, expected",
    [
        ([7.0], (7.0, 7.0)),
        ([float(ms) for ms in range(1, 21)], (10.5, 19.95)),
    ],
)
def test_percentiles_are_median_and_95th(samples: list[float], expected: tuple[float, float]) -> None:
    p50, p95 = query.percentiles(samples)
    assert (p50, round(p95, 2)) == expected
