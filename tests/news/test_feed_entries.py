"""parse_feed on what feed entries carry: dates feedparser misreads, JSON Feed ids and links,
links that name no page, escaped CDATA and HTML, tags in plain-text titles."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from news.feeds import parse_feed

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _rss_dated(pub_date: str) -> bytes:
    return f"""<rss version="2.0"><channel><title>T</title>
      <item><title>Tin một</title><link>https://a.example.vn/tin-1.html</link>
      <pubDate>{pub_date}</pubDate></item></channel></rss>""".encode()


@pytest.mark.parametrize(
    ("pub_date", "published"),
    [
        # a zone set apart from "GMT": feedparser reads GMT and drops the offset
        ("Thu, 19 Sep 2019 08:30:00 GMT +0700", datetime(2019, 9, 19, 1, 30, tzinfo=UTC)),
        ("Thu, 19 Sep 2019 08:30:00 UTC +07:00", datetime(2019, 9, 19, 1, 30, tzinfo=UTC)),
        # a 12-hour time: feedparser drops the PM
        ("Thu, 19 Sep 2019 08:30:00 PM +0700", datetime(2019, 9, 19, 13, 30, tzinfo=UTC)),
        ("Thu, 19 Sep 2019 8:30 AM +0700", datetime(2019, 9, 19, 1, 30, tzinfo=UTC)),
        # what feedparser reads right stays as it was
        ("Thu, 19 Sep 2019 08:30:00 +0700", datetime(2019, 9, 19, 1, 30, tzinfo=UTC)),
        ("Thu, 19 Sep 2019 08:30:00 GMT", datetime(2019, 9, 19, 8, 30, tzinfo=UTC)),
        ("2019-09-19T08:30:00.250+07:00", datetime(2019, 9, 19, 1, 30, tzinfo=UTC)),
        ("2019-09-19T08:30:00Z", datetime(2019, 9, 19, 8, 30, tzinfo=UTC)),
    ],
)
def test_a_zone_or_am_pm_feedparser_misreads_is_read_by_our_parser(pub_date, published):
    entry = parse_feed(_rss_dated(pub_date), None, "https://a.example.vn/rss", VN).entries[0]
    assert entry.published.replace(microsecond=0) == published


def _json_item(**fields) -> bytes:
    item = {
        "url": "https://a.example.vn/tin-1.html",
        "title": "Tin một",
        "content_text": "Nội dung.",
        **fields,
    }
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [item]}).encode()


@pytest.mark.parametrize(
    ("item_id", "guid"),
    [
        # the spec: an id given as a number must be read as a string
        (301, "301"),
        (0, "0"),
        (3.5, "3.5"),
        ("  301 ", "301"),
        # no id, or none usable: the URL identifies the item
        (None, "https://a.example.vn/tin-1.html"),
        ("", "https://a.example.vn/tin-1.html"),
        (True, "https://a.example.vn/tin-1.html"),
        ({"n": 1}, "https://a.example.vn/tin-1.html"),
    ],
)
def test_a_json_feed_items_numeric_id_is_its_guid(item_id, guid):
    source = parse_feed(_json_item(id=item_id), "application/feed+json", "https://a.example.vn/feed.json", VN)
    assert source.entries[0].guid == guid


@pytest.mark.parametrize(
    ("feed_url", "url"),
    [
        # the item's link resolves against where the feed says it lives, itself read from the page
        (None, "https://a.example.vn/rss/tin/1.html"),
        ("/feeds/main.json", "https://a.example.vn/feeds/tin/1.html"),
        ("main.json", "https://a.example.vn/rss/tin/1.html"),
        ("https://b.example.vn/f/main.json", "https://b.example.vn/f/tin/1.html"),
        ("javascript:alert(1)", "https://a.example.vn/rss/tin/1.html"),
    ],
)
def test_a_json_feed_items_relative_link_is_made_absolute(feed_url, url):
    document = json.loads(_json_item(id="1", url="tin/1.html"))
    if feed_url is not None:
        document["feed_url"] = feed_url
    source = parse_feed(
        json.dumps(document).encode(), "application/feed+json", "https://a.example.vn/rss/feed.json", VN
    )
    assert source.entries[0].url == url


@pytest.mark.parametrize(
    ("link", "url"),
    [
        # a link that leads to no web page is no link (and no guid: it would name every item alike)
        ("javascript:void(0)", ""),
        ("mailto:toasoan@a.example.vn", ""),
        ("http://", ""),
        ("tel:0123456789", ""),
        # web links stay, made absolute
        ("/tin/1.html", "https://a.example.vn/tin/1.html"),
        ("https://b.example.vn/tin/2.html", "https://b.example.vn/tin/2.html"),
    ],
)
def test_a_link_that_is_no_web_address_is_no_url_and_no_guid(link, url):
    xml = f'<rss version="2.0"><channel><title>T</title><item><title>Tin một</title><link>{link}</link></item></channel></rss>'
    entry = parse_feed(xml.encode(), None, "https://a.example.vn/rss", VN).entries[0]
    assert (entry.url, entry.guid) == (url, url or None)


def test_an_atom_entry_without_link_does_not_take_its_id_for_one():
    xml = """<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
      <entry><title>Tin một</title><id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id></entry></feed>"""
    entry = parse_feed(xml.encode(), None, "https://a.example.vn/atom", VN).entries[0]
    assert (entry.url, entry.guid) == ("", "urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6")


def _rss_item(title: str, description: str) -> bytes:
    return f"""<rss version="2.0"><channel><title>T</title><item><title>{title}</title>
      <link>https://a.example.vn/tin-1.html</link><description>{description}</description>
      </item></channel></rss>""".encode()


@pytest.mark.parametrize(
    ("title", "description", "expected"),
    [
        # a CDATA section escaped once too often arrives as text that begins "<![CDATA["
        (
            "&lt;![CDATA[Giá lúa tăng nhẹ]]&gt;",
            "&lt;![CDATA[&lt;p&gt;Giá lúa tại các huyện tăng 200 đồng mỗi ký.&lt;/p&gt;]]&gt;",
            ("Giá lúa tăng nhẹ", "Giá lúa tại các huyện tăng 200 đồng mỗi ký."),
        ),
        (
            " &lt;![CDATA[ Giá lúa tăng nhẹ ]]&gt; ",
            "&lt;![CDATA[Giá lúa tại các huyện tăng 200 đồng mỗi ký.]]&gt;",
            ("Giá lúa tăng nhẹ", "Giá lúa tại các huyện tăng 200 đồng mỗi ký."),
        ),
        # a real CDATA section, and text that only mentions one, are as they were
        (
            "<![CDATA[Giá lúa tăng nhẹ]]>",
            "<![CDATA[<p>Giá lúa tại các huyện tăng 200 đồng mỗi ký.</p>]]>",
            ("Giá lúa tăng nhẹ", "Giá lúa tại các huyện tăng 200 đồng mỗi ký."),
        ),
        (
            "Cú pháp &lt;![CDATA[ trong XML",
            "Bài viết về cú pháp XML.",
            ("Cú pháp <![CDATA[ trong XML", "Bài viết về cú pháp XML."),
        ),
    ],
)
def test_an_escaped_cdata_wrapper_is_not_text(title, description, expected):
    entry = parse_feed(_rss_item(title, description), None, "https://a.example.vn/rss", VN).entries[0]
    assert (entry.title, entry.body) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # tags feedparser does not take for HTML (no end tag, no entity): still markup, not words
        ("Giá lúa&lt;br /&gt;tăng nhẹ", "Giá lúa tăng nhẹ"),
        ("Giá lúa &lt;b&gt;tăng nhẹ", "Giá lúa tăng nhẹ"),
        ("&lt;strong&gt;Nóng:&lt;/strong&gt; Giá lúa tăng", "Nóng: Giá lúa tăng"),
        ('&lt;img src="a.jpg"&gt; Giá lúa tăng', "Giá lúa tăng"),
        # a "<" that opens no known tag is text
        ("Lãi suất &lt; 5% một năm", "Lãi suất < 5% một năm"),
        ("Lãi suất &lt;5%, lạm phát &gt;4%", "Lãi suất <5%, lạm phát >4%"),
        ("Tìm hiểu thẻ &lt;title&gt; trong HTML", "Tìm hiểu thẻ <title> trong HTML"),
        ("Tôm &amp; cua &lt;3 kg", "Tôm & cua <3 kg"),
    ],
)
def test_markup_in_a_plain_text_title_is_stripped(title, expected):
    entry = parse_feed(_rss_item(title, "Mô tả."), None, "https://a.example.vn/rss", VN).entries[0]
    assert entry.title == expected


@pytest.mark.parametrize(
    ("title", "description", "expected"),
    [
        # HTML escaped twice: after one decoding the text still is markup
        (
            "&amp;lt;b&amp;gt;Giá lúa&amp;lt;/b&amp;gt; tăng nhẹ",
            "&amp;lt;p&amp;gt;Giá lúa t&amp;#259;ng 200 đồng.&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;Nông dân phấn khởi.&amp;lt;/p&amp;gt;",
            ("Giá lúa tăng nhẹ", "Giá lúa tăng 200 đồng.\n\nNông dân phấn khởi."),
        ),
        (
            "Giá lúa tăng nhẹ",
            "&amp;lt;img src=&amp;quot;https://a.example.vn/anh.jpg&amp;quot;&amp;gt;Giá lúa tăng 200 đồng.",
            ("Giá lúa tăng nhẹ", "Giá lúa tăng 200 đồng."),
        ),
        # text with "<" and ">" that open no tag is text, escaped once or twice
        (
            "Lãi suất &amp;lt; 5%",
            "Lãi suất &amp;lt; 5% và lạm phát &amp;gt; 3%.",
            ("Lãi suất < 5%", "Lãi suất < 5% và lạm phát > 3%."),
        ),
    ],
)
def test_html_escaped_twice_is_not_shown_as_tags(title, description, expected):
    entry = parse_feed(_rss_item(title, description), None, "https://a.example.vn/rss", VN).entries[0]
    assert (entry.title, entry.body) == expected
