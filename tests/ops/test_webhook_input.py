"""Webhook mode fed requests Telegram would never send, with the right secret (real HTTP on 127.0.0.1):
each is dropped or refused in one log line, and the bot goes on answering."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

import httpx
import pytest

from bot.standin import BotApiStandIn
from news.config import Config
from tests.ops.conftest import ops_config
from tests.ops.test_logging import root_log_captured
from tests.ops.test_service_in_process import SECRET, USER, webhook_bot

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    """No sources: nothing but the requests of the test happens."""
    return ops_config(sqlite_url, standin)


def message(**changes) -> dict:
    base = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": USER, "type": "private"},
        "from": {"id": USER, "is_bot": False, "first_name": "Lan"},
        "text": "xin chào",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": "abc", "message": message()},
        {"update_id": None, "message": message()},
        {"update_id": -5, "message": message()},
        {"update_id": 2**63, "message": message()},  # past PostgreSQL's bigint
        {"update_id": 10**30, "message": message()},  # past SQLite's integer
        {"update_id": 1.5, "message": message()},
        {"update_id": 41, "message": message(chat=None)},  # no chat: every handler's filter failed on it
    ],
    ids=["id text", "id null", "id negative", "id 2**63", "id 10**30", "id float", "message without chat"],
)
async def test_an_update_telegram_could_not_send_is_dropped_in_one_line(
    update: dict, config: Config, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
):
    """The deduplication's insert failed on such an update_id (or the filters on a chat-less message):
    the error handler logged a traceback, told the user "something went wrong" and the admins, and the
    update was then handled anyway, past the deduplication."""
    config.telegram.admins = [USER]
    async with webhook_bot(config) as (_services, url):
        async with httpx.AsyncClient() as client:
            response = await client.post(url, json=update, headers=HEADERS)
        standin.user_sends(USER, "/help")  # handled after the odd update: updates are taken in order
        await standin.wait_for_messages(USER, 1)
    assert response.status_code == 200  # what Telegram would have to redeliver otherwise
    assert len(standin.messages_for(USER)) == 1  # the /help answer only: no reply, no error notice
    dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].levelno == logging.WARNING and dropped[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "body",
    [[1, 2], 42, None, {"message": message(text="x" * 1_000_000)}],  # the last: no update_id, 1 MB
    ids=["list", "number", "null", "no update_id"],
)
async def test_json_that_is_no_update_is_refused_in_one_short_line(
    body: object, config: Config, standin: BotApiStandIn
):
    """python-telegram-bot logged such a body at CRITICAL, whole (a megabyte of it), with a traceback."""
    with root_log_captured("INFO") as stream:
        async with webhook_bot(config) as (_services, url):
            async with httpx.AsyncClient() as client:
                headers = {**HEADERS, "Content-Type": "application/json"}
                response = await client.post(url, content=json.dumps(body), headers=headers)
            standin.user_sends(USER, "/help")
            await standin.wait_for_messages(USER, 1)  # and the bot goes on answering
    refused = [line for line in stream.getvalue().splitlines() if "refused (400)" in line]
    assert response.status_code == 400
    assert len(refused) == 1 and " WARNING " in refused[0] and len(refused[0]) < 400, refused
    assert "Traceback" not in stream.getvalue()


async def _first_bytes_after_headers(url: str, headers: str) -> bytes:
    """What the server answers to a request's headers alone (its body never sent), or b"" when it
    closes; TimeoutError when it waits for the body."""
    address = httpx.URL(url)
    reader, writer = await asyncio.open_connection(address.host, address.port)
    try:
        writer.write(f"POST {address.path} HTTP/1.1\r\nHost: {address.host}\r\n{headers}\r\n".encode())
        await writer.drain()
        return await asyncio.wait_for(reader.read(64), timeout=5)
    finally:
        writer.close()


@pytest.mark.parametrize(("secret", "status"), [("wrong", b"403"), (SECRET, b"400")])  # the secret first
async def test_a_body_no_update_can_need_is_refused_before_it_is_read(
    secret: str, status: bytes, config: Config
):
    """tornado read up to 100 MB of a request (the secret is checked after) and waited an hour for it."""
    async with webhook_bot(config) as (_services, url):
        headers = (
            f"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {secret}\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n"
        )
        answer = await _first_bytes_after_headers(url, headers)
        assert answer.startswith(b"HTTP/1.1 " + status)


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": 7, "message": ',  # cut short
        b"",
        b'{"update_id": 7, "message": {"text": "xin ch\xe0o"}}',  # Latin-1, not UTF-8
        b"[" * 50_000 + b"]" * 50_000,  # nested deeper than the JSON parser recurses
        b'{"update_id": ' + b"9" * 5_000 + b"}",  # more digits than Python reads as an int
    ],
    ids=["cut short", "empty", "not utf-8", "nested deep", "huge number"],
)
async def test_a_body_that_is_no_json_is_refused_400_in_one_line(
    body: bytes, config: Config, standin: BotApiStandIn
):
    """python-telegram-bot answered 500 (which Telegram redelivers for hours) and logged nothing."""
    with root_log_captured("INFO") as stream:
        async with webhook_bot(config) as (_services, url):
            async with httpx.AsyncClient() as client:
                headers = {**HEADERS, "Content-Type": "application/json"}
                response = await client.post(url, content=body, headers=headers)
            standin.user_sends(USER, "/help")
            await standin.wait_for_messages(USER, 1)  # and the bot goes on answering
    refused = [line for line in stream.getvalue().splitlines() if "refused (400)" in line]
    assert response.status_code == 400
    assert len(refused) == 1 and " WARNING " in refused[0] and len(refused[0]) < 400, refused
    assert "Traceback" not in stream.getvalue()


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.mark.parametrize(
    ("secret_headers", "status"),
    [
        ([SECRET], 200),
        (["webhook-secret_43"], 403),
        ([SECRET[:-1]], 403),
        ([SECRET, SECRET], 403),  # one request, two secrets: which would count?
        (["bí-mật".encode()], 403),  # not ASCII, as no secret is
    ],
    ids=["right", "wrong", "prefix", "twice", "not ascii"],
)
async def test_the_secret_token_is_compared_in_constant_time(
    secret_headers: list, status: int, config: Config, monkeypatch: pytest.MonkeyPatch
):
    """python-telegram-bot compared it with !=, whose time tells how many first characters are right."""
    compared: list[tuple[bytes, bytes]] = []
    compare_digest = hmac.compare_digest

    def spy(given, expected) -> bool:
        compared.append((given, expected))
        return compare_digest(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    update = {"update_id": 51, "message": message(text="/help")}
    async with webhook_bot(config) as (_services, url):
        headers = [("Content-Type", "application/json")] + [(SECRET_HEADER, v) for v in secret_headers]
        async with httpx.AsyncClient() as client:
            response = await client.post(url, content=json.dumps(update), headers=headers)
    assert response.status_code == status
    if len(secret_headers) == 1:
        assert [expected for _given, expected in compared] == [SECRET.encode()]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        'application/json; charset="utf-8"',
        "Application/JSON",
    ],
)
async def test_json_with_its_charset_named_is_taken(
    content_type: str, config: Config, standin: BotApiStandIn
):
    """python-telegram-bot refused anything but the exact "application/json" with 403."""
    standin.chats.add_user(USER, first_name="Lan", language_code="vi")
    standin.chats.add_chat(USER)
    command = message(text="/help", entities=[{"type": "bot_command", "offset": 0, "length": 5}])
    update = {"update_id": 52, "message": command}
    async with webhook_bot(config) as (_services, url):
        headers = {**HEADERS, "Content-Type": content_type}
        async with httpx.AsyncClient() as client:
            response = await client.post(url, content=json.dumps(update), headers=headers)
        await standin.wait_for_messages(USER, 1)  # the /help answer
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("content_types", "secret", "status"),
    [
        (["text/plain"], SECRET, 415),
        (["application/json; charset=iso-8859-1"], SECRET, 415),
        (["application/jsonp"], SECRET, 415),
        ([], SECRET, 415),
        (["application/json", "application/json"], SECRET, 415),
        (["text/plain"], "wrong", 403),  # the secret first: no answer tells a stranger more
    ],
    ids=["text", "latin-1", "jsonp", "none", "twice", "wrong secret"],
)
async def test_a_body_in_another_type_is_refused(
    content_types: list[str], secret: str, status: int, config: Config
):
    update = {"update_id": 53, "message": message(text="/help")}
    async with webhook_bot(config) as (_services, url):
        headers = [(SECRET_HEADER, secret)] + [("Content-Type", value) for value in content_types]
        async with httpx.AsyncClient() as client:
            response = await client.post(url, content=json.dumps(update).encode(), headers=headers)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("path", "status"),
    [("/hook.v2", 200), ("/hook.v2/", 200), ("/hookXv2", 404), ("/hook.v2x", 404), ("/telegram", 404)],
)
async def test_only_the_webhook_path_is_served(path: str, status: int, config: Config):
    """python-telegram-bot made the path a regular expression as it was: its "." matched any character."""
    config.telegram.webhook.path = "/hook.v2"
    update = {"update_id": 54, "message": message()}
    async with webhook_bot(config) as (_services, url):
        address = httpx.URL(url).copy_with(path=path)
        async with httpx.AsyncClient() as client:
            response = await client.post(address, json=update, headers=HEADERS)
    assert response.status_code == status


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"])
async def test_another_method_is_answered_405_with_the_one_allowed(method: str, config: Config):
    """The 405 had no Allow header, which RFC 9110 requires of it."""
    async with webhook_bot(config) as (_services, url):
        async with httpx.AsyncClient() as client:
            response = await client.request(method, url, headers=HEADERS)
    assert response.status_code == 405
    assert response.headers.get("Allow") == "POST"


@pytest.mark.parametrize(
    ("method", "headers", "body", "status"),
    [
        ("POST", {"Content-Type": "application/json"}, b"{}", 403),
        ("POST", {**HEADERS, "Content-Type": "application/json"}, b"{nope", 400),
        ("POST", {**HEADERS, "Content-Type": "application/json"}, b"[1]", 400),
        ("POST", {**HEADERS, "Content-Type": "text/plain"}, b"{}", 415),
        ("GET", HEADERS, b"", 405),
    ],
    ids=["no secret", "no json", "no update", "text", "get"],
)
async def test_a_refusal_is_the_json_it_says_it_is(
    method: str, headers: dict, body: bytes, status: int, config: Config
):
    """The refusals were tornado's HTML pages, sent as Content-Type application/json."""
    async with webhook_bot(config) as (_services, url):
        async with httpx.AsyncClient() as client:
            response = await client.request(method, url, content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    answer = response.json()
    assert answer["ok"] is False and answer["error_code"] == status and answer["description"]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", "/telegram", {**HEADERS, "Content-Type": "application/json"}, 200),
        ("POST", "/telegram", {"Content-Type": "application/json"}, 403),
        ("GET", "/telegram", HEADERS, 405),
        ("POST", "/admin", {**HEADERS, "Content-Type": "application/json"}, 404),
        ("GET", "/", {}, 404),
    ],
    ids=["update", "no secret", "get", "other path", "root"],
)
async def test_the_server_does_not_name_its_software(
    method: str, path: str, headers: dict, status: int, config: Config
):
    """Every answer said "Server: TornadoServer/6.x": which known flaws to try, for a stranger."""
    update = json.dumps({"update_id": 55, "message": message()})
    async with webhook_bot(config) as (_services, url):
        async with httpx.AsyncClient() as client:
            address = httpx.URL(url).copy_with(path=path)
            response = await client.request(method, address, content=update, headers=headers)
    assert response.status_code == status
    assert "Server" not in response.headers


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (f"Content-Type: application/json\r\n{SECRET_HEADER}: wrong\r\n", b"403"),
        ("Content-Type: application/json\r\n", b"403"),
        (f"Content-Type: text/plain\r\n{SECRET_HEADER}: {SECRET}\r\n", b"415"),
    ],
    ids=["wrong secret", "no secret", "not json"],
)
async def test_a_request_its_headers_refuse_is_answered_before_its_body(
    headers: str, status: bytes, config: Config
):
    """tornado read the whole body (up to 1 MB, for up to 30 s) before the secret was looked at: a
    stranger could have the bot hold a megabyte per connection."""
    async with webhook_bot(config) as (_services, url):
        answer = await _first_bytes_after_headers(url, f"{headers}Content-Length: {900 * 1024}\r\n")
    assert answer.startswith(b"HTTP/1.1 " + status)


