"""/removefeed as the removed source's followers see it: a chat left following nothing is told once,
in its language; chats that still follow something hear nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from bot.standin import BotApiStandIn
from news.config import Config
from storage.models import OutboxMessage, Source, Subscriber, Subscription
from tests.bot.conftest import ADMIN, NOW, USER, standin_config

OTHER_USER, ALL_SOURCES_USER = 2002, 2003


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    return standin_config(sqlite_url, standin)


async def _arrange(bot, language: str | None) -> None:
    """Báo Cũ and Tuổi Trẻ; USER follows Báo Cũ only (notice off), OTHER_USER both, one chat all."""
    for user in (USER, OTHER_USER, ALL_SOURCES_USER):
        bot.standin.chats.add_user(user, first_name="Lan")
        bot.standin.chats.add_chat(user)
    async with bot.services.db.transaction() as session:
        sources = [
            Source(name=name, url=f"https://{n}.example.vn/rss")
            for n, name in enumerate(["Báo Cũ", "Tuổi Trẻ"])
        ]
        chats = [
            Subscriber(chat_id=USER, language=language, no_news_notice=False, created_at=NOW),
            Subscriber(chat_id=OTHER_USER, created_at=NOW),
            Subscriber(chat_id=ALL_SOURCES_USER, all_sources=True, created_at=NOW),
        ]
        session.add_all(sources + chats)
        await session.flush()
        follows = [(chats[0], sources[0]), (chats[1], sources[0]), (chats[1], sources[1])]
        await session.execute(
            insert(Subscription), [{"subscriber_id": c.id, "source_id": s.id} for c, s in follows]
        )


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            None,  # Vietnamese, the default
            "Nguồn Báo Cũ mà bạn theo dõi đã bị gỡ. Giờ bạn không theo dõi nguồn nào nên sẽ không nhận "
            "được tin: chọn nguồn bằng /sources.",
        ),
        (
            "en",
            "The source Báo Cũ that you followed has been removed. You now follow no source, so no news "
            "will come: choose sources with /sources.",
        ),
    ],
)
async def test_a_chat_whose_only_source_is_removed_is_told_once(bot, standin, language, expected):
    await _arrange(bot, language)

    await bot.chat(ADMIN).reply_to("/removefeed Báo Cũ")

    [notice] = await standin.wait_for_messages(USER, 1)
    assert notice["visible_text"] == expected
    async with bot.services.db.session() as session:
        notices = (
            await session.execute(select(OutboxMessage.chat_id).where(OutboxMessage.kind == "notice"))
        ).all()
    assert [chat for (chat,) in notices] == [USER]
