"""Subscribers' include/exclude keywords matched against a story's text, as whole words.

A word typed without marks matches that word with any marks and case (`bao` finds `bão`, `báo`,
`bao`), the way Vietnamese is often typed on a phone. A word typed with its marks means that word:
`bão` (storm) does not find `báo` (newspaper), nor `Đảng` (the Party) `đang` (-ing) — folding them
together made a filter on such a word match, or exclude, nearly every story. Case, Unicode forms
and old-style tone placement (`hoà`, `thuỷ`) never matter. A letter prefix joined to a number
(`u23`, `U.23`) is found glued or apart, as /search finds it (news.prefixed_numbers).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from news.prefixed_numbers import glue_prefixed_numbers, prefix_and_number
from news.tones import fold_diacritics, match_key

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    """Lower-case words with canonical tone marks (compatibility forms such as full-width folded)."""
    return _WORD.findall(unicodedata.normalize("NFKC", match_key(text)))


def _padded(words: Iterable[str]) -> str:
    """Words joined and padded with spaces, so ` dang ` finds the word, not `dangerous`."""
    return " " + " ".join(words) + " "


@dataclass(frozen=True, slots=True)
class MatchText:
    """A story's text as keywords look at it: its words as written, and without marks."""

    exact: str
    folded: str

    @classmethod
    def of(cls, text: str) -> MatchText:
        words = _words(text)
        return cls(_padded(words), _padded(fold_diacritics(w) for w in words))


@dataclass(frozen=True, slots=True)
class _Phrase:
    """One way a keyword can be written; `marked` holds each word typed with marks, None for one
    typed without."""

    folded: str
    marked: tuple[str | None, ...]

    @classmethod
    def of(cls, words: list[str]) -> _Phrase:
        folded = [fold_diacritics(w) for w in words]
        return cls(_padded(folded), tuple(w if w != f else None for w, f in zip(words, folded, strict=True)))

    def found_in(self, text: MatchText) -> bool:
        if not any(self.marked):
            return self.folded in text.folded
        if all(self.marked):
            return _padded(self.marked) in text.exact  # type: ignore[arg-type]
        return self._found_mixed(text)

    def _found_mixed(self, text: MatchText) -> bool:
        """Some words typed with marks, some without: each place the unmarked phrase occurs is
        checked word by word (the two keys of a text have the same words in the same order)."""
        start = text.folded.find(self.folded)
        if start < 0:
            return False
        exact_words = text.exact.split()
        while start >= 0:
            first = text.folded.count(" ", 0, start)  # words before the match
            found = exact_words[first : first + len(self.marked)]
            if all(m is None or m == w for m, w in zip(self.marked, found, strict=True)):
                return True
            start = text.folded.find(self.folded, start + 1)
        return False


# Written glued or apart, each prefix joined to a number doubles a keyword's phrases: past this many
# in one keyword, the rest are looked for glued only.
MAX_SPLIT_WORDS = 4


def _spellings(words: list[str]) -> list[list[str]]:
    """The word lists a keyword is found as: each prefix joined to a number (`u23`) glued, or apart
    (`u 23`, as `U.23`, `U-23` and `U 23` split into words), the way /search finds it."""
    spellings: list[list[str]] = [[]]
    split_words = 0
    for word in words:
        apart = prefix_and_number(word) if split_words < MAX_SPLIT_WORDS else None
        split_words += apart is not None
        forms = [[word], list(apart)] if apart else [[word]]
        spellings = [done + form for done in spellings for form in forms]
    return spellings


@dataclass(frozen=True, slots=True)
class Keyword:
    """One word or phrase, with every way it can be written (`_spellings`)."""

    phrases: tuple[_Phrase, ...]

    @classmethod
    def of(cls, typed: str) -> Keyword | None:
        words = _words(glue_prefixed_numbers(typed))
        if not words:
            return None
        return cls(tuple(_Phrase.of(spelling) for spelling in _spellings(words)))

    def found_in(self, text: MatchText) -> bool:
        return any(phrase.found_in(text) for phrase in self.phrases)


@dataclass(frozen=True)
class KeywordFilter:
    """A story passes when it has one of `include` (if any) and none of `exclude`."""

    include: tuple[Keyword, ...] = ()
    exclude: tuple[Keyword, ...] = ()

    @classmethod
    def of(cls, include: Iterable[str] | None, exclude: Iterable[str] | None) -> KeywordFilter:
        def keywords(typed: Iterable[str] | None) -> tuple[Keyword, ...]:
            return tuple(k for k in (Keyword.of(w) for w in typed or ()) if k is not None)

        return cls(keywords(include), keywords(exclude))

    def passes(self, text: MatchText) -> bool:
        if self.include and not any(k.found_in(text) for k in self.include):
            return False
        return not any(k.found_in(text) for k in self.exclude)
