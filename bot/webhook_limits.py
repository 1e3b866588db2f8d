"""Bounds on what the webhook server reads from one request.

Telegram's updates are a few kilobytes. python-telegram-bot's webhook server (tornado) reads a body
of up to 100 MB before its handler checks the secret token, and waits up to an hour on a connection
that stalls, so anyone who can reach the port could hold the bot's memory and sockets. The library
builds its HTTPServer itself: the bounds are set as tornado's defaults for every HTTPServer of the
process (the health server's requests have no body, and are not slowed by them).

A request whose headers are past tornado's bound (64 KB) had its connection closed without a word
(a proxy in front answers 502, and nothing said why): the webhook's HTTPServer reads a request's
head itself, within the same bound, and answers 431 in JSON. The library names the class it builds
in its webhookhandler module, with no parameter to choose another: `bound_webhook_requests` replaces
that name, as `use_bantin_webhook_handler` replaces its web app's.

tornado also gave a head as long to arrive as a kept-alive connection may wait for its next request
(300 s): a client sending its headers a byte now and then, or nothing at all, held a socket each for
five minutes. The first byte of a new connection's request and the rest of any head, once begun, get
HEAD_TIMEOUT (then 408, or a close when nothing came); a kept-alive connection waits IDLE_TIMEOUT.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
from http import HTTPStatus
from typing import Any

import tornado.httpserver
from telegram.ext._utils import webhookhandler as ptb_webhookhandler
from tornado.http1connection import HTTP1ServerConnection
from tornado.httpserver import _HTTPRequestContext
from tornado.iostream import IOStream, StreamClosedError

log = logging.getLogger("bantin.webhook")

MAX_UPDATE_BYTES = 1 << 20  # larger than any update; a longer Content-Length is answered 400 unread
BODY_TIMEOUT = 30.0  # seconds for a body to arrive once its headers have
IDLE_TIMEOUT = 300.0  # seconds a kept-alive connection may wait for its next request
HEAD_TIMEOUT = 15.0  # seconds for a request's head to arrive once its first byte has
MAX_HEAD_BYTES = 64 * 1024  # a request's line and headers: tornado's own bound, far past Telegram's
# The blank lines a client may send before a request (tornado drops them) and the request's first
# byte; or the first MAX_HEAD_BYTES + 1 bytes of a flood of blank lines.
FIRST_BYTE_OR_PAST_BOUND = re.compile(rb"\A[\r\n]*?[^\r\n]|\A[\r\n]{%d}" % (MAX_HEAD_BYTES + 1))
LINGER_SECONDS = 2.0  # after a refusal, how long what the client still sends is read and dropped
LINGER_BYTES = 1 << 20

BOUNDS: dict[str, Any] = {
    "max_body_size": MAX_UPDATE_BYTES,
    "body_timeout": BODY_TIMEOUT,
    "idle_connection_timeout": IDLE_TIMEOUT,
}


def bound_webhook_requests() -> None:
    tornado.httpserver.HTTPServer.configure(None, **BOUNDS)
    if not hasattr(ptb_webhookhandler, "HTTPServer"):  # a library version that builds its server otherwise
        raise RuntimeError("python-telegram-bot's webhookhandler has no HTTPServer to replace")
    ptb_webhookhandler.HTTPServer = WebhookHTTPServer


def json_refusal(status: HTTPStatus) -> bytes:
    """A whole HTTP answer refusing a request, worded as the Bot API words its errors, for a request
    refused before tornado's web app sees it; the connection is closed after it."""
    body = json.dumps({"ok": False, "error_code": status.value, "description": status.phrase}).encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        'Content-Type: application/json; charset="utf-8"\r\n'
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class WebhookHTTPServer(tornado.httpserver.HTTPServer):
    """tornado's HTTPServer with the bounds above, whose connections read a request's head within
    MAX_HEAD_BYTES themselves."""

    def initialize(self, *args: Any, **kwargs: Any) -> None:
        # Built as a class of its own, it is not given the defaults `configure` set for HTTPServer.
        super().initialize(*args, **{**BOUNDS, **kwargs})

    def handle_stream(self, stream: IOStream, address: tuple) -> None:
        """tornado's, with the connection reading from a HeadBoundStream."""
        context = _HTTPRequestContext(stream, address, self.protocol, self.trusted_downstream)
        conn = HTTP1ServerConnection(HeadBoundStream(stream), self.conn_params, context)  # type: ignore[arg-type]
        self._connections.add(conn)
        conn.start_serving(self)


# What tornado's HTTP1Connection writes when it cannot read a request (a Content-Length that is no
# number or past max_body_size, a Transfer-Encoding other than chunked, a broken chunk, a header line
# without a colon): no JSON, no length, even after the handler has answered; it closes after it.
TORNADO_CANNOT_READ = b"HTTP/1.1 400 Bad Request\r\n\r\n"


