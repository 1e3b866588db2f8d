"""A webhook request whose head comes slowly (slowloris) is cut after HEAD_TIMEOUT, answered 408 in
JSON; a kept-alive connection waiting for its next request is not (that wait is IDLE_TIMEOUT's).
The bound is made short for the test: the server's clock is real, nothing waits for long."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot import webhook_limits
from bot.standin import BotApiStandIn
from news.config import Config
from tests.ops.conftest import ops_config
from tests.ops.test_logging import root_log_captured
from tests.ops.test_service_in_process import SECRET, USER, webhook_bot
from tests.ops.test_webhook_input import SECRET_HEADER, message

HEAD_TIMEOUT = 0.3  # seconds, for the test


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setattr(webhook_limits, "HEAD_TIMEOUT", HEAD_TIMEOUT)
    return ops_config(sqlite_url, standin)


def _head(url: str, *, keep_alive: bool, body: bytes) -> bytes:
    address = httpx.URL(url)
    lines = [
        f"POST {address.path} HTTP/1.1",
        f"Host: {address.host}",
        "Content-Type: application/json",
        f"{SECRET_HEADER}: {SECRET}",
        f"Content-Length: {len(body)}",
    ]
    if not keep_alive:
        lines.append("Connection: close")
    return "\r\n".join([*lines, "", ""]).encode()


def _update(update_id: int) -> bytes:
    return json.dumps({"update_id": update_id, "message": message()}).encode()


async def _answer(reader: asyncio.StreamReader) -> bytes:
    """One answer: its head and its Content-Length bytes of body."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head + await asyncio.wait_for(reader.readexactly(length), timeout=10)


@pytest.mark.parametrize(
    "sent",
    [
        "POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # the request line and one header, then nothing
        "P",  # one byte of the request line
    ],
    ids=["some headers", "one byte"],
)
async def test_a_head_that_stops_coming_is_answered_408_and_closed(
    sent: str, config: Config, standin: BotApiStandIn
):
    """tornado waited up to idle_connection_timeout (300 s) for the rest of a head: a few hundred
    such connections, a byte now and then, held the webhook's sockets."""
    with root_log_captured("INFO") as stream:
        async with webhook_bot(config) as (_services, url):
            address = httpx.URL(url)
            reader, writer = await asyncio.open_connection(address.host, address.port)
            try:
                writer.write(sent.encode())
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(), timeout=10)  # until the server closes
            finally:
                writer.close()
            standin.user_sends(USER, "/help")
            await standin.wait_for_messages(USER, 1)  # and the bot goes on answering
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert json.loads(body) == {"ok": False, "error_code": 408, "description": "Request Timeout"}
    refused = [line for line in stream.getvalue().splitlines() if "refused (408)" in line]
    assert len(refused) == 1 and " WARNING " in refused[0], refused
    assert " ERROR " not in stream.getvalue()


async def test_a_kept_alive_connection_waits_past_the_head_bound_for_its_next_request(config: Config):
    async with webhook_bot(config) as (_services, url):
        address = httpx.URL(url)
        reader, writer = await asyncio.open_connection(address.host, address.port)
        try:
            writer.write(_head(url, keep_alive=True, body=_update(71)) + _update(71))
            first = await _answer(reader)
            await asyncio.sleep(3 * HEAD_TIMEOUT)  # idle, between two requests: not a slow head
            writer.write(_head(url, keep_alive=False, body=_update(72)) + _update(72))
            second = await asyncio.wait_for(reader.read(), timeout=10)
        finally:
            writer.close()
    assert first.startswith(b"HTTP/1.1 200 ") and second.startswith(b"HTTP/1.1 200 ")


async def test_blank_lines_past_the_head_bound_are_answered_431(config: Config):
    """Blank lines before a request are allowed (tornado drops them), but not without end: past 64 KB
    they are a head too large, answered as one."""
    with root_log_captured("INFO") as stream:
        async with webhook_bot(config) as (_services, url):
            address = httpx.URL(url)
            reader, writer = await asyncio.open_connection(address.host, address.port)
            try:
                writer.write(b"\r\n" * 40_000)
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(), timeout=10)
            finally:
                writer.close()
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert " ERROR " not in stream.getvalue()


async def test_a_new_connection_that_sends_nothing_is_closed_after_the_head_bound(config: Config):
    """A connection that never sent a request waited IDLE_TIMEOUT (300 s) like a kept-alive one:
    sockets opened and left silent held the port's connections as a slow head did."""
    with root_log_captured("INFO") as stream:
        async with webhook_bot(config) as (_services, url):
            address = httpx.URL(url)
            reader, writer = await asyncio.open_connection(address.host, address.port)
            try:
                answer = await asyncio.wait_for(reader.read(), timeout=10)  # until the server closes
            finally:
                writer.close()
    assert answer == b""
    assert " ERROR " not in stream.getvalue() and "never retrieved" not in stream.getvalue()
