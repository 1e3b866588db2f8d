# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""The poll path over HTTP: conditional GET, next check, failures and back-off, one source never
holding up or breaking another, redirects. Local feed server -> Fetcher -> parse -> prepare ->
store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from datetime import timedelta

import pytest

import jobs.poll
import jobs.source_entries
from jobs.poll import poll_due_sources
from storage.sources import remove_source
from tests.jobs.pollkit import (  # noqa: F401 - fixtures
    FeedItem,
    clock,
    fetcher,
    poller,
    rss,
)

ETAG = '"v1"'
LAST_MODIFIED = "Thu, 19 Sep 2019 03:00:00 GMT"
INTERVAL = timedelta(seconds=900)
LATER = timedelta(hours=7)  # past any next check (the cap is 6 h)


def two_items(prefix: str = "", site: str = "tinh", on_top: tuple[FeedItem, ...] = ()) -> bytes:
    return rss(
        [
            *on_top,
            FeedItem(
                f"{prefix}Hội nghị tổng kết công tác xây dựng Đảng",
                f"https://{site}.example.vn/tin/1.html",
                "Ban Thường vụ Tỉnh ủy tổ chức hội nghị tổng kết công tác xây dựng Đảng.",
            ),
            FeedItem(
                f"{prefix}Nông dân thu hoạch lúa hè thu",
                f"https://{site}.example.vn/tin/2.html",
                "Nông dân huyện Châu Thành thu hoạch lúa hè thu, năng suất cao.",
            ),
        ]
    ).encode()


@pytest.fixture
def parse_calls(monkeypatch) -> list[str]:
    """Records every feed parse the poller does."""
    calls: list[str] = []
    real = jobs.source_entries.parse_feed_since

    def counting(body, content_type, base_url, tz, memo):
        calls.append(base_url)
        return real(body, content_type, base_url, tz, memo)

    monkeypatch.setattr(jobs.source_entries, "parse_feed_since", counting)
    return calls


# -- conditional GET ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validators", "request_header", "sent"),
    [
        ({"etag": ETAG}, "if-none-match", ETAG),
        ({"last_modified": LAST_MODIFIED}, "if-modified-since", LAST_MODIFIED),
        ({"etag": ETAG, "last_modified": LAST_MODIFIED}, "if-none-match", ETAG),
    ],
)
async def test_unchanged_feed_is_not_modified_and_not_parsed_again(
    poller, parse_calls, validators, request_header, sent
):
    url = poller.server.serve("/rss", two_items(), **validators)
    await poller.add("tinh", url)

    first = await poller.cycle()
    second = await poller.cycle(after=LATER)

    assert (first["tinh"].status, first["tinh"].new) == ("new", 2)
    assert second["tinh"].status == "not modified"
    assert second["tinh"].line() == "tinh: not modified"
    assert poller.server.requests_to("/rss")[-1].headers[request_header] == sent
    assert len(parse_calls) == 1, "a 304 is not parsed"
    source = await poller.source("tinh")
    assert source.last_success_at == poller.clock.now
    assert source.next_check_at == poller.clock.now + INTERVAL
    assert len(await poller.items()) == 2


async def test_changed_feed_is_fetched_whole_and_stores_only_what_is_new(poller, monkeypatch):
    url = poller.server.serve("/rss", two_items(), etag=ETAG)
    await poller.add("tinh", url)
    await poller.cycle()
    prepared: list[str] = []
    real_prepare = jobs.poll.prepare_entries

    def counting_prepare(entries, *options):
        prepared.extend(entry.title for entry in entries)
        return real_prepare(entries, *options)

    monkeypatch.setattr(jobs.poll, "prepare_entries", counting_prepare)
    more = rss(
        [
            FeedItem(
                "Khánh thành cầu Rạch Miễu 2",
                "https://tinh.example.vn/tin/3.html",
                "Cầu Rạch Miễu 2 nối hai tỉnh được khánh thành sau ba năm thi công.",
            ),
            FeedItem(
                "Hội nghị tổng kết công tác xây dựng Đảng",
                "https://tinh.example.vn/tin/1.html",
                "Ban Thường vụ Tỉnh ủy tổ chức hội nghị tổng kết công tác xây dựng Đảng.",
            ),
        ]
    ).encode()
    poller.server.serve("/rss", more, etag='"v2"')

    again = await poller.cycle(after=LATER)

    assert (again["tinh"].status, again["tinh"].new, again["tinh"].duplicate) == ("new", 1, 1)
    assert prepared == ["Khánh thành cầu Rạch Miễu 2"], "an entry stored unchanged is not prepared again"
    assert poller.server.requests_to("/rss")[-1].headers["if-none-match"] == ETAG
    assert (await poller.source("tinh")).etag == '"v2"'


