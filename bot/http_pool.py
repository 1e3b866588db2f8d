"""Kept-alive HTTP/1.1 connections to one origin for small POSTs: h11 speaks the protocol, asyncio
streams carry it (TLS for https), each connection serves one request at a time.

Why not httpx: at 1000 sends/s its pool (httpcore) costs ~0.7 ms of CPU per request, ~2 ms with 30
connections, because it checks every connection for every request. Here a request takes an idle
connection from a free list (or opens one) and puts it back after the answer: ~0.1 ms.

Error texts name the origin, never the request's path: a bot token is in it.
"""

from __future__ import annotations

import asyncio
import base64
import select
import ssl
import urllib.request
from urllib.parse import unquote, urlsplit

import h11

from news import __version__

DEFAULT_PORTS = {"http": 80, "https": 443}
READ_SIZE = 65_536
WRITE_HIGH_WATER = 65_536  # wait for the socket to take our bytes only past this much buffered


class RequestFailed(Exception):
    """No HTTP answer came back. `sent` is False only when the request certainly never left (no
    connection could be made); otherwise it may have reached the server and been acted on."""

    def __init__(self, reason: str, *, sent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent


def proxy_from_environment(origin: str) -> str | None:
    """The proxy the environment names for `origin` (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, minus NO_PROXY),
    as httpx, and so python-telegram-bot, would use it."""
    split = urlsplit(origin)
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(split.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(split.hostname or "", proxies):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


class _ClosedBeforeAnswer(Exception):
    """The server closed the connection before sending a byte of its answer."""


class _Connection:
    __slots__ = ("reader", "writer", "protocol", "_readable")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.protocol = h11.Connection(h11.CLIENT)
        self._readable = select.poll()
        self._readable.register(writer.get_extra_info("socket").fileno(), select.POLLIN)

    def idle_and_open(self) -> bool:
        """Ready for a request: the last exchange ended cleanly and the server has not hung up.

        A server closing an idle connection leaves its FIN in our socket before the event loop has
        read it: an idle socket that is readable (end of file, or bytes nobody asked for) is done."""
        return (
            self.protocol.our_state is h11.IDLE
            and not self.reader.at_eof()
            and not self.writer.transport.is_closing()
            and not self._readable.poll(0)
        )

    async def exchange(self, request: h11.Request, body: bytes) -> tuple[int, bytes]:
        """Send one request, return (status, body). The connection is idle again afterwards if both
        sides keep it alive (`idle_and_open`)."""
        protocol, writer = self.protocol, self.writer
        writer.write(
            protocol.send(request) + protocol.send(h11.Data(data=body)) + protocol.send(h11.EndOfMessage())
        )
        if writer.transport.get_write_buffer_size() > WRITE_HIGH_WATER:
            await writer.drain()
        status, chunks, answered = 0, [], False
        while True:
            event = protocol.next_event()
            if event is h11.NEED_DATA:
                try:
                    data = await self.reader.read(READ_SIZE)
                except ConnectionError:
                    if answered:
                        raise
                    raise _ClosedBeforeAnswer from None
                if not data and not answered:
                    raise _ClosedBeforeAnswer
                answered = True
                protocol.receive_data(data)  # b"" tells h11 the server hung up
                continue
            kind = type(event)
            if kind is h11.Response:
                status = event.status_code
            elif kind is h11.Data:
                chunks.append(event.data)
            elif kind is h11.EndOfMessage:
                break
            elif kind is h11.ConnectionClosed:
                raise h11.RemoteProtocolError("connection closed before the answer ended")
            # InformationalResponse (1xx): the final answer follows.
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
        return status, b"".join(chunks)

    def close(self) -> None:
        self.writer.close()


class ConnectionPool:
    """POSTs to one origin (`scheme://host[:port]`) over kept-alive connections.

    At most one request per connection; as many connections as requests in flight (the caller bounds
    those), of which `max_idle` are kept between requests. `connect_timeout` bounds making a
    connection (TLS and a proxy's tunnel included), `timeout` the rest of one exchange: writing the
    request and reading the whole answer. `proxy` (http://[user:password@]host:port) is reached with
    CONNECT, for http and https origins alike."""

    def __init__(
        self,
        origin: str,
        *,
        timeout: float = 20.0,
        connect_timeout: float | None = None,
        max_idle: int = 64,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | None = None,
    ) -> None:
        split = urlsplit(origin)
        if split.scheme not in DEFAULT_PORTS or not split.hostname:
            raise ValueError("the origin must be http://host[:port] or https://host[:port]")
        self.scheme, self.host = split.scheme, split.hostname
        self.port = split.port or DEFAULT_PORTS[split.scheme]
        self.timeout = timeout
        self.connect_timeout = timeout if connect_timeout is None else connect_timeout
        self.max_idle = max_idle
        self.ssl_context = (ssl_context or ssl.create_default_context()) if split.scheme == "https" else None
        host_header = self.host if split.port is None else f"{self.host}:{self.port}"
        self._headers = [
            ("Host", host_header),
            ("User-Agent", f"bantin/{__version__}"),
            ("Content-Type", "application/json"),
        ]
        self._proxy = urlsplit(proxy) if proxy else None
        if self._proxy is not None and (self._proxy.scheme != "http" or not self._proxy.hostname):
            raise ValueError("only http://host:port proxies are supported (CONNECT)")
        self._idle: list[_Connection] = []
        self._closed = False
        self.connections_opened = 0

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def __repr__(self) -> str:
        return f"ConnectionPool({self.origin!r}, idle={len(self._idle)})"

    async def post(self, target: str, body: bytes) -> tuple[int, bytes]:
        """POST `body` (JSON) to `target` (the path); (status, body) of the answer, whatever the status.
        Raises `RequestFailed`; its text never holds `target`."""
        request = h11.Request(
            method="POST", target=target, headers=[*self._headers, ("Content-Length", str(len(body)))]
        )
        connection = self._take_idle() or await self._connect()
        return await self._exchange(connection, request, body)

    async def aclose(self) -> None:
        """Close the idle connections now and the busy ones when their exchange ends."""
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        for connection in idle:
            try:
                await asyncio.wait_for(connection.writer.wait_closed(), timeout=1.0)
            except (OSError, TimeoutError):
                pass  # closing anyway

    # ---- one request ------------------------------------------------------------------------------

    def _take_idle(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.idle_and_open():
                return connection
            connection.close()
        return None

    async def _connect(self) -> _Connection:
        if self._closed:
            raise RequestFailed("the connection pool is closed", sent=False)
        try:
            async with asyncio.timeout(self.connect_timeout):
                if self._proxy is None:
                    reader, writer = await asyncio.open_connection(
                        self.host,
                        self.port,
                        ssl=self.ssl_context,
                        server_hostname=self.host if self.ssl_context else None,
                        limit=READ_SIZE,
                    )
                else:
                    reader, writer = await self._tunnel()
        except TimeoutError:
            raise RequestFailed(
                f"could not connect to {self.origin} within {self.connect_timeout:g} s", sent=False
            ) from None
        except (OSError, EOFError, asyncio.LimitOverrunError) as exc:  # refused, DNS, TLS, the proxy
            raise RequestFailed(f"could not connect to {self.origin}: {exc!r}", sent=False) from None
        self.connections_opened += 1
        return _Connection(reader, writer)

    async def _tunnel(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection through the proxy (CONNECT), then TLS to the origin inside it for https."""
        proxy = self._proxy
        assert proxy is not None and proxy.hostname
        reader, writer = await asyncio.open_connection(proxy.hostname, proxy.port or 80, limit=READ_SIZE)
        try:
            authority = f"{self.host}:{self.port}"
            head = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n"
            if proxy.username is not None:
                credentials = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
                head += f"Proxy-Authorization: Basic {base64.b64encode(credentials.encode()).decode()}\r\n"
            writer.write(head.encode() + b"\r\n")
            answer = await reader.readuntil(b"\r\n\r\n")
            status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
            if status_line.split(" ")[1:2] != ["200"]:
                raise ConnectionRefusedError(f"the proxy {proxy.hostname} answered {status_line!r}")
            if self.ssl_context is not None:
                await writer.start_tls(self.ssl_context, server_hostname=self.host)
        except BaseException:
            writer.close()
            raise
        return reader, writer

    async def _exchange(
        self, connection: _Connection, request: h11.Request, body: bytes
    ) -> tuple[int, bytes]:
        """One exchange; the connection goes back to the free list only if it ended cleanly."""
        reusable = False
        try:
            async with asyncio.timeout(self.timeout):
                answer = await connection.exchange(request, body)
            reusable = connection.protocol.our_state is h11.IDLE  # both sides kept it alive
            return answer
        except TimeoutError:
            raise RequestFailed(
                f"no answer from {self.origin} within {self.timeout:g} s", sent=True
            ) from None
        except _ClosedBeforeAnswer:
            # Even on a kept-alive connection: the server may have acted on the request before closing
            # (a lost reply), so this is not retried here but left to the outbox as ambiguous.
            raise RequestFailed(f"{self.origin} closed the connection without answering", sent=True) from None
        except (OSError, h11.ProtocolError) as exc:
            raise RequestFailed(f"{self.origin} broke the exchange: {exc!r}", sent=True) from None
        finally:
            if reusable and not self._closed and len(self._idle) < self.max_idle:
                self._idle.append(connection)
            else:
                connection.close()
