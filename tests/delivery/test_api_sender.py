"""BotApiSender: Telegram's answers become the outbox's errors, one by one and against the stand-in
over 127.0.0.1; what a send carries; the bot token in no error text."""

import socket

import pytest

from bot.api_sender import BotApiSender, bot_api_url, error_for_reply, message_id_from
from bot.standin import errors
from jobs.send_errors import BadMarkup, ChatGone, ChatMoved, FloodWait, Rejected, TransientError


@pytest.mark.parametrize(
    "error_code, description, parameters, expected, detail",
    [
        (429, "Too Many Requests: retry after 7", {"retry_after": 7}, FloodWait, ("retry_after", 7.0)),
        (400, errors.MIGRATED, {"migrate_to_chat_id": -1001234}, ChatMoved, ("new_chat_id", -1001234)),
        (403, errors.BLOCKED, None, ChatGone, ("reason", errors.BLOCKED)),
        (403, errors.DEACTIVATED, None, ChatGone, None),
        (400, errors.CHAT_NOT_FOUND, None, ChatGone, ("reason", "Chat not found")),
        (400, "Bad Request: PEER_ID_INVALID", None, ChatGone, None),
        (400, "Bad Request: not enough rights to send text messages to the chat", None, ChatGone, None),
        (400, 'Bad Request: can\'t parse entities: unsupported start tag "x"', None, BadMarkup, None),
        (400, errors.MESSAGE_TOO_LONG, None, Rejected, ("description", "Message is too long")),
        (400, errors.MESSAGE_TEXT_EMPTY, None, Rejected, None),
        (500, errors.INTERNAL, None, TransientError, ("ambiguous", True)),
        (502, "Bad Gateway", None, TransientError, ("ambiguous", True)),
        (401, errors.UNAUTHORIZED, None, TransientError, ("ambiguous", True)),
        (429, "Too Many Requests", None, TransientError, ("ambiguous", True)),
    ],
)
def test_each_error_answer_maps_to_one_outbox_error(error_code, description, parameters, expected, detail):
    mapped = error_for_reply(error_code, description, parameters)
    assert type(mapped) is expected
    if detail:
        assert getattr(mapped, detail[0]) == detail[1]


@pytest.mark.parametrize(
    "status, body",
    [
        (502, b"<html>Bad Gateway</html>"),  # a proxy's page, not Telegram's JSON
        (200, b"<html>OK</html>"),
        (200, b'{"ok":true,"result":true}'),  # no message id: cannot tell what was sent
        (200, b"[1, 2]"),
    ],
)
def test_answers_that_are_not_telegrams_are_ambiguous_transient_errors(status, body):
    with pytest.raises(TransientError) as caught:
        message_id_from(status, body)
    assert caught.value.ambiguous


def test_a_good_answer_gives_the_message_id():
    assert message_id_from(200, b'{"ok":true,"result":{"message_id":42,"chat":{"id":1}}}') == 42


@pytest.mark.parametrize(
    "base_url, api_url",
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/bot123:ABC"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot123:ABC"),
        ("https://tg.example.vn/api/bot{token}/test", "https://tg.example.vn/api/bot123:ABC/test"),
    ],
)
def test_the_bot_url_is_formed_as_python_telegram_bot_forms_it(base_url, api_url):
    assert bot_api_url("123:ABC", base_url) == api_url


