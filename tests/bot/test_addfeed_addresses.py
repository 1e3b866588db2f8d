"""/addfeed and the server's own network: the real application, the Bot API stand-in and a local feed
server on 127.0.0.1, the very kind of address a chat command must not make the server fetch."""

from __future__ import annotations

import httpx
import pytest

from bot.standin import BotApiStandIn
from news.config import Config
from tests.bot.conftest import source_count, standin_config

FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin nội bộ</title>
<item><title>Lịch họp giao ban tuần này</title><link>https://noibo.example.vn/tin/1.html</link>
<guid>nb-1</guid></item></channel></rss>""".encode()
REFUSED = {
    "en": "the address is on this server's own or a private network",
    "vi": "địa chỉ thuộc mạng riêng của máy chủ này hoặc một mạng nội bộ",
}


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn, request: pytest.FixtureRequest) -> Config:
    """[fetch] allow_private_addresses as it comes (false), or as a test's `config` parameter says."""
    config = standin_config(sqlite_url, standin)
    config.fetch.allow_private_addresses = getattr(request, "param", False)
    return config


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "2130706433", "[::ffff:127.0.0.1]"],
    ids=["loopback", "localhost", "ipv6 loopback", "decimal", "ipv4-mapped"],
)
@pytest.mark.parametrize("language", ["en", "vi"])
async def test_addfeed_of_the_servers_own_address_is_refused_unfetched(
    bot, admin, feed_server, host, language
):
    """An admin's /addfeed fetched whatever it was given: 127.0.0.1, a cloud's metadata address, any
    machine of the server's network."""
    feed_server.serve("/rss.xml", FEED)
    url = f"http://{host}:{httpx.URL(feed_server.url('/')).port}/rss.xml"

    reply = await admin.reply_to(f"/addfeed {url}", language_code=language)

    assert REFUSED[language] in reply["visible_text"]
    assert feed_server.requests == []
    assert await source_count(bot) == 0


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.20.30.40/rss"])
async def test_addfeed_of_a_private_network_address_is_refused(bot, admin, url):
    reply = await admin.reply_to(f"/addfeed {url}", language_code="en")
    assert reply["visible_text"].startswith(f"Could not add {url}: {REFUSED['en']}")
    assert await source_count(bot) == 0


@pytest.mark.parametrize("config", [True], indirect=True)
async def test_addfeed_reaches_private_addresses_when_the_config_allows_it(bot, admin, feed_server):
    feed_server.serve("/rss.xml", FEED)
    reply = await admin.reply_to(f"/addfeed {feed_server.url('/rss.xml')}", language_code="en")
    assert reply["visible_text"].startswith("Added Tin nội bộ: a feed")
    assert await source_count(bot) == 1
