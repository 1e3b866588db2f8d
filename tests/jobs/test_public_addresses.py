"""A Fetcher with `public_addresses_only` (sources added from a chat) against a real local HTTP server:
no connection to a loopback, private or link-local address, whichever way the address is reached.

The tests have no internet: "the public internet" is a resolver that gives public addresses to a few
names and a connector that takes those addresses to the local server (its 127.0.0.1 port)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpcore
import httpx
import pytest

from jobs.address_guard import (
    PublicAddressesOnly,
    addresses_of,
    families_alternating,
    public_addresses_transport,
)
from jobs.fetch import Fetcher, FetchError
from news.source_address import NOT_PUBLIC

FEED = "<?xml version='1.0'?><rss><channel><title>Tin Cần Thơ</title></channel></rss>".encode()
PUBLIC = "203.0.113.80"  # stands for the public address of the names below
PUBLIC_NAMES = {"tin-can-tho.example.vn": [PUBLIC], "cdn.example.vn": [PUBLIC]}


class PublicInternetStandIn(httpcore.AsyncNetworkBackend):
    """Connects to PUBLIC by connecting to the local feed server; to anything else as it is."""

    def __init__(self, local_port: int) -> None:
        self._real = httpcore.AnyIOBackend()
        self._local_port = local_port

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if host == PUBLIC:
            host, port = "127.0.0.1", self._local_port
        return await self._real.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


def public_for_tests(address: str) -> bool:
    return address == PUBLIC


@pytest.fixture
async def guarded(feed_server, monkeypatch: pytest.MonkeyPatch):
    """A public-addresses-only Fetcher on the stand-in internet: PUBLIC counts as public (it is a
    documentation address), the names above resolve to it, any other name as the system resolves it."""
    monkeypatch.setattr("jobs.address_guard.is_public_address", public_for_tests)
    port = httpx.URL(feed_server.url("/")).port

    async def resolve(host: str, port: int) -> list[str]:
        return PUBLIC_NAMES.get(host) or await addresses_of(host, port)

    backend = PublicAddressesOnly(PublicInternetStandIn(port), resolve)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    fetcher = Fetcher(
        connect_timeout=1, read_timeout=2, transport=public_addresses_transport(limits, backend)
    )
    yield fetcher
    await fetcher.aclose()


async def test_a_public_address_is_fetched(feed_server, guarded: Fetcher):
    feed_server.serve("/rss", FEED)
    port = httpx.URL(feed_server.url("/")).port
    result = await guarded.fetch(f"http://tin-can-tho.example.vn:{port}/rss")
    assert result.body == FEED


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "2130706433",
        "0x7f.1",
        "017700000001",
        "[::ffff:127.0.0.1]",
        "0.0.0.0",
    ],
)
async def test_the_servers_own_addresses_are_refused_unasked(host: str, feed_server, make_fetcher):
    """`localhost` through /etc/hosts, 127.0.0.1 written as one number in decimal, hex or octal: the
    real rule, and a real server that hears nothing."""
    feed_server.serve("/rss", FEED)
    port = httpx.URL(feed_server.url("/")).port
    error = await _fetch_error(make_fetcher(public_addresses_only=True), f"http://{host}:{port}/rss")
    assert error.reason == NOT_PUBLIC
    assert feed_server.requests == []


async def test_a_redirect_to_the_servers_own_address_is_refused(feed_server, guarded: Fetcher):
    feed_server.serve("/rss", FEED)
    feed_server.redirect("/moved", feed_server.url("/rss"), status=302)  # to http://127.0.0.1:PORT/rss
    port = httpx.URL(feed_server.url("/")).port
    error = await _fetch_error(guarded, f"http://tin-can-tho.example.vn:{port}/moved")
    assert error.reason == NOT_PUBLIC
    assert [request.path for request in feed_server.requests] == ["/moved"]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/rss",
        "http://172.16.5.4/rss",
        "http://192.168.1.1/rss",
        "http://[fd00::7]/rss",
        "http://[fe80::1]/rss",
    ],
)
async def test_private_and_link_local_addresses_are_refused_unasked(url: str, make_fetcher):
    """The real rule (no stand-in): the refusal comes before any connection is tried."""
    fetcher = make_fetcher(public_addresses_only=True)
    error = await _fetch_error(fetcher, url)
    assert error.reason == NOT_PUBLIC


async def test_without_the_rule_the_servers_own_address_is_fetched(feed_server, make_fetcher):
    url = feed_server.serve("/rss", FEED)
    assert (await make_fetcher().fetch(url)).body == FEED


@pytest.fixture
async def make_fetcher():
    made: list[Fetcher] = []

    def build(**options) -> Fetcher:
        made.append(Fetcher(connect_timeout=1, read_timeout=2, **options))
        return made[-1]

    yield build
    for fetcher in made:
        await fetcher.aclose()


async def _fetch_error(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url)
    return caught.value


# ---- polls of the sources added from a chat ---------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "allowed", "fetched"),
    [
        ("chat", False, False),  # /addfeed's: public addresses only, as its probe
        ("chat", True, True),
        ("admin", False, True),  # `bantin feeds add` / import-opml on the host: any address
        ("config", False, True),
    ],
)
async def test_a_source_added_from_a_chat_is_polled_on_public_addresses_only(
    origin: str, allowed: bool, fetched: bool, fresh_db, feed_server
):
    """The probe refused 127.0.0.1, but a source whose address later redirected there (or whose name
    came to resolve to it) was polled with no such rule: the server's own network, one poll later."""
    from jobs.poll import make_fetcher, poll_due_sources
    from news.config import Config
    from storage.sources import SourceSpec, add_source

    feed_server.serve("/rss", FEED)
    config = Config()
    config.fetch.allow_private_addresses = allowed
    async with fresh_db.transaction() as session:
        await add_source(
            session, SourceSpec(name="Tin nội bộ", url=feed_server.url("/rss")), _NOW, origin=origin
        )
    async with make_fetcher(config) as fetcher:
        [outcome] = await poll_due_sources(fresh_db, fetcher, config, now=lambda: _NOW)
    assert (outcome.status != "error", len(feed_server.requests)) == (fetched, int(fetched)), outcome
    if not fetched:
        assert outcome.error == NOT_PUBLIC


_NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


# ---- a proxy named by the environment ---------------------------------------------------------------


class ProxyStandIn:
    """A forward proxy on 127.0.0.1 that answers every request itself with FEED (as a proxy that
    reached the address would) and records the request lines it was given."""

    def __init__(self) -> None:
        self.heard: list[bytes] = []

    async def __aenter__(self) -> ProxyStandIn:
        self._server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.heard.append(head.split(b"\r\n", 1)[0])
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%b" % (len(FEED), FEED)
        )
        await writer.drain()
        writer.close()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
@pytest.mark.parametrize(
    ("options", "through_proxy"),
    [
        ({"public_addresses_only": True}, False),  # a source added from a chat: never the proxy
        ({}, True),  # the others: the proxy, which decides where it connects
    ],
    ids=["from a chat", "others"],
)
async def test_a_proxy_from_the_environment_never_carries_a_source_added_from_a_chat(
    variable: str, options: dict, through_proxy: bool, make_fetcher, monkeypatch: pytest.MonkeyPatch
):
    """Through a proxy the address check would be the proxy's, and it makes none: the proxy would
    reach 10.0.0.7 for us. A source added from a chat connects itself, checked, or not at all."""
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with ProxyStandIn() as proxy:
        monkeypatch.setenv(variable, proxy.url)
        fetcher = make_fetcher(**options)
        if through_proxy:
            assert (await fetcher.fetch("http://10.0.0.7/rss")).body == FEED
            assert proxy.heard == [b"GET http://10.0.0.7/rss HTTP/1.1"]
        else:
            assert (await _fetch_error(fetcher, "http://10.0.0.7/rss")).reason == NOT_PUBLIC
            polled = make_fetcher().public_addresses_only()  # as a poll takes it from the shared one
            assert (await _fetch_error(polled, "http://10.0.0.7/rss")).reason == NOT_PUBLIC
            assert proxy.heard == []


