# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""The poll path on what feed items carry: items with no title, no guid or a link that names no
page, enclosures, a written-out language, control characters in guids and links."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.jobs.pollkit import FeedItem, clock, fetcher, poller, rss  # noqa: F401 - fixtures
from tests.jobs.test_poll_text import ITEM, LATER, LEAD, TITLE, json_feed, the_item


def _with_untitled(description: str, link: str = "") -> str:
    """The test feed with one more <item>: no title, this description and link (or none)."""
    extra = f"<item><title/><description>{description}</description>"
    extra += (f"<link>{link}</link>" if link else "") + "</item>"
    return rss([ITEM]).replace("</channel>", extra + "</channel>")


@pytest.mark.parametrize(
    ("document", "titles"),
    [
        # a CMS's empty <item>: a placeholder text, no title, no link: nothing to store or show
        (_with_untitled("No Description"), [TITLE]),
        (_with_untitled("<![CDATA[ Không có mô tả ]]>"), [TITLE]),
        (_with_untitled(""), [TITLE]),
        # an item with only a description still tells its news, with or without a link
        (_with_untitled(LEAD.replace("412", "415"), "https://tinh.example.vn/tin/702.html"), [TITLE, "*"]),
        (_with_untitled(LEAD.replace("412", "416")), [TITLE, "*"]),
    ],
)
async def test_an_item_with_no_title_no_link_and_next_to_no_text_is_not_stored(poller, document, titles):
    await poller.add("tinh", poller.server.serve("/rss", document.encode()))
    outcome = (await poller.cycle())["tinh"]
    stored = [item.title for item in await poller.items()]
    assert [title if title == TITLE else "*" for title in stored] == titles
    assert outcome.new == len(titles)


HOME = "https://tinh.example.vn/"
HOME_LINKED = [
    FeedItem("Khánh thành trường học mới ở xã Thủy Tiên", HOME, LEAD),
    FeedItem(
        "Nông dân huyện Thủy Tiên trúng mùa lúa hè thu",
        HOME,
        "Năng suất lúa hè thu năm nay đạt bình quân 6,2 tấn mỗi héc-ta, cao hơn năm trước 0,3 tấn.",
    ),
    FeedItem(
        "Mưa lớn kéo dài ở các huyện phía tây của tỉnh",
        HOME,
        "Đài khí tượng thủy văn tỉnh cảnh báo mưa lớn kéo dài đến hết tuần ở các huyện phía tây.",
    ),
]
LATER_ITEM = FeedItem(
    "Tỉnh tổ chức hội chợ nông sản vào cuối tháng",
    HOME,
    "Hội chợ nông sản của tỉnh khai mạc ngày 28 với hơn 200 gian hàng của các hợp tác xã.",
)


@pytest.mark.parametrize(
    "link",
    [
        HOME,
        "https://tinh.example.vn",
        "https://tinh.example.vn:443/#tin",
        "#",
        "",
        "/rss",
        "FEED",
        "javascript:void(0)",
        "http://",
    ],
)
async def test_items_without_guid_whose_link_names_no_page_are_each_stored(poller, link):
    """Without a guid an item's link names it; a link to the home page, to the feed or to no web
    page names none."""
    feed_url = poller.server.serve("/rss", b"")
    link = feed_url if link == "FEED" else link
    items = [replace(item, link=link) for item in HOME_LINKED]
    poller.server.serve("/rss", rss(items).encode())
    await poller.add("tinh", feed_url)
    first = (await poller.cycle())["tinh"]
    poller.server.serve("/rss", rss([replace(LATER_ITEM, link=link), *items]).encode())
    second = (await poller.cycle(after=LATER))["tinh"]
    assert (first.new, second.new, second.duplicate) == (3, 1, 3)
    titles = sorted(item.title for item in await poller.items("tinh"))
    assert titles == sorted(item.title for item in [*HOME_LINKED, LATER_ITEM])


def _bulletin(day: int) -> str:
    """A radio portal's daily bulletin: the same title and text every day, no link, no guid, only
    the audio file tells one day's from another's."""
    audio = f"https://tinh.example.vn/audio/ban-tin-{day:02d}.mp3"
    return (
        "<item><title>Bản tin thời sự tối</title><description>Mời quý vị nghe bản tin.</description>"
        f'<enclosure url="{audio}" type="audio/mpeg" length="1048576"/></item>'
    )


