"""Pages of /latest and /search: the queries, the rendered text and the prev/next buttons.

No Telegram calls here, so the benchmark (bench/query.py) measures exactly what the handlers run.
Button data is `1n:l:<page>:<size>:<source id or 0>` for /latest and `1n:s:<page>:<words>` for
/search, the words folded (`dieu+le+dang`: the search folds them anyway, so the page is the same).
A query too long for Telegram's 64 bytes gets `1n:k:<page>:<key>`, a key into the chat's recent
queries kept in memory; after a restart such a button is answered as out of date. The words as
typed (`Sông Xanh`) are kept in memory too, for the header of the pages turned to; after a restart
the header shows the folded words.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.callbacks import MAX_BYTES, Callback, pack
from news.i18n import translator
from news.render import StoryView, render_latest, render_search_results
from storage.search import CANDIDATES, SearchTerms, search_stories
from storage.stories import StoryRow, count_stories, latest_stories

AREA = "n"
LATEST_SIZE = 5
LATEST_MAX_SIZE = 20
SEARCH_SIZE = 5
MAX_PAGES = 50  # deeper than this, /search finds it faster than paging
# Every story a search counts (it looks at the newest storage.search.CANDIDATES matches) can be paged to.
SEARCH_MAX_PAGES = -(-CANDIDATES // SEARCH_SIZE)
REMEMBERED_QUERIES = 20
_WORDS_SEPARATOR = "+"


@dataclass(frozen=True)
class Page:
    stories: list[StoryRow]
    page: int  # from 0
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


def _pages(total: int, size: int, most: int = MAX_PAGES) -> int:
    return max(1, min(most, -(-total // size)))


async def latest_page(
    session: AsyncSession, *, size: int, page: int = 0, source_id: int | None = None
) -> Page:
    total = await count_stories(session, source_id=source_id, cap=size * MAX_PAGES)
    rows = await latest_stories(session, limit=size, offset=page * size, source_id=source_id)
    return Page(rows, page, _pages(total, size), total)


async def search_page(session: AsyncSession, query: str, *, size: int = SEARCH_SIZE, page: int = 0) -> Page:
    rows, total = await search_stories(session, query, limit=size, offset=page * size)
    return Page(rows, page, _pages(total, size, SEARCH_MAX_PAGES), total)


def views(rows: list[StoryRow]) -> list[StoryView]:
    return [
        StoryView(r.title, r.url, list(r.sources), r.published_at, r.summary, r.id, r.published_day)
        for r in rows
    ]


def latest_text(page: Page, tz: str, lang: str) -> str:
    return render_latest(views(page.stories), tz, lang, page=page.page + 1, pages=page.pages)


def search_text(query: str, page: Page, tz: str, lang: str) -> str:
    return render_search_results(
        query, views(page.stories), tz, lang, total=page.total, page=page.page + 1, pages=page.pages
    )


# ---- buttons ---------------------------------------------------------------------------------------


def _nav(page: Page, lang: str, data_for) -> InlineKeyboardMarkup | None:
    _ = translator(lang)
    row = []
    if page.has_previous:
        row.append(InlineKeyboardButton("« " + _("Previous"), callback_data=data_for(page.page - 1)))
    if page.has_next:
        row.append(InlineKeyboardButton(_("Next") + " »", callback_data=data_for(page.page + 1)))
    return InlineKeyboardMarkup([row]) if row else None


def latest_markup(page: Page, size: int, source_id: int | None, lang: str) -> InlineKeyboardMarkup | None:
    return _nav(page, lang, lambda p: pack(AREA, "l", p, size, source_id or 0))


def _word_parts(words: tuple[str, ...], room: int) -> list[str] | None:
    """The words as callback parts of at most 40 characters, or None when they do not fit."""
    parts: list[str] = []
    for word in words:
        if not word.isascii() or not word.isalnum():
            return None
        if parts and len(parts[-1]) + 1 + len(word) <= 40:
            parts[-1] += _WORDS_SEPARATOR + word
        else:
            parts.append(word)
    return parts if len(":".join(parts)) <= room else None


def remember_query(chat_data: MutableMapping[str, Any], query: str) -> str:
    """Keep `query` for the buttons of a long search; returns its key."""
    key = secrets.token_hex(4)  # unguessable, and not reused after a restart
    _remember(chat_data, "search_queries", key, query)
    return key


def _remember(chat_data: MutableMapping[str, Any], kind: str, key: str, value: str) -> None:
    """The chat's last REMEMBERED_QUERIES values of one kind, in memory only."""
    remembered: OrderedDict[str, str] = chat_data.setdefault(kind, OrderedDict())
    remembered[key] = value
    remembered.move_to_end(key)
    while len(remembered) > REMEMBERED_QUERIES:
        remembered.popitem(last=False)


def search_markup(
    query: str, page: Page, lang: str, chat_data: MutableMapping[str, Any]
) -> InlineKeyboardMarkup | None:
    if page.pages < 2:
        return None
    longest = len(pack(AREA, "s", SEARCH_MAX_PAGES, "x")) - 1  # the data without its words
    terms = SearchTerms.parse(query)
    words = terms.words
    # Quotes do not ride in a button (its words are letters and digits): a phrase pages by a key.
    parts = None if terms.quoted else _word_parts(words, MAX_BYTES - longest)
    if parts:
        # The button carries the folded words; the page it turns to shows the words as typed.
        _remember(chat_data, "search_typed", " ".join(words), query)
        return _nav(page, lang, lambda p: pack(AREA, "s", p, *parts))
    key = remember_query(chat_data, query)
    return _nav(page, lang, lambda p: pack(AREA, "k", p, key))


# ---- reading pressed buttons -----------------------------------------------------------------------


@dataclass(frozen=True)
class LatestRequest:
    page: int
    size: int
    source_id: int | None


def read_latest(data: Callback) -> LatestRequest | None:
    page, size, source_id = data.int_arg(0), data.int_arg(1), data.int_arg(2)
    if len(data.args) != 3 or page is None or size is None or source_id is None:
        return None
    if page >= MAX_PAGES or not 1 <= size <= LATEST_MAX_SIZE:
        return None
    return LatestRequest(page, size, source_id or None)


def read_search(data: Callback, chat_data: MutableMapping[str, Any]) -> tuple[str, int] | None:
    """(query, page) from a search button, or None when the data is not one we could have made."""
    page = data.int_arg(0)
    if page is None or page >= SEARCH_MAX_PAGES or len(data.args) < 2:
        return None
    if data.action == "k":
        query = chat_data.get("search_queries", {}).get(data.args[1]) if len(data.args) == 2 else None
        return (query, page) if query else None
    query = " ".join(" ".join(data.args[1:]).split(_WORDS_SEPARATOR))
    words = SearchTerms.parse(query).words
    if not words or " ".join(words) != query:
        return None
    return chat_data.get("search_typed", {}).get(query, query), page