# ---- the connect timeout -------------------------------------------------------------------------


class SlowConnects(httpcore.AsyncNetworkBackend):
    """Every connection attempt takes its whole timeout, then fails as a real one does."""

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        await asyncio.sleep(timeout)
        raise httpcore.ConnectTimeout(f"{host} did not answer")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _no_answer(host: str, port: int) -> list[str]:
    await asyncio.Event().wait()  # a resolver that never answers
    return []


async def _three_addresses(host: str, port: int) -> list[str]:
    return [PUBLIC, "203.0.113.81", "203.0.113.82"]


@pytest.mark.parametrize(
    ("resolve", "connects"),
    [(_no_answer, httpcore.AnyIOBackend()), (_three_addresses, SlowConnects())],
    ids=["name never resolves", "three addresses, none answers"],
)
async def test_the_connect_timeout_bounds_resolving_and_every_address_together(
    resolve, connects, monkeypatch: pytest.MonkeyPatch
):
    """Unguarded, httpcore resolves and connects within connect_timeout; guarded, the name was resolved
    with no bound and each address had the whole timeout: a fetch failed only at its total budget,
    as "timeout", holding its slots that long."""
    monkeypatch.setattr("jobs.address_guard.is_public_address", lambda address: address.startswith("203."))
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    transport = public_addresses_transport(limits, PublicAddressesOnly(connects, resolve))
    fetcher = Fetcher(connect_timeout=0.2, read_timeout=1, total_timeout=0.5, transport=transport)
    try:
        error = await _fetch_error(fetcher, "http://tin-can-tho.example.vn/rss")
    finally:
        await fetcher.aclose()
    assert error.reason == "connect timeout"


class FirstAddressDead(PublicInternetStandIn):
    """203.0.113.81 never answers (an IPv6 route that goes nowhere, say); PUBLIC is the feed server."""

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if host == "203.0.113.81":
            await asyncio.sleep(timeout)
            raise httpcore.ConnectTimeout(f"{host} did not answer")
        return await super().connect_tcp(host, port, timeout, local_address, socket_options)


async def test_an_address_that_does_not_answer_gives_way_to_the_next(feed_server, monkeypatch):
    """A timeout on the first address ended the fetch; a connection by name (httpcore's) goes on to
    the next address, as a refused one did here."""
    monkeypatch.setattr("jobs.address_guard.is_public_address", lambda address: address.startswith("203."))
    feed_server.serve("/rss", FEED)
    port = httpx.URL(feed_server.url("/")).port

    async def resolve(host: str, port: int) -> list[str]:
        return ["203.0.113.81", PUBLIC]

    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    backend = PublicAddressesOnly(FirstAddressDead(port), resolve)
    fetcher = Fetcher(
        connect_timeout=0.4, read_timeout=2, transport=public_addresses_transport(limits, backend)
    )
    try:
        result = await fetcher.fetch(f"http://tin-can-tho.example.vn:{port}/rss")
    finally:
        await fetcher.aclose()
    assert result.body == FEED


@pytest.mark.parametrize(
    ("resolved", "tried"),
    [
        (["2001:db8::1", "2001:db8::2", "203.0.113.1"], ["2001:db8::1", "203.0.113.1", "2001:db8::2"]),
        (["203.0.113.1", "203.0.113.2", "2001:db8::1"], ["203.0.113.1", "2001:db8::1", "203.0.113.2"]),
        (["203.0.113.1", "203.0.113.2"], ["203.0.113.1", "203.0.113.2"]),
        (["2001:db8::1"], ["2001:db8::1"]),
        ([], []),
    ],
)
def test_addresses_are_tried_with_the_families_taking_turns(resolved: list[str], tried: list[str]):
    assert families_alternating(resolved) == tried
