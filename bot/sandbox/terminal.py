"""The sandbox's terminal chat: the bot's messages as text, its buttons numbered, and what the user
types read back as a message or a button press.

Messages arrive as the stand-in recorded them: the visible text Telegram would show and its entities
(offsets in UTF-16 code units). Bold, italic and code become rich styles on a terminal (plain text
in a pipe); a link keeps its text and shows its address after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.text import Text

from news.tones import search_key

Record = dict[str, Any]
STYLES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strikethrough": "strike",
    "code": "cyan",
    "pre": "cyan",
    "spoiler": "reverse",
    "text_link": "underline blue",
    "url": "underline blue",
}
_BUTTON_NUMBER = re.compile(r"\[\s*(\d{1,3})\s*\]")
_EDGE_SYMBOLS = re.compile(r"^[\W_]+|[\W_]+$")  # emoji, arrows and marks around a button's words


@dataclass(frozen=True)
class Button:
    text: str
    data: str | None
    url: str | None


def _utf16_to_index(text: str) -> list[int]:
    """Python index for each UTF-16 offset (and one past the end)."""
    index = []
    for position, char in enumerate(text):
        index.extend([position] * (2 if ord(char) > 0xFFFF else 1))
    index.append(len(text))
    return index


def styled_text(text: str, entities: list[dict[str, Any]] | None) -> Text:
    """The visible text with its entities as styles; links followed by ` <url>`."""
    index = _utf16_to_index(text)

    def at(offset: int) -> int:
        return index[min(max(offset, 0), len(index) - 1)]

    result = Text(text)
    links: list[tuple[int, str]] = []
    for entity in entities or []:
        start, end = at(entity["offset"]), at(entity["offset"] + entity["length"])
        style = STYLES.get(entity["type"])
        if style:
            result.stylize(style, start, end)
        if entity["type"] == "text_link" and entity.get("url"):
            links.append((end, entity["url"]))
    for end, url in sorted(links, reverse=True):  # from the end, so earlier positions stay valid
        result = result[:end] + Text(f" <{url}>", style="dim") + result[end:]
    return result


def keyboard_of(record: Record) -> list[list[Button]]:
    rows = (record.get("reply_markup") or {}).get("inline_keyboard") or []
    return [[Button(b["text"], b.get("callback_data"), b.get("url")) for b in row] for row in rows]


@dataclass
class Terminal:
    """Prints what the bot does in one chat and remembers the buttons on screen."""

    console: Console
    chat_id: int
    bot_name: str = "bantin"
    buttons: list[tuple[Record, Button]] = field(default_factory=list)
    answers_seen: int = 0

    def on_record(self, record: Record) -> None:
        """Stand-in listener: every accepted send, edit and delete."""
        if record.get("chat_id") != self.chat_id:
            return
        method = record["method"]
        if method == "sendMessage":
            self._show(record, "›")
        elif method == "editMessageText":
            self._show(record, "(edited) ›")
        elif method == "editMessageReplyMarkup":
            self._show_buttons(record)

    def show_answers(self, answers: list[Record]) -> None:
        """Callback answers with a text since the last call (Telegram shows them as a toast)."""
        for answer in answers[self.answers_seen :]:
            if answer.get("text"):
                self.console.print(
                    Text(f"{self.bot_name} (notice) › ", style="yellow") + Text(answer["text"])
                )
        self.answers_seen = len(answers)

    def echo(self, line: str) -> None:
        self.console.print(Text(f"you › {line}", style="green"))

    def note(self, text: str) -> None:
        self.console.print(Text(text, style="dim"))

    def _show(self, record: Record, marker: str) -> None:
        prefix = Text(f"{self.bot_name} {marker} ", style="bold magenta")
        self.console.print(prefix + styled_text(record.get("visible_text") or "", record.get("entities")))
        self._show_buttons(record)
        self.console.print()

    def _show_buttons(self, record: Record) -> None:
        keyboard = keyboard_of(record)
        if not keyboard:
            return
        message = {"chat_id": record["chat_id"], "message_id": record["message_id"]}
        self.buttons = []
        for row in keyboard:
            cells = []
            for button in row:
                self.buttons.append((message, button))
                label = button.text + (f" <{button.url}>" if button.url else "")
                cells.append(f"[{len(self.buttons)}] {label}")
            self.console.print(Text("   " + "   ".join(cells), style="cyan"))

    def find_button(self, line: str) -> tuple[Record, Button] | None:
        """The button a line names: `[3]`, or its label (case and accents ignored, emoji optional)."""
        match = _BUTTON_NUMBER.fullmatch(line.strip())
        if match:
            number = int(match[1])
            return self.buttons[number - 1] if 1 <= number <= len(self.buttons) else None
        wanted = search_key(line)
        if not wanted or line.lstrip().startswith("/"):
            return None
        for message, button in reversed(self.buttons):
            label = search_key(button.text)
            if wanted in (label, _EDGE_SYMBOLS.sub("", label)):
                return message, button
        return None
