"""The stand-in over raw HTTP: wire formats, Telegram's replies, chat states, limits, faults, updates, webhooks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.standin import BotApiStandIn, RateLimits, StandInThread

USER = 1001
OTHER_USER = 1002
GROUP = -700


# -- wire format and addressing ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "status", "description"),
    [
        ("/bot999:wrong/getMe", 401, "Unauthorized"),
        ("/botnotatoken/getMe", 404, "Not Found"),
        ("/bot{token}/noSuchMethod", 404, "Not Found"),
        ("/elsewhere", 404, "Not Found"),
    ],
)
async def test_bad_addresses_get_telegram_errors(standin, api, path, status, description):
    url = f"http://127.0.0.1:{standin.port}" + path.format(token=standin.token)

    response = await api.client.post(url)

    assert response.status_code == status
    assert response.json() == {"ok": False, "error_code": status, "description": description}


async def test_get_me_and_case_insensitive_method_names(api):
    me = await api.ok("getMe")
    again = await api.ok("getme")

    assert me == again
    assert me["is_bot"] is True and me["username"] == "bantin_test_bot"


async def test_any_token_mode_answers_other_tokens():
    async with BotApiStandIn(accept_any_token=True) as server, httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}42:other/getMe")

    assert response.json()["ok"] is True


@pytest.mark.parametrize("encoding", ["form", "json", "multipart", "query"])
async def test_every_request_encoding_is_understood(standin, api, encoding):
    standin.add_private_chat(USER)
    markup = {"inline_keyboard": [[{"text": "Mở", "callback_data": "open:1"}]]}
    params = {
        "chat_id": str(USER),
        "text": "<b>Tin</b>",
        "parse_mode": "HTML",
        "reply_markup": json.dumps(markup),
    }
    url = standin.url_for("sendMessage")

    if encoding == "form":
        response = await api.client.post(url, data=params)
    elif encoding == "json":
        response = await api.client.post(url, json=params | {"chat_id": USER, "reply_markup": markup})
    elif encoding == "multipart":
        response = await api.client.post(url, data=params, files={"document": ("a.txt", b"x")})
    else:
        response = await api.client.get(url, params=params)

    result = response.json()["result"]
    assert result["text"] == "Tin"
    assert result["reply_markup"] == markup
    assert standin.messages_for(USER)[0]["reply_markup"] == markup


async def test_send_records_raw_and_visible_text(standin, api, clock):
    standin.add_private_chat(USER)

    result = await api.ok(
        "sendMessage",
        chat_id=USER,
        text="<i>Bản tin</i> &amp; tóm tắt",
        parse_mode="HTML",
        link_preview_options={"is_disabled": True},
        allow_paid_broadcast=True,
    )

    [record] = standin.sent
    assert record["method"] == "sendMessage"
    assert (record["chat_id"], record["message_id"]) == (USER, result["message_id"])
    assert record["text"] == "<i>Bản tin</i> &amp; tóm tắt"
    assert record["visible_text"] == "Bản tin & tóm tắt"
    assert record["parse_mode"] == "HTML"
    assert record["link_preview_options"] == {"is_disabled": True}
    assert record["allow_paid_broadcast"] is True
    assert record["time"] == clock.now
    assert standin.requests["sendMessage"] == 1


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"text": "<b>x"},
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        ),
        ({"text": " "}, "Bad Request: message text is empty"),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        (
            {"text": "x", "reply_markup": "{not json"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {"text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "d" * 65}]]}},
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        ({"text": "x", "reply_to_message_id": 99}, "Bad Request: message to be replied not found"),
    ],
)
async def test_invalid_messages_are_refused(standin, api, params, description):
    standin.add_private_chat(USER)

    status, body = await api.call("sendMessage", chat_id=USER, parse_mode="HTML", **params)

    assert (status, body["description"]) == (400, description)
    assert standin.sent == []


# -- chat states -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arrange", "chat_id", "status", "description", "parameters"),
    [
        (lambda s: None, 5555, 400, "Bad Request: chat not found", None),
        (lambda s: s.user_blocks_bot(USER), USER, 403, "Forbidden: bot was blocked by the user", None),
        (lambda s: s.user_deactivates(USER), USER, 403, "Forbidden: user is deactivated", None),
        (
            lambda s: s.bot_removed_from_group(GROUP, USER),
            GROUP,
            403,
            "Forbidden: bot was kicked from the group chat",
            None,
        ),
        (
            lambda s: s.group_migrates(GROUP, -1000000000700),
            GROUP,
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -1000000000700},
        ),
    ],
)
async def test_chat_states_decide_the_reply(standin, api, arrange, chat_id, status, description, parameters):
    standin.add_private_chat(USER)
    standin.bot_added_to_group(GROUP, USER)
    arrange(standin)

    got_status, body = await api.call("sendMessage", chat_id=chat_id, text="Bản tin")

    assert (got_status, body["error_code"], body["description"]) == (status, status, description)
    assert body.get("parameters") == parameters


async def test_unblocking_or_writing_again_reopens_the_chat(standin, api):
    standin.user_blocks_bot(USER)
    standin.user_sends(USER, "/start")

    await api.ok("sendMessage", chat_id=USER, text="Chào lại")

    kinds = [next(k for k in u if k != "update_id") for u in standin.updates.pending]
    assert kinds == ["my_chat_member", "my_chat_member", "message"]


# -- limits ------------------------------------------------------------------------------------------------
async def test_flood_limit_reply_and_count(standin, api):
    for user in range(1, 32):
        standin.add_private_chat(user)
    for user in range(1, 31):
        await api.ok("sendMessage", chat_id=user, text="x")

    status, body = await api.call("sendMessage", chat_id=31, text="x")

    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert standin.too_many_requests_sent == 1


async def test_paid_broadcast_passes_the_overall_limit(standin, api):
    for user in range(1, 41):
        standin.add_private_chat(user)

    statuses = [
        (await api.call("sendMessage", chat_id=user, text="x", allow_paid_broadcast=True))[0]
        for user in range(1, 41)
    ]

    assert statuses == [200] * 40


async def test_limits_follow_the_injected_clock(standin, api, clock):
    standin.add_private_chat(USER)
    for _ in range(3):
        await api.ok("sendMessage", chat_id=USER, text="x")
    assert (await api.call("sendMessage", chat_id=USER, text="x"))[0] == 429

    clock.advance(1.0)

    assert (await api.call("sendMessage", chat_id=USER, text="x"))[0] == 200


# -- faults ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "status", "description", "parameters"),
    [
        (429, 429, "Too Many Requests: retry after 3", {"retry_after": 3}),
        (403, 403, "Forbidden: bot was blocked by the user", None),
        (400, 400, "Bad Request: chat not found", None),
        (
            "migrate",
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -100700},
        ),
        (500, 500, "Internal Server Error", None),
    ],
)
async def test_armed_faults_answer_once(standin, api, kind, status, description, parameters):
    standin.bot_added_to_group(GROUP, USER)
    standin.fail_next(GROUP, kind, retry_after=3)

    first_status, body = await api.call("sendMessage", chat_id=GROUP, text="x")
    second_status, _ = await api.call("sendMessage", chat_id=GROUP, text="x")

    assert (first_status, body["description"], body.get("parameters")) == (status, description, parameters)
    assert second_status == 200
    assert len(standin.sent) == 1


async def test_fault_count_and_method_filter(standin, api):
    standin.add_private_chat(USER)
    standin.fail_next(USER, 500, count=2, methods=["sendMessage"])

    chat_status, _ = await api.call("getChat", chat_id=USER)
    sends = [(await api.call("sendMessage", chat_id=USER, text="x"))[0] for _ in range(3)]

    assert chat_status == 200
    assert sends == [500, 500, 200]


@pytest.mark.parametrize(("kind", "delivered"), [("drop", 0), ("lost_reply", 1)])
async def test_connection_faults_close_without_a_reply(standin, api, kind, delivered):
    standin.add_private_chat(USER)
    standin.fail_next(USER, kind)

    with pytest.raises(httpx.RemoteProtocolError):
        await api.call("sendMessage", chat_id=USER, text="x")

    assert len(standin.messages_for(USER)) == delivered


async def test_delay_fault_lets_the_client_time_out_after_delivery(standin, api):
    standin.add_private_chat(USER)
    standin.fail_next(USER, "delay", delay=5.0)

    with pytest.raises(httpx.ReadTimeout):
        await api.client.post(
            standin.url_for("sendMessage"), data={"chat_id": USER, "text": "x"}, timeout=0.2
        )

    assert len(standin.messages_for(USER)) == 1


# -- edits, deletes, buttons -------------------------------------------------------------------------------
@pytest.fixture
async def menu(standin, api) -> dict:
    standin.add_private_chat(USER)
    markup = {"inline_keyboard": [[{"text": "Đăng ký", "callback_data": "sub:1"}]]}
    return await api.ok("sendMessage", chat_id=USER, text="Chọn nguồn", reply_markup=markup)


async def test_edit_with_same_content_is_not_modified(api, menu):
    status, body = await api.call(
        "editMessageText",
        chat_id=USER,
        message_id=menu["message_id"],
        text="Chọn nguồn",
        reply_markup=menu["reply_markup"],
    )

    assert status == 400
    assert body["description"].startswith("Bad Request: message is not modified: ")


async def test_edit_and_delete_change_the_stored_message(standin, api, menu):
    edited = await api.ok("editMessageText", chat_id=USER, message_id=menu["message_id"], text="Đã chọn")
    await api.ok("deleteMessage", chat_id=USER, message_id=menu["message_id"])
    status, body = await api.call("deleteMessage", chat_id=USER, message_id=menu["message_id"])

    assert edited["text"] == "Đã chọn" and "reply_markup" not in edited
    assert [r["method"] for r in standin.sent] == ["sendMessage", "editMessageText", "deleteMessage"]
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")


async def test_button_press_and_single_answer(standin, api, menu):
    update = standin.user_presses(USER, menu, "sub:1")
    query_id = update["callback_query"]["id"]

    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Xong")
    status, body = await api.call("answerCallbackQuery", callback_query_id=query_id)

    assert update["callback_query"]["message"]["message_id"] == menu["message_id"]
    assert standin.callback_answers[0]["text"] == "Xong"
    assert status == 400
    assert "query is too old" in body["description"]


@pytest.mark.parametrize(
    ("message_id", "data", "error"),
    [(99, "sub:1", "is not in chat"), (None, "sub:2", "no button with callback_data 'sub:2'")],
)
def test_pressing_a_button_that_is_not_there_is_a_test_error(standin, menu, message_id, data, error):
    target = {"chat_id": USER, "message_id": message_id or menu["message_id"]}

    with pytest.raises(ValueError, match=error):
        standin.user_presses(USER, target, data)


@pytest.mark.parametrize(
    ("act", "kind", "check"),
    [
        (lambda s: s.user_sends(USER, "chào"), "message", lambda p: p["text"] == "chào"),
        (
            lambda s: s.user_edits(USER, s.user_sends(USER, "chao")["message"], "chào"),
            "edited_message",
            lambda p: p["text"] == "chào" and "edit_date" in p,
        ),
        (
            lambda s: s.channel_post(-1009, "Tin kênh", username="kenhtin"),
            "channel_post",
            lambda p: p["sender_chat"]["username"] == "kenhtin",
        ),
        (
            lambda s: s.user_blocks_bot(USER),
            "my_chat_member",
            lambda p: (
                (p["old_chat_member"]["status"], p["new_chat_member"]["status"]) == ("member", "kicked")
            ),
        ),
        (
            lambda s: s.bot_added_to_group(GROUP, USER, title="Nhóm"),
            "my_chat_member",
            lambda p: (
                p["chat"] == {"id": GROUP, "type": "group", "title": "Nhóm"}
                and p["new_chat_member"]["status"] == "member"
            ),
        ),
        (
            lambda s: s.bot_added_to_group(GROUP, USER) and s.bot_removed_from_group(GROUP, USER),
            "my_chat_member",
            lambda p: p["new_chat_member"]["status"] == "left",
        ),
        (
            lambda s: s.bot_added_to_group(GROUP, USER) and s.group_migrates(GROUP)[1],
            "message",
            lambda p: p["migrate_from_chat_id"] == GROUP and p["chat"]["id"] == -100700,
        ),
    ],
)
def test_user_actions_produce_telegram_updates(standin, act, kind, check):
    update = act(standin)

    assert set(update) == {"update_id", kind}
    assert check(update[kind])
    assert standin.updates.pending[-1] is update


async def test_channel_is_addressable_by_username(standin, api):
    standin.channel_post(-1009, "Tin kênh", username="kenhtin")

    result = await api.ok("sendMessage", chat_id="@kenhtin", text="Bản tin")

    assert result["chat"]["id"] == -1009


# -- commands, chats, members ------------------------------------------------------------------------------
async def test_commands_are_kept_per_scope_and_language(standin, api):
    vi = [{"command": "start", "description": "Bắt đầu"}]
    en = [{"command": "start", "description": "Start"}]
    admins = {"type": "all_chat_administrators"}
    await api.ok("setMyCommands", commands=vi, language_code="vi")
    await api.ok("setMyCommands", commands=en)
    await api.ok(
        "setMyCommands", commands=vi + [{"command": "stats", "description": "Thống kê"}], scope=admins
    )

    assert await api.ok("getMyCommands", language_code="vi") == vi
    assert await api.ok("getMyCommands") == en
    assert len(standin.commands_for(admins)) == 2
    await api.ok("deleteMyCommands", language_code="vi")
    assert await api.ok("getMyCommands", language_code="vi") == []


@pytest.mark.parametrize(
    ("command", "description"),
    [("Start", "Bad Request: BOT_COMMAND_INVALID"), ("x" * 33, "Bad Request: BOT_COMMAND_INVALID")],
)
async def test_invalid_commands_are_refused(api, command, description):
    status, body = await api.call("setMyCommands", commands=[{"command": command, "description": "d"}])

    assert (status, body["description"]) == (400, description)


async def test_chat_action_needs_a_known_action(standin, api):
    standin.add_private_chat(USER)

    assert await api.ok("sendChatAction", chat_id=USER, action="typing") is True
    assert (await api.call("sendChatAction", chat_id=USER, action="dancing"))[0] == 400


# -- updates: long polling ---------------------------------------------------------------------------------
async def test_get_updates_offsets_confirm_and_limit(standin, api):
    first = standin.user_sends(USER, "/start")
    second = standin.user_sends(USER, "/help")
    third = standin.user_sends(USER, "tin mới")

    page = await api.ok("getUpdates", limit=2)
    rest = await api.ok("getUpdates", offset=page[-1]["update_id"] + 1)
    again = await api.ok("getUpdates")

    assert page == [first, second]
    assert rest == [third]
    assert again == [third]  # still unconfirmed


async def test_command_entity_covers_the_command_and_bot_name(standin):
    update = standin.user_sends(USER, "/search@bantin_test_bot bão lũ", chat_id=GROUP, chat_type="group")

    message = update["message"]
    assert message["entities"] == [
        {"type": "bot_command", "offset": 0, "length": len("/search@bantin_test_bot")}
    ]
    assert message["chat"]["type"] == "group"
    assert message["from"]["language_code"] == "vi"


async def test_negative_offset_keeps_only_the_newest(standin, api):
    for text in ("a", "b", "c"):
        standin.user_sends(USER, text)

    updates = await api.ok("getUpdates", offset=-1)

    assert [u["message"]["text"] for u in updates] == ["c"]


async def test_long_poll_returns_as_soon_as_an_update_arrives(standin, api):
    poll = asyncio.create_task(api.ok("getUpdates", timeout=30))
    await standin.wait_for(lambda: standin.requests["getUpdates"] == 1)

    update = standin.user_sends(USER, "/start")

    assert await asyncio.wait_for(poll, 5) == [update]


async def test_second_poller_ends_the_first_with_conflict(standin, api):
    first = asyncio.create_task(api.call("getUpdates", timeout=30))
    await standin.wait_for(lambda: standin.requests["getUpdates"] == 1)

    second = await api.ok("getUpdates", timeout=0)
    status, body = await asyncio.wait_for(first, 5)

    assert second == []
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_allowed_updates_filters_new_updates(standin, api):
    await api.ok("getUpdates", allowed_updates=["callback_query"])

    standin.user_sends(USER, "/start")

    assert await api.ok("getUpdates") == []


# -- updates: webhook ----------------------------------------------------------------------------------------
class _Receiver(tornado.web.RequestHandler):
    def initialize(self, inbox: list, failures: list) -> None:
        self.inbox, self.failures = inbox, failures

    def post(self) -> None:
        if self.failures:
            self.set_status(self.failures.pop())
            return
        self.inbox.append(
            (self.request.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(self.request.body))
        )


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[tuple[str, list, list]]:
    """A local HTTP endpoint recording webhook POSTs; push a status onto `failures` to refuse one."""
    inbox: list = []
    failures: list = []
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(
        tornado.web.Application([(r"/hook", _Receiver, {"inbox": inbox, "failures": failures})])
    )
    server.add_sockets(sockets)
    yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook", inbox, failures
    server.stop()
    await server.close_all_connections()


async def test_webhook_receives_updates_with_secret_header(standin, api, webhook_receiver):
    url, inbox, _ = webhook_receiver
    await api.ok("setWebhook", url=url, secret_token="s3cr3t-token")

    update = standin.user_sends(USER, "/start")
    await standin.wait_for(lambda: len(inbox) == 1)

    assert inbox == [("s3cr3t-token", update)]
    assert (await api.ok("getWebhookInfo"))["url"] == url


async def test_get_updates_conflicts_while_webhook_is_set(standin, api, webhook_receiver):
    await api.ok("setWebhook", url=webhook_receiver[0])

    status, body = await api.call("getUpdates")
    await api.ok("deleteWebhook")

    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )
    assert await api.ok("getUpdates") == []


async def test_refused_webhook_post_is_retried_and_reported(standin, api, webhook_receiver):
    url, inbox, failures = webhook_receiver
    failures.append(500)
    await api.ok("setWebhook", url=url)

    update = standin.user_sends(USER, "/start")
    await standin.wait_for(lambda: len(inbox) == 1)

    assert inbox == [(None, update)]
    info = await api.ok("getWebhookInfo")
    assert info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    assert info["pending_update_count"] == 0


# -- waiting and threads -------------------------------------------------------------------------------------
async def test_wait_for_messages_times_out_with_what_arrived(standin):
    with pytest.raises(TimeoutError, match="0 of 1 messages to chat 1001"):
        await standin.wait_for_messages(USER, 1, timeout=0.05)


def test_stand_in_thread_serves_synchronous_code():
    with StandInThread(limits=RateLimits.unlimited()) as thread:
        thread.call(thread.standin.add_private_chat, USER)
        response = httpx.post(thread.standin.url_for("sendMessage"), data={"chat_id": USER, "text": "Chào"})
        [record] = thread.run(thread.standin.wait_for_messages(USER, 1))

    assert response.json()["result"]["text"] == "Chào"
    assert record["visible_text"] == "Chào"


async def test_listener_sees_sends_and_edits_and_current_message_follows(standin, api, menu):
    seen = []
    standin.add_listener(lambda record: seen.append(record["method"]))

    await api.ok("editMessageText", chat_id=USER, message_id=menu["message_id"], text="Đã chọn")

    assert seen == ["editMessageText"]
    assert standin.message(USER, menu["message_id"])["text"] == "Đã chọn"


def test_known_user_keeps_language_unless_told(standin):
    standin.user_sends(USER, "hi", language_code="en")

    update = standin.user_sends(USER, "again")

    assert update["message"]["from"]["language_code"] == "en"
    assert standin.user_sends(OTHER_USER, "chào")["message"]["from"]["language_code"] == "vi"


async def test_stats_route_reports_counters(standin, api):
    standin.add_private_chat(USER)
    await api.ok("sendMessage", chat_id=USER, text="x")
    await api.call("sendMessage", chat_id=5555, text="x")

    stats = (await api.client.get(f"http://127.0.0.1:{standin.port}/standin/stats")).json()

    assert stats["requests"] == {"sendMessage": 2}
    assert stats["replies"] == {"200": 1, "400": 1}
    assert stats["messages_sent"] == 1