async def test_stored_versions_are_looked_up_only_for_a_source_that_has_stored_items(poller, monkeypatch):
    lookups: list[int] = []
    real = jobs.source_entries.stored_texts

    async def recording(conn, source_id, guids, urls):
        lookups.append(source_id)
        return await real(conn, source_id, guids, urls)

    monkeypatch.setattr(jobs.source_entries, "stored_texts", recording)
    url = poller.server.serve("/rss", two_items(), etag=ETAG)
    await poller.add("tinh", url)
    first = await poller.cycle()
    assert (first["tinh"].new, lookups) == (2, []), "a first poll has nothing stored to compare with"

    bridge = FeedItem("Khánh thành cầu mới", "https://tinh.example.vn/tin/3.html", "Cầu mới nối hai huyện.")
    poller.server.serve("/rss", two_items(on_top=(bridge,)), etag='"v2"')
    again = await poller.cycle(after=LATER)

    assert lookups == [(await poller.source("tinh")).id]
    assert (again["tinh"].new, again["tinh"].duplicate) == (1, 2)


async def test_a_changed_feed_parses_only_the_items_it_did_not_have_at_the_last_stored_poll(
    poller, monkeypatch
):
    parsed = []
    real = jobs.source_entries.parse_feed_since

    def recording(body, content_type, base_url, tz, memo):
        parsed.append(real(body, content_type, base_url, tz, memo))
        return parsed[-1]

    monkeypatch.setattr(jobs.source_entries, "parse_feed_since", recording)
    url = poller.server.serve("/rss", two_items(), etag=ETAG)
    await poller.add("tinh", url)
    await poller.cycle()
    assert (parsed[0].known, len(parsed[0].entries)) == (0, 2)
    assert (await poller.source("tinh")).entry_memo == parsed[0].memo is not None

    bridge = FeedItem("Khánh thành cầu mới", "https://tinh.example.vn/tin/3.html", "Cầu mới nối hai huyện.")
    poller.server.serve("/rss", two_items(on_top=(bridge,)), etag='"v2"')
    again = await poller.cycle(after=LATER)

    assert [e.title for e in parsed[1].entries] == ["Khánh thành cầu mới"]
    assert parsed[1].known == 2, "the two items it stored last time are not parsed again"
    assert (again["tinh"].new, again["tinh"].duplicate) == (1, 2)
    assert (await poller.source("tinh")).entry_memo == parsed[1].memo != parsed[0].memo


async def test_feed_without_validators_is_parsed_each_time_and_yields_duplicates(poller, parse_calls):
    url = poller.server.serve("/rss", two_items())
    await poller.add("tinh", url)
    await poller.cycle()
    again = await poller.cycle(after=LATER)
    assert (again["tinh"].status, again["tinh"].new, again["tinh"].duplicate) == ("duplicate", 0, 2)
    assert "if-none-match" not in poller.server.requests_to("/rss")[-1].headers
    assert len(parse_calls) == 2


async def test_validators_are_not_saved_when_the_body_does_not_parse(poller):
    url = poller.server.serve("/rss", "<html><body>Bảo trì hệ thống</body></html>".encode(), etag=ETAG)
    await poller.add("tinh", url, kind="rss")
    failed = await poller.cycle()
    assert failed["tinh"].status == "error"
    assert (await poller.source("tinh")).etag is None, "a saved ETag would make the broken body a 304 forever"


# -- next check -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ttl", "headers", "delay"),
    [
        (None, {}, INTERVAL),
        (120, {}, timedelta(minutes=120)),  # <ttl> is in minutes
        (5, {}, INTERVAL),  # never sooner than the interval
        (None, {"Cache-Control": "public, max-age=3600"}, timedelta(seconds=3600)),
        (None, {"Cache-Control": "no-cache"}, INTERVAL),
        (30, {"Cache-Control": "max-age=7200"}, timedelta(seconds=7200)),  # the longest ask wins
        (100_000, {}, timedelta(hours=6)),  # capped
    ],
)
async def test_next_check_is_the_interval_raised_by_ttl_and_cache_headers(poller, ttl, headers, delay):
    item = FeedItem("Tin thời tiết", "https://tinh.example.vn/tin/9.html", "Trời nắng.")
    url = poller.server.serve("/rss", rss([item], ttl=ttl).encode(), headers=headers)
    await poller.add("tinh", url)
    await poller.cycle()
    assert (await poller.source("tinh")).next_check_at == poller.clock.now + delay


