"""/start, /help, /sources, /subscribe, /unsubscribe, /stop end to end: the real application, over HTTP,
against the Bot API stand-in, in Vietnamese (the default) and English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.models import OutboxMessage, Source
from storage.subscribers import subscribed_source_ids
from tests.bot.conftest import USER, BotUnderTest, ChatSession, button_data, buttons


async def source_id(bot: BotUnderTest, name: str) -> int:
    async with bot.services.db.session() as session:
        return (await session.scalars(select(Source.id).where(Source.name == name))).one()


async def followed(bot: BotUnderTest, chat_id: int = USER) -> set[int]:
    async with bot.services.db.session() as session:
        subscriber = await bot.subscriber(chat_id)
        return await subscribed_source_ids(session, subscriber) if subscriber else set()


@pytest.mark.parametrize(
    ("language_code", "welcome", "about", "labels"),
    [
        (
            "vi",
            "Chào mừng bạn đến với Bản tin!",
            "Tôi tổng hợp tin từ 3 nguồn và gửi bạn bản tin lúc 07:00, 17:00 (Asia/Ho_Chi_Minh).",
            {"✅ Tất cả nguồn tin", "📋 Chọn nguồn tin", "🕖 Giờ nhận bản tin", "⚙️ Cài đặt"},
        ),
        (
            "en",
            "Welcome to Bản tin!",
            "I gather news from 3 sources and send you a digest at 07:00, 17:00 (Asia/Ho_Chi_Minh).",
            {"✅ All sources", "📋 Choose sources", "🕖 Digest times", "⚙️ Settings"},
        ),
    ],
)
async def test_start_welcomes_in_the_users_language_and_registers_the_chat(
    bot: BotUnderTest, chat: ChatSession, language_code, welcome, about, labels
) -> None:
    reply = await chat.reply_to("/start", language_code=language_code)

    lines = reply["visible_text"].splitlines()
    assert lines[0] == welcome
    assert lines[1] == about
    assert set(buttons(reply)) == labels
    assert {"type": "bold", "offset": 0, "length": len(welcome)} in reply["entities"]
    subscriber = await bot.subscriber(USER)
    assert (subscriber.chat_type, subscriber.telegram_language, subscriber.active) == (
        "private",
        language_code,
        True,
    )
    assert subscriber.language is None  # Telegram's language is followed until the user picks one


@pytest.mark.parametrize(
    ("language_code", "mode", "about"),
    [
        ("vi", "instant", ["Tôi tổng hợp tin từ 3 nguồn.", "Cách nhận tin: từng tin mới ngay khi có"]),
        ("vi", "off", ["Tôi tổng hợp tin từ 3 nguồn.", "Cách nhận tin: tắt: không gửi gì"]),
        ("en", "instant", ["I gather news from 3 sources.", "What you get: each new story right away"]),
        ("en", "off", ["I gather news from 3 sources.", "What you get: off: nothing is sent"]),
    ],
)
async def test_start_promises_no_digest_to_a_chat_that_gets_none(
    chat: ChatSession, language_code, mode, about
) -> None:
    await chat.reply_to(f"/settings mode {mode}", language_code=language_code)

    reply = await chat.reply_to("/start", language_code=language_code)

    assert reply["visible_text"].splitlines()[1:3] == about


@pytest.mark.parametrize(
    ("language_code", "notice"),
    [
        ("vi", "Bạn đã theo dõi tất cả nguồn tin, kể cả các nguồn thêm sau này."),
        ("en", "You now follow all sources, including new ones."),
    ],
)
async def test_start_button_subscribes_to_all_sources(
    bot: BotUnderTest, chat: ChatSession, language_code, notice
) -> None:
    welcome = await chat.reply_to("/start", language_code=language_code)

    answer, edit = await chat.press(welcome, button_data(welcome, "✅"))

    assert answer["text"] == notice
    assert edit["method"] == "editMessageText"
    assert edit["visible_text"].count("✅") == 3  # every source is followed
    assert sum(label.startswith("✅") for label in buttons(edit)) == 3 + 1  # and "all sources" is on
    assert (await bot.subscriber(USER)).all_sources is True


async def test_start_button_opens_the_source_list_to_choose_from(
    bot: BotUnderTest, chat: ChatSession
) -> None:
    welcome = await chat.reply_to("/start")

    _answer, listing = await chat.press(welcome, button_data(welcome, "📋"))
    answer, _edit = await chat.press(chat.current(welcome), button_data(listing, "Green River Times"))

    assert listing["visible_text"].splitlines()[0] == "Nguồn tin"
    assert answer["text"] == "Bạn đã theo dõi Green River Times."
    assert await followed(bot) == {await source_id(bot, "Green River Times")}


async def test_start_button_picks_digest_times(bot: BotUnderTest, chat: ChatSession) -> None:
    welcome = await chat.reply_to("/start", language_code="en")

    _answer, times = await chat.press(welcome, button_data(welcome, "🕖"))
    answer, _settings = await chat.press(chat.current(welcome), button_data(times, "06:30, 12:00, 18:00"))

    assert answer["text"] == "Saved."
    assert (await bot.subscriber(USER)).digest_times == ["06:30", "12:00", "18:00"]


async def test_sources_lists_every_source_with_toggles_that_persist(
    bot: BotUnderTest, chat: ChatSession
) -> None:
    listing = await chat.reply_to("/sources")
    green = await source_id(bot, "Green River Times")

    assert listing["visible_text"].splitlines()[0] == "Nguồn tin"
    assert f"{green}. Green River Times" in listing["visible_text"]
    assert listing["link_preview_options"] == {"is_disabled": True}

    answer, edit = await chat.press(listing, button_data(listing, "Green River Times"))
    assert answer["text"] == "Bạn đã theo dõi Green River Times."
    assert "✅ Green River Times" in buttons(edit)
    assert await followed(bot) == {green}

    answer, edit = await chat.press(chat.current(listing), button_data(edit, "Green River Times"))
    assert answer["text"] == "Bạn đã bỏ theo dõi Green River Times."
    assert "➕ Green River Times" in buttons(edit)
    assert await followed(bot) == set()


async def test_sources_in_english(chat: ChatSession) -> None:
    listing = await chat.reply_to("/sources", language_code="en")

    lines = listing["visible_text"].splitlines()
    assert (lines[0], lines[-1]) == (
        "Sources",
        "Tap a source to follow or unfollow it, or type /subscribe and its number.",
    )
    assert "➕ All sources" in buttons(listing)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/subscribe Báo Sông Xanh", "Bạn đã theo dõi Báo Sông Xanh."),
        ("/subscribe bao song xanh", "Bạn đã theo dõi Báo Sông Xanh."),  # diacritics optional
        ("/subscribe green", "Bạn đã theo dõi Green River Times."),  # a unique prefix
        ("/subscribe Báo Nào Đó", "Không có nguồn tin “Báo Nào Đó”. Xem danh sách: /sources"),
        ("/subscribe", "Cách dùng: /subscribe SỐ hoặc TÊN nguồn tin, hoặc /subscribe all"),
        ("/unsubscribe", "Cách dùng: /unsubscribe SỐ hoặc TÊN nguồn tin, hoặc /unsubscribe all"),
        ("/unsubscribe Green River Times", "Bạn chưa theo dõi Green River Times."),
    ],
)
async def test_subscribe_and_unsubscribe_by_name(chat: ChatSession, command: str, expected: str) -> None:
    reply = await chat.reply_to(command)

    assert reply["visible_text"].splitlines()[0] == expected


@pytest.mark.parametrize(
    ("command", "language_code", "expected"),
    [
        (
            "/subscribe sông xanh",
            "vi",
            "“sông xanh” có thể là nhiều nguồn tin: Báo Sông Xanh ({bao}), Cổng TTĐT tỉnh Sông Xanh ({cong}). "
            "Hãy gõ thêm tên, hoặc gõ số của nguồn.",
        ),
        (
            "/unsubscribe song xanh",
            "en",
            "“song xanh” could be more than one source: Báo Sông Xanh ({bao}), Cổng TTĐT tỉnh Sông Xanh "
            "({cong}). Type more of the name, or its number.",
        ),
        (
            "/latest 3 song xanh",
            "en",
            "“song xanh” could be more than one source: Báo Sông Xanh ({bao}), Cổng TTĐT tỉnh Sông Xanh "
            "({cong}). Type more of the name, or its number.",
        ),
    ],
)
async def test_a_name_two_sources_share_is_asked_about_not_denied(
    bot: BotUnderTest, chat: ChatSession, command: str, language_code: str, expected: str
) -> None:
    await chat.reply_to("/subscribe all")
    ids = {
        "bao": await source_id(bot, "Báo Sông Xanh"),
        "cong": await source_id(bot, "Cổng TTĐT tỉnh Sông Xanh"),
    }

    reply = await chat.reply_to(command, language_code=language_code)

    assert reply["visible_text"].splitlines()[0] == expected.format(**ids)
    assert (await bot.subscriber(USER)).all_sources is True  # nothing changed


async def test_subscribe_by_number_then_unsubscribe(bot: BotUnderTest, chat: ChatSession) -> None:
    green = await source_id(bot, "Green River Times")

    subscribed = await chat.reply_to(f"/subscribe {green}", language_code="en")
    assert subscribed["visible_text"].splitlines() == [
        "You now follow Green River Times.",
        "Next digest: 17:00, 10 Mar",
    ]
    assert await followed(bot) == {green}
    again = await chat.reply_to(f"/subscribe {green}", language_code="en")
    assert again["visible_text"].startswith("You already follow Green River Times.")

    left = await chat.reply_to("/unsubscribe green river times", language_code="en")
    assert left["visible_text"] == "You no longer follow Green River Times."
    assert await followed(bot) == set()


@pytest.mark.parametrize("separator", [" ", ", ", ",", " ; "])
async def test_several_source_numbers_at_once(bot: BotUnderTest, chat: ChatSession, separator: str) -> None:
    bao, green = await source_id(bot, "Báo Sông Xanh"), await source_id(bot, "Green River Times")
    numbers = separator.join(str(n) for n in (bao, green, 99999, bao))

    subscribed = await chat.reply_to(f"/subscribe {numbers}", language_code="en")
    assert subscribed["visible_text"].splitlines() == [
        "You now follow Báo Sông Xanh.",
        "You now follow Green River Times.",
        "There is no source “99999”. The list: /sources",
        "Next digest: 17:00, 10 Mar",
    ]
    assert await followed(bot) == {bao, green}

    left = await chat.reply_to(f"/unsubscribe {green}{separator}{bao}", language_code="vi")
    assert left["visible_text"].splitlines() == [
        "Bạn đã bỏ theo dõi Green River Times.",
        "Bạn đã bỏ theo dõi Báo Sông Xanh.",
    ]
    assert await followed(bot) == set()


async def test_a_list_of_numbers_too_long_for_one_answer_is_not_read_as_numbers(chat: ChatSession) -> None:
    reply = await chat.reply_to("/subscribe " + " ".join(str(n) for n in range(100, 400)))

    assert reply["visible_text"].startswith("Không có nguồn tin “100 101 102")


async def test_leaving_one_source_while_following_all_keeps_the_others(
    bot: BotUnderTest, chat: ChatSession
) -> None:
    await chat.reply_to("/subscribe all")
    green = await source_id(bot, "Green River Times")

    reply = await chat.reply_to("/unsubscribe Green River Times")

    assert reply["visible_text"] == "Bạn đã bỏ theo dõi Green River Times."
    assert (await bot.subscriber(USER)).all_sources is False
    assert len(await followed(bot)) == 2 and green not in await followed(bot)

    none = await chat.reply_to("/unsubscribe all")
    assert none["visible_text"] == "Bạn không còn theo dõi nguồn nào. Chọn lại bằng /sources."
    assert await followed(bot) == set()


@pytest.mark.parametrize(
    ("language_code", "title", "start_line"),
    [
        ("vi", "Những việc tôi có thể làm", "/start — Bắt đầu và chọn tin muốn theo dõi"),
        ("en", "What I can do", "/start — Welcome, and choose what to follow"),
    ],
)
async def test_help_lists_the_commands(chat: ChatSession, language_code, title, start_line) -> None:
    reply = await chat.reply_to("/help", language_code=language_code)

    lines = reply["visible_text"].splitlines()
    assert lines[0] == title
    assert start_line in lines
    assert {line.split(" — ")[0] for line in lines if line.startswith("/")} >= {
        "/start", "/help", "/sources", "/subscribe", "/unsubscribe", "/stop", "/settings",
    }  # fmt: skip


async def queue_a_digest_waiting_for_its_retry(bot: BotUnderTest) -> None:
    """A row the running sender leaves alone until 2100: only /stop (or deleting the data) ends it."""
    subscriber = await bot.subscriber(USER)
    async with bot.services.db.transaction() as session:
        session.add(
            OutboxMessage(
                chat_id=USER,
                subscriber_id=subscriber.id,
                kind="digest",
                ref_id=1,
                text="x",
                next_attempt_at=datetime(2100, 1, 1, tzinfo=UTC),
            )  # fmt: skip
        )


async def outbox_statuses(bot: BotUnderTest) -> list[str]:
    async with bot.services.db.session() as session:
        return list(await session.scalars(select(OutboxMessage.status).where(OutboxMessage.chat_id == USER)))


async def test_stop_unsubscribes_and_offers_to_delete_the_data(bot: BotUnderTest, chat: ChatSession) -> None:
    await chat.reply_to("/subscribe all")
    await queue_a_digest_waiting_for_its_retry(bot)

    stopped = await chat.reply_to("/stop")

    assert stopped["visible_text"].splitlines()[0] == (
        "Xong: tôi sẽ không gửi gì cho bạn nữa. Gửi /start bất cứ khi nào bạn muốn quay lại."
    )
    subscriber = await bot.subscriber(USER)
    assert (subscriber.active, subscriber.all_sources) == (False, False)

    _answer, confirm = await chat.press(stopped, button_data(stopped, "Xóa dữ liệu của tôi"))
    assert confirm["visible_text"].startswith("Xóa vĩnh viễn cài đặt và các đăng ký của bạn?")
    _answer, done = await chat.press(chat.current(stopped), button_data(confirm, "Có, xóa đi"))

    assert done["visible_text"] == "Dữ liệu của bạn đã được xóa. Gửi /start để bắt đầu lại."
    assert await bot.subscriber(USER) is None
    assert await outbox_statuses(bot) == ["cancelled"]


async def test_stop_cancels_what_is_still_queued_for_the_chat(bot: BotUnderTest, chat: ChatSession) -> None:
    """ "I will send you nothing more": a digest part queued before /stop (here waiting for its
    retry) must not reach the chat afterwards, whether or not the data is then deleted."""
    await chat.reply_to("/subscribe all")
    await queue_a_digest_waiting_for_its_retry(bot)

    await chat.reply_to("/stop")

    assert await outbox_statuses(bot) == ["cancelled"]


async def test_start_after_stop_reactivates(bot: BotUnderTest, chat: ChatSession) -> None:
    await chat.reply_to("/start")
    await chat.reply_to("/stop")

    await chat.reply_to("/start")

    assert (await bot.subscriber(USER)).active is True


@pytest.mark.parametrize(
    "follow", ["/subscribe all", "/subscribe green", "button: Tất cả nguồn tin", "button: Green"]
)
async def test_following_again_after_stop_brings_the_chat_back(
    bot: BotUnderTest, chat: ChatSession, follow: str
) -> None:
    await chat.reply_to("/subscribe all")
    await chat.reply_to("/stop")

    if follow.startswith("/"):
        reply = await chat.reply_to(follow)
        assert reply["visible_text"].splitlines()[-1] == "Bản tin kế tiếp: 17:00 10/03"
    else:
        listing = await chat.reply_to("/sources")
        await chat.press(listing, button_data(listing, follow.removeprefix("button: ")))

    subscriber = await bot.subscriber(USER)
    assert subscriber.active is True  # else "you now follow" is said and nothing is ever sent
    assert subscriber.next_digest_at == datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


async def test_stop_without_subscribing_says_so(chat: ChatSession) -> None:
    reply = await chat.reply_to("/stop", language_code="en")

    assert reply["visible_text"] == "You are not subscribed. Send /start to begin."
