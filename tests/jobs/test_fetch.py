"""jobs.fetch against a real local HTTP server (tests/feedserver.py) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import tracemalloc
import zlib
from datetime import UTC, datetime

import httpx
import pytest

from jobs.fetch import USER_AGENT, Fetcher, FetchError, human_size, parse_retry_after
from news import __version__

FEED = "<?xml version='1.0'?><rss><channel><title>Tin Hà Nội</title></channel></rss>".encode()
ETAG = '"v1"'
LAST_MODIFIED = "Tue, 14 Nov 2023 22:13:20 GMT"
EARLIER = "Mon, 13 Nov 2023 10:00:00 GMT"


@pytest.fixture
async def make_fetcher():
    """Builds Fetchers with short timeouts for tests and closes them afterwards."""
    made: list[Fetcher] = []

    def build(**options) -> Fetcher:
        options = {"connect_timeout": 1, "read_timeout": 2, **options}
        made.append(Fetcher(**options))
        return made[-1]

    yield build
    for fetcher in made:
        await fetcher.aclose()


@pytest.fixture
async def fetcher(make_fetcher) -> Fetcher:
    return make_fetcher()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def fetch_error(fetcher: Fetcher, url: str, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url, **kwargs)
    return caught.value


async def test_200_captures_body_and_validators(feed_server, fetcher):
    url = feed_server.serve("/rss", FEED, etag=ETAG, last_modified=LAST_MODIFIED, headers={"X-Extra": "1"})

    result = await fetcher.fetch(url)

    assert result.status == 200
    assert result.body == FEED
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert result.headers["x-extra"] == "1"
    assert result.final_url == url
    assert result.permanent_redirect_url is None
    assert result.not_modified is False
    assert result.elapsed > 0


async def test_user_agent_names_bantin_and_version(feed_server, fetcher):
    url = feed_server.serve("/rss", FEED)

    await fetcher.fetch(url)

    sent = feed_server.requests_to("/rss")[0].headers["user-agent"]
    assert sent == USER_AGENT
    assert sent.startswith(f"bantin/{__version__} ")


@pytest.mark.parametrize(
    ("etag", "last_modified", "expect_not_modified"),
    [
        (ETAG, None, True),
        (None, LAST_MODIFIED, True),
        (ETAG, LAST_MODIFIED, True),
        ('"v0"', None, False),
        (None, EARLIER, False),
        ('"v0"', LAST_MODIFIED, False),  # If-None-Match wins over If-Modified-Since
    ],
)
async def test_conditional_get(feed_server, fetcher, etag, last_modified, expect_not_modified):
    url = feed_server.serve("/rss", FEED, etag=ETAG, last_modified=LAST_MODIFIED)

    result = await fetcher.fetch(url, etag=etag, last_modified=last_modified)

    sent = feed_server.requests_to("/rss")[0].headers
    assert sent.get("if-none-match") == etag
    assert sent.get("if-modified-since") == last_modified
    assert result.not_modified is expect_not_modified
    if expect_not_modified:
        assert (result.status, result.body) == (304, None)
        assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    else:
        assert (result.status, result.body) == (200, FEED)


@pytest.mark.parametrize(
    ("etag", "last_modified", "not_modified"),
    [(ETAG, None, True), (None, LAST_MODIFIED, True), (None, None, False), ("Ví dụ", None, False)],
    ids=["etag", "last-modified", "none", "etag not ASCII, not sent"],
)
async def test_a_304_is_not_modified_only_when_the_request_was_conditional(
    fetcher, etag, last_modified, not_modified
):
    """A server answering 304 to a plain GET (a broken cache in front of it) made a new source "not
    modified" at every poll: healthy in /feeds, and never an item."""

    async def always_304(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(always_304, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/rss"
    async with server:
        await _check_304(fetcher, url, etag, last_modified, not_modified)


async def _check_304(fetcher, url, etag, last_modified, not_modified) -> None:
    if not_modified:
        assert (await fetcher.fetch(url, etag=etag, last_modified=last_modified)).not_modified
    else:
        error = await fetch_error(fetcher, url, etag=etag, last_modified=last_modified)
        assert (error.reason, error.status) == ("HTTP 304 to a request that was not conditional", 304)


async def test_no_validators_sends_no_conditional_headers(feed_server, fetcher):
    url = feed_server.serve("/rss", FEED, etag=ETAG)

    await fetcher.fetch(url)

    sent = feed_server.requests_to("/rss")[0].headers
    assert "if-none-match" not in sent and "if-modified-since" not in sent


@pytest.mark.parametrize("status", [400, 403, 404, 410, 500, 502])
async def test_error_status_raises_with_status(feed_server, fetcher, status):
    url = feed_server.serve("/rss", b"oops", status=status)

    error = await fetch_error(fetcher, url)

    assert (error.reason, error.status, error.retry_after) == (f"HTTP {status}", status, None)


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (429, "120", 120.0),
        (503, "7", 7.0),
        (429, None, None),
        (500, "60", None),
        (429, "²", None),  # byte 0xB2 (latin-1): a digit to str.isdigit, no number to float()
    ],
)
async def test_retry_after_on_429_and_503(feed_server, fetcher, status, retry_after, expected):
    headers = {"Retry-After": retry_after} if retry_after else {}
    url = feed_server.serve("/rss", b"busy", status=status, headers=headers)

    error = await fetch_error(fetcher, url)

    assert (error.status, error.retry_after) == (status, expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        ("Wed, 01 Jan 2025 00:02:00 GMT", 120.0),
        ("Tue, 31 Dec 2024 23:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("²", None),  # str.isdigit() says yes, float() raised ValueError: an internal error
        ("٣", None),  # an Arabic-Indic three: delay-seconds are ASCII digits (RFC 9110 10.2.3)
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, datetime(2025, 1, 1, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    ("size", "text"), [(10_000_000, "10 MB"), (1_500_000, "1.5 MB"), (2_000, "2 KB"), (512, "512 bytes")]
)
def test_human_size(size, text):
    assert human_size(size) == text


async def test_slow_response_times_out_at_read_timeout(feed_server, make_fetcher):
    fetcher = make_fetcher(read_timeout=0.2)
    url = feed_server.slow("/slow", 5)

    started = time.monotonic()
    error = await fetch_error(fetcher, url)

    assert error.reason == "timeout"
    assert time.monotonic() - started < 1.5


async def test_slow_drip_body_stopped_by_overall_deadline(feed_server, make_fetcher):
    # Each byte arrives well within the read timeout; only the per-fetch deadline stops it.
    fetcher = make_fetcher(read_timeout=1, total_timeout=0.3)
    url = feed_server.serve("/drip", FEED * 20, drip=(1, 0.02))

    started = time.monotonic()
    error = await fetch_error(fetcher, url)

    assert error.reason == "timeout"
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("route", "cap", "reason"),
    [
        ("with-length", 1_000, "body over 1 KB"),
        ("streamed", 1_000_000, "body over 1 MB"),
    ],
)
async def test_oversize_body_stops_at_cap(feed_server, make_fetcher, route, cap, reason):
    if route == "with-length":
        url = feed_server.serve("/big", bytes(cap + 1))
    else:
        url = feed_server.oversize("/big", 5 * cap)
    fetcher = make_fetcher(max_body_bytes=cap)

    error = await fetch_error(fetcher, url)

    assert error.reason == reason


async def test_body_exactly_at_cap_is_accepted(feed_server, make_fetcher):
    url = feed_server.oversize("/edge", 1_000)

    result = await make_fetcher(max_body_bytes=1_000).fetch(url)

    assert result.body == bytes(1_000)


async def test_gzip_bomb_stops_at_cap_without_inflating_it_all(feed_server, make_fetcher):
    url = feed_server.gzip_bomb("/bomb", 50_000_000)
    fetcher = make_fetcher(max_body_bytes=1_000_000)

    tracemalloc.start()
    started = time.monotonic()
    try:
        error = await fetch_error(fetcher, url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert error.reason == "body over 1 MB"
    assert time.monotonic() - started < 2
    assert peak < 8_000_000


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", lambda data: zlib.compress(data, wbits=16 + zlib.MAX_WBITS)),
        ("deflate", zlib.compress),
        ("deflate", raw_deflate),  # the header-less kind some servers send
        ("identity", lambda data: data),
    ],
)
async def test_compressed_bodies_are_decoded(feed_server, fetcher, encoding, encode):
    body = FEED * 1000
    url = feed_server.serve("/rss", encode(body), headers={"Content-Encoding": encoding})

    result = await fetcher.fetch(url)

    assert result.body == body
    assert feed_server.requests_to("/rss")[0].headers["accept-encoding"] == "gzip, deflate"