async def test_expires_header_raises_the_next_check(poller):
    expires = "Thu, 26 Nov 2026 13:00:00 GMT"  # 2 hours after the Date header
    url = poller.server.serve(
        "/rss", two_items(), headers={"Expires": expires, "Date": "Thu, 26 Nov 2026 11:00:00 GMT"}
    )
    await poller.add("tinh", url)
    await poller.cycle()
    assert (await poller.source("tinh")).next_check_at == poller.clock.now + timedelta(hours=2)


async def test_a_source_is_polled_only_when_due(poller):
    url = poller.server.serve("/rss", two_items())
    await poller.add("tinh", url)
    await poller.cycle()
    assert await poller.cycle(after=INTERVAL - timedelta(seconds=1)) == {}
    assert set(await poller.cycle(after=timedelta(seconds=1))) == {"tinh"}


# -- failures -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ({"body": b"server error", "status": 500}, "HTTP 500"),
        ({"body": b"not here", "status": 404}, "HTTP 404"),
        ({"body": b"gone", "status": 410}, "HTTP 410"),
        ({"body": b"   "}, "empty response body"),
        ({"body": b"<rss version='2.0'><channel><item><title>Tin"}, None),  # truncated: recovered or error
        ({"body": b'{"not": "a feed"}', "content_type": "application/json"}, "not a JSON Feed"),
    ],
)
async def test_a_failing_source_gets_an_error_and_the_others_of_the_cycle_succeed(poller, route, reason):
    bad = poller.server.serve("/bad", **route)
    good = poller.server.serve("/good", two_items())
    await poller.add("hỏng", bad, kind="rss")
    await poller.add("tốt", good)

    outcomes = await poller.cycle()

    assert (outcomes["tốt"].status, outcomes["tốt"].new) == ("new", 2)
    if reason is None and outcomes["hỏng"].status != "error":
        return  # feedparser recovered the truncated feed: that is allowed too
    assert outcomes["hỏng"].status == "error"
    if reason:
        assert reason in outcomes["hỏng"].error
        assert outcomes["hỏng"].line() == f"hỏng: error: {outcomes['hỏng'].error}"
    source = await poller.source("hỏng")
    assert source.error_count == 1
    assert source.last_error == outcomes["hỏng"].error
    assert source.last_error_at == poller.clock.now
    assert source.last_success_at is None
    assert source.next_check_at == poller.clock.now + INTERVAL  # first back-off step: the interval


async def test_connection_refused_is_an_error_on_that_source(poller):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await poller.add("tắt", f"http://127.0.0.1:{port}/rss")
    await poller.add("tốt", poller.server.serve("/good", two_items()))
    outcomes = await poller.cycle()
    assert outcomes["tắt"].status == "error" and outcomes["tắt"].error == "connection refused"
    assert outcomes["tốt"].status == "new"


async def test_back_off_doubles_up_to_six_hours_the_source_is_never_abandoned_and_recovers(poller):
    url = poller.server.serve("/rss", b"down", status=503)
    await poller.add("tinh", url)
    delays = []
    for _ in range(9):
        before = poller.clock.now
        outcome = (await poller.cycle())["tinh"]
        assert outcome.status == "error"
        source = await poller.source("tinh")
        delays.append(source.next_check_at - before)
        poller.clock.now = source.next_check_at  # due again exactly then
    minutes = [d.total_seconds() / 60 for d in delays]
    assert minutes == [15, 30, 60, 120, 240, 360, 360, 360, 360]
    assert source.error_count == 9

    poller.server.serve("/rss", two_items())
    recovered = (await poller.cycle())["tinh"]

    assert recovered.status == "new"
    source = await poller.source("tinh")
    assert source.error_count == 0
    assert source.last_success_at == poller.clock.now
    assert source.last_error == "HTTP 503", "the last error stays visible in `feeds list`"
    assert source.next_check_at == poller.clock.now + INTERVAL


async def test_retry_after_pushes_the_next_check_further_than_the_back_off(poller):
    url = poller.server.serve("/rss", b"busy", status=429, headers={"Retry-After": "7200"})
    await poller.add("tinh", url)
    await poller.cycle()
    assert (await poller.source("tinh")).next_check_at == poller.clock.now + timedelta(hours=2)


async def test_oversize_and_gzip_bomb_bodies_fail_only_their_own_source(poller):
    await poller.add("to-qua", poller.server.oversize("/big", 5_000_000))
    await poller.add("bom", poller.server.gzip_bomb("/bomb", 50_000_000))
    await poller.add("tốt", poller.server.serve("/good", two_items(), gzip=True))

    outcomes = await poller.cycle()

    assert outcomes["to-qua"].status == "error" and "body over" in outcomes["to-qua"].error
    assert outcomes["bom"].status == "error" and "body over" in outcomes["bom"].error
    assert (outcomes["tốt"].status, outcomes["tốt"].new) == ("new", 2)


