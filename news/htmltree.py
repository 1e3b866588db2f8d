"""Parse an HTML page (as decoded text) into an lxml tree, tolerating what real pages contain."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

# lxml refuses str input that still carries an XML encoding declaration (XHTML pages).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_PARSER = lxml.html.HTMLParser(remove_comments=True, recover=True)


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """The document's root element, or None when there is no markup to parse."""
    text = _XML_DECLARATION.sub("", html, count=1)
    if not text.strip():
        return None
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None
    return root


def node_text(node: lxml.html.HtmlElement) -> str:
    """Visible text of a node with whitespace collapsed to single spaces."""
    return " ".join(node.text_content().split())
