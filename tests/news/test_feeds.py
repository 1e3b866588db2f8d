"""parse_feed: RSS, Atom and JSON feeds → entries with clean text, absolute links and aware UTC dates."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from news.feeds import FeedParseError, parse_feed
from tests.news.legacy_encoders import encode_tcvn3, encode_vni
from tests.news.vietnamese_encodings import tcvn3, windows_1258

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def rss_source():
    return parse_feed(
        fixture_bytes("rss20_vi.xml"), "application/rss+xml", "https://baomau.example.vn/rss/tin-moi.rss", VN
    )


def test_rss_feed_title_ttl_and_entry_count(rss_source):
    assert rss_source.kind == "rss"
    assert rss_source.title == "Tin tỉnh nhà - Báo Mẫu"
    assert rss_source.ttl_seconds == 15 * 60
    assert len(rss_source.entries) == 3


def test_rss_entry_fields(rss_source):
    first = rss_source.entries[0]
    assert first.guid == "bm-101"
    assert (
        first.url
        == "https://baomau.example.vn/chinh-tri/hoi-nghi-tong-ket-cong-tac-xay-dung-dang-2019-101.html"
    )
    assert first.title == "Hội nghị tổng kết công tác xây dựng Đảng năm 2019"
    assert first.author == "Thanh Anh"
    assert first.tags == ["Chính trị", "Xây dựng Đảng"]
    assert first.language == "vi"
    assert first.published == datetime(2019, 9, 19, 1, 30, tzinfo=UTC)


def test_full_content_wins_over_summary_and_keeps_paragraphs(rss_source):
    first = rss_source.entries[0]
    assert first.body == (
        "Sáng 18/9/2019, Ban Thường vụ Tỉnh ủy tổ chức hội nghị tổng kết chuyên đề về xây dựng Đảng.\n\n"
        "Từ đầu nhiệm kỳ đến nay đã kiểm tra 7.743 lượt tổ chức đảng cấp dưới và 26.651 lượt đảng viên."
    )
    assert first.snippet_only is False


@pytest.mark.parametrize(
    ("index", "body"),
    [
        (1, "Giá lúa tại các huyện tăng từ 100 đến 200 đồng mỗi ký so với tuần trước."),
        (2, "Đài khí tượng cảnh báo mưa lớn và gió giật mạnh trên vùng biển."),
    ],
)
def test_short_description_without_content_is_a_snippet(rss_source, index, body):
    entry = rss_source.entries[index]
    assert entry.body == body
    assert entry.snippet_only is True


def test_guid_falls_back_to_link(rss_source):
    second = rss_source.entries[1]
    assert second.guid == second.url == "https://baomau.example.vn/kinh-te/gia-lua-tang-nhe-102.html"
    assert second.title == "Giá lúa tăng nhẹ & nông dân phấn khởi"


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        # ISO without a zone: the source's zone, not UTC as feedparser assumes.
        (1, datetime(2019, 9, 19, 3, 15, tzinfo=UTC)),
        # A Vietnamese date feedparser cannot read at all.
        (2, datetime(2019, 9, 19, 7, 0, tzinfo=UTC)),
    ],
)
def test_dates_without_zone_use_the_default_time_zone(rss_source, index, expected):
    assert rss_source.entries[index].published == expected


def test_long_description_without_content_is_not_a_snippet():
    words = " ".join(["tin"] * 80)
    feed = f"""<rss version="2.0"><channel><title>T</title>
      <item><title>Bài dài</title><link>https://a.example.vn/bai-dai-1.html</link>
      <description>{words}</description></item></channel></rss>""".encode()
    entry = parse_feed(feed, None, "https://a.example.vn/rss", VN).entries[0]
    assert entry.snippet_only is False


def test_atom_feed():
    source = parse_feed(
        fixture_bytes("atom_vi.xml"), "application/atom+xml", "https://tapchimau.example.vn/atom.xml", VN
    )
    assert source.title == "Tạp chí Mẫu"
    first, second = source.entries
    assert first.title == "Du lịch Phú Quốc đón khách trở lại"
    assert first.url == "https://tapchimau.example.vn/du-lich/phu-quoc-don-khach-201.html"
    assert first.guid == "tag:tapchimau.example.vn,2019:201"
    assert first.author == "Hoàng Nam"
    assert first.published == datetime(2019, 9, 19, 2, 0, tzinfo=UTC)
    assert first.body == "Đảo Phú Quốc đón những đoàn khách đầu tiên sau mùa mưa.\n\nCác khách sạn kín phòng."
    assert first.snippet_only is False
    assert first.tags == ["du-lich"]
    assert first.language == "vi"
    assert second.published == datetime(2019, 9, 18, 7, 0, tzinfo=UTC)  # published beats updated
    assert second.body == "Ghe xuồng tấp nập từ sáng sớm."
    assert second.snippet_only is True


def test_json_feed():
    source = parse_feed(
        fixture_bytes("jsonfeed_vi.json"), "application/feed+json", "https://bantinmau.example.vn/", VN
    )
    assert source.kind == "rss"
    assert source.title == "Bản tin mẫu"
    first, second = source.entries
    assert first.url == "https://bantinmau.example.vn/xa-hoi/khanh-thanh-cau-moi-301.html"
    assert first.guid == "301"
    assert first.title == "Khánh thành cây cầu mới nối hai xã"
    assert first.body == "Cây cầu dài 120 mét được khánh thành sáng nay."
    assert first.snippet_only is False
    assert first.author == "Minh Thư"
    assert first.tags == ["giao thông", "xã hội"]
    assert first.published == datetime(2019, 9, 19, 1, 0, tzinfo=UTC)
    assert second.author == "Ban biên tập"  # the feed's authors stand in
    assert second.snippet_only is True
    assert second.published == datetime(2019, 9, 18, 16, 0, tzinfo=UTC)


def test_ill_formed_feed_still_yields_its_entries():
    source = parse_feed(
        fixture_bytes("illformed_amp.xml"), "application/rss+xml", "https://tinnhanh.example.vn/rss", VN
    )
    assert [e.title for e in source.entries] == [
        "Doanh nghiệp & người lao động cùng vượt khó",
        "Bản tin thứ hai",
    ]
    assert (
        source.entries[0].url
        == "https://tinnhanh.example.vn/kinh-te/doanh-nghiep-nguoi-lao-dong-401.html?a=1&b=2"
    )
    assert source.entries[0].published == datetime(2019, 9, 19, 0, 0, tzinfo=UTC)
    assert any("ill-formed" in w for w in source.warnings)


TITLE = "Kiên Giang tổng kết về xây dựng Đảng và thi hành Điều lệ Đảng"


@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml; charset=windows-1258", None])
def test_windows_1258_feed_comes_out_nfc(content_type):
    xml = (
        '<?xml version="1.0" encoding="windows-1258"?><rss version="2.0"><channel><title>Tỉnh ủy</title>'
        f"<item><title>{TITLE}</title><link>https://tinhuy.example.vn/tin-1.html</link>"
        "<description>Hội nghị diễn ra sáng 18/9.</description></item></channel></rss>"
    )
    body = windows_1258(xml)
    assert unicodedata.normalize("NFD", TITLE).encode("utf-8") not in body  # really the Windows form
    source = parse_feed(body, content_type, "https://tinhuy.example.vn/rss", VN)
    assert source.title == "Tỉnh ủy"
    entry = source.entries[0]
    assert entry.title == TITLE
    assert unicodedata.is_normalized("NFC", entry.title)
    assert entry.body == "Hội nghị diễn ra sáng 18/9."


def test_decomposed_utf8_text_is_recomposed():
    title = unicodedata.normalize("NFD", TITLE)
    xml = f'<rss version="2.0"><channel><title>T</title><item><title>{title}</title><link>https://a.example.vn/x-1.html</link></item></channel></rss>'
    assert parse_feed(xml.encode(), None, "https://a.example.vn/", VN).entries[0].title == TITLE


@pytest.mark.parametrize(
    "body",
    [
        "<html><head><title>Trang chủ</title></head><body><p>Xin chào</p></body></html>".encode(),
        b"",
        b"just some text",
        b'{"name": "not a feed"}',
        b"{ broken json",
        # Mojibake that cannot be repaired (the text also holds a real `ộ`): garbled, not stored.
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Hội " + "Há»™i nghá»‹ " * 30,
                "items": [],
            },
            ensure_ascii=False,
        ).encode(),
    ],
)
def test_documents_that_are_not_feeds_raise(body):
    with pytest.raises(FeedParseError):
        parse_feed(body, "text/html", "https://a.example.vn/", VN)


def test_a_body_naming_a_local_file_is_not_read_from_disk(tmp_path):
    """feedparser opens a str/bytes argument as a path when it can; a server's body must not do that."""
    local_feed = tmp_path / "local.xml"
    local_feed.write_bytes(b'<rss version="2.0"><channel><title>Local</title></channel></rss>')
    with pytest.raises(FeedParseError):
        parse_feed(str(local_feed).encode(), "text/plain", "https://a.example.vn/", VN)