@pytest.mark.parametrize(
    "base_url, origin, tls, path",
    [
        (None, "https://api.telegram.org:443", True, "/bot123:ABC/sendMessage"),
        ("https://tg.example.vn:8443/bot", "https://tg.example.vn:8443", True, "/bot123:ABC/sendMessage"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081", False, "/bot123:ABC/sendMessage"),
        (
            "http://tg.example.vn/bot{token}/test",
            "http://tg.example.vn:80",
            False,
            "/bot123:ABC/test/sendMessage",
        ),
    ],
)
def test_the_sender_posts_to_the_origin_and_path_of_the_bot_url(base_url, origin, tls, path):
    sender = BotApiSender.for_token("123:ABC", *([base_url] if base_url else []))
    assert (sender.pool.origin, sender.pool.ssl_context is not None, sender.send_message_path) == (
        origin,
        tls,
        path,
    )
    assert "123:ABC" not in repr(sender)


@pytest.mark.parametrize(
    "fault, expected, detail",
    [
        (dict(kind=429, retry_after=3), FloodWait, ("retry_after", 3.0)),
        (dict(kind="blocked"), ChatGone, ("reason", errors.BLOCKED)),
        (dict(kind="deactivated"), ChatGone, ("reason", errors.DEACTIVATED)),
        (dict(kind="kicked"), ChatGone, None),
        (dict(kind="chat_not_found"), ChatGone, ("reason", "Chat not found")),
        (dict(kind="migrate", new_chat_id=-100555), ChatMoved, ("new_chat_id", -100555)),
        (dict(kind=500), TransientError, ("ambiguous", True)),
        (dict(kind="drop"), TransientError, ("ambiguous", True)),  # closed before answering
    ],
)
async def test_stand_in_answers_raise_the_outbox_errors(standin, api_sender, fault, expected, detail):
    standin.add_private_chat(1001)
    standin.fail_next(1001, **fault)
    with pytest.raises(expected) as caught:
        await api_sender.send(1001, "Xin chào", "HTML", True, False)
    if detail:
        assert getattr(caught.value, detail[0]) == detail[1]


@pytest.mark.parametrize(
    "text, parse_mode, expected",
    [
        ("<b>Tin nóng</i>", "HTML", BadMarkup),
        ("Tin dài " * 700, None, Rejected),
    ],
)
async def test_messages_telegram_refuses_are_markup_or_rejected(
    standin, api_sender, text, parse_mode, expected
):
    standin.add_private_chat(1001)
    with pytest.raises(expected):
        await api_sender.send(1001, text, parse_mode, True, False)
    assert standin.messages_for(1001) == []


async def test_sends_carry_parse_mode_preview_and_paid_flags(standin, api_sender):
    standin.add_private_chat(1001)
    message_id = await api_sender.send(1001, "<b>Tin</b> nóng", "HTML", True, True)
    [record] = standin.messages_for(1001)
    assert record["message_id"] == message_id
    assert (record["visible_text"], record["parse_mode"], record["allow_paid_broadcast"]) == (
        "Tin nóng",
        "HTML",
        True,
    )
    assert record["link_preview_options"]["is_disabled"] is True


async def test_a_plain_send_carries_no_flags(standin, api_sender):
    standin.add_private_chat(1001)
    await api_sender.send(1001, "<b>không phải thẻ</b>", None, False, False)
    [record] = standin.messages_for(1001)
    assert (record["visible_text"], record["parse_mode"], record["allow_paid_broadcast"]) == (
        "<b>không phải thẻ</b>",
        None,
        False,
    )
    assert record["link_preview_options"] is None


async def test_a_read_timeout_is_ambiguous_and_the_message_did_arrive(standin):
    standin.add_private_chat(1001)
    standin.fail_next(1001, "delay", delay=1.0)
    impatient = BotApiSender.for_token(standin.token, standin.base_url, timeout=0.2)
    try:
        with pytest.raises(TransientError) as caught:
            await impatient.send(1001, "Xin chào", None, True, False)
    finally:
        await impatient.aclose()
    assert caught.value.ambiguous
    await standin.wait_for_messages(1001, 1)


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_port_nobody_listens_on_is_not_ambiguous():
    sender = BotApiSender.for_token("123:ABC", f"http://127.0.0.1:{_unused_port()}/bot", timeout=2.0)
    with pytest.raises(TransientError) as caught:
        await sender.send(1001, "Xin chào", None, True, False)
    await sender.aclose()
    assert not caught.value.ambiguous


async def test_a_connect_timeout_is_not_ambiguous(standin):
    # A zero connect timeout expires before any connection can be made, with nothing written.
    sender = BotApiSender.for_token(standin.token, standin.base_url, timeout=2.0, connect_timeout=0)
    standin.add_private_chat(1001)
    with pytest.raises(TransientError) as caught:
        await sender.send(1001, "Xin chào", None, True, False)
    await sender.aclose()
    assert not caught.value.ambiguous
    assert standin.messages_for(1001) == []


TOKEN = "987654:SECRET-token_value"


async def _failure(standin, kind: str) -> TransientError:
    standin.add_private_chat(1001)
    base_url, timeout, connect_timeout = standin.base_url, 2.0, None
    if kind == "refused":
        base_url = f"http://127.0.0.1:{_unused_port()}/bot"
    elif kind == "connect_timeout":
        connect_timeout = 0
    elif kind == "read_timeout":
        standin.fail_next(1001, "delay", delay=1.0)
        timeout = 0.2
    else:
        standin.fail_next(1001, kind)
    sender = BotApiSender.for_token(TOKEN, base_url, timeout=timeout, connect_timeout=connect_timeout)
    try:
        with pytest.raises(TransientError) as caught:
            await sender.send(1001, "Xin chào", None, True, False)
    finally:
        await sender.aclose()
    assert TOKEN not in repr(sender)
    return caught.value


@pytest.mark.parametrize("kind", ["refused", "connect_timeout", "read_timeout", "drop", "lost_reply", 500])
async def test_the_token_is_in_no_error_text(kind):
    from bot.standin import BotApiStandIn

    async with BotApiStandIn(TOKEN) as standin:
        error = await _failure(standin, kind)
    texts = [str(error), repr(error), error.description]
    cause = error.__cause__ or error.__context__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    assert all(TOKEN not in text and TOKEN.split(":")[1] not in text for text in texts)


async def test_a_wrong_token_is_a_transient_error_without_the_token(standin):
    sender = BotApiSender.for_token("111:WRONG-token", standin.base_url, timeout=2.0)
    standin.add_private_chat(1001)
    with pytest.raises(TransientError) as caught:
        await sender.send(1001, "Xin chào", None, True, False)
    await sender.aclose()
    assert caught.value.ambiguous and "401" in str(caught.value) and "WRONG" not in str(caught.value)