async def test_slow_source_does_not_delay_the_fast_ones(fresh_db, feed_server, fetcher, clock, monkeypatch):
    from tests.jobs.pollkit import Poller, poll_config

    poller = Poller(fresh_db, feed_server, fetcher, poll_config(), clock)
    release = asyncio.Event()

    async def held_until_released(seconds: float) -> None:
        # The slow route answers only once the test lets it; a poller that waited for it before
        # the fast ones would fail the order below (after 10 s), not hang.
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(release.wait(), 10)

    monkeypatch.setattr(feed_server, "pause", held_until_released)
    await poller.add("chậm", feed_server.serve("/slow", two_items("Chậm: ", "cham"), delay=1))
    fast = [f"nhanh-{n}" for n in range(5)]
    for n, name in enumerate(fast):
        await poller.add(name, feed_server.serve(f"/fast/{n}", two_items(f"Nhanh {n}: ", f"nhanh{n}")))
    order: list[str] = []

    def arrived(outcome) -> None:
        order.append(outcome.source)
        if set(fast) <= set(order):
            release.set()

    outcomes = await poll_due_sources(fresh_db, fetcher, poller.config, now=clock, on_outcome=arrived)

    assert order[-1] == "chậm" and sorted(order[:-1]) == fast
    assert all(o.status == "new" for o in outcomes)


# -- redirects ------------------------------------------------------------------------------------


async def test_redirect_loop_is_an_error(poller):
    poller.server.redirect("/a", poller.server.url("/b"))
    poller.server.redirect("/b", poller.server.url("/a"))
    await poller.add("vòng", poller.server.url("/a"))
    outcome = (await poller.cycle())["vòng"]
    assert outcome.status == "error" and "redirect" in outcome.error


@pytest.mark.parametrize(("status", "moves"), [(301, True), (308, True), (302, False), (307, False)])
async def test_only_a_permanent_redirect_updates_the_stored_url(poller, status, moves):
    new_url = poller.server.serve("/moi.rss", two_items())
    old_url = poller.server.redirect("/cu.rss", new_url, status=status)
    await poller.add("tinh", old_url)

    outcome = (await poller.cycle())["tinh"]

    assert outcome.status == "new"
    source = await poller.source("tinh")
    assert source.url == (new_url if moves else old_url)
    assert source.configured_url == old_url
    await poller.cycle(after=LATER)
    assert len(poller.server.requests_to("/cu.rss")) == (1 if moves else 2)


# -- concurrency ----------------------------------------------------------------------------------


async def test_two_pollers_at_once_store_each_item_once(poller):
    url = poller.server.serve("/rss", two_items())
    await poller.add("tinh", url)
    source = await poller.source("tinh")
    snapshot = jobs.poll.SourceSnapshot.of(source)
    results = await asyncio.gather(
        *(
            jobs.poll.poll_source(poller.db, poller.fetcher, poller.config, snapshot, now=poller.clock)
            for _ in range(3)
        )
    )
    assert sum(r.new for r in results) == 2
    assert all(r.status != "error" for r in results)
    assert len(await poller.items()) == 2


async def test_a_claimed_source_is_not_claimed_again_by_a_second_worker(poller):
    url = poller.server.serve("/rss", two_items(), delay=0)
    await poller.add("tinh", url)
    first, second = await asyncio.gather(poller.cycle(), poller.cycle())
    assert sorted([len(first), len(second)]) == [0, 1]
    assert len(poller.server.requests_to("/rss")) == 1


async def test_poll_source_alone_records_a_304_itself(poller):
    url = poller.server.serve("/rss", two_items(), etag=ETAG)
    await poller.add("tinh", url)
    await poller.cycle()
    poller.clock.now += LATER
    snapshot = jobs.poll.SourceSnapshot.of(await poller.source("tinh"))

    outcome = await jobs.poll.poll_source(poller.db, poller.fetcher, poller.config, snapshot, now=poller.clock)

    assert outcome.status == "not modified"
    source = await poller.source("tinh")
    assert (source.last_success_at, source.next_check_at) == (poller.clock.now, poller.clock.now + INTERVAL)


async def test_a_source_removed_while_it_was_fetched_stores_nothing(poller):
    url = poller.server.serve("/rss", two_items())
    await poller.add("tinh", url)
    snapshot = jobs.poll.SourceSnapshot.of(await poller.source("tinh"))
    async with poller.db.transaction() as session:
        await remove_source(session, "tinh")

    outcome = await jobs.poll.poll_source(poller.db, poller.fetcher, poller.config, snapshot, now=poller.clock)

    assert (outcome.status, outcome.error) == ("error", "source removed")
    assert await poller.items() == []
