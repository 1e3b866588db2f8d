"""Telegram HTML: escaping, links, visible length as Telegram counts it, and splitting into messages.

Telegram limits a message to 4096 code points of text *after* it parses the HTML, so lengths here are
measured on the visible text: tags count nothing and an entity (`&amp;`, `&#7843;`) counts as one.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

TELEGRAM_MESSAGE_LIMIT = 4096

# Telegram knows only these four named entities; numeric ones all work.
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TOKEN_RE = re.compile(
    r"(?P<tag><(?P<closing>/)?(?P<name>[a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>)"
    r"|(?P<entity>&(?:(?P<named>lt|gt|amp|quot)|#(?P<dec>[0-9]{1,7})|#[xX](?P<hex>[0-9a-fA-F]{1,6}));)"
)


def escape_html(s: str) -> str:
    """Escape text for Telegram's HTML parse mode; use it on every string a source provided."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def link(url: str, text: str) -> str:
    """An `<a>` to `url` showing `text`; a URL that is not http(s) yields the escaped text alone,
    because a `javascript:` or `tg:` link from a feed is not something to hand to subscribers."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return escape_html(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return escape_html(text)
    return f'<a href="{escape_html(url.strip())}">{escape_html(text)}</a>'


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str  # the HTML as written
    text: str  # what Telegram shows: "" for a tag, one character otherwise
    tag_name: str | None = None  # lower-case name for tags
    closing: bool = False


def _decode_entity(match: re.Match[str]) -> str:
    if match["named"]:
        return _NAMED_ENTITIES[match["named"]]
    code = int(match["dec"]) if match["dec"] else int(match["hex"], 16)
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"


def _tokenize(html: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    for match in _TOKEN_RE.finditer(html):
        tokens.extend(_Token(ch, ch) for ch in html[pos : match.start()])
        if match["tag"]:
            tokens.append(_Token(match["tag"], "", match["name"].lower(), bool(match["closing"])))
        else:
            tokens.append(_Token(match["entity"], _decode_entity(match)))
        pos = match.end()
    tokens.extend(_Token(ch, ch) for ch in html[pos:])
    return tokens


def _visible_text_of(match: re.Match[str]) -> str:
    return "" if match["tag"] else _decode_entity(match)


def strip_tags(html: str) -> str:
    """The text Telegram would show for `html`, unescaped: the plain-text fallback for rejected HTML."""
    return _TOKEN_RE.sub(_visible_text_of, html)


def visible_length(html: str) -> int:
    """Code points of the text Telegram shows for `html` (what its 4096 limit counts)."""
    return len(strip_tags(html))


def split_message(
    blocks: list[str], limit: int = TELEGRAM_MESSAGE_LIMIT, separator: str = "\n\n"
) -> list[str]:
    """Pack pre-rendered HTML blocks into messages of at most `limit` visible code points.

    Blocks are joined with `separator` and split only between blocks; a block that alone exceeds the
    limit is cut at a line break, else a space, else between characters, never inside a tag, an
    entity or a character made of several code points (a letter with combining marks, an emoji
    sequence, a flag), with the tags open at the cut closed and reopened. Whitespace at such a cut is dropped
    (Telegram trims it anyway), so the words of all blocks come out complete and in order. Blocks
    with no visible text are left out.
    """
    if limit < 1:
        raise ValueError(f"limit must be positive, got {limit}")
    separator_length = visible_length(separator)
    messages: list[str] = []
    current: list[str] = []
    current_length = 0
    for block in blocks:
        text = strip_tags(block)
        if not text.strip():
            continue  # nothing visible: Telegram refuses an empty message, and it adds nothing
        pieces = [(block, len(text))] if len(text) <= limit else _split_oversize(block, limit)
        for piece, piece_length in pieces:
            if current and current_length + separator_length + piece_length <= limit:
                current.append(piece)
                current_length += separator_length + piece_length
                continue
            if current:
                messages.append(separator.join(current))
            current, current_length = [piece], piece_length
    if current:
        messages.append(separator.join(current))
    return messages


def _open_tags_before(tokens: list[_Token]) -> list[tuple[_Token, ...]]:
    """For each token index (and one past the end), the opening tags still open before it."""
    stacks: list[tuple[_Token, ...]] = []
    stack: list[_Token] = []
    for token in tokens:
        stacks.append(tuple(stack))
        if token.tag_name is None:
            continue
        if not token.closing:
            stack.append(token)
            continue
        # Close the innermost matching tag; a stray closing tag changes nothing.
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth].tag_name == token.tag_name:
                del stack[depth:]
                break
    stacks.append(tuple(stack))
    return stacks


def _best_cut(tokens: list[_Token], start: int, stop: int, limit: int) -> int:
    """Where to end a piece that starts at `start` and cannot include token `stop` (whitespace at the
    returned index is dropped). A line break in the second half of the piece is preferred, then the
    last space, then any line break; failing all, the piece ends just before `stop`, mid-word.
    """
    last_newline = last_space = -1
    for index in range(stop, start, -1):
        text = tokens[index].text
        if text == "\n" and last_newline < 0:
            last_newline = index
        elif text.isspace() and last_space < 0:
            last_space = index
        if last_newline >= 0 and last_space >= 0:
            break
    if last_newline >= 0 and _visible(tokens, start, last_newline) >= limit // 2:
        return last_newline
    if last_space >= 0:
        return last_space
    if last_newline >= 0:
        return last_newline
    cut = stop
    while cut - 1 > start and _inside_a_character(tokens, start, cut):
        cut -= 1
    if _inside_a_character(tokens, start, cut):
        cut = stop  # one character (a long emoji sequence) longer than the limit: cut it after all
    # Leave tags that open right at the cut to the next piece rather than emit them empty.
    while cut - 1 > start and tokens[cut - 1].tag_name and not tokens[cut - 1].closing:
        cut -= 1
    return cut


_ZWJ = "\u200d"
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
_EMOJI_MODIFIERS = range(0x1F3FB, 0x1F400)
_TAG_CHARACTERS = range(0xE0020, 0xE0080)  # subdivision flags (England, Scotland)


def _continues_previous(char: str) -> bool:
    """A code point that belongs to the character before it: a combining mark (a Vietnamese tone or
    vowel mark when the text is decomposed), a variation selector, ZWJ, an emoji modifier or tag."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or code in _EMOJI_MODIFIERS
        or code in _TAG_CHARACTERS
    )