async def test_gzip_served_on_request_is_decoded(feed_server, fetcher):
    url = feed_server.serve("/rss", FEED * 100, gzip=True)

    result = await fetcher.fetch(url)

    assert result.headers["content-encoding"] == "gzip"
    assert result.body == FEED * 100


async def test_corrupt_gzip_body_is_an_error(feed_server, fetcher):
    url = feed_server.serve("/rss", b"not gzip at all", headers={"Content-Encoding": "gzip"})

    assert (await fetch_error(fetcher, url)).reason == "bad compressed body"


def chain(server, statuses: list[int], end: str = "/feed") -> str:
    """/r0 -> /r1 -> ... -> end, hop i answering statuses[i]; returns the first URL."""
    for hop, status in enumerate(statuses):
        target = f"/r{hop + 1}" if hop + 1 < len(statuses) else end
        server.redirect(f"/r{hop}", target, status=status)
    return server.url("/r0")


@pytest.mark.parametrize(
    ("statuses", "moved_to_final"),
    [
        ([301], True),
        ([308], True),
        ([301, 301, 308], True),
        ([302], False),
        ([307], False),
        ([303], False),
        ([301, 302], False),
        ([302, 301], False),
    ],
)
async def test_redirects_report_permanent_moves_only(feed_server, fetcher, statuses, moved_to_final):
    final = feed_server.serve("/feed", FEED)
    first = chain(feed_server, statuses)

    result = await fetcher.fetch(first)

    assert result.body == FEED
    assert result.final_url == final
    assert result.permanent_redirect_url == (final if moved_to_final else None)


