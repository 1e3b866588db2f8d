"""Full-text search over stored items, insensitive to diacritics and to where the tone mark sits.

Items carry `search_text` (title, summary and body lead folded by `news.tones.search_key`); the
query is folded the same way, so `dieu le dang` finds `Điều lệ Đảng` and `hoà` finds `hòa`. Every
word must match; the last one also matches as a prefix (`thu` finds `thuy`). Words in quotes
(`"hoà bình"`, `“Hòa Bình”`) must stand side by side in that order: without diacritics `hoa` and `binh`
are also the hóa and bình of countless other words.

SQLite uses the FTS5 table `items_fts` (bm25), PostgreSQL the `items.search_vector` column and its
GIN index (ts_rank, see storage/search_postgresql.py); both come from migration 0002, and 0009 feeds
PostgreSQL's parser the text with punctuation as spaces, so `TP.HCM` is indexed as `tp` and `hcm`,
the words SQLite's tokenizer and `SearchTerms` see. A title match weighs more than a body match.

Ranking looks at the newest CANDIDATES matching items (by id), so a word found in half the archive
costs the same as a rare one: results are the most relevant among recent matches, then the newest;
one result per story. `total` counts the stories among those candidates.

A letter prefix joined to a number (`U23`, `U.23`, `U-23`, `Covid-19`, `Q.1`) is one query word, the
glued form, searched glued or as the prefix followed by the number: stored text is not changed (both
indexes already hold `U.23` as `u` then `23`, and `U23` as `u23`), so no column or trigger costs more.
Only letters then digits are joined: `TP.HCM` and `19.09.2019` stay separate words. The rule
lives in news.prefixed_numbers: digest keywords find such words the same way.

A number in groups of three (`7.743`, `7,743`) is one query word too, glued, found glued (`7743`) or as
its groups side by side (`7 743`, how `7.743`, `7,743` and `7 743` are indexed); a number is never a
prefix: `50` does not find `500`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from itertools import islice, product

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from news.prefixed_numbers import glue_prefixed_numbers, prefix_and_number
from news.tones import search_key
from storage.models import Story
from storage.search_postgresql import newest_matches
from storage.stories import StoryRow, story_rows

CANDIDATES = 500
MAX_WORDS = 12
MAX_WORD_CHARS = 40
MAX_PHRASE_FORMS = 8  # `"u23 q.1 covid-19"` has 2 ** 3 ways to be written; more are not tried
MIN_PREFIX_CHARS = 2  # `a*` would match a large part of the index
TITLE_WEIGHT = 5.0  # bm25 column weight of the title against the body (SQLite)

_WORD = re.compile(r"[^\W_]+")
# A quoted phrase: straight, curly or angle quotes (as phones and Vietnamese keyboards type them).
_QUOTED = re.compile(r'["“„«]([^"“”„«»]*)["”“»]')
# A number in groups of three, `7.743`, `1,500,000`: one query word, the number glued (see _thousands).
# Not `19.09.2019` or `3.5`: a group of other than three digits is no thousands separator.
_GROUPED_NUMBER = re.compile(r"(?<![^\W_])\d{1,3}(?:[.,]\d{3})+(?![^\W_]|[.,]\d)")

_SQLITE_CANDIDATES = text(
    """
    SELECT hits.item_id, items.story_id, hits.score, stories.published_at
    FROM (
        SELECT rowid AS item_id, bm25(items_fts, :title_weight, 1.0) AS score
        FROM items_fts WHERE items_fts MATCH :query
        ORDER BY rowid DESC LIMIT :candidates
    ) AS hits
    JOIN items ON items.id = hits.item_id
    JOIN stories ON stories.id = items.story_id
    """
)


def _glue_thousands(typed: str) -> str:
    return _GROUPED_NUMBER.sub(lambda m: re.sub(r"[.,]", "", m.group()), typed)


def _words(typed: str) -> list[str]:
    return _WORD.findall(_glue_thousands(glue_prefixed_numbers(typed)))


@dataclass(frozen=True)
class SearchTerms:
    """A query reduced to folded words: nothing in it is ever read as query syntax, but for quotes.

    `quoted` holds the (start, end) indexes in `words` of each quoted phrase (`"hoà bình"`): its words
    are searched side by side, in order, and never as a prefix."""

    words: tuple[str, ...]
    quoted: tuple[tuple[int, int], ...] = ()

    @classmethod
    def parse(cls, query: str) -> SearchTerms:
        folded = search_key(query[: MAX_WORDS * (MAX_WORD_CHARS + 1) * 4])
        words: list[str] = []
        quoted: list[tuple[int, int]] = []
        done = 0
        for phrase in _QUOTED.finditer(folded):
            words += _words(folded[done : phrase.start()])
            inside = _words(phrase[1])
            if inside:
                quoted.append((len(words), len(words) + len(inside)))
            words += inside
            done = phrase.end()
        words += _words(folded[done:])
        kept = tuple(w[:MAX_WORD_CHARS] for w in words[:MAX_WORDS])
        return cls(kept, tuple((start, min(end, MAX_WORDS)) for start, end in quoted if start < MAX_WORDS))

    @property
    def prefix_last(self) -> bool:
        # A number is typed whole: `50` finding the 500 of `1.500.000` is no help.
        return bool(self.words) and len(self.words[-1]) >= MIN_PREFIX_CHARS and not self.words[-1].isdigit()

    def fts5(self) -> str:
        """`"dieu" AND "le" AND "dang"*`: each word a quoted string (so AND, NEAR, `*` in it are plain
        words); `("u23" OR "u 23")` for a word also found as several (a quoted string of two words is a
        phrase). AND is spelled out: FTS5 reads no implicit AND next to a parenthesis."""
        return self._query(
            prefix="*",
            phrase=lambda parts, mark: '"' + " ".join(parts) + '"' + mark,
            either=" OR ",
            conjunction=" AND ",
        )

    def tsquery(self) -> str:
        """`'dieu' & 'le' & 'dang':*` for to_tsquery; the words hold letters and digits only.
        `('u23' | 'u' <-> '23')` for a word also found as several (`<->`: the next one follows)."""
        return self._query(
            prefix=":*",
            phrase=lambda parts, mark: " <-> ".join(f"'{p}'" for p in parts) + mark,
            either=" | ",
            conjunction=" & ",
        )

    def _query(self, *, prefix: str, phrase, either: str, conjunction: str) -> str:
        """The words in one query language: each word, or quoted phrase, as a `phrase` of its forms'
        parts, with `prefix` when it is the last word and searched as a prefix; two forms or more joined
        by `either`, in brackets; the words and phrases joined by `conjunction`."""
        searched = []
        spans = self._spans()
        for start, end in spans:
            last_word = end == len(self.words) and (start, end) not in self.quoted
            mark = prefix if last_word and self.prefix_last else ""
            forms = [phrase(parts, mark) for parts in _phrase_forms(self.words[start:end])]
            searched.append(forms[0] if len(forms) == 1 else "(" + either.join(forms) + ")")
        return conjunction.join(searched)

    def _spans(self) -> list[tuple[int, int]]:
        """(start, end) in `words` of each word and each quoted phrase, in order."""
        starts = dict(self.quoted)
        spans, index = [], 0
        while index < len(self.words):
            end = starts.get(index, index + 1)
            spans.append((index, end))
            index = end
        return spans


def _phrase_forms(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The forms of words side by side: every mix of each word's forms, at most MAX_PHRASE_FORMS."""
    mixes = islice(product(*(_forms(word) for word in words)), MAX_PHRASE_FORMS)
    return [tuple(part for form in mix for part in form) for mix in mixes]


