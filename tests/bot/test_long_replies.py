"""Replies built from many source names stay within Telegram's 4096 characters: source names may be
200 characters long, and one command may name 20 of them."""

from __future__ import annotations

from datetime import timedelta

from news.telegram_html import TELEGRAM_MESSAGE_LIMIT
from storage.sources import MAX_NAME_CHARS, SourceSpec, add_source
from tests.bot.conftest import NOW, USER, BotUnderTest, ChatSession


def long_name(n: int) -> str:
    start = f"Bản tin nông nghiệp, khuyến nông và phát triển nông thôn của hợp tác xã số {n}: "
    filler = "giá lúa, thời tiết, sâu bệnh và lịch thời vụ "
    return (start + filler * 10)[:MAX_NAME_CHARS].strip()


async def add_long_named_sources(bot: BotUnderTest, count: int) -> list[int]:
    ids = []
    async with bot.services.db.transaction() as session:
        for n in range(count):
            spec = SourceSpec(name=long_name(n), url=f"https://htx{n}.example.vn/rss", kind="rss")
            source = await add_source(session, spec, NOW)
            source.next_check_at = NOW + timedelta(days=1)  # the running bot must not try to fetch it
            await session.flush()
            ids.append(source.id)
    return ids


async def test_following_twenty_long_named_sources_at_once_is_answered_in_full(
    bot: BotUnderTest, chat: ChatSession
) -> None:
    ids = await add_long_named_sources(bot, 20)

    replies = await chat.send("/subscribe " + " ".join(map(str, ids)), replies=2)

    assert all(len(reply["visible_text"]) <= TELEGRAM_MESSAGE_LIMIT for reply in replies)
    lines = "\n".join(reply["visible_text"] for reply in replies).splitlines()
    assert [line for line in lines if line.startswith("Bạn đã theo dõi ")] == [
        f"Bạn đã theo dõi {long_name(n)}." for n in range(20)
    ]
    assert len(bot.standin.messages_for(USER)) == 2