async def test_five_redirects_allowed_six_are_too_many(feed_server, fetcher):
    feed_server.serve("/feed", FEED)
    assert (await fetcher.fetch(chain(feed_server, [302] * 5))).body == FEED

    error = await fetch_error(fetcher, chain(feed_server, [302] * 6))

    assert error.reason == "too many redirects"
    assert len(feed_server.requests) == 6 + 6  # 5 hops + feed, then 6 hops and no 7th


async def test_redirect_loop_is_too_many_redirects_and_stops_early(feed_server, fetcher):
    feed_server.redirect("/a", "/b", status=302)
    feed_server.redirect("/b", "/a", status=302)

    error = await fetch_error(fetcher, feed_server.url("/a"))

    assert error.reason.startswith("too many redirects")
    assert [request.path for request in feed_server.requests] == ["/a", "/b"]


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.invalid/feed"])
async def test_redirect_off_http_is_refused(feed_server, fetcher, target):
    feed_server.redirect("/r", target, status=301)

    assert (await fetch_error(fetcher, feed_server.url("/r"))).reason == "redirect to a non-HTTP URL"


async def test_conditional_headers_follow_redirects(feed_server, fetcher):
    feed_server.serve("/feed", FEED, etag=ETAG)
    first = chain(feed_server, [301])

    result = await fetcher.fetch(first, etag=ETAG)

    assert result.not_modified
    assert result.permanent_redirect_url == feed_server.url("/feed")


async def test_file_url_is_read_with_validators(tmp_path, fetcher):
    path = tmp_path / "mẫu tin.xml"
    path.write_bytes(FEED)
    url = path.as_uri()

    first = await fetcher.fetch(url)
    again = await fetcher.fetch(url, last_modified=first.last_modified)

    assert (first.status, first.body, first.content_type) == (200, FEED, "application/xml")
    assert (again.status, again.body, again.not_modified) == (304, None, True)


@pytest.mark.parametrize(
    ("name", "size", "reason"),
    [("big.xml", 1_001, "body over 1 KB"), ("missing.xml", None, "file not found")],
)
async def test_file_url_errors(tmp_path, make_fetcher, name, size, reason):
    path = tmp_path / name
    if size is not None:
        path.write_bytes(bytes(size))

    error = await fetch_error(make_fetcher(max_body_bytes=1_000), path.as_uri())

    assert error.reason == reason


async def test_file_urls_can_be_refused(tmp_path, make_fetcher):
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)

    error = await fetch_error(make_fetcher(allow_file_urls=False), path.as_uri())

    assert error.reason == "unsupported URL scheme file"


async def test_connection_refused(fetcher):
    error = await fetch_error(fetcher, f"http://127.0.0.1:{free_port()}/rss")

    assert (error.reason, error.status) == ("connection refused", None)


