"""Telegram's HTML parse mode: check markup like Telegram and return the visible text and its entities.

The scanner follows tdlib's `parse_html` (the code behind the Bot API): the same allowed tags, the
same error texts with UTF-8 byte offsets, entity offsets in UTF-16 code units, and the text trimmed
of surrounding whitespace. Telegram itself is lenient in three places the Bot API documentation
forbids: a bare `&` or `>` and an unknown named entity (`&nbsp;`) pass through as literal text, and
unknown attributes are ignored. `strict=True` (the default here) rejects those too, so a renderer that
forgets to escape fails in tests instead of showing `&nbsp;` to subscribers; `strict=False` is tdlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.standin.errors import MESSAGE_TEXT_EMPTY, MESSAGE_TOO_LONG, ApiError, can_t_parse_entities

MAX_TEXT_LENGTH = 4096
ALLOWED_TAGS = frozenset(
    "a b strong i em s strike del u ins tg-spoiler tg-emoji tg-time span pre code blockquote".split()
)
# Attributes Telegram reads; any other attribute is ignored by Telegram and rejected in strict mode.
KNOWN_ATTRIBUTES = {
    "a": {"href"},
    "code": {"class"},
    "span": {"class"},
    "tg-emoji": {"emoji-id"},
    "tg-time": {"unix", "format"},
    "blockquote": {"expandable"},
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
TRIMMED = " \t\n\r\v\f"
LINK_SCHEMES = ("http://", "https://", "tg://", "ton://", "tonsite://")
_SPECIAL = re.compile(r"[<>&]")
_SPACE = " \t\r\n\v\f"
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")


@dataclass(frozen=True)
class ParsedText:
    """What the recipient sees: the visible text and its entities (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_text(
    text: str | None, parse_mode: str | None, entities: Any = None, *, strict: bool = True
) -> ParsedText:
    """Validate a message text like Telegram: parse mode, then trimming, then 1..4096 characters."""
    if text is None or text == "":
        raise ApiError(400, MESSAGE_TEXT_EMPTY)
    mode = (parse_mode or "").lower()
    if mode == "html":
        parsed = parse_html(text, strict=strict)
    elif mode == "":
        parsed = _trimmed(text, list(entities or []))
    else:
        # MarkdownV2/Markdown are not modelled; failing loudly beats accepting them unchecked.
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r} in the Bot API stand-in")
    if not parsed.text:
        raise ApiError(400, MESSAGE_TEXT_EMPTY)
    if len(parsed.text) > MAX_TEXT_LENGTH:
        raise ApiError(400, MESSAGE_TOO_LONG)
    return parsed


def parse_html(source: str, *, strict: bool = True) -> ParsedText:
    return _HtmlScanner(source, strict).run()


