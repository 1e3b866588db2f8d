"""A local HTTP feed server on 127.0.0.1 for tests and benchmarks (tornado, in the caller's event loop).

Routes are registered at run time (`serve`, `redirect`, `gzip_bomb`, `oversize`, `slow`); it answers
conditional GETs like a real server (If-None-Match first, then If-Modified-Since), logs every request,
and counts requests in flight overall and per host.

Standalone (e.g. for a benchmark in another process):
    python tests/feedserver.py --sources 2000 --items 50 --port 8765
serves /feeds/0.xml ... /feeds/1999.xml, each an RSS feed with an ETag and Last-Modified.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip as gzip_module
import zlib
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from xml.sax.saxutils import escape

import tornado.httpserver
import tornado.httputil
import tornado.iostream
import tornado.netutil
import tornado.web

STREAM_CHUNK = 64 * 1024
RSS = "application/rss+xml; charset=utf-8"


@dataclass
class Route:
    body: bytes = b""
    content_type: str | None = RSS
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0
    drip: tuple[int, float] | None = None  # (bytes per chunk, seconds between chunks)
    stream_zeros: int | None = None  # stream this many bytes, no Content-Length
    precompressed: bool = False  # body is already gzip'd (gzip bombs)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names

    @property
    def host(self) -> str:
        return self.headers.get("host", "").rsplit(":", 1)[0]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[LoggedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_by_host: Counter[str] = Counter()
        self.max_in_flight_by_host: Counter[str] = Counter()
        self.port = 0
        self._server: tornado.httpserver.HTTPServer | None = None
        self._stopping = asyncio.Event()
        self._arrived = asyncio.Condition()

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self, port: int = 0) -> FeedServer:
        app = tornado.web.Application([(r"/.*", _RouteHandler, {"feeds": self})])
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app, xheaders=False)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in delay/drip/slow
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None

    async def __aenter__(self) -> FeedServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    # -- routes ----------------------------------------------------------------------------------
    def serve(
        self,
        path: str,
        body: bytes,
        content_type: str | None = RSS,
        etag: str | None = None,
        last_modified: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        gzip: bool = False,
        delay: float = 0.0,
        drip: tuple[int, float] | None = None,
    ) -> str:
        self.routes[path] = Route(
            body=body,
            content_type=content_type,
            status=status,
            headers=dict(headers or {}),
            etag=etag,
            last_modified=last_modified,
            gzip=gzip,
            delay=delay,
            drip=drip,
        )
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        self.routes[path] = Route(status=status, headers={"Location": to}, content_type=None)
        return self.url(path)

    def gzip_bomb(self, path: str, decompressed_size: int) -> str:
        self.routes[path] = Route(
            body=_gzipped_zeros(decompressed_size),
            content_type=RSS,
            headers={"Content-Encoding": "gzip"},
            precompressed=True,
        )
        return self.url(path)

    def oversize(self, path: str, size: int) -> str:
        self.routes[path] = Route(stream_zeros=size, content_type=RSS)
        return self.url(path)

    def slow(self, path: str, seconds: float, body: bytes = b"<rss/>") -> str:
        return self.serve(path, body, delay=seconds)

    # -- log queries -----------------------------------------------------------------------------
    def requests_to(self, path: str) -> list[LoggedRequest]:
        return [request for request in self.requests if request.path == path]

    async def wait_for_requests(self, count: int) -> None:
        """Return once `count` requests have arrived (to synchronise tests without sleeps)."""
        async with self._arrived:
            await self._arrived.wait_for(lambda: len(self.requests) >= count)

    # -- used by the handler ---------------------------------------------------------------------
    async def pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops so no handler outlives it."""
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    def entered(self, host: str) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.in_flight_by_host[host] += 1
        self.max_in_flight_by_host[host] = max(self.max_in_flight_by_host[host], self.in_flight_by_host[host])

    def left(self, host: str) -> None:
        self.in_flight -= 1
        self.in_flight_by_host[host] -= 1


