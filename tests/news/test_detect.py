"""detect_kind: feeds (RSS, Atom, RDF, JSON Feed) vs web pages, from the first bytes and the content type."""

from __future__ import annotations

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
        # nothing to sniff: the content type decides
        (b"", "application/rss+xml", "rss"),
        (b"", "application/atom+xml; charset=utf-8", "rss"),
        (b"", None, "html"),
        (b"plain words", "text/plain", "html"),
    ],
)
def test_detect_kind(body, content_type, kind):
    assert detect_kind(body, content_type) == kind
