"""Admin commands end to end: the real application, the Bot API stand-in and a local feed server."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from bot.handlers.admin_views import outcome_line
from bot.standin import BotApiStandIn
from jobs.poll import PollOutcome
from news.config import Config
from storage.models import OutboxMessage, Source, Subscriber
from storage.sources import SourceSpec, add_source
from tests.bot.conftest import ADMIN, USER, standin_config

GROUP, CHANNEL = -500, -1001234567890
REFUSAL = {
    "vi": "Lệnh này chỉ dành cho quản trị viên của bot.",
    "en": "That command is for the bot's administrators.",
}


def rss(base: str) -> bytes:
    items = [
        ("dl-1", "Tỉnh khởi công đường ven sông dài mười hai cây số", "duong-ven-song-10001"),
        ("dl-2", "Hợp tác xã Bình An thu hoạch vụ dưa hấu đầu tiên", "dua-hau-binh-an-10002"),
        ("dl-3", "Trường tiểu học Tân Lập khánh thành thư viện xanh", "thu-vien-xanh-10003"),
    ]
    entries = "".join(
        f"<item><title>{title}</title><link>{base}/tin/{slug}.html</link><guid>{guid}</guid>"
        f"<pubDate>Mon, 10 Mar 2025 07:{10 + n:02d}:00 +0700</pubDate>"
        f"<description>{title}. Bài viết của phóng viên Báo Đồng Lúa về việc này, số {n}.</description></item>"
        for n, (guid, title, slug) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Báo Đồng Lúa</title>'
        f"<link>{base}/</link><description>Tin tỉnh Đồng Lúa</description>{entries}</channel></rss>"
    ).encode()


LISTING = """<!doctype html><html><head><meta charset="utf-8"><title>Cổng thông tin xã Bình An</title></head>
<body><h1>Tin tức</h1><ul>
<li><a href="/tin-tuc/xa-binh-an-to-chuc-le-ra-quan-lam-thuy-loi-nam-2025-10234.html">
Xã Bình An tổ chức lễ ra quân làm thủy lợi năm 2025</a></li>
<li><a href="/tin-tuc/hoi-nong-dan-xa-tap-huan-ky-thuat-trong-lua-huu-co-10235.html">
Hội Nông dân xã tập huấn kỹ thuật trồng lúa hữu cơ cho bà con</a></li>
<li><a href="/tin-tuc/truong-mam-non-binh-an-don-chuan-quoc-gia-muc-do-mot-10236.html">
Trường mầm non Bình An đón bằng công nhận chuẩn quốc gia mức độ một</a></li>
</ul></body></html>""".encode()


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    """No configured feeds: every source in these tests is one an admin added, from the feed server on
    127.0.0.1, which only [fetch] allow_private_addresses lets /addfeed reach (tests/bot/test_addfeed_addresses.py)."""
    config = standin_config(sqlite_url, standin)
    config.fetch.allow_private_addresses = True
    return config


@pytest.fixture
def feeds(feed_server):
    feed_server.serve("/rss.xml", rss(feed_server.url("")))
    feed_server.serve("/", LISTING, content_type="text/html; charset=utf-8")
    return feed_server


async def _count(bot, model, *where) -> int:
    async with bot.services.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def _source(bot, name: str) -> Source | None:
    async with bot.services.db.session() as session:
        return await session.scalar(select(Source).where(Source.name == name))


# ---- only admins -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "command",
    [
        "/addfeed {url}",
        "/removefeed Báo Đồng Lúa",
        "/feeds",
        "/stats",
        "/broadcast Xin chào mọi người",
        "/pollnow",
        "/register @kenhtin",
    ],
)
async def test_non_admins_are_refused_and_nothing_changes(bot, admin, chat, feeds, command, language):
    await admin.reply_to(f"/addfeed {feeds.url('/rss.xml')}")
    sources_before = await _count(bot, Source)
    fetches_before = len(feeds.requests)

    reply = await chat.reply_to(command.format(url=feeds.url("/")), language_code=language)

    assert reply["visible_text"] == REFUSAL[language]
    assert await _count(bot, Source) == sources_before
    assert await _count(bot, OutboxMessage) == 0
    assert len(feeds.requests) == fetches_before
    assert (await _source(bot, "Báo Đồng Lúa")).item_count == 0  # no poll ran


async def test_non_admin_cannot_register_a_group(bot):
    member = bot.chat(USER, chat_id=GROUP, chat_type="group", title="Nhóm Tin Xã")
    reply = await member.reply_to("/register")
    assert reply["visible_text"] == REFUSAL["vi"]
    assert await bot.subscriber(GROUP) is None


# ---- sources ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "vi",
            "Đã thêm Báo Đồng Lúa: một feed, “Báo Đồng Lúa”, có 3 bài. Nguồn sẽ được lấy tin trong vòng một phút; "
            "xem tình trạng bằng /feeds.",
        ),
        (
            "en",
            "Added Báo Đồng Lúa: a feed, “Báo Đồng Lúa”, with 3 entries. It will be polled within a minute; "
            "check it with /feeds.",
        ),
    ],
)
async def test_addfeed_detects_an_rss_feed_and_stores_it(bot, admin, feeds, language, expected):
    reply = await admin.reply_to(f"/addfeed {feeds.url('/rss.xml')}", language_code=language)

    assert reply["visible_text"] == expected
    source = await _source(bot, "Báo Đồng Lúa")
    assert (source.url, source.kind, source.origin, source.enabled) == (
        feeds.url("/rss.xml"),
        "rss",
        "chat",
        True,
    )


async def test_addfeed_detects_a_news_page_and_takes_the_given_name(bot, admin, feeds):
    reply = await admin.reply_to(f"/addfeed {feeds.url('/')} Xã Bình An", language_code="en")

    assert reply["visible_text"].startswith("Added Xã Bình An: a news page with 3 article links.")
    source = await _source(bot, "Xã Bình An")
    assert (source.kind, source.origin) == ("html", "chat")


@pytest.mark.parametrize(
    ("argument", "reason"),
    [
        ("file:///etc/passwd", "only http:// and https:// addresses can be added"),
        ("ftp://127.0.0.1/feed.xml", "only http:// and https:// addresses can be added"),
        ("{base}/missing.xml", "HTTP 404"),
        ("{base}/empty", "the address answered with an empty page"),
    ],
)
async def test_addfeed_refuses_what_cannot_be_a_source(bot, admin, feeds, argument, reason):
    feeds.serve("/empty", b"   ", content_type="text/html")
    url = argument.format(base=feeds.url("").rstrip("/"))

    reply = await admin.reply_to(f"/addfeed {url}", language_code="en")

    assert reply["visible_text"].startswith(f"Could not add {url}")
    assert reason.lower() in reply["visible_text"].lower()
    assert await _count(bot, Source) == 0


@pytest.mark.parametrize(
    ("argument", "reason"),
    [
        ("file:///etc/passwd", "chỉ thêm được địa chỉ http:// và https://"),
        ("{base}/empty", "địa chỉ trả về một trang trống"),
        ("{base}/missing.xml", "HTTP 404"),  # a fetch error's own text stays as it is
    ],
)
async def test_addfeed_says_why_in_vietnamese(bot, admin, feeds, argument, reason):
    feeds.serve("/empty", b"   ", content_type="text/html")
    url = argument.format(base=feeds.url("").rstrip("/"))

    reply = await admin.reply_to(f"/addfeed {url}", language_code="vi")

    assert reply["visible_text"] == f"Không thêm được {url}: {reason}"


async def test_addfeed_with_a_taken_name_adds_nothing(bot, admin, feeds):
    await admin.reply_to(f"/addfeed {feeds.url('/rss.xml')} Tin xã")
    reply = await admin.reply_to(f"/addfeed {feeds.url('/')} Tin xã")
    assert reply["visible_text"].startswith("Đã có nguồn tin tên Tin xã.")
    assert await _count(bot, Source) == 1


@pytest.mark.parametrize(
    ("command", "language", "expected"),
    [
        ("/addfeed", "vi", "Cách dùng: /addfeed URL [TÊN]"),
        ("/removefeed", "en", "Usage: /removefeed NAME or NUMBER (see /feeds)"),
        ("/broadcast", "vi", "Cách dùng: /broadcast NỘI DUNG"),
        ("/register", "en", "Usage: /register in a group, or /register @channel"),
        ("/register kenh tin", "vi", "Cách dùng: /register trong nhóm"),
        ("/register -100²", "en", "Usage: /register in a group, or /register @channel"),
    ],
)
async def test_missing_arguments_get_the_usage(admin, command, language, expected):
    reply = await admin.reply_to(command, language_code=language)
    assert reply["visible_text"].startswith(expected)


async def test_removefeed_by_name_without_diacritics(bot, admin, feeds):
    await admin.reply_to(f"/addfeed {feeds.url('/rss.xml')}")
    bot.services.source_fetch_ok["Báo Đồng Lúa"] = True  # a good fetch /healthz counted

    reply = await admin.reply_to("/removefeed bao dong lua")

    assert reply["visible_text"] == "Đã xóa Báo Đồng Lúa cùng các bài của nguồn này."
    assert await _source(bot, "Báo Đồng Lúa") is None
    assert "Báo Đồng Lúa" not in bot.services.source_fetch_ok, "a removed source no longer keeps /healthz ok"
    unknown = await admin.reply_to("/removefeed không có", language_code="en")
    assert unknown["visible_text"] == "There is no source “không có”. The list: /feeds"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", "“báo tỉnh” có thể là nhiều nguồn tin: "),
        ("en", "“báo tỉnh” could be more than one source: "),
    ],
)
async def test_removefeed_of_a_prefix_two_sources_share_lists_them_and_removes_none(
    bot, admin, language, expected
):
    async with bot.services.db.transaction() as session:
        south = await add_source(session, SourceSpec("Báo Tỉnh Nam", "file:///nam.xml"), bot.services.clock())
        north = await add_source(session, SourceSpec("Báo Tỉnh Bắc", "file:///bac.xml"), bot.services.clock())
        ids = {"south": south.id, "north": north.id}

    reply = await admin.reply_to("/removefeed báo tỉnh", language_code=language)

    text = reply["visible_text"]
    assert text.startswith(expected), text
    assert f"Báo Tỉnh Nam ({ids['south']})" in text and f"Báo Tỉnh Bắc ({ids['north']})" in text
    assert await _count(bot, Source) == 2


# ---- polling and health ----------------------------------------------------------------------------


async def test_pollnow_polls_and_feeds_shows_health(bot, admin, feeds):
    await admin.reply_to(f"/addfeed {feeds.url('/rss.xml')}")
    await admin.reply_to(f"/addfeed {feeds.url('/missing.xml')}")  # refused: never stored
    feeds.serve("/gone.xml", rss(feeds.url("")))
    await admin.reply_to(f"/addfeed {feeds.url('/gone.xml')} Tin cũ")
    feeds.serve("/gone.xml", b"", status=500)

    reply = await admin.reply_to("/pollnow")

    lines = reply["visible_text"].splitlines()
    assert lines[0] == "Đã lấy tin xong"
    assert sorted(lines[1:]) == ["Báo Đồng Lúa: 3 mới, 0 cập nhật, 0 trùng", "Tin cũ: lỗi: HTTP 500"]
    assert (await _source(bot, "Báo Đồng Lúa")).item_count == 3

    health = (await admin.reply_to("/feeds", language_code="en"))["visible_text"]
    assert health.splitlines()[0] == "Sources (2)"
    good, gone = (await _source(bot, "Báo Đồng Lúa")).id, (await _source(bot, "Tin cũ")).id
    # the numbers /removefeed takes, as /feeds' own usage line says
    assert f"✅ {good}. Báo Đồng Lúa · rss · 3 items\n   last success 10 Mar 08:00" in health
    assert (
        f"⚠️ {gone}. Tin cũ · rss · 0 items\n   last success never · 1× error 10 Mar 08:00: HTTP 500" in health
    )


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "Europe/Berlin", "last success 10 Mar 02:00"),  # 01:00 UTC is 02:00 in Berlin in March
        ("vi", "Asia/Tokyo", "lấy được lần cuối 10/03 10:00"),
    ],
)
async def test_feeds_shows_times_in_the_admins_time_zone(bot, admin, feeds, language, zone, expected):
    await admin.reply_to(f"/addfeed {feeds.url('/rss.xml')}")
    await admin.reply_to("/pollnow")
    await admin.reply_to(f"/settings tz {zone}")

    health = (await admin.reply_to("/feeds", language_code=language))["visible_text"]

    assert expected in health, health


async def test_stats_counts_subscribers_items_and_outbox(bot, admin, chat, feeds):
    await chat.reply_to("/start")
    await admin.reply_to(f"/addfeed {feeds.url('/rss.xml')}")
    await admin.reply_to("/pollnow")

    stats = (await admin.reply_to("/stats", language_code="en"))["visible_text"].splitlines()

    assert stats[0] == "Statistics"
    assert "Subscribers: 1 active, 0 inactive" in stats
    assert "Sources: 1, 0 with errors" in stats
    assert "Items: 3, 3 today · stories: 3" in stats
    assert any(line.startswith("Outbox: ") for line in stats)


@pytest.mark.parametrize(
    ("outcome", "vi", "en"),
    [
        (
            PollOutcome("Tin tỉnh", "new", new=2, updated=1, duplicate=47),
            "Tin tỉnh: 2 mới, 1 cập nhật, 47 trùng",
            "Tin tỉnh: 2 new, 1 updated, 47 duplicate",
        ),
        (
            PollOutcome("Tin tỉnh", "not modified"),
            "Tin tỉnh: không có gì thay đổi",
            "Tin tỉnh: not modified",
        ),
        (
            PollOutcome("Tin tỉnh", "error", error="HTTP 503"),
            "Tin tỉnh: lỗi: HTTP 503",
            "Tin tỉnh: error: HTTP 503",
        ),
    ],
)
def test_poll_outcome_lines_are_in_the_chats_language(outcome: PollOutcome, vi: str, en: str) -> None:
    assert (outcome_line(outcome, "vi"), outcome_line(outcome, "en")) == (vi, en)
    assert outcome_line(outcome, "en") == outcome.line()  # what `bantin poll` prints


@pytest.mark.parametrize(
    ("command", "language", "expected_lines"),
    [  # the other language of each report above
        ("/pollnow", "en", ["Poll finished", "Báo Đồng Lúa: 3 new, 0 updated, 0 duplicate"]),
        (
            "/feeds",
            "vi",
            ["Nguồn tin (1)", "✅ 1. Báo Đồng Lúa · rss · 3 bài\n   lấy được lần cuối 10/03 08:00"],
        ),
        ("/stats", "vi", ["Thống kê", "Nguồn tin: 1, 0 đang lỗi"]),
    ],
)
async def test_admin_reports_in_the_other_language(bot, admin, feeds, command, language, expected_lines):
    await admin.reply_to(f"/addfeed {feeds.url('/rss.xml')}")
    if command != "/pollnow":
        await admin.reply_to("/pollnow")

    text = (await admin.reply_to(command, language_code=language))["visible_text"]

    assert text.splitlines()[0] == expected_lines[0]
    assert all(fragment in text for fragment in expected_lines[1:]), text


# ---- messages to everyone --------------------------------------------------------------------------


async def test_broadcast_reaches_every_active_subscriber_through_the_outbox(bot, admin, chat, standin):
    await chat.reply_to("/start")
    other = bot.chat(2002)
    await other.reply_to("/start", language_code="en")
    await other.reply_to("/stop")

    reply = await admin.reply_to("/broadcast Tối nay <b>bảo trì</b> hệ thống & máy chủ", language_code="en")

    assert reply["visible_text"] == "Broadcast queued for 1 subscriber."
    _start_reply, broadcast = await standin.wait_for_messages(USER, 2)  # delivered by the outbox sender
    assert broadcast["visible_text"] == "Tối nay <b>bảo trì</b> hệ thống & máy chủ"  # typed, not markup
    assert await _count(bot, OutboxMessage, OutboxMessage.kind == "broadcast") == 1  # not to the stopped one


# ---- groups and channels ---------------------------------------------------------------------------


async def test_register_in_a_group_subscribes_it_to_all_sources(bot):
    group = bot.chat(ADMIN, chat_id=GROUP, chat_type="group", title="Nhóm Tin Xã")

    reply = await group.reply_to("/register")

    assert (
        reply["visible_text"]
        == "Nhóm này từ nay nhận bản tin của mọi nguồn lúc 07:00, 17:00 (Asia/Ho_Chi_Minh)."
    )
    subscriber = await bot.subscriber(GROUP)
    assert (subscriber.chat_type, subscriber.title, subscriber.all_sources, subscriber.active) == (
        "group",
        "Nhóm Tin Xã",
        True,
        True,
    )


@pytest.mark.parametrize(
    ("mode_before", "mode_after"),
    [("off", "digest"), ("instant", "both"), ("digest", "digest"), ("both", "both")],
)
async def test_register_makes_a_group_that_had_turned_digests_off_get_them(bot, mode_before, mode_after):
    """/register says the group now gets the digest: a group in mode off (or instant alerts only)
    must then get it, or the promise is empty."""
    group = bot.chat(ADMIN, chat_id=GROUP, chat_type="group", title="Nhóm Tin Xã")
    await group.reply_to("/register")
    async with bot.services.db.transaction() as session:
        await session.execute(update(Subscriber).where(Subscriber.chat_id == GROUP).values(mode=mode_before))

    reply = await group.reply_to("/register")

    assert reply["visible_text"].startswith("Nhóm này từ nay nhận bản tin của mọi nguồn lúc 07:00, 17:00")
    subscriber = await bot.subscriber(GROUP)
    assert (subscriber.mode, subscriber.next_digest_at is not None) == (mode_after, True)


@pytest.fixture
def channel(standin):
    chat = standin.chats.add_chat(CHANNEL, "channel", title="Kênh Tin Sông Xanh", username="kenhtinsongxanh")
    chat.admin_ids.add(standin.bot_user.id)
    return chat


@pytest.mark.parametrize("reference", ["@kenhtinsongxanh", str(CHANNEL)])
async def test_register_a_channel_where_the_bot_is_admin(bot, admin, channel, reference):
    reply = await admin.reply_to(f"/register {reference}", language_code="en")

    assert (
        reply["visible_text"]
        == "The channel Kênh Tin Sông Xanh now gets the digest of all sources at 07:00, 17:00 (Asia/Ho_Chi_Minh)."
    )
    subscriber = await bot.subscriber(CHANNEL)
    assert (subscriber.chat_type, subscriber.all_sources, subscriber.active) == ("channel", True, True)


@pytest.mark.parametrize(
    ("arrange", "reference", "expected"),
    [
        ("not admin", "@kenhtinsongxanh", "I am not an administrator of that channel who may post."),
        ("none", "@khongcokenhnay", "I cannot see that channel."),
        ("group", str(-1009999), "That chat is not a channel."),
    ],
)
async def test_register_a_channel_refused(bot, admin, standin, channel, arrange, reference, expected):
    if arrange == "not admin":
        channel.admin_ids.clear()
    if arrange == "group":
        standin.chats.add_chat(-1009999, "supergroup", title="Nhóm lớn")

    reply = await admin.reply_to(f"/register {reference}", language_code="en")

    assert reply["visible_text"].startswith(expected)
    assert await _count(bot, Subscriber, Subscriber.chat_id < 0) == 0
