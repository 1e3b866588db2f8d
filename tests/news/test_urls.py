"""URL canonicalisation, same-site checks and link resolution, one row per rule."""

from __future__ import annotations

import pytest

from news.urls import absolute_url, canonical_url, is_tracking_param, same_site


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host case, default ports
        ("HTTP://VnExpress.NET/Tin-Tuc", "http://vnexpress.net/Tin-Tuc"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        # trailing dot on the host, empty path, fragment
        ("http://example.com./a", "http://example.com/a"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com/a#binh-luan", "http://example.com/a"),
        ("http://example.com#top", "http://example.com/"),
        # IDNA hosts are kept as given: punycode lower-cased, Unicode lower-cased, never converted
        ("http://XN--BCHER-KVA.example/x", "http://xn--bcher-kva.example/x"),
        ("http://Báo.example/x", "http://báo.example/x"),
        # tracking parameters, global and Vietnamese (Zalo)
        ("https://e.com/a?utm_source=fb&utm_medium=social&id=5", "https://e.com/a?id=5"),
        ("https://e.com/a?UTM_Campaign=x", "https://e.com/a"),
        ("https://e.com/a?fbclid=IwAR0&gclid=1&dclid=2&msclkid=3", "https://e.com/a"),
        ("https://e.com/a?mc_cid=1&mc_eid=2&yclid=3&igshid=4&_ga=5&ref_src=twsrc", "https://e.com/a"),
        (
            "https://e.com/a.html?zarsrc=31&utm_source=zalo&utm_medium=zalo&utm_campaign=zalo",
            "https://e.com/a.html",
        ),
        ("https://e.com/a?gidzl=AbC-12&zalo_share=1&p=2", "https://e.com/a?p=2"),
        ("https://e.com/a?ref=home", "https://e.com/a?ref=home"),  # `ref` alone can select content
        # remaining query: sorted by name, stable for repeated names, empty parts and query dropped
        ("https://e.com/s?q=x&a=1&b=2", "https://e.com/s?a=1&b=2&q=x"),
        ("https://e.com/s?tag=b&a=1&tag=a", "https://e.com/s?a=1&tag=b&tag=a"),
        ("https://e.com/s?", "https://e.com/s"),
        ("https://e.com/s?&&", "https://e.com/s"),
        ("https://e.com/s?utm_source=x", "https://e.com/s"),
        ("https://e.com/s?q=a+b&flag", "https://e.com/s?flag&q=a+b"),
        # percent-encoding: unreserved decoded, hex upper-cased, reserved kept, raw non-ASCII encoded
        ("http://e.com/%7Euser/%61bc", "http://e.com/~user/abc"),
        ("http://e.com/a%2fb%3f", "http://e.com/a%2Fb%3F"),
        ("http://e.com/tin tức", "http://e.com/tin%20t%E1%BB%A9c"),
        ("http://e.com/tin%20t%e1%bb%a9c", "http://e.com/tin%20t%E1%BB%A9c"),
        ("http://e.com/100%", "http://e.com/100%25"),
        ("http://e.com/s?q=%c3%a9%2d", "http://e.com/s?q=%C3%A9-"),
        # dot segments
        ("http://e.com/a/./b/../c", "http://e.com/a/c"),
        ("http://e.com/../a", "http://e.com/a"),
        # protocol-relative, file and odd input
        ("//Example.COM./a?utm_source=x", "//example.com/a"),
        ("FILE:///tmp/Tin%7eMoi.xml#x", "file:///tmp/Tin~Moi.xml"),
        ("file:///tmp/a b.xml", "file:///tmp/a%20b.xml"),
        ("  http://e.com/a  ", "http://e.com/a"),
        ("http://e.com:notaport/a", "http://e.com:notaport/a"),
        ("http://user@E.com/a", "http://user@e.com/a"),
        ("http://[::1]:80/a", "http://[::1]/a"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://vnexpress.net/tin-tuc/the-gioi/a-3618888.html",
        "https://e.com/s?a=1&tag=b&tag=a",
        "http://e.com/tin%20t%E1%BB%A9c",
        "file:///tmp/Tin~Moi.xml",
    ],
)
def test_canonical_url_is_idempotent(url):
    assert canonical_url(canonical_url(url)) == canonical_url(url) == url


def test_variants_of_one_article_share_one_canonical_url():
    variants = [
        "https://VNEXPRESS.net:443/tin-tuc/a-3618888.html?utm_source=rss#box_comment",
        "https://vnexpress.net./tin-tuc/a-3618888.html?zarsrc=30&gidzl=x",
        "https://vnexpress.net/tin-tuc/%61-3618888.html?fbclid=1",
    ]
    assert {canonical_url(v) for v in variants} == {"https://vnexpress.net/tin-tuc/a-3618888.html"}


@pytest.mark.parametrize(
    ("name", "tracking"),
    [("utm_term", True), ("Fbclid", True), ("zalo_src", True), ("id", False), ("page", False)],
)
def test_is_tracking_param(name, tracking):
    assert is_tracking_param(name) is tracking


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://www.vnexpress.net/a", "http://vnexpress.net/b", True),
        ("https://VNEXPRESS.net./a", "https://vnexpress.net:8443/b", True),
        ("https://suckhoe.vnexpress.net/a", "https://vnexpress.net/b", False),
        ("https://dantri.com.vn/a", "https://vnexpress.net/a", False),
        ("https://wwwx.example/a", "https://x.example/a", False),
        ("/relative/path", "/relative/path", False),
        ("not a url", "not a url", False),
    ],
)
def test_same_site(a, b, same):
    assert same_site(a, b) is same


BASE = "https://baokiengiang.vn/chinh-tri/tin-a.html"


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        (BASE, "/xa-hoi/tin-b.html", "https://baokiengiang.vn/xa-hoi/tin-b.html"),
        (BASE, "tin-c.html", "https://baokiengiang.vn/chinh-tri/tin-c.html"),
        (BASE, "../tin-d.html", "https://baokiengiang.vn/tin-d.html"),
        (BASE, "//cdn.example/x.html", "https://cdn.example/x.html"),
        (BASE, "http://other.example/y", "http://other.example/y"),
        (BASE, "  /a\n/b.html\t", "https://baokiengiang.vn/a/b.html"),
        (BASE, "?page=2", "https://baokiengiang.vn/chinh-tri/tin-a.html?page=2"),
        (BASE, "javascript:void(0)", None),
        (BASE, " JavaScript:alert(1)", None),
        (BASE, "java\nscript:alert(1)", None),
        (BASE, "mailto:toasoan@example.vn", None),
        (BASE, "data:text/html,<b>x</b>", None),
        (BASE, "tel:0123456789", None),
        (BASE, "ftp://files.example/a", None),
        (BASE, "", None),
        (BASE, "   ", None),
        ("not a base", "tin.html", None),
        ("file:///tmp/site/index.html", "tin.html", "file:///tmp/site/tin.html"),
    ],
)
def test_absolute_url(base, href, expected):
    assert absolute_url(base, href) == expected
