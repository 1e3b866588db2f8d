"""python-telegram-bot 22 against the stand-in: it starts, polls, answers commands and raises its own errors."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.standin import BotApiStandIn

USER = 1001
# PTB 22 warns that RetryAfter.retry_after will become a timedelta; both are handled here.
IGNORE_RETRY_AFTER_TYPE_WARNING = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đăng ký", callback_data="sub:1")]])
    await update.effective_message.reply_text(
        f"<b>Xin chào</b>, {update.effective_user.first_name}!",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("Đã đăng ký")
    await update.callback_query.edit_message_text("Bạn đã đăng ký nguồn 1.")


@pytest.fixture
async def running_app(standin: BotApiStandIn) -> AsyncIterator[Application]:
    app = ApplicationBuilder().token(standin.token).base_url(standin.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=dt.timedelta(seconds=5))
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[Bot]:
    async with Bot(standin.token, base_url=standin.base_url) as client:
        yield client


async def test_start_command_is_answered_through_polling(standin, running_app):
    standin.user_sends(USER, "/start", first_name="Lan")

    [reply] = await standin.wait_for_messages(USER, 1)

    assert reply["visible_text"] == "Xin chào, Lan!"
    assert reply["text"] == "<b>Xin chào</b>, Lan!"
    assert reply["parse_mode"] == "HTML"
    assert reply["reply_markup"] == {"inline_keyboard": [[{"text": "Đăng ký", "callback_data": "sub:1"}]]}
    assert {"getMe", "deleteWebhook", "getUpdates"} <= set(standin.requests)


async def test_text_without_command_entity_is_not_a_command(standin, running_app):
    standin.user_sends(USER, "start")
    standin.user_sends(USER, "/start")

    await standin.wait_for_messages(USER, 1)

    assert len(standin.messages_for(USER)) == 1


async def test_button_press_reaches_callback_handler_and_edits_message(standin, running_app):
    standin.user_sends(USER, "/start")
    [menu] = await standin.wait_for_messages(USER, 1)

    standin.user_presses(USER, menu, "sub:1")
    await standin.wait_for(lambda: any(r["method"] == "editMessageText" for r in standin.sent))

    [answer] = standin.callback_answers
    assert answer["text"] == "Đã đăng ký"
    assert standin.sent[-1]["visible_text"] == "Bạn đã đăng ký nguồn 1."


async def test_sent_message_parses_into_ptb_message(standin, bot):
    standin.add_private_chat(USER)

    message = await bot.send_message(USER, "Tin <i>mới</i> &amp; nóng", parse_mode=ParseMode.HTML)

    assert message.text == "Tin mới & nóng"
    assert message.text_html == "Tin <i>mới</i> &amp; nóng"
    assert message.chat.id == USER


async def test_commands_round_trip_per_language(standin, bot):
    await bot.set_my_commands([("start", "Bắt đầu"), ("help", "Trợ giúp")], language_code="vi")

    assert [c.command for c in await bot.get_my_commands(language_code="vi")] == ["start", "help"]
    assert await bot.get_my_commands() == ()


def _seconds(value: int | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else value


@pytest.mark.parametrize(
    ("arrange", "error_type", "message"),
    [
        (lambda s: s.user_blocks_bot(USER), Forbidden, "Forbidden: bot was blocked by the user"),
        (lambda s: s.user_deactivates(USER), Forbidden, "Forbidden: user is deactivated"),
        (lambda s: s.fail_next(USER, 400), BadRequest, "Chat not found"),
        (lambda s: s.fail_next(USER, "kicked"), Forbidden, "Forbidden: bot was kicked from the group chat"),
        (lambda s: s.fail_next(USER, 500), NetworkError, "Internal Server Error"),
    ],
)
async def test_refusals_raise_ptb_errors(standin, bot, arrange, error_type, message):
    standin.add_private_chat(USER)
    arrange(standin)

    with pytest.raises(error_type) as raised:
        await bot.send_message(USER, "Bản tin sáng")

    assert message in str(raised.value)


async def test_unknown_chat_raises_bad_request(bot):
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "x")


async def test_bad_html_raises_bad_request_with_telegram_reason(standin, bot):
    standin.add_private_chat(USER)

    with pytest.raises(BadRequest, match='(?i)unsupported start tag "div" at byte offset 0'):
        await bot.send_message(USER, "<div>x</div>", parse_mode=ParseMode.HTML)


@IGNORE_RETRY_AFTER_TYPE_WARNING
async def test_flood_limit_raises_retry_after(standin, bot):
    standin.add_private_chat(USER)
    standin.fail_next(USER, 429, retry_after=7)

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "x")

    assert _seconds(raised.value.retry_after) == 7


@IGNORE_RETRY_AFTER_TYPE_WARNING
async def test_stand_in_limits_raise_retry_after_in_whole_seconds(standin, bot):
    standin.add_private_chat(USER)
    for _ in range(3):  # the private-chat burst
        await bot.send_message(USER, "x")

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "x")

    assert _seconds(raised.value.retry_after) == 1


async def test_migrated_group_raises_chat_migrated(standin, bot):
    standin.bot_added_to_group(-500, by_user_id=USER)
    standin.group_migrates(-500, -1000000000500)

    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(-500, "x")

    assert raised.value.new_chat_id == -1000000000500
    assert (await bot.send_message(-1000000000500, "x")).chat.type == "supergroup"


async def test_wrong_token_raises_invalid_token(standin):
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=standin.base_url):
            pass


async def test_group_admin_check(standin, bot):
    standin.bot_added_to_group(-600, by_user_id=USER, title="Nhóm tin")
    standin.set_admins(-600, [2002])

    admins = await bot.get_chat_administrators(-600)
    member = await bot.get_chat_member(-600, 2002)

    assert [(a.user.id, a.status) for a in admins] == [(USER, "creator"), (2002, "administrator")]
    assert member.status == "administrator"
    assert (await bot.get_chat(-600)).title == "Nhóm tin"


async def test_polling_while_webhook_is_set_raises_conflict(bot):
    await bot.set_webhook("http://127.0.0.1:9/hook")

    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_start_command_is_answered_through_ptb_webhook(standin):
    port = _free_port()
    app = ApplicationBuilder().token(standin.token).base_url(standin.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="bantin-secret",
        )
        standin.user_sends(USER, "/start", first_name="Minh")
        [reply] = await standin.wait_for_messages(USER, 1)
        await app.updater.stop()
        await app.stop()

    assert reply["visible_text"] == "Xin chào, Minh!"
    assert standin.requests["setWebhook"] == 1
