"""The running bot keeps the active flag right from my_chat_member updates (block, unblock)."""

from __future__ import annotations

from tests.bot.conftest import USER, BotUnderTest, ChatSession

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
