"""Updates queued while the bot was down (a restart, a deploy) are handled when it is back. A button
pressed then can no longer be answered (Telegram: "query is too old"): the press still does what it
says, and nobody is told of an error."""

from __future__ import annotations

import pytest

from tests.bot.conftest import ADMIN, USER, BotUnderTest, ChatSession, button_data


@pytest.fixture(autouse=True)
def admin_can_be_told(bot: BotUnderTest) -> None:
    """The admin has started the bot: an error notice would reach them (and the test would see it)."""
    bot.standin.add_private_chat(ADMIN)


async def test_a_source_toggled_while_the_bot_restarted_is_followed(
    bot: BotUnderTest, chat: ChatSession
) -> None:
    listing = await chat.reply_to("/sources")

    _answer, edit = await chat.press(listing, button_data(listing, "Báo Sông Xanh"), too_old=True)

    assert edit["method"] == "editMessageText"
    assert "✅ Báo Sông Xanh" in [b["text"] for row in edit["reply_markup"]["inline_keyboard"] for b in row]
    assert bot.standin.messages_for(ADMIN) == []


async def test_a_setting_pressed_while_the_bot_restarted_is_saved(
    bot: BotUnderTest, chat: ChatSession
) -> None:
    menu = await chat.reply_to("/settings")

    _answer, edit = await chat.press(menu, button_data(menu, "Báo khi không có tin"), too_old=True)

    assert edit["method"] == "editMessageText"
    assert (await bot.subscriber(USER)).no_news_notice is True
    assert bot.standin.messages_for(ADMIN) == []


@pytest.mark.parametrize("data", ["1c:z:999", "garbage"])
async def test_a_stale_button_pressed_while_the_bot_restarted_is_no_error(
    bot: BotUnderTest, chat: ChatSession, data: str
) -> None:
    welcome = await chat.reply_to("/start")

    chat.standin.user_presses(USER, welcome, data, check_button=False, too_old=True)
    after = await chat.send("/help")  # handled after the press

    assert after[0]["visible_text"].startswith("Những việc tôi có thể làm")
    assert bot.standin.messages_for(ADMIN) == []
