"""/settings end to end: typed and by buttons, saved in the database, answered in the chat's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.bot.conftest import USER, BotUnderTest, ChatSession, button_data, buttons


@pytest.mark.parametrize(
    ("language_code", "lines"),
    [
        (
            "vi",
            [
                "Cài đặt",
                "🕖 Giờ nhận bản tin: 07:00, 17:00 (Asia/Ho_Chi_Minh)",
                "🌙 Giờ không làm phiền: tắt",
            ],
        ),
        ("en", ["Settings", "🕖 Digest times: 07:00, 17:00 (Asia/Ho_Chi_Minh)", "🌙 Quiet hours: off"]),
    ],
)
async def test_settings_shows_the_current_settings(
    chat: ChatSession, language_code: str, lines: list[str]
) -> None:
    reply = await chat.reply_to("/settings", language_code=language_code)

    shown = reply["visible_text"].splitlines()
    assert shown[0] == lines[0]
    assert set(lines[1:]) <= set(shown)
    assert len(buttons(reply)) == 7


@pytest.mark.parametrize(
    ("command", "field", "value"),
    [
        ("/settings times 06:30 18:00", "digest_times", ["06:30", "18:00"]),
        ("/settings times 18h 6h30 18:00", "digest_times", ["06:30", "18:00"]),
        ("/settings tz Europe/Berlin", "timezone", "Europe/Berlin"),
        ("/settings tz berlin", "timezone", "Europe/Berlin"),
        ("/settings mode instant", "mode", "instant"),
        ("/settings mode off", "mode", "off"),
        ("/settings include lúa, giá, Giá", "include_keywords", ["lúa", "giá"]),
        ("/settings exclude quảng cáo", "exclude_keywords", ["quảng cáo"]),
        ("/settings quiet 22:00 06:00", "quiet_start", "22:00"),
        ("/settings nonews on", "no_news_notice", True),
        ("/settings lang en", "language", "en"),
    ],
)
async def test_typed_settings_are_saved(bot: BotUnderTest, chat: ChatSession, command, field, value) -> None:
    reply = await chat.reply_to(command)

    assert reply["visible_text"].splitlines()[0] in ("✅ Đã lưu.", "✅ Saved.")
    assert getattr(await bot.subscriber(USER), field) == value


@pytest.mark.parametrize(
    ("command", "zone", "next_digest_utc"),
    [
        # 08:00 in Hồ Chí Minh City now: the next of 06:30/18:00 is 18:00 local, 11:00 UTC
        ("/settings times 06:30 18:00", None, datetime(2025, 3, 10, 11, 0, tzinfo=UTC)),
        # 02:00 in Berlin (UTC+1 in March) now: 07:00 local is 06:00 UTC
        ("/settings tz Europe/Berlin", "Europe/Berlin", datetime(2025, 3, 10, 6, 0, tzinfo=UTC)),
    ],
)
async def test_changing_times_or_zone_moves_the_next_digest(
    bot: BotUnderTest, chat: ChatSession, command, zone, next_digest_utc
) -> None:
    await chat.reply_to("/start")

    reply = await chat.reply_to(command)

    subscriber = await bot.subscriber(USER)
    assert subscriber.timezone == zone
    assert subscriber.next_digest_at == next_digest_utc
    assert "Bản tin kế tiếp:" in reply["visible_text"]


async def test_language_switch_answers_in_english_from_then_on(bot: BotUnderTest, chat: ChatSession) -> None:
    saved = await chat.reply_to("/settings lang en")
    assert saved["visible_text"].startswith("✅ Saved.\n\nSettings")

    later = await chat.reply_to("/help")  # Telegram still says "vi": the user's choice wins
    assert later["visible_text"].startswith("What I can do")


async def test_language_by_buttons(bot: BotUnderTest, chat: ChatSession) -> None:
    menu = await chat.reply_to("/settings")

    _answer, languages = await chat.press(menu, button_data(menu, "Ngôn ngữ"))
    assert languages["visible_text"] == "Bạn muốn dùng ngôn ngữ nào?"
    assert "✅ Tiếng Việt" in buttons(languages)
    answer, settings = await chat.press(chat.current(menu), button_data(languages, "English"))

    assert answer["text"] == "Saved."
    assert settings["visible_text"].startswith("Settings\n")
    assert (await bot.subscriber(USER)).language == "en"


@pytest.mark.parametrize(
    ("menu_button", "choice", "field", "value"),
    [
        ("Giờ nhận bản tin", "06:30, 12:00, 18:00", "digest_times", ["06:30", "12:00", "18:00"]),
        ("Múi giờ", "Asia/Tokyo", "timezone", "Asia/Tokyo"),
        ("Cách nhận tin", "kèm bản tin", "mode", "both"),
        ("Giờ không làm phiền", "23:00–07:00", "quiet_end", "07:00"),
        ("Báo khi không có tin", None, "no_news_notice", True),
    ],
)
async def test_settings_by_buttons(
    bot: BotUnderTest, chat: ChatSession, menu_button, choice, field, value
) -> None:
    menu = await chat.reply_to("/settings")

    answer, page = await chat.press(menu, button_data(menu, menu_button))
    if choice is not None:
        answer, page = await chat.press(chat.current(menu), button_data(page, choice))

    assert answer["text"] == "Đã lưu."
    assert page["visible_text"].startswith("Cài đặt\n")
    assert getattr(await bot.subscriber(USER), field) == value


@pytest.mark.parametrize(
    ("typed", "checked"),
    [
        (None, "Mặc định (07:00, 17:00)"),  # the default is the choice, though a preset holds the same times
        ("/settings times 07:00 17:00", "07:00, 17:00"),
        ("/settings times 06:30 12:00 18:00", "06:30, 12:00, 18:00"),
        ("/settings times 05:45", None),  # times of its own: no button is its choice
    ],
)
async def test_the_digest_times_page_checks_the_chats_own_choice(
    bot: BotUnderTest, chat: ChatSession, typed: str | None, checked: str | None
) -> None:
    if typed:
        await chat.reply_to(typed)
    menu = await chat.reply_to("/settings")

    _answer, page = await chat.press(menu, button_data(menu, "Giờ nhận bản tin"))

    marked = [text.removeprefix("✅ ") for text in buttons(page) if text.startswith("✅ ")]
    assert marked == ([checked] if checked else [])


async def test_keywords_are_cleared_by_button(bot: BotUnderTest, chat: ChatSession) -> None:
    await chat.reply_to("/settings include lúa")
    await chat.reply_to("/settings exclude giá")
    menu = await chat.reply_to("/settings")

    _answer, page = await chat.press(menu, button_data(menu, "Từ khóa"))
    assert "Chỉ nhận tin có: lúa" in page["visible_text"]
    await chat.press(chat.current(menu), button_data(page, "Xóa từ khóa"))

    subscriber = await bot.subscriber(USER)
    assert (subscriber.include_keywords, subscriber.exclude_keywords) == ([], [])


async def test_quiet_hours_off_and_default_times(bot: BotUnderTest, chat: ChatSession) -> None:
    await chat.reply_to("/settings quiet 22:00 06:00")
    await chat.reply_to("/settings times 09:00")

    await chat.reply_to("/settings quiet off")
    await chat.reply_to("/settings times default")

    subscriber = await bot.subscriber(USER)
    assert (subscriber.quiet_start, subscriber.quiet_end, subscriber.digest_times) == (None, None, None)


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        (
            "/settings times 25:00",
            "Cách dùng: /settings giờ 06:30 18:00 (từ một đến sáu mốc giờ trong ngày)",
        ),
        (
            "/settings times 1 2 3 4 5 6 7",
            "Cách dùng: /settings giờ 06:30 18:00 (từ một đến sáu mốc giờ trong ngày)",
        ),
        (
            "/settings tz Mars/Olympus",
            "Cách dùng: /settings múi giờ Europe/Berlin (tên múi giờ, hoặc chỉ tên thành phố)",
        ),
        ("/settings lang fr", "Cách dùng: /settings ngôn ngữ vi hoặc /settings ngôn ngữ en"),
        ("/settings mode loud", "Cách dùng: /settings chế độ bản tin, ngay, cả hai hoặc tắt"),
        (
            "/settings quiet 22:00",
            "Cách dùng: /settings không làm phiền 22:00 06:00, hoặc /settings không làm phiền tắt",
        ),
        ("/settings nonews maybe", "Cách dùng: /settings không có tin bật hoặc /settings không có tin tắt"),
        (
            "/settings include , ,",
            "Cách dùng: /settings chỉ lúa, giá (tối đa 20 từ hoặc cụm từ, cách nhau bằng dấu phẩy; tắt để xóa hết)",
        ),
        ("/settings colour blue", "Cách dùng: /settings, hoặc một trong các lệnh:"),
    ],
)
async def test_bad_settings_get_the_usage_line_and_change_nothing(
    bot: BotUnderTest, chat: ChatSession, command: str, usage: str
) -> None:
    await chat.reply_to("/start")
    before = await bot.subscriber(USER)

    reply = await chat.reply_to(command)

    assert reply["visible_text"].splitlines()[0] == usage
    after = await bot.subscriber(USER)
    assert (after.digest_times, after.timezone, after.mode, after.language, after.updated_at) == (
        before.digest_times, before.timezone, before.mode, before.language, before.updated_at,
    )  # fmt: skip


async def test_english_usage_line(chat: ChatSession) -> None:
    reply = await chat.reply_to("/settings tz nowhere", language_code="en")

    assert reply["visible_text"] == "Usage: /settings tz Europe/Berlin (a time zone, or just its city)"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("UTC+7", "UTC+7"),  # stored as Etc/GMT-7: POSIX inverts the sign, subscribers must not see it
        ("gmt - 3", "UTC-3"),
        ("Europe/Berlin", "Europe/Berlin"),
    ],
)
async def test_a_fixed_offset_zone_is_shown_as_typed(chat: ChatSession, typed: str, shown: str) -> None:
    saved = await chat.reply_to(f"/settings tz {typed}")
    welcome = await chat.reply_to("/start")

    assert f"🕖 Giờ nhận bản tin: 07:00, 17:00 ({shown})" in saved["visible_text"].splitlines()
    assert f"lúc 07:00, 17:00 ({shown})." in welcome["visible_text"]


# Vietnamese is the bot's default language: its words name the settings too, typed with or without
# diacritics, in any chat; the English words keep working everywhere.
@pytest.mark.parametrize(
    ("command", "field", "value"),
    [
        ("/settings giờ 06:30 18:00", "digest_times", ["06:30", "18:00"]),
        ("/settings gio 6h30", "digest_times", ["06:30"]),
        ("/settings Giờ 7 giờ 30", "digest_times", ["07:30"]),
        ("/settings múi giờ Asia/Bangkok", "timezone", "Asia/Bangkok"),
        ("/settings mui gio bangkok", "timezone", "Asia/Bangkok"),
        ("/settings ngôn ngữ en", "language", "en"),
        ("/settings ngon ngu tiếng anh", "language", "en"),
        ("/settings chế độ ngay", "mode", "instant"),
        ("/settings che do ca hai", "mode", "both"),
        ("/settings chế độ tắt", "mode", "off"),
        ("/settings chỉ lúa, giá", "include_keywords", ["lúa", "giá"]),
        ("/settings chi cà phê", "include_keywords", ["cà phê"]),
        ("/settings bỏ qua quảng cáo", "exclude_keywords", ["quảng cáo"]),
        ("/settings bo qua xổ số", "exclude_keywords", ["xổ số"]),
        ("/settings không làm phiền 22:00 06:00", "quiet_start", "22:00"),
        ("/settings khong lam phien 22h-6h", "quiet_start", "22:00"),
        ("/settings không có tin bật", "no_news_notice", True),
        ("/settings khong co tin bat", "no_news_notice", True),
    ],
)
async def test_vietnamese_setting_words_are_saved(
    bot: BotUnderTest, chat: ChatSession, command, field, value
) -> None:
    reply = await chat.reply_to(command)

    assert reply["visible_text"].splitlines()[0] in ("✅ Đã lưu.", "✅ Saved.")
    assert getattr(await bot.subscriber(USER), field) == value


@pytest.mark.parametrize(
    ("language_code", "command", "expected"),
    [
        ("en", "/settings giờ 06:30", "✅ Saved."),
        ("en", "/settings chế độ loud", "Usage: /settings mode digest, instant, both or off"),
        ("en", "/settings gio 25:00", "Usage: /settings times 06:30 18:00 (one to six times of day)"),
        (
            "vi",
            "/settings times 25:00",
            "Cách dùng: /settings giờ 06:30 18:00 (từ một đến sáu mốc giờ trong ngày)",
        ),
    ],
)
async def test_any_languages_words_are_read_and_the_chats_are_shown(
    chat: ChatSession, language_code: str, command: str, expected: str
) -> None:
    reply = await chat.reply_to(command, language_code=language_code)

    assert reply["visible_text"].splitlines()[0] == expected


@pytest.mark.parametrize(
    ("language_code", "lines"),
    [
        (
            "vi",
            [
                "/settings giờ 06:30 18:00 (từ một đến sáu mốc giờ trong ngày)",
                "/settings ngôn ngữ vi hoặc /settings ngôn ngữ en",
            ],
        ),
        (
            "en",
            [
                "/settings times 06:30 18:00 (one to six times of day)",
                "/settings lang vi or /settings lang en",
            ],
        ),
    ],
)
async def test_settings_help_lists_the_words_of_the_chats_language(
    chat: ChatSession, language_code: str, lines: list[str]
) -> None:
    reply = await chat.reply_to("/settings colour blue", language_code=language_code)

    assert set(lines) <= set(reply["visible_text"].splitlines())


@pytest.mark.parametrize(
    ("language_code", "examples"),
    [
        (
            "vi",
            ["/settings giờ 06:30 18:00", "/settings múi giờ Europe/Berlin", "/settings bỏ qua quảng cáo"],
        ),
        ("en", ["/settings times 06:30 18:00", "/settings tz Europe/Berlin", "/settings exclude quảng cáo"]),
    ],
)
async def test_settings_examples_use_the_chats_words(
    chat: ChatSession, language_code: str, examples: list[str]
) -> None:
    reply = await chat.reply_to("/settings", language_code=language_code)

    assert set(examples) <= set(reply["visible_text"].splitlines())
