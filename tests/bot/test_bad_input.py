"""Input the bot must survive: forged or stale button data, huge and binary text, edits, channel posts,
unknown commands, plain text. Nothing crashes and nothing changes that should not."""

from __future__ import annotations

import pytest

from news.telegram_html import TELEGRAM_MESSAGE_LIMIT
from tests.bot.conftest import USER, BotUnderTest, ChatSession

STALE = "Nút này đã cũ. Vui lòng gửi lại lệnh."


async def snapshot(bot: BotUnderTest) -> tuple:
    s = await bot.subscriber(USER)
    return (s.all_sources, s.digest_times, s.timezone, s.language, s.mode, s.no_news_notice, s.updated_at)


@pytest.mark.parametrize(
    "data",
    [
        "1s:t:99999:0",  # a source that does not exist
        "1s:t:abc:0",
        "1s:drop_table",
        "0s:all:0",  # an older version's data
        "2c:l:en",  # a newer one
        "1c:l:fr",
        "1c:z:999",
        "1c:t:-1",
        "1c:n:2",
        "1c:v:nowhere",
        "1c:q:" + "9" * 30,
        "garbage",
        "1s:all:0:" + "x" * 60,  # too long for Telegram, but a forged update may carry anything
        "1c:l:en\x00",
    ],
)
async def test_forged_or_stale_callback_data_is_refused_politely(
    bot: BotUnderTest, chat: ChatSession, data: str
) -> None:
    welcome = await chat.reply_to("/start")
    before = await snapshot(bot)

    answer, changes = await chat.press_for_answer(welcome, data, check_button=False)

    assert answer["text"] == STALE
    assert changes == []
    assert await snapshot(bot) == before


async def test_stale_answer_in_english(chat: ChatSession) -> None:
    welcome = await chat.reply_to("/start", language_code="en")

    answer, _changes = await chat.press_for_answer(welcome, "1c:z:999", check_button=False)

    assert answer["text"] == "This button is out of date. Please send the command again."


@pytest.mark.parametrize(
    "command",
    [
        "/subscribe " + "x" * 5000,
        "/settings include " + ", ".join(f"lúa {i}" for i in range(1000)),
        "/settings include " + "a" * 4000,
        "/settings tz " + "Á" * 4090,
        "/subscribe \x00\x01\x02\ufffe\U0010fffd",
        "/settings times \x00\x00",
        "/settings \udcff\udcfe".encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
    ],
    ids=[
        "huge-subscribe",
        "many-keywords",
        "long-keyword",
        "huge-zone",
        "binary-subscribe",
        "binary-times",
        "undecodable",
    ],
)
async def test_huge_or_binary_arguments_get_a_short_answer(
    bot: BotUnderTest, chat: ChatSession, command: str
) -> None:
    await chat.reply_to("/start")
    before = await snapshot(bot)

    reply = await chat.reply_to(command)

    assert 0 < len(reply["visible_text"]) < 1000
    assert await snapshot(bot) == before


async def test_an_edited_message_does_nothing(bot: BotUnderTest, chat: ChatSession) -> None:
    await chat.reply_to("/start")
    before = await snapshot(bot)
    sent = chat.standin.chats.get(USER).messages
    [first] = [m for m in sent.values() if m.get("text") == "/start"]

    bot.standin.user_edits(USER, first, "/subscribe all")
    after_edit = await chat.send("/help")  # handled after the edit: the edit had its turn

    assert len(after_edit) == 1 and after_edit[0]["visible_text"].startswith("Những việc tôi có thể làm")
    assert await snapshot(bot) == before


async def test_a_channel_post_does_nothing(bot: BotUnderTest, chat: ChatSession) -> None:
    bot.standin.channel_post(-1001234567890, "/subscribe all", title="Kênh tin <b>")
    await chat.reply_to("/help")  # handled after the post

    assert bot.standin.messages_for(-1001234567890) == []
    assert await bot.subscriber(-1001234567890) is None


@pytest.mark.parametrize(
    ("text", "language_code", "expected"),
    [
        ("/frobnicate", "vi", "Tôi không hiểu lệnh /frobnicate. Gửi /help để xem các lệnh tôi biết."),
        ("/frobnicate", "en", "I don't know the command /frobnicate. Send /help to see what I can do."),
        ("/" + "a" * 64, "vi", "Tôi không hiểu lệnh /" + "a" * 58 + "…. Gửi /help để xem các lệnh tôi biết."),
        ("xin chào", "vi", "Tôi làm việc theo lệnh. Gửi /help để xem các lệnh, hoặc /latest để đọc tin mới."),
        ("hello", "en", "I answer commands. Send /help to see them, or /latest for the news."),
        (
            "\x00\x01 <b>&",
            "vi",
            "Tôi làm việc theo lệnh. Gửi /help để xem các lệnh, hoặc /latest để đọc tin mới.",
        ),
    ],
)
async def test_unknown_commands_and_plain_text_get_a_hint(
    chat: ChatSession, text, language_code, expected
) -> None:
    reply = await chat.reply_to(text, language_code=language_code)

    assert reply["visible_text"] == expected