async def test_items_told_apart_only_by_their_enclosure_are_each_stored(poller):
    def feed(*days: int) -> bytes:
        return rss([]).replace("</channel>", "".join(_bulletin(d) for d in days) + "</channel>").encode()

    await poller.add("tinh", poller.server.serve("/rss", feed(18)))
    first = (await poller.cycle())["tinh"]
    poller.server.serve("/rss", feed(19, 18))
    second = (await poller.cycle(after=LATER))["tinh"]
    assert (first.new, second.new, second.duplicate) == (1, 1, 1)
    urls = [item.url for item in await poller.items("tinh")]
    assert urls == [
        "https://tinh.example.vn/audio/ban-tin-18.mp3",
        "https://tinh.example.vn/audio/ban-tin-19.mp3",
    ]


@pytest.mark.parametrize(
    ("language", "stored"),
    [
        ("vi-VN", "vi"),
        ("vi_VN.UTF-8", "vi"),
        ("EN-us", "en"),
        # a language written out, or nonsense, is no language code: the text's language is detected
        ("Vietnamese", "vi"),
        ("Tiếng Việt", "vi"),
        ("vi-VN, en-US", "vi"),
        ("abcdefghijklmnop", "vi"),
    ],
)
async def test_a_feed_language_that_is_no_code_is_not_stored_as_one(poller, language, stored):
    document = rss([ITEM]).replace("<channel>", f"<channel><language>{language}</language>", 1)
    await poller.add("tinh", poller.server.serve("/rss", document.encode()))
    outcome = (await poller.cycle())["tinh"]
    assert (outcome.status, outcome.new) == ("new", 1), outcome.error
    assert (await the_item(poller)).language == stored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # JSON can carry any control character, NUL included, which PostgreSQL text cannot hold
        ("id", "json-1\u0000"),
        ("url", "https://tinh.example.vn/tin/json-1.html\u0000"),
        ("url", "https://tinh.example.vn/tin/json\u0000-1.html"),
        ("id", "json\u0007-1"),
    ],
)
async def test_control_characters_in_a_json_feed_items_id_or_link_are_dropped(poller, field, value):
    document = json.loads(json_feed())
    document["items"][0][field] = value
    url = poller.server.serve("/feed", json.dumps(document).encode(), content_type="application/feed+json")
    await poller.add("tinh", url)
    outcome = (await poller.cycle())["tinh"]
    assert (outcome.status, outcome.new) == ("new", 1), outcome.error
    item = await the_item(poller)
    assert (item.guid, item.url) == ("json-1", "https://tinh.example.vn/tin/json-1.html")


@pytest.mark.parametrize(
    ("guid", "link"),
    [
        ("tinh-701&#0;", ITEM.link),
        ("tinh-701", ITEM.link + "&#0;"),
        ("tinh-\x07701", ITEM.link.replace("hoa-giai", "hoa-\x01giai")),
    ],
)
async def test_control_characters_in_an_ill_formed_rss_items_guid_or_link_are_dropped(poller, guid, link):
    item = f"<item><title>{TITLE}</title><link>{link}</link><guid>{guid}</guid><description>{LEAD}</description></item>"
    document = rss([]).replace("</channel>", item + "</channel>")
    await poller.add("tinh", poller.server.serve("/rss", document.encode()))
    outcome = (await poller.cycle())["tinh"]
    assert (outcome.status, outcome.new) == ("new", 1), outcome.error
    stored = await the_item(poller)
    assert (stored.guid, stored.url) == ("tinh-701", ITEM.link)


async def test_a_full_text_source_does_not_fetch_the_home_page_its_items_link_to(poller):
    page = "<html><body><h1>Trang chủ</h1></body></html>".encode()
    home = poller.server.serve("/", page, content_type="text/html")
    items = [replace(item, link=home) for item in HOME_LINKED]
    await poller.add("tinh", poller.server.serve("/rss", rss(items).encode()), full_text=True)
    first = (await poller.cycle())["tinh"]
    poller.server.serve("/rss", rss([replace(LATER_ITEM, link=home), *items]).encode())
    second = (await poller.cycle(after=LATER))["tinh"]
    assert (first.new, second.new) == (3, 1)
    assert poller.server.requests_to("/") == []
