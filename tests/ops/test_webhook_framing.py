"""The webhook server fed requests at the HTTP level (real sockets on 127.0.0.1): heads past the bound,
framing tornado cannot read; each is answered once, in JSON, with one log line."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot.standin import BotApiStandIn
from news.config import Config
from tests.ops.conftest import ops_config
from tests.ops.test_logging import root_log_captured
from tests.ops.test_service_in_process import SECRET, USER, webhook_bot
from tests.ops.test_webhook_input import SECRET_HEADER, message


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    """No sources: nothing but the requests of the test happens."""
    return ops_config(sqlite_url, standin)


async def _raw_exchange(url: str, request: bytes) -> bytes:
    """All the server answers to `request`, sent as it is, until it closes the connection (b"" when it
    closes without a word)."""
    address = httpx.URL(url)
    reader, writer = await asyncio.open_connection(address.host, address.port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()


def _post(url: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    address = httpx.URL(url)
    lines = [f"POST {address.path} HTTP/1.1", f"Host: {address.host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


def _status_and_json(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


@pytest.mark.parametrize(
    ("extra_headers", "status"),
    [
        ([("X-Note", "a" * 70_000)], 431),  # one header past 64 KB
        ([(f"X-Note-{n}", "ghi chú") for n in range(6_000)], 431),  # many small ones, 100 KB in all
        ([("X-Note", "a" * 60_000)], 200),  # under the bound
    ],
    ids=["one long", "many", "under"],
)
async def test_headers_past_64_kb_are_answered_431_in_one_line(
    extra_headers: list[tuple[str, str]], status: int, config: Config, standin: BotApiStandIn
):
    """tornado closed the connection without a word: a proxy in front answered 502, and nothing was
    logged to say why."""
    update = json.dumps({"update_id": 57, "message": message()}).encode()
    headers = [("Content-Type", "application/json"), (SECRET_HEADER, SECRET), *extra_headers]
    with root_log_captured("INFO") as stream:
        async with webhook_bot(config) as (_services, url):
            answer = await _raw_exchange(url, _post(url, headers, update))
            standin.user_sends(USER, "/help")
            await standin.wait_for_messages(USER, 1)  # and the bot goes on answering
    refused = [line for line in stream.getvalue().splitlines() if "refused (431)" in line]
    if status == 431:
        assert _status_and_json(answer) == (
            431,
            {"ok": False, "error_code": 431, "description": "Request Header Fields Too Large"},
        )
        assert len(refused) == 1 and " WARNING " in refused[0] and len(refused[0]) < 400, refused
    else:
        assert answer.startswith(b"HTTP/1.1 200 ") and not refused


def _head(url: str, headers: list[tuple[str, str]]) -> bytes:
    address = httpx.URL(url)
    lines = [f"POST {address.path} HTTP/1.1", f"Host: {address.host}"]
    return "\r\n".join([*lines, *(f"{name}: {value}" for name, value in headers), "", ""]).encode()


JSON_AND_SECRET = [("Content-Type", "application/json"), (SECRET_HEADER, SECRET)]


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ([*JSON_AND_SECRET, ("Content-Length", "abc")], b"{}"),
        ([*JSON_AND_SECRET, ("Content-Length", "2"), ("Content-Length", "3")], b"{}"),
        ([*JSON_AND_SECRET, ("Content-Length", str(50 * 1024 * 1024))], b""),
        ([*JSON_AND_SECRET, ("Transfer-Encoding", "gzip, chunked")], b"2\r\n{}\r\n0\r\n\r\n"),
        ([*JSON_AND_SECRET, ("Transfer-Encoding", "chunked"), ("Content-Length", "2")], b"{}"),
        ([*JSON_AND_SECRET, ("Transfer-Encoding", "chunked")], b"zz\r\n{}\r\n0\r\n\r\n"),
        ([*JSON_AND_SECRET, ("Transfer-Encoding", "chunked")], b"200000\r\n"),  # a 2 MB chunk announced
        ([*JSON_AND_SECRET, ("Content-Length", "2"), ("X Note", "ghi chú")], b"{}"),  # a space in a name
    ],
    ids=[
        "length not a number",
        "two lengths",
        "length past 1 MB",
        "gzip transfer",
        "chunked and length",
        "chunk size not hex",
        "chunk past 1 MB",
        "bad header name",
    ],
)
async def test_a_request_tornado_cannot_read_is_refused_400_in_json_in_one_line(
    headers: list[tuple[str, str]], body: bytes, config: Config, standin: BotApiStandIn
):
    """tornado answered such a request with a bare "400 Bad Request" (no JSON, no length) and logged
    it at INFO only."""
    with root_log_captured("INFO") as stream:
        async with webhook_bot(config) as (_services, url):
            answer = await _raw_exchange(url, _head(url, headers) + body)
            standin.user_sends(USER, "/help")
            await standin.wait_for_messages(USER, 1)  # and the bot goes on answering
    refused = [line for line in stream.getvalue().splitlines() if "refused (400)" in line]
    assert _status_and_json(answer) == (400, {"ok": False, "error_code": 400, "description": "Bad Request"})
    assert len(refused) == 1 and " WARNING " in refused[0] and len(refused[0]) < 400, refused


async def test_a_refusal_from_the_headers_is_the_only_answer(config: Config):
    """A wrong secret with a body past 1 MB announced: the 403, and no second answer after it."""
    headers = [("Content-Type", "application/json"), (SECRET_HEADER, "wrong")]
    async with webhook_bot(config) as (_services, url):
        answer = await _raw_exchange(url, _head(url, [*headers, ("Content-Length", str(50 * 1024 * 1024))]))
    assert answer.count(b"HTTP/1.1 ") == 1
    assert _status_and_json(answer)[0] == 403
