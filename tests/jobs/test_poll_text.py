# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""The poll path on what sources actually send: charsets right, wrong or missing, windows-1258,
TCVN3/VNI pages, undecodable bodies, dates with and without zones, feed formats."""

from __future__ import annotations

import json
import random
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.fetch import FetchResult
from jobs.source_entries import SourceView, parse_document
from tests.jobs.pollkit import (  # noqa: F401 - fixtures
    ARTICLES,
    PARAGRAPHS,
    FeedItem,
    article_page,
    clock,
    fetcher,
    listing_page,
    poller,
    rss,
    serve_articles,
)
from tests.news.legacy_encoders import encode_tcvn3, encode_vni
from tests.news.vietnamese_encodings import windows_1258

TITLE = "Hội nghị hòa giải ở cơ sở: Ủy ban huyện Thủy Tiên đạt nhiều kết quả"
LEAD = (
    "Ủy ban nhân dân huyện Thủy Tiên tổ chức hội nghị tổng kết công tác hòa giải ở cơ sở. "
    "Năm qua, các tổ hòa giải đã giải quyết thành công 412 vụ việc, đạt tỷ lệ 87,5%."
)
ITEM = FeedItem(TITLE, "https://tinh.example.vn/tin/hoa-giai-701.html", LEAD)
LATER = timedelta(hours=7)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


async def the_item(poller, name: str = "tinh"):
    items = await poller.items(name)
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(rss([ITEM]).encode(), "application/rss+xml; charset=utf-8", id="utf-8 declared"),
        pytest.param(rss([ITEM], encoding=None).encode(), None, id="utf-8 undeclared, no content type"),
        pytest.param(
            rss([ITEM]).encode(), "application/rss+xml; charset=iso-8859-1", id="utf-8 labelled latin-1"
        ),
        pytest.param(
            rss([ITEM], encoding="iso-8859-1").encode(), "text/xml", id="utf-8 with a latin-1 prolog"
        ),
        pytest.param(
            windows_1258(rss([ITEM], encoding="windows-1258")), "application/rss+xml", id="windows-1258"
        ),
        pytest.param(
            windows_1258(rss([ITEM], encoding=None)), "application/rss+xml", id="windows-1258 undeclared"
        ),
        pytest.param(
            rss([ITEM], encoding="utf-16").encode("utf-16"), "application/xml", id="utf-16 with BOM"
        ),
    ],
)
async def test_feed_text_arrives_as_nfc_vietnamese_whatever_the_charset_says(poller, body, content_type):
    await poller.add("tinh", poller.server.serve("/rss", body, content_type=content_type))
    outcome = (await poller.cycle())["tinh"]
    assert outcome.status == "new", outcome.error
    item = await the_item(poller)
    assert item.title == nfc(TITLE)
    assert item.body == nfc(LEAD)
    assert unicodedata.is_normalized("NFC", item.title + item.body + item.summary)


@pytest.mark.parametrize("encode", [encode_tcvn3, encode_vni], ids=["TCVN3", "VNI"])
@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=windows-1252"])
async def test_legacy_vietnamese_font_page_is_converted(poller, encode, content_type):
    title = "Tỉnh ủy tổng kết công tác xây dựng Đảng nhiệm kỳ 2015 - 2020"
    page = article_page(title, PARAGRAPHS["dang"], charset=None)
    url = poller.server.serve(
        "/tin-tuc/tong-ket-xay-dung-dang-2042.html", encode(page), content_type=content_type
    )
    await poller.add("cổng cũ", url, kind="html")
    outcome = (await poller.cycle())["cổng cũ"]
    assert outcome.status == "new", outcome.error
    item = await the_item(poller, "cổng cũ")
    assert item.title == title
    assert item.body.startswith("Sáng 18/9/2019, Ban Thường vụ Tỉnh ủy")
    assert "7.743 lượt tổ chức đảng" in item.body


def garble(size: int, seed: int = 7) -> bytes:
    rnd = random.Random(seed)
    return bytes(rnd.randrange(0x80, 0x100) for _ in range(size))


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        pytest.param(
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>'
            + garble(300)
            + b"</title><item><title>"
            + garble(200, 8)
            + b"</title><link>https://tinh.example.vn/x-1.html</link>"
            + b"<description>"
            + garble(3000, 9)
            + b"</description></item></channel></rss>",
            "rss",
            id="feed",
        ),
        pytest.param(
            b"<html><head><title>"
            + garble(100)
            + b"</title></head><body><h1>"
            + garble(80, 8)
            + b"</h1><p>"
            + garble(3000, 9)
            + b"</p></body></html>",
            "html",
            id="page",
        ),
    ],
)
async def test_undecodable_body_is_an_error_and_nothing_garbled_is_stored(poller, body, kind):
    await poller.add("rối", poller.server.serve("/x", body, content_type=None), kind=kind)
    outcome = (await poller.cycle())["rối"]
    assert outcome.status == "error"
    assert "garbled" in outcome.error or "undecodable" in outcome.error
    assert await poller.items() == []
    assert (await poller.source("rối")).error_count == 1


@pytest.mark.parametrize(
    ("date_text", "source_tz", "expected"),
    [
        ("Thu, 19 Sep 2019 10:15:00 +0700", None, datetime(2019, 9, 19, 3, 15, tzinfo=UTC)),
        ("Thu, 19 Sep 2019 03:15:00 GMT", "Asia/Tokyo", datetime(2019, 9, 19, 3, 15, tzinfo=UTC)),
        ("2019-09-19T10:15:00", None, datetime(2019, 9, 19, 3, 15, tzinfo=UTC)),  # [schedule] timezone
        ("2019-09-19T10:15:00", "Asia/Tokyo", datetime(2019, 9, 19, 1, 15, tzinfo=UTC)),  # the source's
        ("Thứ năm, 19/9/2019 - 10:15", None, datetime(2019, 9, 19, 3, 15, tzinfo=UTC)),
    ],
)
async def test_dates_are_timezone_aware_naive_ones_read_in_the_source_zone(
    poller, date_text, source_tz, expected
):
    item = FeedItem(TITLE, ITEM.link, LEAD, date_text=date_text)
    await poller.add("tinh", poller.server.serve("/rss", rss([item]).encode()), timezone=source_tz)
    await poller.cycle()
    stored = await the_item(poller)
    assert stored.published_at == expected and stored.dated


async def test_undated_item_keeps_its_first_seen_time_and_is_never_new_again(poller):
    url = poller.server.serve("/rss", rss([ITEM]).encode())
    await poller.add("tinh", url)
    first_seen = poller.clock.now
    await poller.cycle()
    again = (await poller.cycle(after=LATER))["tinh"]
    poller.server.serve(
        "/rss", rss([FeedItem(TITLE, ITEM.link, LEAD + " Hội nghị kết thúc lúc 11 giờ.")]).encode()
    )
    edited = (await poller.cycle(after=LATER))["tinh"]

    assert (again.status, again.new, again.duplicate) == ("duplicate", 0, 1)
    assert (edited.status, edited.new, edited.updated) == ("updated", 0, 1)
    item = await the_item(poller)
    assert item.published_at == first_seen and item.dated is False
    assert item.body.endswith("lúc 11 giờ.")


async def test_changed_title_under_the_same_guid_updates_the_item(poller):
    old = FeedItem(TITLE, ITEM.link, LEAD, guid="tinh-701")
    new = FeedItem(TITLE + " (cập nhật)", ITEM.link + "?v=2", LEAD, guid="tinh-701")
    await poller.add("tinh", poller.server.serve("/rss", rss([old]).encode()))
    await poller.cycle()
    poller.server.serve("/rss", rss([new]).encode())
    outcome = (await poller.cycle(after=LATER))["tinh"]
    assert outcome.line() == "tinh: 0 new, 1 updated, 0 duplicate"
    assert (await the_item(poller)).title.endswith("(cập nhật)")


async def test_a_guid_repeated_within_one_feed_is_told_apart_by_url(poller):
    items = [
        FeedItem(
            "Tin thứ nhất về giao thông", "https://tinh.example.vn/tin/1.html", "Mở rộng quốc lộ 1.", guid="x"
        ),
        FeedItem(
            "Tin thứ hai về thời tiết", "https://tinh.example.vn/tin/2.html", "Mưa lớn diện rộng.", guid="x"
        ),
    ]
    await poller.add("tinh", poller.server.serve("/rss", rss(items).encode()))
    outcome = (await poller.cycle())["tinh"]
    assert outcome.new == 2
    again = (await poller.cycle(after=LATER))["tinh"]
    assert (again.new, again.duplicate) == (0, 2)


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Tin Atom</title><id>urn:tinh</id>
<updated>2019-09-19T10:15:00+07:00</updated>
<entry><title>{title}</title><link href="https://tinh.example.vn/tin/atom-1.html"/><id>urn:tinh:1</id>
<updated>2019-09-19T10:15:00+07:00</updated><summary>{lead}</summary></entry></feed>"""
RSS1 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://tinh.example.vn/"><title>Tin RSS 1.0</title><link>https://tinh.example.vn/</link>
<description>d</description></channel>
<item rdf:about="https://tinh.example.vn/tin/rdf-1.html"><title>{title}</title>
<link>https://tinh.example.vn/tin/rdf-1.html</link><description>{lead}</description>
<dc:date>2019-09-19T10:15:00+07:00</dc:date></item></rdf:RDF>"""
RSS091 = """<?xml version="1.0"?><rss version="0.91"><channel><title>Tin 0.91</title>
<link>https://tinh.example.vn/</link><description>d</description><language>vi</language>
<item><title>{title}</title><link>https://tinh.example.vn/tin/091-1.html</link><description>{lead}</description></item>
</channel></rss>"""


def json_feed() -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Tin JSON",
            "items": [
                {
                    "id": "json-1",
                    "url": "https://tinh.example.vn/tin/json-1.html",
                    "title": TITLE,
                    "content_text": LEAD,
                    "date_published": "2019-09-19T10:15:00+07:00",
                }
            ],
        },
        ensure_ascii=False,
    )


@pytest.mark.parametrize(
    ("document", "content_type"),
    [
        (ATOM.format(title=TITLE, lead=LEAD), "application/atom+xml"),
        (RSS1.format(title=TITLE, lead=LEAD), "application/rdf+xml"),
        (RSS091.format(title=TITLE, lead=LEAD), "text/xml"),
        (json_feed(), "application/feed+json"),
        (ATOM.format(title=TITLE, lead=LEAD), "text/html"),  # a wrong content type: sniffed
    ],
)
async def test_every_feed_format_goes_through_an_auto_source(poller, document, content_type):
    await poller.add("tinh", poller.server.serve("/feed", document.encode(), content_type=content_type))
    outcome = (await poller.cycle())["tinh"]
    assert (outcome.status, outcome.new) == ("new", 1), outcome.error
    item = await the_item(poller)
    assert item.title == TITLE and item.body == LEAD
    assert (await poller.source("tinh")).detected_kind == "rss"


def test_a_parsed_feed_comes_with_its_canonical_urls():
    """Computed where the feed is parsed (a worker process), not again in the service."""
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tỉnh</title>'
        "<item><title>Khánh thành cầu</title><link>https://Tinh.example.vn/tin/cau.html?fbclid=1</link>"
        "<description>Cầu mới nối hai xã.</description></item></channel></rss>"
    ).encode()
    result = FetchResult(200, feed, "application/rss+xml", {}, "https://tinh.example.vn/rss")

    parsed = parse_document(result, SourceView(1, "rss", None, False), ZoneInfo("Asia/Ho_Chi_Minh"))

    assert [e.canonical for e in parsed.entries] == ["https://tinh.example.vn/tin/cau.html"]


LICENSE = "<!-- " + "Bản quyền thuộc Cổng thông tin điện tử tỉnh. Ghi rõ nguồn khi in lại. " * 80 + "-->\n"
DOCTYPE = (
    "<!DOCTYPE rss [\n"
    + "".join(f'<!ENTITY e{n} "Cổng thông tin điện tử tỉnh, mục {n}">\n' for n in range(120))
    + "]>\n"
)
STYLESHEETS = "".join(f'<?xml-stylesheet type="text/xsl" href="/rss/kieu-{n}.xsl"?>\n' for n in range(120))


def after_declaration(prolog: str) -> str:
    """The RSS document with `prolog` (over 4 KB) between its XML declaration and its root."""
    declaration, rest = rss([ITEM]).split("?>", 1)
    return declaration + "?>\n" + prolog + rest


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(rss([ITEM], encoding="utf-16").encode("utf-16-le"), None, id="utf-16le no BOM"),
        pytest.param(rss([ITEM], encoding="utf-16").encode("utf-16-be"), "text/xml", id="utf-16be no BOM"),
        pytest.param(rss([ITEM], encoding="utf-16").encode("utf-16-le"), "text/html", id="utf-16le as html"),
        pytest.param(rss([ITEM], encoding="utf-32").encode("utf-32"), None, id="utf-32 with BOM"),
        pytest.param(b"\xef\xbb\xbf\xef\xbb\xbf" + rss([ITEM]).encode(), "text/xml", id="double BOM"),
        pytest.param(b"\xef\xbb\xbf\r\n\r\n  " + rss([ITEM]).encode(), None, id="BOM then blank lines"),
        pytest.param(b"\r\n\xef\xbb\xbf" + rss([ITEM]).encode(), "text/html", id="blank line then BOM"),
        pytest.param(after_declaration(LICENSE).encode(), None, id="long comment"),
        pytest.param((LICENSE + rss([ITEM], encoding=None)).encode(), "text/html", id="comment before all"),
        pytest.param(after_declaration(DOCTYPE).encode(), "text/xml", id="long doctype"),
        pytest.param(after_declaration(STYLESHEETS).encode(), None, id="long processing instructions"),
        pytest.param(
            after_declaration(LICENSE).replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16-le"),
            None,
            id="long comment in utf-16le no BOM",
        ),
        pytest.param(
            b"Warning: Undefined variable $x in /var/www/rss.php on line 12\n" + rss([ITEM]).encode(),
            "text/html",
            id="plain-text warning before the feed",
        ),
    ],
)
async def test_an_auto_source_finds_the_feed_whatever_precedes_its_root(poller, body, content_type):
    await poller.add("tinh", poller.server.serve("/feed", body, content_type=content_type))
    outcome = (await poller.cycle())["tinh"]
    assert (outcome.status, outcome.new) == ("new", 1), outcome.error
    assert (await poller.source("tinh")).detected_kind == "rss"
    item = await the_item(poller)
    assert item.title == nfc(TITLE) and item.body == nfc(LEAD)


async def test_an_auto_source_reads_a_page_that_quotes_a_feed_in_a_script(poller):
    """`<?xml …?><rss` in a script string is no feed after a server's warning: the page is read."""
    serve_articles(poller.server)
    script = '<script>var tpl = "<?xml version=\\"1.0\\"?><rss version=\\"2.0\\"><channel>";</script>'
    page = listing_page([(path, title) for path, (title, *_rest) in ARTICLES.items()])
    page = page.replace("<head>", "<head>" + script, 1).encode()
    await poller.add("cổng", poller.server.serve("/tin-tuc.html", page, content_type="text/html"))
    outcome = (await poller.cycle())["cổng"]
    assert (outcome.status, outcome.new) == ("new", 3), outcome.error
    assert (await poller.source("cổng")).detected_kind == "html"