@pytest.mark.parametrize(
    ("encoding", "secret", "status"),
    [
        ("gzip", SECRET, 415),
        ("deflate", SECRET, 415),
        ("br", SECRET, 415),
        ("gzip, identity", SECRET, 415),
        ("identity", SECRET, 200),  # RFC 9110's name for no coding at all
        ("gzip", "wrong", 403),  # the secret first
    ],
)
async def test_a_compressed_body_is_refused_before_it_is_read(
    encoding: str, secret: str, status: int, config: Config
):
    """A body with a Content-Encoding was taken as it was: JSON sent with "gzip" on it was handled (and
    gzip itself answered "no JSON"). Telegram never compresses an update."""
    headers = {SECRET_HEADER: secret, "Content-Type": "application/json", "Content-Encoding": encoding}
    update = json.dumps({"update_id": 56, "message": message()}).encode()
    async with webhook_bot(config) as (_services, url):
        async with httpx.AsyncClient() as client:
            response = await client.post(url, content=update, headers=headers)
        if status != 200:  # and refused from the headers alone
            raw_headers = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            answer = await _first_bytes_after_headers(url, f"{raw_headers}Content-Length: {900 * 1024}\r\n")
            assert answer.startswith(b"HTTP/1.1 %d" % status)
    assert response.status_code == status
    if status == 415:
        refusal = {"ok": False, "error_code": 415, "description": "Content-Encoding not supported"}
        assert response.json() == refusal
        assert response.headers["Accept-Encoding"] == "identity"
