"""The sender's kept-alive HTTP/1.1 connections, against the stand-in over 127.0.0.1: reused while
they last, replaced when the server hangs up or an exchange breaks, never retried behind our back."""

import asyncio

import pytest

from bot.api_sender import BotApiSender
from bot.http_pool import ConnectionPool
from bot.standin import StandInThread
from jobs.send_errors import TransientError


async def send(sender: BotApiSender, chat_id: int = 1001) -> int:
    return await sender.send(chat_id, "Xin chào", None, True, False)


async def test_one_connection_carries_sends_one_after_another(standin, api_sender):
    standin.add_private_chat(1001)
    ids = [await send(api_sender) for _ in range(3)]
    assert len(set(ids)) == 3
    assert api_sender.pool.connections_opened == 1


async def test_sends_in_flight_together_each_get_a_connection_and_keep_it(standin, api_sender):
    for chat in range(1001, 1005):
        standin.add_private_chat(chat)
    for _ in range(2):
        await asyncio.gather(*(send(api_sender, chat) for chat in range(1001, 1005)))
    assert api_sender.pool.connections_opened == 4
    assert sum(len(standin.messages_for(chat)) for chat in range(1001, 1005)) == 8


async def test_a_connection_the_server_closed_while_idle_is_replaced(standin, api_sender):
    standin.add_private_chat(1001)
    await send(api_sender)
    port = standin.port
    await standin.stop()  # closes every kept-alive connection
    await standin.start(port=port)

    await send(api_sender)

    assert len(standin.messages_for(1001)) == 2
    assert api_sender.pool.connections_opened == 2


async def test_a_hang_up_the_event_loop_has_not_read_yet_is_noticed_before_sending():
    # The stand-in runs in a thread and stops while our loop is blocked: the server's FIN sits
    # unread in our socket when the next send picks the idle connection.
    first = StandInThread().start()
    port, token = first.standin.port, first.standin.token
    first.call(first.standin.add_private_chat, 1001)
    sender = BotApiSender.for_token(token, first.standin.base_url, timeout=5.0)
    second = None
    try:
        await send(sender)
        first.stop()
        second = StandInThread().start(port=port)
        second.call(second.standin.add_private_chat, 1001)

        await send(sender)

        assert len(second.call(second.standin.messages_for, 1001)) == 1
        assert sender.pool.connections_opened == 2
    finally:
        await sender.aclose()
        first.stop()
        if second is not None:
            second.stop()


async def test_a_broken_exchange_drops_its_connection_and_the_next_send_makes_a_new_one(standin, api_sender):
    standin.add_private_chat(1001)
    await send(api_sender)
    standin.fail_next(1001, "drop")
    with pytest.raises(TransientError):
        await send(api_sender)
    await send(api_sender)
    assert len(standin.messages_for(1001)) == 2
    assert api_sender.pool.connections_opened == 2


async def test_a_lost_reply_on_a_kept_alive_connection_is_ambiguous_and_not_sent_twice(standin, api_sender):
    standin.add_private_chat(1001)
    await send(api_sender)
    standin.fail_next(1001, "lost_reply")  # handled (message sent), then the connection closes
    with pytest.raises(TransientError) as caught:
        await send(api_sender)
    assert caught.value.ambiguous
    assert len(standin.messages_for(1001)) == 2  # the outbox decides about sending again


async def test_a_closed_pool_closes_its_connections_and_sends_nothing(standin, api_sender):
    standin.add_private_chat(1001)
    await send(api_sender)
    await api_sender.aclose()
    with pytest.raises(TransientError) as caught:
        await send(api_sender)
    assert not caught.value.ambiguous
    assert len(standin.messages_for(1001)) == 1


async def test_the_pool_returns_error_statuses_as_answers(standin):
    pool = ConnectionPool(f"http://{standin.host}:{standin.port}", timeout=2.0)
    try:
        status, body = await pool.post("/bot0:nothing/getMe", b"{}")
    finally:
        await pool.aclose()
    assert (status, body.startswith(b'{"ok":false')) == (401, True)


@pytest.mark.parametrize("origin", ["ftp://example.vn", "api.telegram.org", "https://"])
def test_an_origin_that_is_not_http_is_refused(origin):
    with pytest.raises(ValueError):
        ConnectionPool(origin)
