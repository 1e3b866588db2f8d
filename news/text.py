"""Plain-text normalisation: clean Unicode text, HTML to text, one-line titles.

Runs on every polled item, so the common path is a handful of C-level regex passes; a string
that is already clean goes through them without being rebuilt.
"""

from __future__ import annotations

import html as html_module
import re
import unicodedata

import lxml.etree
import lxml.html

# Invisible characters that only get in the way of matching and display: zero-width
# space/joiners, word joiner, BOM, soft hyphen, and control characters other than
# tab/newline/carriage return/form feed/vertical tab (handled as whitespace below). Bidi marks,
# embeddings, overrides and isolates too: an override in a hostile title reversed the rest of the
# line it was shown on, in a digest or /latest (our sources are written left to right).
BIDI_CONTROLS = "\u061c\u180e\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE_RE = re.compile(
    f"[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f{BIDI_CONTROLS}]+"
)
_LINE_BREAK_RE = re.compile("\r\n?|[\x0b\x0c\x85\u2028]")
_HORIZONTAL_SPACE = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACES_RE = re.compile(f"[ {_HORIZONTAL_SPACE}]{{2,}}|[{_HORIZONTAL_SPACE}]")
_LINE_EDGE_SPACES_RE = re.compile(" *\n *")
_BLANK_LINES_RE = re.compile("\n{3,}")
# Any character normalize_text changes. (One character class: an alternation with the
# multi-character cases would make the scan of clean text several times slower.)
_NEEDS_WORK_RE = re.compile(
    f"[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029{_HORIZONTAL_SPACE}{BIDI_CONTROLS}]"
)

_BLOCK_TAGS = (
    "p div h1 h2 h3 h4 h5 h6 blockquote ul ol dl table section article header footer aside "
    "main nav figure figcaption pre address hr form fieldset details summary".split()
)
_LINE_TAGS = "br li tr dt dd caption option".split()
# A block is a paragraph of its own; a line element starts a new line; a cell is a word apart.
_OPENING_BREAKS = (
    {tag: "\n\n" for tag in _BLOCK_TAGS} | {tag: "\n" for tag in _LINE_TAGS} | {"td": " ", "th": " "}
)
_CLOSING_BREAKS = {tag: "\n\n" for tag in _BLOCK_TAGS}
# Not shown by a browser. (A document's <title> is in <head>: titles come from elsewhere.)
_SKIPPED_TAGS = frozenset(("script", "style", "noscript", "template", "head"))
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_TAG_RE = re.compile(r"<[^>]*>")
_SKIPPED_BLOCK_RE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)


def normalize_text(s: str) -> str:
    """Clean Unicode text: NFC, no invisible or control characters, single spaces.

    Unicode spaces (NBSP, thin space...) become plain spaces, runs of spaces and tabs
    collapse, lines are trimmed, and paragraphs are kept as exactly one blank line.
    """
    if not s:
        return ""
    if not s.isascii() and not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    if _is_clean(s):
        return s
    s = _INVISIBLE_RE.sub("", s)
    s = _LINE_BREAK_RE.sub("\n", s).replace("\u2029", "\n\n")
    s = _SPACES_RE.sub(" ", s)
    s = _LINE_EDGE_SPACES_RE.sub("\n", s)
    s = _BLANK_LINES_RE.sub("\n\n", s)
    return s.strip(" \n")


def _is_clean(s: str) -> bool:
    return (
        not s[0].isspace()
        and not s[-1].isspace()
        and "  " not in s
        and " \n" not in s
        and "\n " not in s
        and "\n\n\n" not in s
        and _NEEDS_WORK_RE.search(s) is None
    )


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or document, paragraphs kept as blank lines.

    Entities are decoded once (`&amp;amp;` stays the literal `&amp;`), script, style and
    noscript are dropped, block elements break lines. Never raises on garbage input.
    """
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return normalize_text(html)
    root = _parse_html(html)
    if root is None:
        return normalize_text(_strip_tags(html))
    parts: list[str] = []
    _collect_text(root, parts)
    text = normalize_text("".join(parts))
    if not text:
        text = normalize_text(_strip_tags(html))
    return text


def clean_title(s: str) -> str:
    """A title as one clean line: HTML stripped, entities decoded, all whitespace single."""
    return " ".join(html_to_text(s).split())


def _parse_html(html: str) -> lxml.html.HtmlElement | None:
    # lxml refuses str input with an encoding declaration, and NUL/control bytes.
    html = _XML_DECLARATION_RE.sub("", _INVISIBLE_RE.sub("", html), count=1)
    if not html.strip():
        return None
    try:
        return lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _collect_text(root: lxml.html.HtmlElement, parts: list[str]) -> None:
    """Append the visible text under `root`, with line breaks around block elements.

    Iterative, so that absurdly nested markup cannot hit the recursion limit.
    """
    walker = lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event == "start":
            tag = element.tag.lower()
            if tag in _SKIPPED_TAGS:
                walker.skip_subtree()  # its "end" still comes, and brings the tail
                continue
            parts.append(_OPENING_BREAKS.get(tag, ""))
            if element.text:
                parts.append(element.text)
            continue
        if event == "end":
            parts.append(_CLOSING_BREAKS.get(element.tag.lower(), ""))
        # Comments and processing instructions show nothing, but the text after them does.
        if element.tail and element is not root:
            parts.append(element.tail)


def _strip_tags(html: str) -> str:
    """Last resort when lxml keeps no text (e.g. markup nested past libxml2's depth limit)."""
    return html_module.unescape(_TAG_RE.sub(" ", _SKIPPED_BLOCK_RE.sub(" ", html)))
