"""OPML subscription lists: read the feeds out of one, write one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree


class OpmlError(ValueError):
    pass


@dataclass(frozen=True)
class OpmlFeed:
    name: str
    url: str


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every outline with an xmlUrl, nested categories flattened, in document order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not valid OPML/XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"not an OPML document (root element <{root.tag}>)")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        # The first of title and text that has words, on one line; a blank one is no name.
        names = (" ".join((outline.get(attr) or "").split()) for attr in ("title", "text"))
        name = next((n for n in names if n), url)
        feeds.append(OpmlFeed(name=name, url=url))
    return feeds


# Characters XML 1.0 cannot hold, even escaped: C0 controls but tab, line feed and carriage return;
# surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _attribute(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def write_opml(feeds: list[OpmlFeed], title: str = "bantin sources") -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title></head>",
        "  <body>",
    ]
    for feed in feeds:
        lines.append(
            f'    <outline type="rss" text={_attribute(feed.name)} title={_attribute(feed.name)} xmlUrl={_attribute(feed.url)}/>'
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(s: str) -> str:
    return _NOT_XML.sub("", s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