def test_empty_channel_is_a_feed_with_no_entries():
    source = parse_feed(
        '<rss version="2.0"><channel><title>Trống</title></channel></rss>'.encode(),
        None,
        "https://a.example.vn/",
        VN,
    )
    assert source.entries == []
    assert source.title == "Trống"


def test_entry_without_link_keeps_an_empty_url():
    xml = '<rss version="2.0"><channel><title>T</title><item><title>Chỉ có tiêu đề</title></item></channel></rss>'
    entry = parse_feed(xml.encode(), None, "https://a.example.vn/", VN).entries[0]
    assert entry.url == ""
    assert entry.guid is None
    assert entry.title == "Chỉ có tiêu đề"


def test_tcvn3_feed_is_converted_to_unicode():
    title = "huyện ủy tổ chức hội nghị tổng kết công tác xây dựng đảng"
    description = (
        "sáng nay, ban thường vụ huyện ủy đã tổ chức hội nghị với sự tham dự của nhiều đồng chí lãnh đạo."
    )
    xml = (
        '<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>tin huyện</title>'
        f"<item><title>{title}</title><link>https://huyen.example.vn/tin-5.html</link>"
        f"<description>{description}</description></item></channel></rss>"
    )
    source = parse_feed(tcvn3(xml), "application/rss+xml", "https://huyen.example.vn/rss", VN)
    assert source.entries[0].title == title
    assert source.entries[0].body == description
    assert any("tcvn3" in w for w in source.warnings)