def failing_transport(exc: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


def caused_by(exc: Exception, cause: BaseException) -> Exception:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (
            caused_by(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")),
            "DNS lookup failed",
        ),
        (caused_by(httpx.ConnectError("x"), ssl.SSLError(1, "certificate verify failed")), "TLS error"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "connection refused"),
        (httpx.ConnectError("[Errno 113] No route to host"), "connection failed"),
        (httpx.ConnectTimeout("x"), "connect timeout"),
        (httpx.ReadTimeout("x"), "timeout"),
        (httpx.RemoteProtocolError("x"), "bad HTTP response"),
        (httpx.ReadError("x"), "connection reset"),
    ],
)
async def test_network_failures_map_to_reasons(make_fetcher, exc, reason):
    fetcher = make_fetcher(transport=failing_transport(exc))

    error = await fetch_error(fetcher, "http://feeds.bantin.test/rss")

    assert (error.reason, error.status) == (reason, None)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.invalid/rss", "unsupported URL scheme ftp"),
        ("feeds.bantin.test/rss", "unsupported URL scheme (none)"),
        ("http:///rss", "bad URL"),
        ("http://bad host.test/rss", "bad URL"),
        ("http://feeds.bantin.test:99999/rss", "bad URL"),
        ("http://[::1/rss", "bad URL"),
    ],
)
async def test_unusable_urls(fetcher, url, reason):
    assert (await fetch_error(fetcher, url)).reason == reason


async def test_non_ascii_validators_are_dropped_not_fatal(feed_server, fetcher):
    url = feed_server.serve("/rss", FEED, etag=ETAG)

    result = await fetcher.fetch(url, etag='"phiên-bản-1"', last_modified=LAST_MODIFIED)

    sent = feed_server.requests_to("/rss")[0].headers
    assert "if-none-match" not in sent
    assert sent["if-modified-since"] == LAST_MODIFIED
    assert result.body == FEED


async def test_per_host_limit(feed_server, make_fetcher):
    fetcher = make_fetcher(per_host=2, max_concurrency=10)
    urls = [feed_server.serve(f"/slow{i}", FEED, delay=0.1) for i in range(6)]

    results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))

    assert all(result.body == FEED for result in results)
    assert feed_server.max_in_flight_by_host["127.0.0.1"] == 2


async def test_a_host_slot_is_not_kept_once_its_fetches_are_done(feed_server, make_fetcher):
    """A slot (a semaphore) was kept for every host ever fetched, for the life of the service: the
    article links of a news aggregator reach thousands of hosts a week."""
    fetcher = make_fetcher(per_host=1, max_concurrency=10)
    url = feed_server.serve("/rss", FEED, delay=0.05)
    local = feed_server.url("/rss", host="localhost")

    results = await asyncio.gather(
        *(fetcher.fetch(u) for u in (url, url, local)),
        fetch_error(fetcher, f"http://127.0.0.1:{free_port()}/"),
    )

    assert [r.body for r in results[:3]] == [FEED] * 3
    assert feed_server.max_in_flight_by_host["127.0.0.1"] == 1  # the slot held while it was in use
    assert fetcher._hosts == {}


async def test_overall_limit(feed_server, make_fetcher):
    fetcher = make_fetcher(per_host=10, max_concurrency=3)
    urls = [feed_server.serve(f"/slow{i}", FEED, delay=0.1) for i in range(7)]

    await asyncio.gather(*(fetcher.fetch(url) for url in urls))

    assert feed_server.max_in_flight == 3


async def test_slow_host_does_not_hold_up_other_hosts(feed_server, make_fetcher):
    # Fetches queued for a busy host must not take the overall slots another host needs.
    fetcher = make_fetcher(per_host=1, max_concurrency=2)
    slow_urls = [feed_server.serve(f"/slow{i}", FEED, delay=0.25) for i in range(3)]
    feed_server.serve("/fast", FEED)
    fast_url = feed_server.url("/fast", host="localhost")

    slow = [asyncio.ensure_future(fetcher.fetch(url)) for url in slow_urls]
    await feed_server.wait_for_requests(1)  # the first slow fetch is in; the rest queue behind it
    started = time.monotonic()
    await fetcher.fetch(fast_url)
    fast_took = time.monotonic() - started
    await asyncio.gather(*slow)

    assert fast_took < 0.2
    assert feed_server.max_in_flight_by_host["127.0.0.1"] == 1


async def test_one_failing_source_does_not_break_the_others(feed_server, fetcher):
    good = feed_server.serve("/good", FEED)
    bad = feed_server.serve("/bad", b"", status=500)

    outcomes = await asyncio.gather(fetcher.fetch(bad), fetcher.fetch(good), return_exceptions=True)

    assert isinstance(outcomes[0], FetchError)
    assert outcomes[1].body == FEED
