"""A chat that sends commands faster than Telegram lets the bot answer (about one answer a second,
a few at once): what cannot be answered is not run, and once Telegram allows, one message says how
many commands got no answer. Nothing crashes and the admins hear nothing of it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.standin import BotApiStandIn, RateLimits
from tests.bot.conftest import ADMIN, USER, BotUnderTest, ChatSession

FLOOD_NOTICE = (
    "Bạn gửi lệnh nhanh hơn mức Telegram cho phép tôi trả lời: {count} lệnh chưa được trả lời. "
    "Hãy gửi lại những lệnh bạn vẫn cần."
)


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn(limits=RateLimits())  # Telegram's limits, not the chat tests' none
    await server.start()
    yield server
    await server.stop()


def texts(bot: BotUnderTest, chat_id: int = USER) -> list[str]:
    return [m["visible_text"] for m in bot.standin.messages_for(chat_id)]


async def test_thirty_commands_at_once_get_what_can_be_answered_and_one_notice(
    bot: BotUnderTest, chat: ChatSession
) -> None:
    bot.standin.add_private_chat(ADMIN)
    await chat.reply_to("/start")

    for _ in range(29):
        bot.standin.user_sends(USER, "/help")
    bot.standin.user_sends(USER, "/stop")  # skipped unanswered, so not run either
    await bot.standin.wait_for(
        lambda: any(t.startswith("Bạn gửi lệnh nhanh") for t in texts(bot)), timeout=15
    )

    answered = [t for t in texts(bot)[1:] if t.startswith("Những việc tôi có thể làm")]
    assert 1 <= len(answered) < 30
    assert texts(bot)[1:] == [*answered, FLOOD_NOTICE.format(count=30 - len(answered))]
    assert (await bot.subscriber(USER)).active
    assert texts(bot, ADMIN) == []


async def test_a_flooded_group_counts_only_the_commands_and_its_chatter_runs_nothing(
    bot: BotUnderTest,
) -> None:
    group, owner = -500888, 2001
    bot.standin.bot_added_to_group(group, owner, title="Nhóm bà con ấp Phú Lợi")

    for n in range(24):
        bot.standin.user_sends(owner, "/help", chat_id=group, chat_type="group")
        if n == 22:  # members go on talking while the group is held: that is no command to count
            bot.standin.user_sends(
                owner + 1, "Chào cả nhà, mai họp lúc mấy giờ?", chat_id=group, chat_type="group"
            )
    bot.standin.user_sends(owner, "/subscribe all", chat_id=group, chat_type="group")
    await bot.standin.wait_for(
        lambda: any(t.startswith("Bạn gửi lệnh nhanh") for t in texts(bot, group)), timeout=15
    )

    answered = [t for t in texts(bot, group) if t.startswith("Những việc tôi có thể làm")]
    assert texts(bot, group) == [*answered, FLOOD_NOTICE.format(count=25 - len(answered))]
    assert await bot.subscriber(group) is None or not (await bot.subscriber(group)).all_sources