class HeadBoundStream:
    """A connection's IOStream as tornado's HTTP1Connection uses it, but for the one read it makes of
    a request's head (`read_until_regex`): that read stops at MAX_HEAD_BYTES instead of failing at
    tornado's bound, which closes the stream before anything can be answered on it. And tornado's
    bare 400 is written as a JSON refusal, or not at all when the request has had its answer."""

    def __init__(self, stream: IOStream) -> None:
        self._stream = stream
        self._answered = False  # whether anything was written since the request's head was read
        self._heads = 0  # the requests whose head was read on this connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def write(self, data: bytes | memoryview) -> asyncio.Future[None]:
        if data == TORNADO_CANNOT_READ:
            return self._cannot_read()
        if bytes(data[:13]) != b"HTTP/1.1 100 ":  # "100 Continue" comes before the answer
            self._answered = True
        return self._stream.write(data)

    def _cannot_read(self) -> asyncio.Future[None]:
        if self._answered:  # the handler refused it from its headers: that is the answer
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        log.warning("webhook request refused (400), tornado cannot read it as HTTP/1.1")
        self._answered = True
        return self._stream.write(json_refusal(HTTPStatus.BAD_REQUEST))

    def read_until_regex(self, regex: bytes, max_bytes: int | None = None) -> asyncio.Future[bytes]:
        return asyncio.ensure_future(self._head(regex))

    async def _head(self, end_of_head: bytes) -> bytes:
        start = await self._start_of_head()
        head = start if len(start) > MAX_HEAD_BYTES else start + await self._rest_of_head(end_of_head, start)
        self._answered = False
        self._heads += 1
        if len(head) > MAX_HEAD_BYTES:
            log.warning("webhook request refused (431), its headers are past %d KB", MAX_HEAD_BYTES // 1024)
            await answer_and_close(self._stream, json_refusal(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE))
            raise StreamClosedError()
        return head

    async def _start_of_head(self) -> bytes:
        """The blank lines a client may send before a request (tornado drops them) and its first byte:
        within tornado's header timeout (IDLE_TIMEOUT) on a kept-alive connection, within HEAD_TIMEOUT
        on a new one (a client connects to send a request; one that sends nothing is closed)."""
        reading = self._stream.read_until_regex(FIRST_BYTE_OR_PAST_BOUND)
        if self._heads:
            return await reading
        try:  # shielded: a stream's read cannot be cancelled (the next one fails "Already reading")
            return await asyncio.wait_for(asyncio.shield(reading), HEAD_TIMEOUT)
        except TimeoutError:
            log.debug("webhook connection closed: no request in %g s", HEAD_TIMEOUT)
            self._stream.close()
            with contextlib.suppress(StreamClosedError):
                await reading  # closed: its StreamClosedError, retrieved
            raise StreamClosedError() from None

    async def _rest_of_head(self, end_of_head: bytes, start: bytes) -> bytes:
        """The head after `start`, up to its end or to MAX_HEAD_BYTES + 1 bytes in all, within
        HEAD_TIMEOUT; else a 408 and the connection closed."""
        rest_bound = MAX_HEAD_BYTES + 1 - len(start)
        rest_or_past_bound = re.compile(rb"\A[\s\S]*?(?:%b)|\A[\s\S]{%d}" % (end_of_head, rest_bound))
        reading = self._stream.read_until_regex(rest_or_past_bound)
        try:  # shielded: a stream's read cannot be cancelled (the next one fails "Already reading")
            return await asyncio.wait_for(asyncio.shield(reading), HEAD_TIMEOUT)
        except TimeoutError:
            log.warning("webhook request refused (408), its headers took over %g s", HEAD_TIMEOUT)
            await answer_and_close(self._stream, json_refusal(HTTPStatus.REQUEST_TIMEOUT), reading)
            raise StreamClosedError() from None


async def answer_and_close(
    stream: IOStream, answer: bytes, reading: asyncio.Future[bytes] | None = None
) -> None:
    """Send `answer`, then close, reading what the client still sends for a moment: a socket closed
    with unread bytes resets the connection, and the client may lose the answer with it. `reading`:
    a read of the stream still under way, waited for first."""
    try:
        await stream.write(answer)
        stream.socket.shutdown(socket.SHUT_WR)
        await asyncio.wait_for(_drop_until_closed(stream, reading), LINGER_SECONDS)
    except (StreamClosedError, OSError, TimeoutError):
        pass
    finally:
        stream.close()


async def _drop_until_closed(stream: IOStream, reading: asyncio.Future[bytes] | None) -> None:
    dropped = len(await reading) if reading is not None else 0
    while dropped < LINGER_BYTES:
        dropped += len(await stream.read_bytes(64 * 1024, partial=True))