class _RouteHandler(tornado.web.RequestHandler):
    def initialize(self, feeds: FeedServer) -> None:
        self.feeds = feeds

    def compute_etag(self) -> None:
        return None  # conditional GET is handled per route below, not by tornado's body hash

    async def get(self) -> None:
        request = LoggedRequest(
            method=self.request.method or "GET",
            path=self.request.path,
            headers={name.lower(): value for name, value in self.request.headers.get_all()},
        )
        self.feeds.requests.append(request)
        async with self.feeds._arrived:
            self.feeds._arrived.notify_all()
        host = request.host
        self.feeds.entered(host)
        try:
            await self._answer(self.feeds.routes.get(self.request.path))
        except tornado.iostream.StreamClosedError:
            pass  # the client gave up (cap reached, timeout): expected in these tests
        finally:
            self.feeds.left(host)

    async def _answer(self, route: Route | None) -> None:
        if route is None:
            self.set_status(404)
            self.finish(b"not found")
            return
        await self.feeds.pause(route.delay)
        self.set_status(route.status)
        for name, value in route.headers.items():
            self.set_header(name, value)
        if route.content_type:
            self.set_header("Content-Type", route.content_type)
        else:
            self.clear_header("Content-Type")
        if route.etag:
            self.set_header("ETag", route.etag)
        if route.last_modified:
            self.set_header("Last-Modified", route.last_modified)
        if route.status == 200 and _not_modified(route, self.request.headers):
            self.set_status(304)
            self.finish()
            return
        if route.stream_zeros is not None:
            await self._stream(route.stream_zeros, STREAM_CHUNK, 0.0)
            return
        body = route.body
        if route.gzip and "gzip" in self.request.headers.get("Accept-Encoding", ""):
            body = gzip_module.compress(body)
            self.set_header("Content-Encoding", "gzip")
            self.set_header("Vary", "Accept-Encoding")
        if route.drip is not None:
            await self._stream(len(body), *route.drip, body=body)
            return
        self.finish(body)

    async def _stream(self, size: int, chunk: int, interval: float, body: bytes | None = None) -> None:
        """Send `size` bytes of `body` (zeros if None) in flushed chunks, chunked encoding."""
        sent = 0
        while sent < size:
            piece = bytes(min(chunk, size - sent)) if body is None else body[sent : sent + chunk]
            self.write(piece)
            await self.flush()
            sent += len(piece)
            await self.feeds.pause(interval)
            if self.feeds._stopping.is_set():
                break
        self.finish()


def _not_modified(route: Route, request_headers: tornado.httputil.HTTPHeaders) -> bool:
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        if route.etag is None:
            return False
        wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in wanted or route.etag.removeprefix("W/") in wanted
    if_modified_since = request_headers.get("If-Modified-Since")
    if if_modified_since and route.last_modified:
        try:
            return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


def _gzipped_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes, built a block at a time (50 MB of zeros -> ~50 KB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1_000_000)
    parts = []
    left = size
    while left > 0:
        parts.append(packer.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(packer.flush())
    return b"".join(parts)


def rss_feed(name: str, items: int, base_url: str = "https://bantin.example/") -> bytes:
    """A plain RSS 2.0 feed of `items` entries with Vietnamese titles and ~600-byte descriptions."""
    entries = []
    for index in range(items):
        link = f"{base_url}{name}/bai-{index}.html"
        entries.append(
            "<item>"
            f"<title>{escape(name)}: Tin số {index} về giao thông và thời tiết</title>"
            f"<link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{formatdate(1_700_000_000 - index * 3600, usegmt=True)}</pubDate>"
            f"<description>{escape('Nội dung bản tin thử nghiệm, mưa lớn ở miền Trung. ' * 12)}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>{base_url}{name}/</link><description>Nguồn thử</description>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


def serve_synthetic_feeds(server: FeedServer, sources: int, items: int) -> None:
    stamp = formatdate(1_700_000_000, usegmt=True)
    for index in range(sources):
        server.serve(
            f"/feeds/{index}.xml",
            rss_feed(f"nguon-{index}", items),
            etag=f'"v1-{index}"',
            last_modified=stamp,
        )


async def _serve_forever(port: int, sources: int, items: int) -> None:
    server = FeedServer()
    serve_synthetic_feeds(server, sources, items)
    await server.start(port)
    print(f"serving {sources} feeds on {server.url('/feeds/0.xml')}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(_serve_forever(args.port, args.sources, args.items))


if __name__ == "__main__":
    main()
