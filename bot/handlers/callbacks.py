"""Inline-button callback data: short, versioned, and checked before anything acts on it.

Data reads `<version><area>:<action>[:<arg>…]`, e.g. `1s:t:12:0` (sources area, toggle source 12,
page 0). Telegram allows 64 bytes. A press is trusted no more than a typed command: the chat it acts
on is always the chat the button is in, never one named in the data, and data that does not parse,
carries an old version or names something that no longer exists gets a polite answer and changes
nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import CallbackQuery
from telegram.error import BadRequest

from news.i18n import translator

log = logging.getLogger("bantin.bot")

VERSION = "1"
MAX_BYTES = 64
_PART = re.compile(r"[A-Za-z0-9_.+-]{1,40}")


@dataclass(frozen=True)
class Callback:
    area: str
    action: str
    args: tuple[str, ...] = ()

    def int_arg(self, index: int = 0) -> int | None:
        """The argument as a small non-negative int, None when absent or not one."""
        if index >= len(self.args) or not self.args[index].isdigit() or len(self.args[index]) > 12:
            return None
        return int(self.args[index])


def pack(area: str, action: str, *args: str | int) -> str:
    data = ":".join([f"{VERSION}{area}", action, *(str(a) for a in args)])
    if len(data.encode()) > MAX_BYTES or not all(_PART.fullmatch(p) for p in data.split(":")):
        raise ValueError(f"callback data {data!r} is not short and plain")
    return data


def pattern(area: str) -> str:
    """The CallbackQueryHandler pattern for an area's current version."""
    return f"^{VERSION}{re.escape(area)}:"


def unpack(data: str | None, area: str) -> Callback | None:
    """The parsed data, or None when it is not this version's data for `area`."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    head, *rest = data.split(":")
    if head != f"{VERSION}{area}" or not rest or not all(_PART.fullmatch(p) for p in rest):
        return None
    return Callback(area, rest[0], tuple(rest[1:]))


async def answer_press(query: CallbackQuery, text: str | None = None, *, show_alert: bool = False) -> None:
    """Answer a button press (its note, or just the end of the button's spinner). A press queued while
    the bot was down can no longer be answered ("query is too old"): what it asked for is done all
    the same, so that refusal is no error."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        if "query is too old" not in exc.message.lower() and "query id is invalid" not in exc.message.lower():
            raise
        log.info("press %s answered too late: %s", query.id, exc.message)


async def answer_stale(query: CallbackQuery, lang: str) -> None:
    """What a press on an outdated or malformed button gets: a short note, nothing else."""
    _ = translator(lang)
    await answer_press(
        query, _("This button is out of date. Please send the command again."), show_alert=True
    )
