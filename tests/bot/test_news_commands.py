"""/latest, /search and /digest end to end: the real application polling the Bot API stand-in."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.handlers.callbacks import pack
from bot.handlers.news_pages import AREA
from bot.standin import BotApiStandIn
from news.config import Config
from news.entries import Entry
from news.prepare import prepare_entry
from storage.items import store_items
from storage.models import Source
from storage.sources import SourceSpec, add_source, get_source
from tests.bot.conftest import NOW, button_data, buttons, standin_config

SONG_XANH, GREEN_RIVER = "Báo Sông Xanh", "Green River Times"

# Seven stories we wrote, newest first: (source, title, body). Each body names Sông Xanh.
STORIES = [
    (
        SONG_XANH,
        "Hội nghị học tập Điều lệ Đảng tại xã Tân Phú",
        "Đảng ủy xã Tân Phú tổ chức hội nghị quán triệt quy định mới cho đảng viên. Các chi bộ thôn của "
        "tỉnh Sông Xanh cam kết thực hiện nghiêm túc nghị quyết trong năm nay.",
    ),
    (
        SONG_XANH,
        "Thủy điện Sông Bạc xả lũ điều tiết",
        "Nhà máy mở hai cửa xả từ 14 giờ chiều nay. Người dân vùng hạ du tỉnh Sông Xanh được khuyến cáo "
        "không đánh bắt cá gần lòng sông trong ba ngày tới.",
    ),
    (
        GREEN_RIVER,
        "River festival draws record crowds",
        "Boat races and lantern shows filled the weekend in Sông Xanh. Organisers counted more visitors than "
        "in any year since the festival began.",
    ),
    (
        SONG_XANH,
        "Khánh thành cầu Hòa Bình nối hai bờ kênh",
        "Cây cầu dài 120 mét được xây trong mười tám tháng bằng vốn ngân sách tỉnh Sông Xanh. Học sinh hai xã "
        "không còn phải đi đò qua kênh mỗi sáng.",
    ),
    (
        SONG_XANH,
        "Nông dân phấn khởi vì lúa được mùa",
        "Năng suất bình quân đạt bảy tấn mỗi héc-ta, cao hơn vụ trước. Thương lái ở Sông Xanh thu mua tại "
        "ruộng với giá ổn định.",
    ),
    (
        GREEN_RIVER,
        "New library opens in the old market hall",
        "Readers queued before the doors opened on Monday. The Sông Xanh library lends books, tools and "
        "musical instruments.",
    ),
    (
        SONG_XANH,
        "Đội bóng đá tỉnh thắng trên sân khách",
        "Hai bàn thắng trong hiệp hai mang về ba điểm quý giá. Huấn luyện viên đội Sông Xanh khen tinh thần "
        "thi đấu của các cầu thủ trẻ.",
    ),
]
TITLES = [title for _, title, _ in STORIES]


def url_of(title: str) -> str:
    return f"https://tin.example.vn/{TITLES.index(title)}.html"


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    """No configured feeds: the poll job finds nothing due and the stories are exactly ours."""
    return standin_config(sqlite_url, standin)


async def _source(session, name: str) -> Source:
    source = await get_source(session, name)
    if source is None:
        spec = SourceSpec(name=name, url=f"https://{len(name)}.example.vn/rss", kind="rss")
        source = await add_source(session, spec, NOW)
        source.next_check_at = NOW + timedelta(days=1)  # the running bot must not try to fetch it
    return source


async def store_story(db, source_name: str, title: str, body: str, minutes_ago: int) -> None:
    lang = "en" if source_name == GREEN_RIVER else "vi"
    entry = Entry(url=url_of(title), title=title, body=body, published=NOW - timedelta(minutes=minutes_ago))
    async with db.transaction() as session:
        source = await _source(session, source_name)
        await store_items(session, source, [prepare_entry(entry, words=40, language=lang)], NOW)


@pytest.fixture
async def news(bot):
    for position, (source, title, body) in enumerate(STORIES):
        await store_story(bot.services.db, source, title, body, minutes_ago=10 * (position + 1))
    return bot


def titles_in(text: str) -> list[str]:
    return [title for title in TITLES if title in text]


# ---- /latest ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "header", "time_shown", "next_button"),
    [
        ("vi", "Tin mới nhất — trang 1/2", "10/03 07:50", "Tiếp »"),  # 00:50 UTC is 07:50 in Hà Nội
        ("en", "Latest stories — page 1/2", "10 Mar 07:50", "Next »"),
    ],
)
async def test_latest_shows_newest_stories_with_links_sources_local_times(
    news, chat, language, header, time_shown, next_button
):
    reply = await chat.reply_to("/latest", language_code=language)

    assert reply["visible_text"].startswith(header)
    assert titles_in(reply["visible_text"]) == TITLES[:5]
    source, title, body = STORIES[0]
    assert f'<a href="{url_of(title)}">{title}</a>' in reply["text"]
    assert f"{source} · {time_shown}" in reply["visible_text"]
    assert body.split(".")[0] in reply["visible_text"]  # the summary
    assert list(buttons(reply)) == [next_button]


async def test_latest_pages_forward_and_back_with_buttons(news, chat):
    first = await chat.reply_to("/latest")

    _answer, edit = await chat.press(first, button_data(first, "Tiếp"))
    second = chat.current(first)
    assert edit["method"] == "editMessageText"
    assert second["text"].startswith("Tin mới nhất — trang 2/2")
    assert titles_in(second["text"]) == TITLES[5:]
    assert list(buttons(second)) == ["« Trước"]

    await chat.press(second, button_data(second, "Trước"))
    assert chat.current(first)["text"].startswith("Tin mới nhất — trang 1/2")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/latest 2", TITLES[:2]),
        ("/latest 3 green river", [t for s, t, _ in STORIES if s == GREEN_RIVER]),
        ("/latest bao song xanh", [t for s, t, _ in STORIES if s == SONG_XANH][:5]),
    ],
)
async def test_latest_takes_a_count_and_a_source(news, chat, command, expected):
    assert titles_in((await chat.reply_to(command))["visible_text"]) == expected


@pytest.mark.parametrize(
    ("command", "language", "expected"),
    [
        ("/latest 0", "vi", "Cách dùng: /latest"),
        ("/latest 500", "en", "Usage: /latest [N] [SOURCE]"),
        ("/latest 3 không có nguồn này", "vi", "Không có nguồn tin “không có nguồn này”"),
        ("/latest nowhere", "en", "There is no source “nowhere”"),
        ("/latest ²", "en", "There is no source “²”"),
    ],
)
async def test_latest_with_bad_arguments_answers_the_usage(news, chat, command, language, expected):
    reply = await chat.reply_to(command, language_code=language)
    assert expected in reply["visible_text"]
    assert "/latest [N]" in reply["visible_text"]


async def test_latest_with_no_stories(bot, chat):
    reply = await chat.reply_to("/latest", language_code="en")
    assert reply["visible_text"] == "No stories yet."
    assert buttons(reply) == {}


FORGED = [
    pack(AREA, "l", 7, 5, 0),  # a page past the end
    pack(AREA, "l", 0, 500, 0),  # a page size we never offer
    pack(AREA, "l", 1, 5, 999),  # a source that does not exist
    pack(AREA, "l", 1),  # too short
    "1n:l:x:5:0",
    "1n:zz:1",
    "0n:l:1:5:0",  # an old version
    pack(AREA, "k", 1, 12345),  # a long query this chat never made
    pack(AREA, "s", 1, "xyzzy"),  # page 2 of a search that has one page
    "1n:s:1:DROP TABLE",
    "1n:s:1:Dieu+Le",  # not folded: not data we make
    "1n:l:1:5:0" + "0" * 60,  # too long for Telegram
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_or_stale_buttons_get_a_polite_answer_and_change_nothing(news, chat, data):
    first = await chat.reply_to("/latest")

    answer, changes = await chat.press_for_answer(first, data, check_button=False)

    assert answer["text"] == "Nút này đã cũ. Vui lòng gửi lại lệnh."
    assert answer["show_alert"] is True
    assert changes == []
    assert chat.current(first)["text"] == first["visible_text"]


# ---- /search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "language", "header", "title"),
    [
        ("dieu le dang", "vi", "1 kết quả cho “dieu le dang”", TITLES[0]),
        ("thuy dien", "en", "1 result for “thuy dien”", TITLES[1]),
        ("hoà bình", "vi", "1 kết quả cho “hoà bình”", TITLES[3]),
        ("LIBRARY", "en", "1 result for “LIBRARY”", TITLES[5]),
    ],
)
async def test_search_finds_stories_without_diacritics(news, chat, query, language, header, title):
    reply = await chat.reply_to(f"/search {query}", language_code=language)
    assert reply["visible_text"].startswith(header)
    assert titles_in(reply["visible_text"]) == [title]
    assert f'<a href="{url_of(title)}">' in reply["text"]


@pytest.mark.parametrize(
    ("command", "language", "expected"),
    [
        ("/search", "vi", "Cách dùng: /search"),
        ("/search", "en", "Usage: /search WORDS"),
        ("/search tàu vũ trụ", "vi", "Không tìm thấy tin nào cho “tàu vũ trụ”."),
        ('/search "NEAR(* AND', "en", 'No stories found for “"NEAR(* AND”.'),
    ],
)
async def test_search_usage_and_no_results(news, chat, command, language, expected):
    assert (await chat.reply_to(command, language_code=language))["visible_text"].startswith(expected)


async def test_search_pages_with_buttons(news, chat):
    first = await chat.reply_to("/search Sông Xanh")
    assert first["visible_text"].startswith("7 kết quả cho “Sông Xanh” — trang 1/2")
    next_data = button_data(first, "Tiếp")
    assert next_data == pack(AREA, "s", 1, "song+xanh")

    await chat.press(first, next_data)
    second = chat.current(first)
    assert second["text"].startswith("7 kết quả cho “Sông Xanh” — trang 2/2")  # as typed
    assert list(buttons(second)) == ["« Trước"]
    assert sorted(titles_in(first["visible_text"]) + titles_in(second["text"])) == sorted(TITLES)


async def test_a_search_button_from_before_a_restart_shows_the_folded_words(news, chat):
    first = await chat.reply_to("/search Sông Xanh")
    news.forget_chat_memory(chat.chat_id)

    await chat.press(first, button_data(first, "Tiếp"))
    assert chat.current(first)["text"].startswith("7 kết quả cho “song xanh” — trang 2/2")


async def test_search_pages_reach_every_story_it_counts(bot, chat):
    syllables = (
        "bản làng sông núi mùa lúa cầu đường chợ trường học sinh nông dân cá tôm rừng biển gió mưa".split()
    )
    rng = random.Random(7)
    for n in range(270):  # more than 50 pages of 5, the cap of /latest
        title = " ".join(rng.choice(syllables) for _ in range(10)) + f" {n}"
        body = "Phù sa " + " ".join(rng.choice(syllables) for _ in range(40)) + "."
        entry = Entry(url=f"https://tin.example.vn/phu-sa-{n}.html", title=title, body=body, published=NOW)
        async with bot.services.db.transaction() as session:
            await store_items(
                session, await _source(session, SONG_XANH), [prepare_entry(entry, words=40)], NOW
            )

    first = await chat.reply_to("/search phù sa")
    assert first["visible_text"].startswith("270 kết quả cho “phù sa” — trang 1/54")
    for _page in range(53):  # past page 50, where /latest stops
        await chat.press(first, button_data(chat.current(first), "Tiếp"))
    assert chat.current(first)["text"].startswith("270 kết quả cho “phù sa” — trang 54/54")


async def test_long_search_query_pages_through_a_remembered_key(news, chat):
    query = " ".join(["Sông Xanh"] * 8)  # too long for the words to ride in the button
    first = await chat.reply_to(f"/search {query}", language_code="en")
    data = button_data(first, "Next")
    assert data.startswith("1n:k:1:") and len(data.encode()) <= 64

    await chat.press(first, data)
    assert chat.current(first)["text"].startswith(f"7 results for “{query}” — page 2/2")


async def test_a_quoted_phrase_pages_through_a_remembered_key(news, chat):
    """The button carried the folded words without their quotes: page 2 searched the words anywhere."""
    first = await chat.reply_to('/search "Sông Xanh"', language_code="en")
    data = button_data(first, "Next")
    assert data.startswith("1n:k:1:")

    await chat.press(first, data)
    assert chat.current(first)["text"].startswith('7 results for “"Sông Xanh"” — page 2/2')


# ---- /digest ---------------------------------------------------------------------------------------


async def test_digest_now_sends_the_new_stories_then_nothing_new(news, chat):
    await chat.reply_to("/subscribe all")

    [digest] = await chat.send("/digest")  # composed into the outbox, delivered by the sender
    assert titles_in(digest["visible_text"]) == sorted(TITLES, key=titles_in(digest["visible_text"]).index)
    assert set(titles_in(digest["visible_text"])) == set(TITLES)

    again = await chat.reply_to("/digest", language_code="en")
    assert again["visible_text"] == "Nothing new since your last digest."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "vi",
            "Có 7 tin mới kể từ bản tin trước của bạn, nhưng không tin nào khớp với từ khóa của bạn "
            "(/settings).",
        ),
        ("en", "There are 7 new stories since your last digest, but none matches your keywords (/settings)."),
    ],
)
async def test_digest_says_when_the_keywords_leave_out_every_new_story(news, chat, language, expected):
    await chat.reply_to("/subscribe all")
    await chat.reply_to("/settings include bão lũ")

    reply = await chat.reply_to("/digest", language_code=language)
    assert reply["visible_text"] == expected

    await chat.reply_to("/settings include off")  # the stories are still new: nothing was sent
    [digest] = await chat.send("/digest")
    assert set(titles_in(digest["visible_text"])) == set(TITLES)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "Bạn chưa theo dõi nguồn nào"), ("en", "You follow no source yet. Choose some with /sources.")],
)
async def test_digest_without_sources_says_how_to_choose(news, chat, language, expected):
    reply = await chat.reply_to("/digest", language_code=language)
    assert reply["visible_text"].startswith(expected)


async def test_news_commands_are_in_the_menu(news):
    commands = {c["command"] for c in news.standin.commands_for(language_code="en")}
    assert {"latest", "search", "digest"} <= commands


@pytest.mark.parametrize(
    ("command", "header"),
    [
        ("/search Sông\u200bXanh", "7 kết quả cho “Sông Xanh”"),  # a zero-width space still parts words
        ("/search thủy\u00ad điện", "1 kết quả cho “thủy điện”"),
        ("/search \u202bthủy điện\u202c", "1 kết quả cho “thủy điện”"),
        ("/latest 2\u200b", "Tin mới nhất — trang 1/4"),
        ("/latest \ufeff3 Báo Sông\u200bXanh", "Tin mới nhất — trang 1/2"),
    ],
)
async def test_invisible_characters_do_not_change_what_news_commands_find(news, chat, command, header):
    assert (await chat.reply_to(command))["visible_text"].startswith(header)


@pytest.mark.parametrize(
    ("command", "language", "first", "second", "next_label", "previous_label"),
    [
        ("/latest", "en", "Latest stories — page 1/2", "Latest stories — page 2/2", "Next »", "« Previous"),
        ("/latest", "vi", "Tin mới nhất — trang 1/2", "Tin mới nhất — trang 2/2", "Tiếp »", "« Trước"),
        (
            "/search sông xanh",
            "en",
            "7 results for “sông xanh” — page 1/2",
            "7 results for “sông xanh” — page 2/2",
            "Next »",
            "« Previous",
        ),
        (
            "/search song xanh",
            "vi",
            "7 kết quả cho “song xanh” — trang 1/2",
            "7 kết quả cho “song xanh” — trang 2/2",
            "Tiếp »",
            "« Trước",
        ),
    ],
)
async def test_paging_there_and_back_in_both_languages(
    news, chat, command, language, first, second, next_label, previous_label
):
    page = await chat.reply_to(command, language_code=language)
    assert page["visible_text"].startswith(first) and list(buttons(page)) == [next_label]

    await chat.press(page, button_data(page, next_label))
    turned = chat.current(page)
    assert turned["text"].startswith(second) and list(buttons(turned)) == [previous_label]

    await chat.press(turned, button_data(turned, previous_label))
    back = chat.current(page)
    assert back["text"].startswith(first) and list(buttons(back)) == [next_label]
