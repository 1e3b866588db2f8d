"""Turning a feed entry's fields (markup, plain text, dates) into the clean values of an Entry.

Shared by the XML (feedparser) and JSON Feed adapters.
"""

from __future__ import annotations

import re
from datetime import UTC, tzinfo

import lxml.html

from news.body_captions import join_photo_credits, text_without_captions
from news.captions import may_hold_a_credit
from news.dates import WrittenDate, parse_written_date
from news.htmltree import parse_html
from news.text import clean_title, html_to_text, normalize_text

# A caption split in two blocks needs a photo in the markup (and a credit, see `may_hold_a_credit`).
_PHOTO_MARKUP = ("<img", "<figure", "<picture", "<IMG", "<FIGURE", "<PICTURE")

# A field wrapped whole in a CDATA section that was escaped once too often (`&lt;![CDATA[…]]&gt;`
# in the XML): after parsing, its text still begins "<![CDATA[", which is no text of the story.
_ESCAPED_CDATA = re.compile(r"\A\s*<!\[CDATA\[(.*)\]\]>\s*\Z", re.DOTALL)

# Tags that turn up in text that is still markup: titles feedparser calls plain text (it takes a
# field for HTML only with an end tag or an entity: `Giá lúa<br />tăng`, `<b>Nóng:`), and HTML
# escaped twice (`&amp;lt;p&amp;gt;`), which one decoding leaves as `<p>`. A "<" that opens none
# of these is text ("Lãi suất < 5%", "thẻ <title>").
_MARKUP_TAG = re.compile(
    r"</?(?:a|b|big|blockquote|br|del|div|em|figcaption|figure|font|h[1-6]|i|img|ins|li|mark|ol|p|s"
    r"|small|span|strike|strong|sub|sup|table|td|th|tr|u|ul)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)

# JSON strings, and feedparser's reading of an ill-formed XML feed, may hold any control character;
# PostgreSQL text cannot hold NUL (a guid or link with one failed every poll of the feed). Tab and
# line breaks stay: they are a body's whitespace.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A feed body shorter than this, with no full content element, is only a teaser of the article.
SNIPPET_MAX_WORDS = 60


def without_controls(value: str) -> str:
    """`value` without the control characters of `_CONTROLS` (for fields no text cleaning sees:
    guids, links)."""
    return _CONTROLS.sub("", value)


def unwrapped(value: str) -> str:
    """`value` without an escaped CDATA wrapper around it (see `_ESCAPED_CDATA`)."""
    if "<![CDATA[" not in value:
        return value
    wrapped = _ESCAPED_CDATA.match(value)
    return wrapped.group(1) if wrapped else value


def markup_to_text(value: str | None, is_html: bool = True) -> str:
    """Plain, normalised text of a feed field; lxml only runs when there is markup to strip."""
    if not value:
        return ""
    value = unwrapped(value)
    if not is_html or ("<" not in value and "&" not in value):
        return normalize_text(value)
    return html_to_text(value)


def body_text(value: str | None, is_html: bool = True) -> str:
    """An entry's body (`markup_to_text`) without photo captions: feeds carry the article's photos with
    their captions (`<figcaption>`, a description and its credit `Ảnh: …`), which are not the story's
    text. HTML escaped twice is still markup once decoded: it is read as HTML again."""
    text = _text_without_captions(value, is_html)
    return _text_without_captions(text) if is_html and _is_markup(text) else text


def _text_without_captions(value: str | None, is_html: bool = True) -> str:
    """See `body_text`. The markup is parsed twice only when it names a credit label."""
    if not value or "&#" not in value and not may_hold_a_credit(value.lower()):
        return markup_to_text(value, is_html)  # the common case: no credit (unless written as entities)
    value = unwrapped(value)
    if is_html and any(tag in value for tag in _PHOTO_MARKUP):
        root = parse_html(value)
        if root is not None:
            join_photo_credits(root)  # a description and its credit in two blocks: one caption line
            value = lxml.html.tostring(root, encoding="unicode")
    return text_without_captions(markup_to_text(value, is_html))


def title_text(value: str | None, is_html: bool = False) -> str:
    """A one-line title; HTML titles (Atom type="html") are stripped first."""
    if not value:
        return ""
    value = unwrapped(value)
    if not (is_html or _is_markup(value)):
        return " ".join(normalize_text(value).split())
    title = clean_title(value)
    return clean_title(title) if _is_markup(title) else title  # escaped twice


def _is_markup(text: str) -> bool:
    return "<" in text and _MARKUP_TAG.search(text) is not None


def is_snippet(body: str, has_full_content: bool) -> bool:
    """True when the entry carries only a teaser: no full content and a short body."""
    if has_full_content:
        return False
    return len(body.split()) < SNIPPET_MAX_WORDS


def date_from_text(raw: str | None, default_tz: tzinfo) -> WrittenDate | None:
    """A date string of any form our date parser knows, its moment in aware UTC (its `day` stays
    the one written)."""
    if not raw:
        return None
    parsed = parse_written_date(raw, default_tz)
    return parsed._replace(moment=parsed.moment.astimezone(UTC)) if parsed is not None else None


# A language tag's primary subtag (BCP 47: two or three letters). Anything else ("Vietnamese",
# "Tiếng Việt") is no code: the text's language is detected instead, and stored items keep codes
# their column holds (eight characters).
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def language_code(value: str | None) -> str | None:
    """`vi-VN` → `vi`; None when absent or not a language tag."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return code if _LANGUAGE_CODE.fullmatch(code) else None