async def test_escaped_echo_of_user_input(chat: ChatSession) -> None:
    reply = await chat.reply_to("/subscribe <b>Báo</b> & co")

    assert reply["visible_text"] == "Không có nguồn tin “<b>Báo</b> & co”. Xem danh sách: /sources"
    assert "&lt;b&gt;" in reply["text"]


async def test_no_reply_is_longer_than_telegram_allows(bot: BotUnderTest, chat: ChatSession) -> None:
    for command in ("/start", "/help", "/sources", "/settings", "/subscribe " + "y" * 4000):
        await chat.reply_to(command)

    assert all(len(m["visible_text"]) <= TELEGRAM_MESSAGE_LIMIT for m in bot.standin.messages_for(USER))


@pytest.mark.parametrize(
    "command",
    [
        "/subscribe 99999999999999999999999",
        "/unsubscribe ²",
        "/latest 3 99999999999999999999999",
    ],
)
async def test_a_number_no_source_can_have_finds_no_source(chat: ChatSession, command: str) -> None:
    reply = await chat.reply_to(command)

    assert reply["visible_text"].startswith("Không có nguồn tin “")


# Text pasted from web pages and other apps carries characters that show as nothing: zero-width
# spaces, word joiners, byte-order marks, soft hyphens, and the controls that turn text right to left.
@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/subscribe all\u200b", "Bạn đã theo dõi tất cả nguồn tin"),
        ("/subscribe \ufeffall", "Bạn đã theo dõi tất cả nguồn tin"),
        ("/subscribe a\u00adll", "Bạn đã theo dõi tất cả nguồn tin"),
        ("/subscribe \u2066all\u2069", "Bạn đã theo dõi tất cả nguồn tin"),
        ("/subscribe al\u2060l", "Bạn đã theo dõi tất cả nguồn tin"),
        ("/subscribe \u200b", "Cách dùng: /subscribe SỐ hoặc TÊN nguồn tin"),
        # A right-to-left override echoed back would turn the rest of the bot's sentence around.
        ("/subscribe \u202ekhông có", "Không có nguồn tin “không có”. Xem danh sách: /sources"),
        ("/subscribe \u200fkhông\u200e có", "Không có nguồn tin “không có”. Xem danh sách: /sources"),
    ],
)
async def test_invisible_characters_in_arguments_are_ignored(
    chat: ChatSession, command: str, expected: str
) -> None:
    reply = await chat.reply_to(command)

    assert reply["visible_text"].startswith(expected)


# Someone forwarding a chat log (theirs, or a tutorial's) forwards the commands in it too: they are
# quotes, not orders, wherever they land.
FORWARD_AUTHOR = 3003


@pytest.mark.parametrize(
    "command",
    [
        "/stop",
        "/stop@bantin_test_bot",
        "/unsubscribe all",
        "/settings lang en",
        "/settings giờ 05:00",
        "/start",
    ],
)
async def test_a_forwarded_command_is_not_run(bot: BotUnderTest, chat: ChatSession, command: str) -> None:
    await chat.reply_to("/subscribe all")
    before = await snapshot(bot)

    bot.standin.user_sends(USER, command, forwarded_from=FORWARD_AUTHOR)
    after = await chat.send("/help")  # handled after the forwarded message

    assert len(after) == 1 and after[0]["visible_text"].startswith("Những việc tôi có thể làm")
    assert await snapshot(bot) == before and (await bot.subscriber(USER)).active


async def test_a_forwarded_stop_in_a_group_is_not_run(bot: BotUnderTest) -> None:
    group, owner = -500777, 2001
    bot.standin.bot_added_to_group(group, owner, title="Tổ hợp tác Đồng Tâm")
    owners_chat = bot.chat(owner, chat_id=group, chat_type="group")
    await owners_chat.reply_to("/subscribe all")

    bot.standin.user_sends(owner, "/stop", chat_id=group, chat_type="group", forwarded_from=FORWARD_AUTHOR)
    after = await owners_chat.send("/help")

    assert after[0]["visible_text"].startswith("Những việc tôi có thể làm")
    subscriber = await bot.subscriber(group)
    assert subscriber.active and subscriber.all_sources
