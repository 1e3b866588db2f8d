"""The running bot keeps the active flag right from my_chat_member updates (block, unblock)."""

from __future__ import annotations

import logging

import pytest

from bot.standin import RateLimits
from tests.bot.conftest import ADMIN, USER, BotUnderTest, ChatSession

OTHER = 3003


async def handled(bot: BotUnderTest) -> None:
    """Updates are handled one after another: once another user's /help is answered, all before it were."""
    await bot.chat(OTHER).send("/help")


async def test_blocking_and_unblocking_the_bot(bot: BotUnderTest, chat: ChatSession) -> None:
    await chat.send("/start")

    bot.standin.user_blocks_bot(USER)
    await handled(bot)
    blocked = await bot.subscriber(USER)
    bot.standin.user_unblocks_bot(USER)
    await handled(bot)
    back = await bot.subscriber(USER)

    assert (blocked.active, blocked.inactive_reason) == (False, "telegram: bot was blocked by the user")
    assert back.active and back.inactive_reason is None


GROUP, SUPERGROUP, OWNER = -500321, -1000000500321, 2001


async def test_a_group_upgraded_to_a_supergroup_keeps_its_subscriber(bot: BotUnderTest) -> None:
    bot.standin.bot_added_to_group(GROUP, OWNER, title="Chi bộ thôn 3")
    in_group = bot.chat(OWNER, chat_id=GROUP, chat_type="group", title="Chi bộ thôn 3")
    await in_group.reply_to("/settings times 06:15")

    bot.standin.group_migrates(GROUP, SUPERGROUP)
    await handled(bot)
    # A command in the supergroup finds the group's subscriber instead of creating an empty one.
    in_supergroup = bot.chat(OWNER, chat_id=SUPERGROUP, chat_type="supergroup", title="Chi bộ thôn 3")
    reply = await in_supergroup.reply_to("/settings")

    moved = await bot.subscriber(SUPERGROUP)
    assert (moved.chat_type, moved.digest_times, moved.active) == ("supergroup", ["06:15"], True)
    assert await bot.subscriber(GROUP) is None
    assert "06:15" in reply["visible_text"]


async def test_a_reply_to_a_group_that_just_became_a_supergroup_arrives_in_the_supergroup(
    bot: BotUnderTest,
) -> None:
    bot.standin.bot_added_to_group(GROUP, OWNER, title="Chi bộ thôn 3")
    # The command is written in the group; the group is upgraded before the bot answers it.
    bot.standin.user_sends(OWNER, "/settings times 06:15", chat_id=GROUP, chat_type="group")
    bot.standin.group_migrates(GROUP, SUPERGROUP)

    [reply] = await bot.standin.wait_for_messages(SUPERGROUP, 1)
    await handled(bot)

    assert reply["visible_text"].startswith("✅ Đã lưu.")
    assert "06:15" in reply["visible_text"]
    assert (await bot.subscriber(SUPERGROUP)).digest_times == ["06:15"]


@pytest.mark.parametrize("chat_type", ["private", "group"])
async def test_a_chat_that_shuts_the_bot_out_before_its_answer_is_no_error(
    bot: BotUnderTest, chat_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot.standin.add_private_chat(ADMIN)  # an admin who would be told about errors
    if chat_type == "private":
        bot.standin.user_sends(USER, "/help")
        bot.standin.user_blocks_bot(USER)  # Telegram's update about it comes after the command
    else:
        bot.standin.bot_added_to_group(GROUP, OWNER, title="Chi bộ thôn 3")
        bot.standin.user_sends(OWNER, "/help", chat_id=GROUP, chat_type="group")
        bot.standin.bot_removed_from_group(GROUP, OWNER)

    with caplog.at_level(logging.INFO, logger="bantin.bot"):
        await handled(bot)

    assert bot.standin.messages_for(ADMIN) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_answers_telegram_holds_back_from_a_flooding_chat_are_no_error(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    bot.standin.add_private_chat(ADMIN)
    # Two answers in a row, then Telegram asks the bot to wait (429) before writing to that chat again.
    bot.standin.set_limits(RateLimits(None, 1, 0.001, 2, None, 1, None, 1))
    for _ in range(4):
        bot.standin.user_sends(USER, "/help")

    with caplog.at_level(logging.INFO, logger="bantin.bot"):
        await handled(bot)

    assert len(bot.standin.messages_for(USER)) == 2
    assert bot.standin.too_many_requests_sent == 1  # the chat is then held: its 4th /help is not tried
    assert bot.standin.messages_for(ADMIN) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
