"""The /sources list with its follow toggles, and finding the source a user typed."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.callbacks import pack
from bot.handlers.context import shown
from news.i18n import translator
from news.telegram_html import escape_html
from storage.models import Source, Subscriber
from storage.sources import list_sources
from storage.subscribers import subscribed_source_ids

AREA = "s"
PAGE_SIZE = 8
BUTTON_TEXT_CHARS = 48
FOLLOWED, NOT_FOLLOWED = "✅", "➕"
AMBIGUOUS_SHOWN = 5
MAX_NUMBERS = 20  # source numbers one /subscribe or /unsubscribe takes


def button_text(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT_CHARS else text[: BUTTON_TEXT_CHARS - 1] + "…"


async def sources_view(
    session: AsyncSession, subscriber: Subscriber | None, lang: str, page: int = 0
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of enabled sources: the text lists them by number, a button per source toggles it."""
    _ = translator(lang)
    sources = await list_sources(session, enabled_only=True)
    if not sources:
        return _("There are no sources yet."), None
    followed = await subscribed_source_ids(session, subscriber) if subscriber else set()
    pages = (len(sources) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    shown = sources[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    title = _("Sources")
    header = f"<b>{title}</b>"
    if pages > 1:
        header += " — " + _("page {page}/{pages}").format(page=page + 1, pages=pages)
    lines = [
        f"{source.id}. {escape_html(source.name)}" + (f" {FOLLOWED}" if source.id in followed else "")
        for source in shown
    ]
    hint = _("Tap a source to follow or unfollow it, or type /subscribe and its number.")
    rows = [
        [
            InlineKeyboardButton(
                button_text(f"{FOLLOWED if s.id in followed else NOT_FOLLOWED} {s.name}"),
                callback_data=pack(AREA, "t", s.id, page),
            )
        ]
        for s in shown
    ]
    every = subscriber is not None and subscriber.all_sources
    rows.append(
        [
            InlineKeyboardButton(
                f"{FOLLOWED if every else NOT_FOLLOWED} " + _("All sources"),
                callback_data=pack(AREA, "none" if every else "all", page),
            )
        ]
    )
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("« " + _("Previous"), callback_data=pack(AREA, "list", page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(_("Next") + " »", callback_data=pack(AREA, "list", page + 1)))
    if nav:
        rows.append(nav)
    return "\n".join([header, "", *lines, "", hint]), InlineKeyboardMarkup(rows)


def source_numbers(query: str) -> list[str]:
    """`3 5`, `3, 5`, `3;5` → ["3", "5"] (each once, in order); [] unless it lists two to
    MAX_NUMBERS numbers (one reply line each: hundreds would not fit in a message)."""
    words = [word for word in re.split(r"[\s,;]+", query) if word]
    if not 2 <= len(words) <= MAX_NUMBERS or not all(word.isdecimal() for word in words):
        return []
    return list(dict.fromkeys(words))


def no_such_source(query: str, matches: list[Source], lang: str) -> str:
    """Why `query` named no source: several match it (listed with their numbers), or none does."""
    _ = translator(lang)
    if len(matches) > 1:
        names = ", ".join(f"{escape_html(s.name)} ({s.id})" for s in matches[:AMBIGUOUS_SHOWN])
        names += ", …" if len(matches) > AMBIGUOUS_SHOWN else ""
        text = _("“{query}” could be more than one source: {names}. Type more of the name, or its number.")
        return text.format(query=shown(query), names=names)
    return _("There is no source “{query}”. The list: /sources").format(query=shown(query))