def _as_latin1_text(raw: bytes) -> str:
    """Bytes read one character each, as cp1252 (Latin-1 where cp1252 has no character)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)


def _rss_document(site: str, title: str, description: str) -> tuple[bytes, str]:
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{site}</title>"
        f"<item><title>{title}</title><link>https://huyen.example.vn/tin-6.html</link>"
        f"<description>{description}</description></item></channel></rss>"
    )
    return xml.encode("utf-8"), "application/rss+xml; charset=utf-8"


def _json_feed_document(site: str, title: str, description: str) -> tuple[bytes, str]:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site,
        "items": [
            {
                "id": "6",
                "url": "https://huyen.example.vn/tin-6.html",
                "title": title,
                "content_text": description,
            }
        ],
    }
    return json.dumps(feed, ensure_ascii=False).encode("utf-8"), "application/feed+json"


@pytest.mark.parametrize("document", [_rss_document, _json_feed_document], ids=["rss", "json feed"])
@pytest.mark.parametrize(
    ("garble", "warning"),
    [
        # A legacy page's Latin-1 reading saved again as UTF-8: valid UTF-8, TCVN3 or VNI letters.
        (lambda text: _as_latin1_text(encode_tcvn3(text)), "tcvn3"),
        (lambda text: _as_latin1_text(encode_vni(text)), "vni"),
        # UTF-8 decoded as windows-1252 and encoded again (`Há»™i nghá»‹`).
        (lambda text: _as_latin1_text(text.encode("utf-8")), None),
    ],
    ids=["tcvn3", "vni", "mojibake"],
)
def test_utf8_feed_carrying_legacy_or_mojibake_text_is_converted(garble, warning, document):
    title = "Huyện ủy tổ chức hội nghị tổng kết công tác xây dựng Đảng"
    description = "Sáng nay, Ban Thường vụ Huyện ủy đã tổ chức hội nghị với nhiều đồng chí lãnh đạo tham dự."
    body, content_type = document(garble("Tin huyện"), garble(title), garble(description))
    source = parse_feed(body, content_type, "https://huyen.example.vn/rss", VN)
    entry = source.entries[0]
    assert entry.title.lower() == title.lower()  # TCVN3 capitals with tones come out lower case
    assert entry.body.lower() == description.lower()
    if warning:
        assert any(warning in w for w in source.warnings)


def _rss_dated(pub_date: str) -> bytes:
    return f"""<rss version="2.0"><channel><title>T</title>
      <item><title>Tin một</title><link>https://a.example.vn/tin-1.html</link>
      <pubDate>{pub_date}</pubDate></item></channel></rss>""".encode()


def _json_dated(date_published: str) -> bytes:
    item = {
        "id": "1",
        "url": "https://a.example.vn/tin-1.html",
        "title": "Tin một",
        "date_published": date_published,
    }
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [item]}).encode()


@pytest.mark.parametrize(
    ("feed", "published", "day"),
    [
        # a day alone is kept as written (19/09), its moment the day's start in the source's zone
        (_rss_dated("19/09/2019"), datetime(2019, 9, 18, 17, 0, tzinfo=UTC), date(2019, 9, 19)),
        (_rss_dated("2019-09-19"), datetime(2019, 9, 18, 17, 0, tzinfo=UTC), date(2019, 9, 19)),
        (_json_dated("2019-09-19"), datetime(2019, 9, 18, 17, 0, tzinfo=UTC), date(2019, 9, 19)),
        # a written time is a time
        (_rss_dated("19/09/2019 08:30"), datetime(2019, 9, 19, 1, 30, tzinfo=UTC), None),
        (_rss_dated("Thu, 19 Sep 2019 08:30:00 +0700"), datetime(2019, 9, 19, 1, 30, tzinfo=UTC), None),
        (_json_dated("2019-09-19T08:30:00+07:00"), datetime(2019, 9, 19, 1, 30, tzinfo=UTC), None),
    ],
)
def test_a_date_without_a_time_of_day_keeps_its_day(feed, published, day):
    entry = parse_feed(feed, None, "https://a.example.vn/rss", VN).entries[0]
    assert (entry.published, entry.published_day) == (published, day)


def test_photo_captions_in_a_feed_body_are_not_body_text():
    # content:encoded carries the article's photos: a <figcaption> with its credit, and a description
    # line with its bare credit on the next line. Neither is the story's text.
    source = parse_feed(
        fixture_bytes("rss20_vi_captions.xml"),
        "application/rss+xml",
        "https://baomau.example.vn/rss/kinh-te.rss",
        VN,
    )
    body = source.entries[0].body
    assert body.startswith("Vụ lúa thu đông năm nay, nông dân xã Phú An")
    assert "Theo Phòng Nông nghiệp huyện" in body
    assert body.endswith("chuẩn bị cho vụ đông xuân sắp tới.")
    for caption in ("máy gặt đập liên hợp", "Thương lái cân lúa", "Ảnh: Minh Khoa"):
        assert caption not in body
    assert body.count("\n\n") == 2  # three paragraphs


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Giá lúa \u202etăng\u202c mạnh", "Giá lúa tăng mạnh"),  # an override would reverse the line
        ("\u2067Sông Xanh\u2069 mùa nước nổi", "Sông Xanh mùa nước nổi"),
        ("\u202e\u200f", ""),  # bidi marks alone are no title
    ],
)
def test_a_titles_bidi_controls_are_not_kept(title, expected):
    body, content_type = _rss_document("Báo Sông Xanh", title, "Nông dân thu hoạch lúa hè thu.")
    parsed = parse_feed(body, content_type, "https://huyen.example.vn/rss", ZoneInfo("Asia/Ho_Chi_Minh"))
    assert [entry.title for entry in parsed.entries] == [expected]
