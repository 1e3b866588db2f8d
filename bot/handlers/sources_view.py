"""The /sources list with its follow toggles, and finding the source a user typed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.callbacks import pack
from news.i18n import translator
from news.telegram_html import escape_html
from news.tones import search_key
from storage.models import Source, Subscriber
from storage.sources import find_source, list_sources
from storage.subscribers import subscribed_source_ids

AREA = "s"
PAGE_SIZE = 8
BUTTON_TEXT_CHARS = 48
FOLLOWED, NOT_FOLLOWED = "✅", "➕"


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


async def resolve_source(session: AsyncSession, query: str, *, enabled_only: bool = True) -> Source | None:
    """The source a user means: its number, exact name, a unique prefix, or the same with the
    diacritics left out (`bao song xanh`)."""
    source = await find_source(session, query) if query else None
    if source is not None and (source.enabled or not enabled_only):
        return source
    key = search_key(query)
    if not key:
        return None
    candidates = await list_sources(session, enabled_only=enabled_only)
    for matches in (
        [s for s in candidates if search_key(s.name) == key],
        [s for s in candidates if search_key(s.name).startswith(key)],
        [s for s in candidates if key in search_key(s.name)],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            return None  # ambiguous: better to ask than to guess
    return None
