"""parse_feed_since: a feed's items remembered from the last stored poll are left out, and the
rest parse exactly as in a full parse; anything unusual parses the whole document."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from news.feed_memo import FeedMemo, parse_feed_since, split_items
from news.feeds import parse_feed
from news.prepare import disambiguate_guids, identity_key

VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "https://tinhmau.example.vn/rss/thoi-su.rss"
RSS = "application/rss+xml; charset=utf-8"


def item(n: int, title: str | None = None, guid: str | None = None, link: str | None = None) -> str:
    link = link or f"https://tinhmau.example.vn/tin/{n}.html"
    return (
        f"<item><title>{title or f'Tin số {n}: Ủy ban tỉnh họp phiên thường kỳ'}</title>"
        f"<link>{link}</link><guid>{guid or link}</guid>"
        f"<pubDate>Thu, 19 Sep 2019 0{n % 10}:30:00 +0700</pubDate>"
        f"<description>Nội dung tin số {n} về kinh tế, xã hội của tỉnh.</description></item>"
    )


def rss(*items: str, language: str = "vi", root: str = '<rss version="2.0">', built: str = "08:00") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{root}<channel><title>Tỉnh Mẫu</title>'
        f"<link>https://tinhmau.example.vn/</link><language>{language}</language>"
        f"<lastBuildDate>Thu, 19 Sep 2019 {built}:00 +0700</lastBuildDate>\n"
        + "\n".join(items)
        + "\n</channel></rss>"
    ).encode()


def memo_of(body: bytes, url: str = URL, tz=VN) -> bytes:
    first = parse_feed_since(body, RSS, url, tz, None)
    assert first.known == 0 and first.memo is not None
    return first.memo


# -- cutting a document into items ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "items"),
    [
        (rss(item(1), item(2), item(3)), 3),
        (rss(), 0),
        (
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>t</title><items><rdf:Seq>'
            b'<rdf:li rdf:resource="a"/></rdf:Seq></items></channel><item rdf:about="a"><title>a</title>'
            b'</item> <item rdf:about="b"><title>b</title></item></rdf:RDF>',
            2,
        ),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>a</title></entry>'
            b'<entry><title>b</title><content type="html">&lt;item&gt;</content></entry></feed>',
            2,
        ),
    ],
    ids=["rss 2.0", "no items", "rss 1.0", "atom"],
)
def test_a_plain_feed_is_cut_into_its_items(document, items):
    cut = split_items(document)
    assert cut is not None and len(cut.items) == items
    # the same document, but for the whitespace between items
    assert b"".join(cut.without(list(range(items))).split()) == b"".join(document.split())


@pytest.mark.parametrize(
    "document",
    [
        rss(item(1).replace("</description>", "<![CDATA[ xem </item> ]]></description>"), item(2)),
        rss(item(1).replace("<description>", "<description><![CDATA[<item>]]>"), item(2)),
        rss(item(1), "<!-- <item>cũ</item> -->", item(2)),
        rss(item(1), "<item/>", item(2)),
        rss(item(1), "chữ lạc", item(2)),
        rss("<item><title>a</title><item><title>b</title></item></item>"),
        b"<rss/>",
        b"not xml at all",
    ],
    ids=[
        "end tag in CDATA",
        "start tag in CDATA",
        "item in a comment",
        "self-closing item",
        "text between items",
        "nested items",
        "empty root",
        "no root",
    ],  # fmt: skip
)
def test_a_document_the_cut_cannot_be_sure_of_is_not_cut(document):
    assert split_items(document) is None


@pytest.mark.parametrize(
    "document",
    [
        b"\n" * 5000 + b"Service Unavailable",
        b"<!-- ghi chu -->" * 5000 + b"het",
        b"<?xml-stylesheet href='a'?>" * 5000 + b"het",
        b"<rss><channel>" + b"<item/>" * 50000,
        b"<rss><channel>" + b"<item>" * 50000 + b"</item>",
        b"<rss><channel>" + b"</item><item>" * 30000,
        b"<rss><channel>" + b"<item " * 50000,
    ],
    ids=["blank lines then text", "comments then text", "instructions then text", "self-closing items",
         "unclosed items", "ends before starts", "start tags left open"],  # fmt: skip
)
def test_a_hostile_or_broken_body_is_turned_down_in_one_pass(document):
    # Each of these took from seconds to hours when the cut backtracked or rescanned the body.
    assert split_items(document) is None


# -- parsing only what changed -------------------------------------------------------------------


def test_only_new_and_changed_items_are_parsed_and_they_parse_as_in_a_full_parse():
    before = rss(item(1), item(2), item(3))
    after = rss(
        item(4), item(1), item(2, title="Tin số 2 (cập nhật): Ủy ban tỉnh họp bất thường"), built="09:00"
    )
    parsed = parse_feed_since(after, RSS, URL, VN, memo_of(before))
    full = parse_feed(after, RSS, URL, VN)
    assert [e.title for e in parsed.entries] == [full.entries[0].title, full.entries[2].title]
    for ours, whole in zip(parsed.entries, [full.entries[0], full.entries[2]], strict=True):
        whole.canonical = ours.canonical  # computed on the way, kept on the entry
        assert ours == whole
    assert parsed.known == 1  # item 1, byte for byte as before; item 3 is gone
    assert parsed.known_identities == [identity_key(full.entries[1])]
    assert (parsed.title, parsed.language) == (full.title, full.language)


@pytest.mark.parametrize(
    ("start", "content_type"),
    [
        pytest.param(b"\xef\xbb\xbf", RSS, id="BOM"),
        pytest.param(b"\xef\xbb\xbf\xef\xbb\xbf", RSS, id="two BOMs"),
        pytest.param(b"\xef\xbb\xbf\r\n\r\n", "text/xml", id="BOM then blank lines"),
        pytest.param(b"\r\n\xef\xbb\xbf", None, id="blank line then BOM"),
        pytest.param(b"\n\n  ", RSS, id="blank lines"),
    ],
)
def test_what_a_template_puts_before_the_declaration_leaves_the_feed_well_formed_and_remembered(
    start, content_type
):
    """XML allows nothing before its declaration; feedparser read such a feed as ill-formed (its
    loose parser, a warning every poll) and it got no memo: every poll parsed it whole."""
    before, after = rss(item(1), item(2)), rss(item(3), item(1), item(2), built="09:00")
    first = parse_feed_since(start + before, content_type, URL, VN, None)
    assert [e.title for e in first.entries] == [e.title for e in parse_feed(before, RSS, URL, VN).entries]
    assert first.warnings == [] and first.memo is not None
    again = parse_feed_since(start + after, content_type, URL, VN, first.memo)
    assert [e.title for e in again.entries] == ["Tin số 3: Ủy ban tỉnh họp phiên thường kỳ"]
    assert again.known == 2


@pytest.mark.parametrize("content_type", ["text/xml", "text/html", "text/plain", "application/octet-stream"])
def test_a_feed_served_under_another_media_type_is_well_formed_and_remembered(content_type):
    """feedparser takes `text/xml` without a charset for US-ASCII, and a non-XML type for no XML:
    either flagged a sound UTF-8 feed ill-formed, which then got no memo."""
    before, after = rss(item(1), item(2)), rss(item(3), item(1), item(2), built="09:00")
    first = parse_feed_since(before, content_type, URL, VN, None)
    assert [e.title for e in first.entries] == [e.title for e in parse_feed(before, RSS, URL, VN).entries]
    assert first.warnings == [] and first.memo is not None
    assert parse_feed_since(after, content_type, URL, VN, first.memo).known == 2


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_feed_with_blank_lines_first_is_well_formed(codec):
    document = ("\r\n" + rss(item(1)).decode().replace('"utf-8"', '"utf-16"')).encode(codec)
    parsed = parse_feed_since(document, "text/xml", URL, VN, None)
    assert [e.title for e in parsed.entries] == ["Tin số 1: Ủy ban tỉnh họp phiên thường kỳ"]
    assert parsed.warnings == [] and parsed.memo is not None


def test_the_memo_remembers_the_last_document_whole():
    first, second, third = rss(item(1)), rss(item(2), item(1)), rss(item(2), item(1))
    memo = parse_feed_since(second, RSS, URL, VN, memo_of(first)).memo
    again = parse_feed_since(third, RSS, URL, VN, memo)
    assert (again.entries, again.known) == ([], 2)
    assert FeedMemo.from_bytes(again.memo).identities == FeedMemo.from_bytes(memo).identities


@pytest.mark.parametrize(
    ("change", "later"),
    [
        ("the feed moved", {"url": "https://tinhmau.example.vn/rss/moi.rss"}),
        ("another time zone", {"tz": ZoneInfo("UTC")}),
        ("another language", {"body": rss(item(1), item(2), language="en")}),
        ("another namespace", {"body": rss(item(1), item(2), root='<rss version="2.0" xmlns:dc="x">')}),
        ("a memo of another format", {"memo": b"bm0" + bytes(48)}),
        ("a truncated memo", {"memo": "cut"}),
    ],
)
def test_anything_else_that_shapes_entries_changed_parses_the_whole_document(change: str, later: dict):
    first = rss(item(1), item(2))
    memo = memo_of(first)
    body = later.get("body", first)
    url, tz = later.get("url", URL), later.get("tz", VN)
    given = memo[:-5] if later.get("memo") == "cut" else later.get("memo", memo)
    parsed = parse_feed_since(body, RSS, url, tz, given)
    assert (parsed.known, len(parsed.entries)) == (0, 2), change
    assert parsed.memo is not None, "a full parse of a well-formed feed gives the memo to keep"
    assert (parsed.memo == memo) is ("memo" in change), "a new context: a new memo"


def test_a_broken_new_item_gives_a_full_parse_and_no_memo():
    memo = memo_of(rss(item(1)))
    broken = rss("<item><title>Tin hỏng<title></item>", item(1))
    parsed = parse_feed_since(broken, RSS, URL, VN, memo)
    assert parsed.known == 0
    assert parsed.memo is None, "an ill-formed document is not remembered"
    assert any("ill-formed" in w for w in parsed.warnings)


def test_a_document_that_cannot_be_cut_is_parsed_whole_and_not_remembered():
    body = rss(item(1), "<!-- <item/> -->", item(2))
    parsed = parse_feed_since(body, RSS, URL, VN, memo_of(rss(item(1), item(2))))
    assert (parsed.known, len(parsed.entries), parsed.memo) == (0, 2, None)


def test_a_guid_repeated_by_a_remembered_item_still_names_two_items():
    shared = "tin-chung"
    first = rss(item(1, guid=shared), item(2, guid=shared))
    later = rss(item(1, guid=shared), item(2, guid=shared, title="Tin số 2 đã sửa"))
    parsed = parse_feed_since(later, RSS, URL, VN, memo_of(first))
    assert parsed.known == 1
    [changed] = disambiguate_guids(parsed.entries, parsed.known_identities)
    whole = disambiguate_guids(parse_feed(later, RSS, URL, VN).entries)
    assert changed.guid == whole[1].guid == f"{shared}#https://tinhmau.example.vn/tin/2.html"
