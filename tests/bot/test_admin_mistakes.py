"""Admin commands given what an admin gets wrong: the real application, the Bot API stand-in, a feed server."""

from __future__ import annotations

import pytest

from bot.standin import BotApiStandIn
from news.config import Config
from tests.bot.conftest import source_count, standin_config

FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Báo Đồng Lúa</title>
<item><title>Khai trường lớp học bơi miễn phí</title><link>https://donglua.example.vn/tin/1.html</link>
<guid>dl-1</guid></item></channel></rss>""".encode()


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    """/addfeed may reach the feed server on 127.0.0.1 (tests/bot/test_addfeed_addresses.py)."""
    config = standin_config(sqlite_url, standin)
    config.fetch.allow_private_addresses = True
    return config


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", "Nguồn Báo Đồng Lúa đã lấy tin từ địa chỉ này rồi."),
        ("en", "The source Báo Đồng Lúa polls that address already."),
    ],
)
async def test_addfeed_of_a_feed_that_is_a_source_already(bot, admin, feed_server, language, expected):
    """It was added again under the new name: the feed was polled twice."""
    url = feed_server.serve("/rss.xml", FEED)
    await admin.reply_to(f"/addfeed {url}")

    reply = await admin.reply_to(f"/addfeed {url}?utm_source=zalo Tin Đồng Lúa", language_code=language)

    assert reply["visible_text"] == expected
    assert await source_count(bot) == 1
