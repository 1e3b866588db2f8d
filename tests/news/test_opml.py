"""read_opml: the feeds of an OPML file, each with a usable name."""

from __future__ import annotations

import pytest

from news.opml import OpmlFeed, read_opml, write_opml

URL = "https://tinh.example.vn/rss/tin-moi.rss"


def opml(outline_attributes: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>Nguồn</title></head>'
        f'<body><outline type="rss" {outline_attributes} xmlUrl="{URL}"/></body></opml>'
    ).encode()


@pytest.mark.parametrize(
    ("attributes", "name"),
    [
        ('title="Tin tỉnh" text="Tin"', "Tin tỉnh"),
        ('text="Tin tỉnh"', "Tin tỉnh"),
        # a blank title is no name: the text, else the URL, names the feed
        ('title="   " text="Tin tỉnh"', "Tin tỉnh"),
        ('title="" text="Tin tỉnh"', "Tin tỉnh"),
        ('title=" " text="&#9;"', URL),
        ("", URL),
        # a name is one line
        ('text="  Tin&#10;   tỉnh  "', "Tin tỉnh"),
    ],
)
def test_every_feed_gets_a_name(attributes, name):
    assert read_opml(opml(attributes)) == [OpmlFeed(name=name, url=URL)]


@pytest.mark.parametrize(
    ("name", "url", "read_back"),
    [
        ("Báo \"Đồng Lúa\" & <Tin> 'tỉnh'", "https://donglua.example.vn/rss?muc=1&trang=2", None),
        ("Tin xã Bình An", "https://binhan.example.vn/rss?q=a<b", None),
        # XML 1.0 cannot hold these at all: the export was a file no reader (bantin's own included) opens
        ("Tin\x01xã\x1f", "https://x.example.vn/rss", "Tinxã"),
        ("Tin\ufffexã", "https://x.example.vn/rss", "Tinxã"),
    ],
)
def test_export_reads_back(name: str, url: str, read_back: str | None):
    assert read_opml(write_opml([OpmlFeed(name, url)]).encode("utf-8")) == [OpmlFeed(read_back or name, url)]