def _forms(word: str) -> list[tuple[str, ...]]:
    """The word as typed, then the words it is also written as: `u23` as `u 23`, `7743` as `7 743`."""
    split = prefix_and_number(word) or _thousands(word)
    return [(word,)] if split is None else [(word,), split]


def _thousands(word: str) -> tuple[str, ...] | None:
    """`("1", "500", "000")` for `1500000`: the groups a number written `1.500.000`, `1,500,000` or
    `1 500 000` is indexed as. None for a word that is no number of four digits or more."""
    if not (word.isascii() and word.isdigit()) or len(word) < 4 or word.startswith("0"):
        return None
    head = len(word) % 3 or 3
    return (word[:head], *(word[i : i + 3] for i in range(head, len(word), 3)))


@dataclass(frozen=True)
class _Hit:
    story_id: int
    score: float
    published: datetime | str  # SQLite hands back text; within one database the kinds agree


async def _candidates(session: AsyncSession, terms: SearchTerms, candidates: int) -> list[_Hit]:
    if session.bind.dialect.name == "postgresql":
        rows = await newest_matches(session, terms.tsquery(), candidates)
    else:
        params = {"query": terms.fts5(), "candidates": candidates, "title_weight": TITLE_WEIGHT}
        rows = await session.execute(_SQLITE_CANDIDATES, params)
    return [_Hit(story_id, float(score), published) for _item, story_id, score, published in rows]


def _rank_stories(hits: list[_Hit]) -> list[int]:
    """Story ids, best first: each story's best item score, then the newest story."""
    best: dict[int, _Hit] = {}
    for hit in hits:
        kept = best.get(hit.story_id)
        if kept is None or hit.score < kept.score:
            best[hit.story_id] = hit
    ordered = sorted(best.values(), key=lambda h: (h.published, h.story_id), reverse=True)
    ordered.sort(key=lambda h: h.score)  # stable: equal scores stay newest first
    return [h.story_id for h in ordered]


async def search_stories(
    session: AsyncSession, query: str, *, limit: int = 10, offset: int = 0, candidates: int = CANDIDATES
) -> tuple[list[StoryRow], int]:
    """One page of stories matching every word of `query`, best first, and how many stories match.

    Any text is a valid query: operators and SQL are only words, quotes only group words into a
    phrase; a query with no word finds nothing."""
    terms = SearchTerms.parse(query)
    if not terms.words:
        return [], 0
    ranked = _rank_stories(await _candidates(session, terms, candidates))
    page = ranked[max(offset, 0) : max(offset, 0) + max(limit, 0)]
    if not page:
        return [], len(ranked)
    stories = {s.id: s for s in (await session.scalars(select(Story).where(Story.id.in_(page)))).all()}
    return await story_rows(session, [stories[i] for i in page if i in stories]), len(ranked)
