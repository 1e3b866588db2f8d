"""detect_kind: feeds (RSS, Atom, RDF, JSON Feed) vs web pages, from the first bytes and the content type."""

from __future__ import annotations

import time

import pytest

from news.detect import detect_kind


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel/></rss>', "text/xml", "rss"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', None, "rss"),
        (
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>',
            None,
            "rss",
        ),
        # prolog noise before the root: BOM, stylesheet, comment, doctype
        (
            b'\xef\xbb\xbf<?xml version="1.0"?>\n<?xml-stylesheet href="rss.xsl"?>\n<!-- tin -->\n'
            b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd">\n<rss version="0.91"></rss>',
            None,
            "rss",
        ),
        # a feed served as text/html is still a feed
        (b'<rss version="2.0"><channel><title>T</title></channel></rss>', "text/html; charset=utf-8", "rss"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/json", "rss"),
        (b'{"name": "api"}', "application/json", "html"),
        (b"<!DOCTYPE html><html><head><title>Trang</title></head><body></body></html>", "text/html", "html"),
        # XHTML with an XML prolog is a page
        (
            b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"></html>',
            None,
            "html",
        ),
        ('<?xml version="1.0"?><rss version="2.0"></rss>'.encode("utf-16"), None, "rss"),
        # a server's warning printed before the feed: feedparser still reads the feed after it
        (
            b"<br />\n<b>Warning</b>:  Undefined variable $x in <b>/var/www/rss.php</b> on line <b>12</b><br />\n"
            b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel/></rss>',
            "text/xml",
            "rss",
        ),
        # a page quoting a feed in its text is still a page
        (b'<html><body><pre>&lt;?xml version="1.0"?&gt;&lt;rss&gt;</pre></body></html>', "text/html", "html"),
        # UTF-16/32 without a byte-order mark: told by the NUL bytes around the first characters
        ('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"></rss>'.encode("utf-16-le"), None, "rss"),
        ('<?xml version="1.0" encoding="utf-16"?><feed></feed>'.encode("utf-16-be"), "text/html", "rss"),
        ("\r\n<rss></rss>".encode("utf-16-le"), None, "rss"),
        ('<?xml version="1.0"?><rss version="2.0"></rss>'.encode("utf-32"), None, "rss"),
        ("<!DOCTYPE html><html></html>".encode("utf-16-le"), "application/rss+xml", "html"),
        # byte-order marks and blank lines before the first character, in any order
        (b'\xef\xbb\xbf\xef\xbb\xbf<?xml version="1.0"?><rss></rss>', "text/xml", "rss"),
        (b'\xef\xbb\xbf\r\n\r\n  <?xml version="1.0"?><rss></rss>', None, "rss"),
        (b'\r\n\xef\xbb\xbf<?xml version="1.0"?><rss></rss>', "text/html", "rss"),
        (b"\xef\xbb\xbf\n\xef\xbb\xbf<!DOCTYPE html><html></html>", "application/rss+xml", "html"),
        # a prolog longer than the first 4 KB: the root after it decides
        (b'<?xml version="1.0"?>\n<!--' + b"license " * 1000 + b"-->\n<rss></rss>", None, "rss"),
        (b"<!--" + b"license " * 1000 + b"-->\n<feed/>", "text/html", "rss"),
        (b"<?xml version='1.0'?><!DOCTYPE rss [" + b'<!ENTITY e "v">' * 400 + b"]><rss/>", None, "rss"),
        (b'<?xml version="1.0"?>' + b'<?xml-stylesheet href="s.xsl"?>' * 200 + b"<rss/>", None, "rss"),
        (b"<!--" + b"banner " * 1000 + b"--><!DOCTYPE html><html></html>", "application/rss+xml", "html"),
        # ... but not without end: past 64 KB of prolog the content type decides
        (b"<!--" + b"x" * 70_000 + b"--><rss/>", "text/html", "html"),
        (b"<!--" + b"x" * 70_000 + b"--><html/>", "application/rss+xml", "rss"),
        # a page whose first 4 KB are a script or a style is a page, whatever the script writes
        (b"<html><head><script>" + b'var t = "<rss>";' * 400 + b"</script></head></html>", None, "html"),
        (b"<style>" + b"p { margin: 0 }" * 400 + b"</style><p>x</p>", "application/rss+xml", "html"),
        # a feed's declaration inside a page's script string is the page's, not a feed after a warning
        (
            b'<!DOCTYPE html><html><head><script>var x = "<?xml version=\\"1.0\\"?><rss>";</script>',
            "text/html",
            "html",
        ),
        (b'<html><head><title>x</title></head><body>\n<?xml version="1.0"?><rss></rss>', None, "html"),
        # a plain-text warning before the feed (no tag at all before the declaration)
        (b'Notice: Undefined index: id in rss.php on line 3\n<?xml version="1.0"?><rss/>', None, "rss"),
        # nothing to sniff: the content type decides
        (b"", "application/rss+xml", "rss"),
        (b"", "application/atom+xml; charset=utf-8", "rss"),
        (b"", None, "html"),
        (b"plain words", "text/plain", "html"),
    ],
)
def test_detect_kind(body, content_type, kind):
    assert detect_kind(body, content_type) == kind


def test_many_comments_after_a_declaration_do_not_make_sniffing_slow():
    """A pattern repeating over prolog items backtracked exponentially when no feed root followed
    (22 comments: over a second; 30: minutes)."""
    body = b'<?xml version="1.0"?>' + "<!-- khối -->".encode() * 200 + b"<html><body>x</body></html>"
    started = time.perf_counter()
    assert detect_kind(body, "text/html") == "html"
    assert time.perf_counter() - started < 0.5
