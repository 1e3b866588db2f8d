"""What subscribers read: stories, digests, /latest and /search pages in Vietnamese and English."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from news.render import StoryView, render_digest, render_latest, render_search_results, render_story
from news.telegram_html import TELEGRAM_MESSAGE_LIMIT, strip_tags, visible_length

HANOI = "Asia/Ho_Chi_Minh"
BERLIN = "Europe/Berlin"
HOSTILE_TITLE = '</a><script>alert("x")</script> Giá vàng & "đô la"'


class _TagBalance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(tag)


def assert_valid_telegram_html(html: str) -> None:
    parser = _TagBalance()
    parser.feed(html)
    parser.close()
    assert (parser.errors, parser.stack) == ([], []), html
    assert re.search(r"&(?!(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);)", html) is None, html
    allowed = {"b", "i", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler"}
    assert set(re.findall(r"</?([a-z-]+)", html)) <= allowed, html


def story(
    title: str,
    sources: list[str],
    published: datetime,
    summary: str = "Tóm tắt ngắn.",
    story_id: int = 1,
    url: str = "https://vnexpress.net/tin.html",
) -> StoryView:
    return StoryView(title, url, sources, published, summary, story_id)


@pytest.fixture
def storm_story() -> StoryView:
    return story(
        "Bão số 5 đổ bộ miền Trung",
        ["VnExpress", "Dân trí"],
        datetime(2019, 9, 19, 1, 30, tzinfo=UTC),
        summary="Gió giật cấp 12, Quảng Bình sơ tán 10.000 hộ dân.",
    )


@pytest.fixture
def morning_stories() -> list[StoryView]:
    at = datetime(2019, 9, 18, 23, 0, tzinfo=UTC)  # 06:00 in Hanoi
    return [
        story("VnE cũ", ["VnExpress"], at, story_id=1),
        story("Dân trí mới nhất", ["Dân trí"], at + timedelta(minutes=50), story_id=2),
        story("VnE mới", ["VnExpress", "Tuổi Trẻ"], at + timedelta(minutes=40), story_id=3),
        story("Dân trí sớm", ["Dân trí"], at + timedelta(minutes=10), story_id=4),
    ]


# --- one story ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "tz", "published", "shown"),
    [
        ("vi", HANOI, datetime(2019, 9, 19, 1, 30, tzinfo=UTC), "19/09 08:30"),
        ("en", HANOI, datetime(2019, 9, 19, 1, 30, tzinfo=UTC), "19 Sep 08:30"),
        ("vi", BERLIN, datetime(2019, 9, 19, 1, 30, tzinfo=UTC), "19/09 03:30"),
        ("en", BERLIN, datetime(2019, 9, 19, 1, 30, tzinfo=UTC), "19 Sep 03:30"),
        # Evening in Berlin is already the next morning in Vietnam.
        ("vi", HANOI, datetime(2019, 9, 18, 20, 0, tzinfo=UTC), "19/09 03:00"),
        ("vi", BERLIN, datetime(2019, 9, 18, 20, 0, tzinfo=UTC), "18/09 22:00"),
        # Berlin in winter is UTC+1; an aware time in another zone is converted, not relabelled.
        ("en", BERLIN, datetime(2020, 1, 5, 9, 15, tzinfo=ZoneInfo(HANOI)), "5 Jan 03:15"),
        # A naive time (as SQLite returns it) means UTC.
        ("vi", HANOI, datetime(2019, 9, 19, 1, 30), "19/09 08:30"),
    ],
)
def test_story_time_is_local_to_the_subscriber(lang: str, tz: str, published: datetime, shown: str) -> None:
    rendered = render_story(story("Tin", ["VnExpress"], published), tz, lang)
    assert f"VnExpress · {shown}" in strip_tags(rendered)


@pytest.mark.parametrize(
    ("lang", "tz", "shown"),
    [
        ("vi", HANOI, "19/09"),
        ("en", HANOI, "19 Sep"),
        # the day's start in Vietnam is the evening before in Berlin: the written day is shown
        ("vi", BERLIN, "19/09"),
        ("en", BERLIN, "19 Sep"),
    ],
)
def test_a_story_dated_by_its_day_alone_shows_that_day_and_no_time(lang: str, tz: str, shown: str) -> None:
    day_start = datetime(2019, 9, 18, 17, 0, tzinfo=UTC)  # 19/09/2019 00:00 in Vietnam
    dated_by_day = replace(story("Tin", ["Cổng TTĐT"], day_start), published_day=date(2019, 9, 19))
    meta = strip_tags(render_story(dated_by_day, tz, lang)).split("\n")[1]
    assert meta == f"Cổng TTĐT · {shown}"
    digest = strip_tags("".join(render_digest([dated_by_day], tz, lang, at=day_start)))
    assert shown in digest and ":00" not in digest.split("Tin", 1)[1]


def test_story_accepts_a_tzinfo_as_well_as_a_zone_name(storm_story: StoryView) -> None:
    assert render_story(storm_story, ZoneInfo(BERLIN), "vi") == render_story(storm_story, BERLIN, "vi")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_story_shows_linked_title_every_source_and_summary(storm_story: StoryView, lang: str) -> None:
    rendered = render_story(storm_story, HANOI, lang)

    assert rendered.startswith(
        '<b><a href="https://vnexpress.net/tin.html">Bão số 5 đổ bộ miền Trung</a></b>\n'
    )
    lines = strip_tags(rendered).split("\n")
    assert lines[1].startswith("VnExpress · Dân trí · ")
    assert lines[2] == "Gió giật cấp 12, Quảng Bình sơ tán 10.000 hộ dân."
    assert_valid_telegram_html(rendered)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_everything_from_sources_is_escaped(lang: str) -> None:
    hostile = StoryView(
        HOSTILE_TITLE,
        'https://e.vn/a?x=1&y="2"',
        ["<b>Báo</b> & Co"],
        datetime(2019, 9, 19, 1, 30, tzinfo=UTC),
        "<i>tóm</i> & tắt",
        7,
    )
    rendered = render_story(hostile, HANOI, lang)

    assert "<script" not in rendered
    assert 'href="https://e.vn/a?x=1&amp;y=&quot;2&quot;"' in rendered
    assert_valid_telegram_html(rendered)
    assert strip_tags(rendered).split("\n") == [
        HOSTILE_TITLE,
        f"<b>Báo</b> & Co · {'19/09 08:30' if lang == 'vi' else '19 Sep 08:30'}",
        "<i>tóm</i> & tắt",
    ]


def test_story_with_a_non_http_url_shows_its_title_without_a_link() -> None:
    rendered = render_story(
        story("Lừa đảo", ["X"], datetime(2019, 9, 19, tzinfo=UTC), url="javascript:alert(1)"), HANOI, "vi"
    )
    assert "<a" not in rendered
    assert strip_tags(rendered).startswith("Lừa đảo\n")


def test_story_without_summary_has_no_empty_line() -> None:
    rendered = render_story(
        story("Tin", ["VnExpress"], datetime(2019, 9, 19, tzinfo=UTC), summary="  "), HANOI, "vi"
    )
    assert strip_tags(rendered) == "Tin\nVnExpress · 19/09 07:00"


# --- digest --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "tz", "header"),
    [
        ("vi", HANOI, "Bản tin 07:00 — 19/09/2019"),
        ("en", HANOI, "Digest 07:00 — 19 Sep 2019"),
        ("vi", BERLIN, "Bản tin 02:00 — 19/09/2019"),
        ("en", BERLIN, "Digest 02:00 — 19 Sep 2019"),
    ],
)
def test_digest_header_names_the_local_time_and_date(
    morning_stories: list[StoryView], lang: str, tz: str, header: str
) -> None:
    [message] = render_digest(morning_stories, tz, lang, at=datetime(2019, 9, 19, 0, 0, tzinfo=UTC))
    assert message.startswith(f"<b>{header}</b>\n\n")


def test_title_line_replaces_the_header(morning_stories: list[StoryView]) -> None:
    [message] = render_digest(morning_stories, HANOI, "vi", title_line="<b>Xem trước</b>")
    assert message.startswith("<b>Xem trước</b>\n\n")
    assert "Bản tin" not in message


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_digest_groups_by_first_source_newest_first(morning_stories: list[StoryView], lang: str) -> None:
    [message] = render_digest(morning_stories, HANOI, lang, at=datetime(2019, 9, 19, 0, 0, tzinfo=UTC))
    text = strip_tags(message)

    order = ["Dân trí\n", "Dân trí mới nhất", "Dân trí sớm", "VnExpress\n", "VnE mới", "VnE cũ"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions), text
    assert "Tuổi Trẻ" not in text.split("\n")  # a second source is mentioned on the item, it gets no group
    also = "cũng đăng trên Tuổi Trẻ" if lang == "vi" else "also in Tuổi Trẻ"
    assert also in text
    assert_valid_telegram_html(message)


@pytest.mark.parametrize(
    ("lang", "more", "footer"),
    [
        ("vi", 1, "và 1 tin khác — /latest"),
        ("vi", 12, "và 12 tin khác — /latest"),
        ("en", 1, "and 1 more story — /latest"),
        ("en", 12, "and 12 more stories — /latest"),
    ],
)
def test_digest_footer_points_to_latest_when_more_were_left_out(
    morning_stories: list[StoryView], lang: str, more: int, footer: str
) -> None:
    messages = render_digest(morning_stories, HANOI, lang, more=more, at=datetime(2019, 9, 19, tzinfo=UTC))
    assert strip_tags(messages[-1]).endswith(footer)


def test_digest_without_more_has_no_footer(morning_stories: list[StoryView]) -> None:
    [message] = render_digest(morning_stories, HANOI, "vi", at=datetime(2019, 9, 19, tzinfo=UTC))
    assert "/latest" not in message


def test_empty_digest_is_no_message() -> None:
    assert render_digest([], HANOI, "vi", at=datetime(2019, 9, 19, tzinfo=UTC)) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_long_digest_splits_between_items_under_the_limit(lang: str) -> None:
    start = datetime(2019, 9, 19, tzinfo=UTC)
    summary = "Ủy ban nhân dân tỉnh Hà Giang & các sở ngành <họp> khẩn về sạt lở. " * 6
    stories = [
        story(
            f"Tin thứ {i:03d} về mưa lũ", [f"Báo {i % 5}"], start - timedelta(minutes=i), summary, story_id=i
        )
        for i in range(120)
    ]
    messages = render_digest(stories, HANOI, lang, more=5, at=start)

    assert len(messages) > 3
    assert messages[0].startswith("<b>")
    for message in messages:
        assert visible_length(message) <= TELEGRAM_MESSAGE_LIMIT
        assert_valid_telegram_html(message)
    texts = [strip_tags(message) for message in messages]
    for i in range(120):
        holding = [text for text in texts if f"Tin thứ {i:03d} về mưa lũ" in text]
        assert len(holding) == 1
        # The item's title, time and summary stay together in one message.
        assert re.search(rf"Tin thứ {i:03d} về mưa lũ\n[^\n]+\n{re.escape(summary.strip())}", holding[0])


# --- /latest and /search ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "page", "pages", "header"),
    [
        ("vi", 1, 3, "Tin mới nhất — trang 1/3"),
        ("en", 2, 3, "Latest stories — page 2/3"),
        ("vi", 1, 1, "Tin mới nhất\n"),
        ("en", 1, 1, "Latest stories\n"),
    ],
)
def test_latest_page_header(
    morning_stories: list[StoryView], lang: str, page: int, pages: int, header: str
) -> None:
    rendered = render_latest(morning_stories, HANOI, lang, page, pages)
    assert strip_tags(rendered).startswith(header)
    assert_valid_telegram_html(rendered)


def test_latest_keeps_the_callers_order(morning_stories: list[StoryView]) -> None:
    text = strip_tags(render_latest(morning_stories, HANOI, "vi", 1, 1))
    positions = [text.index(s.title + "\n") for s in morning_stories]
    assert positions == sorted(positions)
    assert "VnExpress · Tuổi Trẻ · 19/09 06:40" in text


@pytest.mark.parametrize(("lang", "empty"), [("vi", "Chưa có tin nào."), ("en", "No stories yet.")])
def test_latest_with_nothing(lang: str, empty: str) -> None:
    assert render_latest([], HANOI, lang, 1, 1) == empty


def test_latest_page_too_long_drops_summaries_to_fit() -> None:
    long_summary = "Nội dung rất dài. " * 100
    stories = [
        story(f"Tin {i}", ["VnExpress"], datetime(2019, 9, 19, tzinfo=UTC), long_summary, i)
        for i in range(10)
    ]
    rendered = render_latest(stories, HANOI, "vi", 1, 1)

    assert visible_length(rendered) <= TELEGRAM_MESSAGE_LIMIT
    assert all(f"Tin {i}\n" in strip_tags(rendered) for i in range(10))
    assert "Nội dung" not in rendered


@pytest.mark.parametrize(
    ("lang", "found", "total", "header"),
    [
        ("vi", 1, None, "1 kết quả cho “bão”"),
        ("vi", 2, 37, "37 kết quả cho “bão” — trang 1/2"),
        ("en", 1, None, "1 result for “bão”"),
        ("en", 2, 37, "37 results for “bão” — page 1/2"),
    ],
)
def test_search_results_header_counts_matches(
    storm_story: StoryView, lang: str, found: int, total: int | None, header: str
) -> None:
    pages = 1 if total is None else 2
    rendered = render_search_results(
        "bão", [storm_story] * found, HANOI, lang, total=total, page=1, pages=pages
    )
    assert strip_tags(rendered).startswith(header + "\n\n")
    assert strip_tags(rendered).count("Bão số 5 đổ bộ miền Trung") == found


@pytest.mark.parametrize(
    ("lang", "message"),
    [("vi", "Không tìm thấy tin nào cho “<b>x</b> & y”."), ("en", "No stories found for “<b>x</b> & y”.")],
)
def test_search_without_results_escapes_the_query(lang: str, message: str) -> None:
    rendered = render_search_results("<b>x</b>  &   y", [], HANOI, lang)
    assert "<b>x" not in rendered
    assert strip_tags(rendered) == message


def test_search_shows_a_long_query_shortened(storm_story: StoryView) -> None:
    rendered = render_search_results("mưa " * 200, [storm_story], HANOI, "vi")
    header = strip_tags(rendered).split("\n")[0]
    assert header.endswith("…”")
    assert len(header) < 130
