# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""Offload: parsing and preparing in worker processes gives what the poller's own process gives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

import jobs.source_entries
from jobs.offload import Offload
from news.feeds import FeedParseError, parse_feed
from news.prepare import prepare_entries
from tests.jobs.offload_helpers import die_in_a_worker
from tests.jobs.pollkit import (  # noqa: F401 - fixtures
    ARTICLES,
    FeedItem,
    clock,
    fetcher,
    poller,
    rss,
    serve_listing,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FEED = rss(
    [
        FeedItem(
            "Khánh thành cầu Vàm Cống nối hai tỉnh",
            "https://tinh.example.vn/tin/cau.html",
            "Sáng nay, tỉnh tổ chức lễ khánh thành cầu. Cây cầu dài 2,97 km, vốn 7.743 tỷ đồng.",
        ),
        FeedItem(
            "Hoà giải ở cơ sở năm 2019",
            "https://tinh.example.vn/tin/hoa-giai.html",
            "Các tổ hoà giải đã giải quyết thành công 1.044 vụ việc. TP. Rạch Giá dẫn đầu.",
        ),
    ]
).encode()


@pytest.fixture
def one_worker() -> Iterator[Offload]:
    offload = Offload(1)
    yield offload
    offload.close()


async def test_a_worker_runs_the_step_in_another_process(one_worker: Offload) -> None:
    assert await one_worker.run(os.getpid) != os.getpid()
    assert one_worker.started


async def test_inline_runs_the_step_here() -> None:
    inline = Offload(0)
    assert await inline.run(os.getpid) == os.getpid()
    assert not inline.started


async def test_a_worker_prepares_exactly_what_the_poller_would(one_worker: Offload) -> None:
    parsed = await one_worker.run(parse_feed, FEED, "application/rss+xml", "https://tinh.example.vn/rss", TZ)
    prepared = await one_worker.run(prepare_entries, parsed.entries, 40, None)

    here = prepare_entries(
        parse_feed(FEED, "application/rss+xml", "https://tinh.example.vn/rss", TZ).entries, 40
    )
    assert prepared == here
    assert [p.language for p in prepared] == ["vi", "vi"]


async def test_errors_in_a_worker_reach_the_poller(one_worker: Offload) -> None:
    with pytest.raises(FeedParseError):
        await one_worker.run(parse_feed, b"<html><p>no feed here", "text/html", "https://x.vn/", TZ)


async def test_a_dead_worker_costs_nothing_but_a_fresh_pool(one_worker: Offload) -> None:
    assert await one_worker.run(die_in_a_worker, os.getpid()) == "ran in the parent"
    assert await one_worker.run(os.getpid) != os.getpid()  # a new worker took over


def test_workers_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        Offload(-1)


async def test_a_poll_with_a_worker_stores_the_prepared_items(poller, one_worker: Offload) -> None:
    poller.offload = one_worker
    url = poller.server.serve("/rss", FEED)
    await poller.add("tinh", url)

    outcomes = await poller.cycle()

    assert outcomes["tinh"].new == 2
    assert one_worker.started
    expected = prepare_entries(
        parse_feed(FEED, "application/rss+xml", url, TZ).entries, poller.config.summaries.words
    )
    stored = await poller.items("tinh")
    assert [(i.title, i.summary, i.search_text) for i in stored] == [
        (p.title, p.summary, p.search_text) for p in expected
    ]


async def test_a_feedless_portal_is_read_by_the_worker_alone(
    poller, one_worker: Offload, monkeypatch
) -> None:
    """Article pages (trafilatura, the slowest step of a poll) are extracted in the worker: the
    poller's own copy of the extractor is broken here and never called."""

    def not_here(*_args, **_kwargs):
        raise AssertionError("an article page was extracted in the poller's process")

    monkeypatch.setattr(jobs.source_entries, "extract_article", not_here)
    poller.offload = one_worker
    url = serve_listing(poller.server)
    await poller.add("cổng", url, kind="html", selector="div.news-list a.title")

    outcome = (await poller.cycle())["cổng"]

    assert (outcome.status, outcome.new) == ("new", 3), outcome.error
    assert {item.title for item in await poller.items()} == {title for title, *_ in ARTICLES.values()}