class _HtmlScanner:
    def __init__(self, source: str, strict: bool) -> None:
        # A NUL sentinel lets lookahead run past the end the way tdlib's C string does.
        self.s = source + "\0"
        self.n = len(source)
        self.strict = strict
        self.out: list[str] = []
        self.u16 = 0  # UTF-16 length of the output so far
        self.out_len = 0  # code points of the output so far
        self.stack: list[tuple[str, str, int, int, int]] = []  # tag, argument, u16 start, out start, pos
        self.entities: list[dict[str, Any]] = []

    def fail(self, reason: str) -> ApiError:
        return can_t_parse_entities(reason)

    def byte_offset(self, pos: int) -> int:
        return len(self.s[:pos].encode("utf-8", "surrogatepass"))

    def emit(self, chunk: str) -> None:
        if chunk:
            self.out.append(chunk)
            self.u16 += utf16_len(chunk)
            self.out_len += len(chunk)

    def run(self) -> ParsedText:
        i = 0
        while i < self.n:
            match = _SPECIAL.search(self.s, i, self.n)
            if match is None:
                self.emit(self.s[i : self.n])
                break
            j = match.start()
            self.emit(self.s[i:j])
            char = self.s[j]
            if char == "&":
                i = self.entity(j)
            elif char == ">":
                if self.strict:
                    raise self.fail(f'Unescaped ">" at byte offset {self.byte_offset(j)}; use "&gt;"')
                self.emit(">")
                i = j + 1
            elif self.s[j + 1] == "/":
                i = self.end_tag(j)
            else:
                i = self.start_tag(j)
        if self.stack:
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        return _trimmed("".join(self.out), self.entities)

    def entity(self, pos: int) -> int:
        char, end = _decode_entity(self.s, pos)
        if char is None:
            if self.strict:
                name = re.match(r"&#?[A-Za-z0-9]*;?", self.s[pos:]).group(0)  # type: ignore[union-attr]
                where = f"at byte offset {self.byte_offset(pos)}"
                if len(name) > 2 and name.endswith(";"):
                    raise self.fail(f'Unsupported HTML entity "{name}" {where}')
                raise self.fail(f'Unescaped "&" {where}; use "&amp;"')
            self.emit("&")
            return pos + 1
        self.emit(char)
        return end

    def start_tag(self, begin: int) -> int:
        s = self.s
        i = begin + 1
        while s[i] not in _SPACE and s[i] != ">" and s[i] != "\0":
            i += 1
        if s[i] == "\0" and i >= self.n:
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = s[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise self.fail(f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}')
        argument = ""
        attributes: dict[str, str] = {}
        while s[i] != ">":
            while i < self.n and s[i] in _SPACE:
                i += 1
            if s[i] == ">":
                break
            if i >= self.n:
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
            name_begin = i
            while s[i] not in _SPACE and s[i] not in "=>\0":
                i += 1
            name = s[name_begin:i]
            if not name:
                raise self.fail(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            while i < self.n and s[i] in _SPACE:
                i += 1
            if s[i] != "=":
                if tag == "blockquote" and name == "expandable":
                    attributes[name] = ""
                    continue
                raise self.fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i += 1
            while i < self.n and s[i] in _SPACE:
                i += 1
            if i >= self.n:
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
            value, i = self.attribute_value(i)
            if i >= self.n:
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if self.strict and name not in KNOWN_ATTRIBUTES.get(tag, ()):
                raise self.fail(
                    f'Unsupported attribute "{name}" in the tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            attributes[name] = value
        argument = self.tag_argument(tag, attributes, begin)
        self.stack.append((tag, argument, self.u16, self.out_len, begin))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        s = self.s
        if s[i] not in "'\"":
            token = _NAME_TOKEN.match(s, i)
            end = token.end()  # type: ignore[union-attr]
            if s[end] not in _SPACE and s[end] != ">" and s[end] != "\0":
                raise self.fail(f"Unexpected end of name token at byte offset {self.byte_offset(i)}")
            return s[i:end].lower(), end
        quote = s[i]
        i += 1
        value: list[str] = []
        while i < self.n and s[i] != quote:
            if s[i] == "&":
                char, end = _decode_entity(s, i)
                if char is not None:
                    value.append(char)
                    i = end
                    continue
            value.append(s[i])
            i += 1
        if s[i] == quote:
            i += 1
        return "".join(value), i

    def tag_argument(self, tag: str, attributes: dict[str, str], begin: int) -> str:
        if tag == "a":
            return attributes.get("href", "")
        if tag == "code":
            css = attributes.get("class", "")
            return css[len("language-") :] if css.startswith("language-") else ""
        if tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise self.fail(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
                )
            return "spoiler"
        if tag == "tg-emoji":
            return attributes.get("emoji-id", "")
        if tag == "tg-time":
            return attributes.get("unix", "") + "|" + attributes.get("format", "")
        if tag == "blockquote":
            return "expandable" if "expandable" in attributes else ""
        return ""

    def end_tag(self, begin: int) -> int:
        s = self.s
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while s[i] not in _SPACE and s[i] != ">" and s[i] != "\0":
            i += 1
        name = s[begin + 2 : i]
        while i < self.n and s[i] in _SPACE:
            i += 1
        if s[i] != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag, argument, u16_start, out_start, _ = self.stack.pop()
        if name and name.lower() != tag:
            raise self.fail(
                f'Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "</{tag}>", found "</{name}>"'
            )
        length = self.u16 - u16_start
        if length:
            self.close_entity(tag, argument, u16_start, length, out_start)
        return i + 1

    def close_entity(self, tag: str, argument: str, offset: int, length: int, out_start: int) -> None:
        entity: dict[str, Any] = {"offset": offset, "length": length}
        if tag in SIMPLE_ENTITY_TYPES:
            entity["type"] = SIMPLE_ENTITY_TYPES[tag]
        elif tag == "a":
            url = _checked_link(argument or "".join(self.out)[out_start:])
            if url is None:
                return  # Telegram silently drops links it cannot use
            user_id = re.fullmatch(r"tg://user\?id=(\d+)", url)
            if user_id:
                entity.update(
                    type="text_mention", user={"id": int(user_id.group(1)), "is_bot": False, "first_name": ""}
                )
            else:
                entity.update(type="text_link", url=url)
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise self.fail("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "tg-time":
            unix, _, time_format = argument.partition("|")
            if not unix.isdigit():
                raise self.fail("Invalid Unix time specified")
            entity.update(type="date_time", unix_time=int(unix))
            if time_format:
                entity["date_time_format"] = time_format
        elif tag == "code":
            entity["type"] = "code"
            if argument and self.stack and self.stack[-1][0] == "pre" and self.stack[-1][2] == offset:
                # <pre><code class="language-x">: the language belongs to the enclosing pre
                tag_pre, _, u16, out, pos = self.stack[-1]
                self.stack[-1] = (tag_pre, "language:" + argument, u16, out, pos)
        elif tag == "pre":
            entity["type"] = "pre"
            if argument.startswith("language:"):
                inner = self.entities[-1] if self.entities else None
                if (
                    inner
                    and inner["type"] == "code"
                    and inner["offset"] == offset
                    and inner["length"] == length
                ):
                    self.entities.pop()
                entity["language"] = argument[len("language:") :]
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        self.entities.append(entity)


def _decode_entity(s: str, pos: int) -> tuple[str | None, int]:
    """tdlib's decode_html_entity: `&lt;`-style names and numeric references; the `;` is optional."""
    end = pos + 1
    if s[end] == "#":
        end += 1
        hexadecimal = s[end] == "x"
        if hexadecimal:
            end += 1
        digits_begin = end
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while s[end] in allowed and s[end] != "\0":
            end += 1
        digits = s[digits_begin:end]
        if not digits or end - pos >= 10:
            return None, pos
        code = int(digits, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, pos
        char = chr(code)
    else:
        while s[end].isascii() and s[end].isalpha():
            end += 1
        named = NAMED_ENTITIES.get(s[pos + 1 : end])
        if named is None:
            return None, pos
        char = named
    if s[end] == ";":
        end += 1
    return char, end


def _checked_link(url: str) -> str | None:
    url = url.strip()
    lowered = url.lower()
    if lowered.startswith(LINK_SCHEMES):
        return url
    if "://" in url or lowered.startswith(("javascript:", "mailto:", "data:")) or " " in url:
        return None
    host = url.split("/", 1)[0]
    return "http://" + url if "." in host and host.replace(".", "").replace("-", "").isalnum() else None


def _trimmed(text: str, entities: list[dict[str, Any]]) -> ParsedText:
    """Telegram strips whitespace around a message; entities shift and shrink with it."""
    stripped_left = text.lstrip(TRIMMED)
    visible = stripped_left.rstrip(TRIMMED)
    if visible == text:
        return ParsedText(text, sorted(entities, key=_entity_order))
    shift = utf16_len(text[: len(text) - len(stripped_left)])
    limit = utf16_len(visible)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return ParsedText(visible, sorted(kept, key=_entity_order))


def _entity_order(entity: dict[str, Any]) -> tuple[int, int]:
    return entity["offset"], -entity["length"]
