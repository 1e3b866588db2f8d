"""Dates in every form Vietnamese pages and feeds write them, one row per form."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from news.dates import (
    find_date,
    parse_date,
    parse_written_date,
    place_dated_by_day,
    placed_published,
    to_aware,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PLUS7 = timezone(timedelta(hours=7))


def at(*fields: int, tz=PLUS7) -> datetime:
    return datetime(*fields, tzinfo=tz)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ngày: 19.09.2019", at(2019, 9, 19)),
        ("19/09/2019 08:30", at(2019, 9, 19, 8, 30)),
        ("Thứ năm, 19/9/2019 - 08:30", at(2019, 9, 19, 8, 30)),
        ("Thứ Năm, 19/09/2019, 08:30 (GMT+7)", at(2019, 9, 19, 8, 30)),
        ("08:30 19/09/2019", at(2019, 9, 19, 8, 30)),
        ("19-09-2019", at(2019, 9, 19)),
        ("ngày 19 tháng 9 năm 2019", at(2019, 9, 19)),
        ("Ngày 19 Tháng 9 Năm 2019", at(2019, 9, 19)),
        ("19 tháng 9, 2019 lúc 8h30", at(2019, 9, 19, 8, 30)),
        ("Cập nhật: 19/09/2019 08:30:15", at(2019, 9, 19, 8, 30, 15)),
        ("Cập nhật lúc 08:30 ngày 19/9/2019", at(2019, 9, 19, 8, 30)),
        ("1/2/2019", at(2019, 2, 1)),  # day first, not February 1st read as January 2nd
        ("19/09/2019 8g30", at(2019, 9, 19, 8, 30)),
        ("19/09/2019 | 14 giờ 05 phút", at(2019, 9, 19, 14, 5)),
        # SA (sáng) and CH (chiều): AM and PM as Vietnamese Windows and .NET sites write them
        ("19/09/2019 8:30:00 CH", at(2019, 9, 19, 20, 30)),
        ("8:30 CH 19/09/2019", at(2019, 9, 19, 20, 30)),
        ("19/09/2019 8:30 SA", at(2019, 9, 19, 8, 30)),
        ("12:05 SA, 19/9/2019", at(2019, 9, 19, 0, 5)),
        ("19/09/2019 12:00 CH", at(2019, 9, 19, 12, 0)),
        # ISO 8601
        ("2019-09-19", at(2019, 9, 19)),
        ("2019-09-19T08:30:00", at(2019, 9, 19, 8, 30)),
        ("2019-09-19T08:30:00+07:00", at(2019, 9, 19, 8, 30)),
        ("2019-09-19T01:30:00Z", at(2019, 9, 19, 1, 30, tz=UTC)),
        (
            "2019-09-19T08:30:00.250+09:00",
            datetime(2019, 9, 19, 8, 30, 0, 250000, tzinfo=timezone(timedelta(hours=9))),
        ),
        ("Đăng lúc 2019-09-19 08:30:00 +0700", at(2019, 9, 19, 8, 30)),
        # RFC 822, as feeds write it, including the non-standard GMT+7 and named zones
        ("Thu, 19 Sep 2019 08:30:00 +0700", at(2019, 9, 19, 8, 30)),
        ("Thu, 19 Sep 2019 08:30:00 GMT+7", at(2019, 9, 19, 8, 30)),
        ("Thu, 19 Sep 2019 01:30:00 GMT", at(2019, 9, 19, 1, 30, tz=UTC)),
        ("Thu, 19 Sep 2019 08:30:00 ICT", at(2019, 9, 19, 8, 30)),
        (
            "Wed, 18 Sep 2019 21:30:00 EDT",
            datetime(2019, 9, 18, 21, 30, tzinfo=timezone(timedelta(hours=-4))),
        ),
        ("Thu, 19 Sep 2019 08:30 +0700", at(2019, 9, 19, 8, 30)),
        # English
        ("September 19, 2019", at(2019, 9, 19)),
        ("Sept. 19, 2019 8:30 PM", at(2019, 9, 19, 20, 30)),
        ("19 September 2019", at(2019, 9, 19)),
        ("Sep 19th, 2019 at 12:05 am", at(2019, 9, 19, 0, 5)),
    ],
)
def test_parse_date(text, expected):
    parsed = parse_date(text, PLUS7)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "32/13/2019",
        "31/02/2019",
        "29/02/2019",
        "19/09/2019 25:10",
        "2019-13-01",
        "Thu, 32 Sep 2019 08:30:00 +0700",
        "19/09/1850",
        "Thu, 19 Sep 2019 08:30:00 GMT+25",
        "",
        "   ",
        "Số lần đọc:1044",
        "hôm qua",
        "7.743 lượt tổ chức đảng",
    ],
)
def test_parse_date_rejects(text):
    assert parse_date(text, PLUS7) is None


def test_leap_day_is_a_date():
    assert parse_date("29/02/2020", PLUS7) == at(2020, 2, 29)


@pytest.mark.parametrize(
    ("text", "zone", "offset_hours"),
    [
        ("19/09/2019 08:30", VN, 7),
        ("19/09/2019 08:30", UTC, 0),
        ("2019-09-19T08:30:00", ZoneInfo("Europe/Paris"), 2),  # the zone's summer-time offset that day
        ("19/09/2019 08:30 (GMT+7)", UTC, 7),  # a written offset beats the default
        ("2019-09-19T08:30:00-03:00", VN, -3),
    ],
)
def test_naive_dates_take_the_default_zone(text, zone, offset_hours):
    parsed = parse_date(text, zone)
    assert (parsed.hour, parsed.minute) == (8, 30)
    assert parsed.utcoffset() == timedelta(hours=offset_hours)


def test_decomposed_text_is_read_like_composed():
    decomposed = unicodedata.normalize("NFD", "ngày 19 tháng 9 năm 2019")
    assert parse_date(decomposed, PLUS7) == at(2019, 9, 19)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Sáng 18/9/2019, Ban Thường vụ Tỉnh ủy tổ chức hội nghị tổng kết, kiểm tra 7.743 lượt tổ chức đảng.",
            at(2019, 9, 18),
        ),
        ("Tin nóng | Thứ năm, 19/9/2019 - 08:30 | Chia sẻ", at(2019, 9, 19, 8, 30)),
        ("Bài: Minh Anh - Cập nhật 10:15 20/09/2019 (GMT+7) - 1.044 lượt xem", at(2019, 9, 20, 10, 15)),
        ("Số 32/13/2019 ban hành rồi, ngày 19/09/2019 có hiệu lực", at(2019, 9, 19)),
        ("Phiên bản 2.0 phát hành 2019-09-19T08:30:00+07:00 tại Hà Nội", at(2019, 9, 19, 8, 30)),
        ("Từ ngày 17-23/7, Hà Nội ghi nhận 1.400 ca sốt xuất huyết", None),
        ("Số lần đọc:1044", None),
        ("Điện thoại 0297.3862.001", None),
    ],
)
def test_find_date_in_a_longer_line(line, expected):
    assert find_date(line, PLUS7) == expected


def test_find_date_takes_the_first_date():
    assert find_date("Đăng 19/09/2019, sửa 21/09/2019", PLUS7) == at(2019, 9, 19)


@pytest.mark.parametrize(
    ("dt", "expected_offset"),
    [
        (datetime(2019, 9, 19, 8, 30), timedelta(hours=7)),
        (datetime(2019, 9, 19, 8, 30, tzinfo=UTC), timedelta(0)),
    ],
)
def test_to_aware(dt, expected_offset):
    aware = to_aware(dt, VN)
    assert aware.utcoffset() == expected_offset
    assert (aware.hour, aware.minute) == (8, 30)


CORPORA = Path(__file__).resolve().parents[2] / "../shared/corpora"


def corpus_file(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus absent: {path} (see ../shared/corpora/README.md)")
    return path


@pytest.mark.corpora
def test_every_real_feed_pubdate_parses_like_feedparser():
    import feedparser

    folder = corpus_file("vi-feeds")
    checked = 0
    for path in sorted(folder.glob("*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            raw = entry.get("published")
            if not raw:
                continue
            parsed = parse_date(raw, UTC)
            assert parsed is not None, raw
            if entry.get("published_parsed"):
                assert parsed.utctimetuple()[:6] == tuple(entry.published_parsed)[:6], raw
            else:  # feedparser gives up on Dân trí's "GMT+7"; we must not
                assert parsed.utcoffset() == timedelta(hours=7), raw
            checked += 1
    assert checked >= 150


@pytest.mark.corpora
def test_real_article_byline_date():
    page = corpus_file("vi-html", "vnexpress_kinhdoanh_4672302_htmldate.html").read_text(encoding="utf-8")
    byline = re.search(r'class="date">([^<]*)<', page).group(1)
    assert find_date(byline, UTC) == datetime(2023, 11, 2, 19, 20, tzinfo=PLUS7)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # a day and no time of day: the day is kept, there is no hour to show
        ("Ngày: 19.09.2019", date(2019, 9, 19)),
        ("19-09-2019", date(2019, 9, 19)),
        ("ngày 19 tháng 9 năm 2019", date(2019, 9, 19)),
        ("2019-09-19", date(2019, 9, 19)),
        ("20190919", date(2019, 9, 19)),
        ("Thu, 19 Sep 2019", date(2019, 9, 19)),
        # a written time, even midnight, is a time
        ("19/09/2019 00:00", None),
        ("19/09/2019 08:30", None),
        ("Thứ năm, 19/9/2019 - 08:30", None),
        ("2019-09-19T00:00:00+07:00", None),
        ("2019-09-19 08:30", None),
        ("Thu, 19 Sep 2019 08:30:00 +0700", None),
        ("8:30 CH 19/09/2019", None),
    ],
)
def test_written_day_is_kept_when_no_time_is_written(text, day):
    assert parse_written_date(text, PLUS7).day == day


def test_written_day_is_the_sources_not_utcs():
    # 19/09 00:00 at UTC+7 is 18/09 in UTC: the day written is the 19th.
    found = parse_written_date("Ngày: 19.09.2019", PLUS7)
    assert found.moment.astimezone(UTC).date() == date(2019, 9, 18)
    assert found.day == date(2019, 9, 19)


DAY_START = at(2019, 9, 19)  # 19/09/2019 in the source's zone


@pytest.mark.parametrize(
    ("seen_at", "placed"),
    [
        # seen on its day: its first-seen time
        (at(2019, 9, 19, 8, 30), at(2019, 9, 19, 8, 30)),
        (at(2019, 9, 19), at(2019, 9, 19)),
        (at(2019, 9, 19, 23, 59), at(2019, 9, 19, 23, 59)),
        # the same moment written in another zone is still its day
        (datetime(2019, 9, 19, 1, 30, tzinfo=UTC), at(2019, 9, 19, 8, 30)),
        # seen on a later day: noon of its day
        (at(2019, 9, 20), at(2019, 9, 19, 12)),
        (at(2026, 1, 1), at(2019, 9, 19, 12)),
        # its day had not begun when it was seen: not credible
        (at(2019, 9, 18, 23, 59), None),
    ],
)
def test_a_story_dated_by_its_day_is_placed_by_when_it_was_seen(seen_at, placed):
    assert place_dated_by_day(DAY_START, seen_at) == placed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # months written as words (tháng Chín: September), with and without diacritics
        ("19 tháng Chín, 2019", at(2019, 9, 19)),
        ("19 tháng chín năm 2019", at(2019, 9, 19)),
        ("Thứ Năm, ngày 19 tháng Chín năm 2019", at(2019, 9, 19)),
        ("19 THÁNG CHÍN, 2019 08:30", at(2019, 9, 19, 8, 30)),
        ("1 tháng Giêng 2020", at(2020, 1, 1)),
        ("2 tháng Tư, 2020", at(2020, 4, 2)),
        ("5 tháng Năm năm 2020", at(2020, 5, 5)),
        ("19 tháng Mười, 2019", at(2019, 10, 19)),
        ("19 tháng Mười Một, 2019", at(2019, 11, 19)),
        ("19 tháng Mười Hai, 2019", at(2019, 12, 19)),
        ("19 tháng Chạp, 2019", at(2019, 12, 19)),
        ("ngay 19 thang 9 nam 2019", at(2019, 9, 19)),
        ("Ngay 19 Thang 9, 2019 luc 8h30", at(2019, 9, 19, 8, 30)),
        ("19 thang Chin, 2019", at(2019, 9, 19)),
        ("19 thang muoi hai nam 2019", at(2019, 12, 19)),
        # the month and the year written the numeric way after the words
        ("ngày 19 tháng 9/2019", at(2019, 9, 19)),
        ("19 thang 09/2019", at(2019, 9, 19)),
        # a month alone, as a whole date field: its first day
        ("Tháng 9/2019", at(2019, 9, 1)),
        ("tháng 09-2019", at(2019, 9, 1)),
        ("Tháng Chín 2019", at(2019, 9, 1)),
        ("Tháng 9 năm 2019", at(2019, 9, 1)),
        ("thang 9/2019", at(2019, 9, 1)),
    ],
)
def test_parse_vietnamese_month_words(text, expected):
    assert parse_date(text, PLUS7) == expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("19 tháng Chín, 2019", date(2019, 9, 19)),
        ("Tháng 9/2019", date(2019, 9, 1)),
    ],
)
def test_vietnamese_month_words_have_no_time(text, day):
    assert parse_written_date(text, PLUS7).day == day


@pytest.mark.parametrize(
    "text",
    [
        "tháng 13/2019",
        "31 tháng Hai, 2019",
        "19 tháng Mười Ba, 2019",
        "Tháng 9/2019, tỉnh tổ chức 12 hội nghị",  # a month in running text is no date
        "Trong tháng 9/2019, tỉnh đã kiểm tra 7.743 lượt tổ chức đảng.",
    ],
)
def test_vietnamese_month_words_reject(text):
    assert parse_date(text, PLUS7) is None


def test_a_month_in_running_text_is_not_found_as_a_date():
    line = "Tháng 9/2019, tỉnh tổ chức hội nghị; ngày 19/9/2019 họp tổng kết"
    assert find_date(line, PLUS7) == at(2019, 9, 19)


SEEN = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("published", "day", "expected"),
    [
        # an unset timestamp written out (Unix epoch 0), or .NET's DateTime.MinValue: no date at all
        (datetime(1970, 1, 1, tzinfo=UTC), None, (None, None)),
        (datetime(1, 1, 1, tzinfo=UTC), None, (None, None)),
        (datetime(1989, 12, 31, 16, 59, tzinfo=UTC), None, (None, None)),
        (datetime(1969, 12, 31, 17, 0, tzinfo=UTC), date(1970, 1, 1), (None, None)),
        # the news of the web's time is kept, however old
        (datetime(1997, 11, 19, 1, 0, tzinfo=UTC), None, (datetime(1997, 11, 19, 1, 0, tzinfo=UTC), None)),
        (datetime(1990, 1, 1, tzinfo=UTC), None, (datetime(1990, 1, 1, tzinfo=UTC), None)),
        (
            datetime(2019, 9, 18, 17, 0, tzinfo=UTC),
            date(2019, 9, 19),
            (datetime(2019, 9, 19, 5, 0, tzinfo=UTC), date(2019, 9, 19)),
        ),
    ],
)
def test_a_date_before_1990_is_no_date(published, day, expected):
    assert placed_published(published, day, SEEN) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # RFC 822 written under a Vietnamese locale (.NET's vi-VN, ICU's vi): day and month names
        # are abbreviated in Vietnamese
        ("Năm, 19 Thg9 2019 08:30:00 +07:00", at(2019, 9, 19, 8, 30)),
        ("Th 5, 19 thg 9 2019 08:30:00 +07:00", at(2019, 9, 19, 8, 30)),
        ("T5, 19 Th09 2019 08:30:00 +0700", at(2019, 9, 19, 8, 30)),
        ("CN, 01 Thg12 2019 20:05:00 +07:00", at(2019, 12, 1, 20, 5)),
        ("19 thg. 9, 2019", at(2019, 9, 19)),
        # still no date: a month that does not exist
        ("19 Thg13 2019 08:30:00 +07:00", None),
    ],
)
def test_rfc_822_with_vietnamese_abbreviated_names(text, expected):
    assert parse_date(text, VN) == expected