def _inside_a_character(tokens: list[_Token], start: int, cut: int) -> bool:
    """True when a cut before token `cut` splits what a reader sees as one character (a grapheme):
    before a mark that continues the previous one, after ZWJ, or inside a flag's indicator pair."""
    before = (tokens[i].text for i in range(cut - 1, start - 1, -1) if tokens[i].text)  # nearest first
    previous = next(before, "")
    after = next((tokens[i].text for i in range(cut, len(tokens)) if tokens[i].text), "")
    if not previous or not after:
        return False
    if _continues_previous(after) or previous == _ZWJ:
        return True
    if ord(after) not in _REGIONAL_INDICATORS or ord(previous) not in _REGIONAL_INDICATORS:
        return False
    run = 1 + sum(1 for _ in itertools.takewhile(lambda text: ord(text) in _REGIONAL_INDICATORS, before))
    return run % 2 == 1


def _visible(tokens: list[_Token], start: int, stop: int) -> int:
    return sum(len(token.text) for token in tokens[start:stop])


def _render_piece(tokens: list[_Token], stacks: list[tuple[_Token, ...]], start: int, stop: int) -> str:
    reopened = "".join(tag.raw for tag in stacks[start])
    body = "".join(token.raw for token in tokens[start:stop])
    closed = "".join(f"</{tag.tag_name}>" for tag in reversed(stacks[stop]))
    return reopened + body + closed


def _split_oversize(block: str, limit: int) -> list[tuple[str, int]]:
    tokens = _tokenize(block)
    stacks = _open_tags_before(tokens)
    pieces: list[tuple[str, int]] = []
    start = 0
    length = 0
    index = 0
    while index < len(tokens):
        width = len(tokens[index].text)
        if length + width <= limit:
            length += width
            index += 1
            continue
        cut = _best_cut(tokens, start, index, limit)
        pieces.append((_render_piece(tokens, stacks, start, cut), _visible(tokens, start, cut)))
        start = cut
        while start < len(tokens) and tokens[start].text.isspace():
            start += 1
        index = start
        length = 0
    if start < len(tokens):
        pieces.append(
            (_render_piece(tokens, stacks, start, len(tokens)), _visible(tokens, start, len(tokens)))
        )
    # A tail of closing tags alone would be an empty message.
    return [(html, length) for html, length in pieces if strip_tags(html).strip()]
