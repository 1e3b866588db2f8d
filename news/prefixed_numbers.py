"""A letter prefix joined to a number (`U23`, `U.23`, `U-23`, `Covid-19`, `Q.1`): one word, written
glued or apart.

Search (storage.search) and digest keywords (news.keywords) both read such a typed word as its glued
form and find it glued (`u23`) or as the prefix followed by the number (`u 23`, which is how `U.23`,
`U-23` and `U 23` split into words). Only letters then digits are joined: `TP.HCM`, `19.09.2019`
and `7.743` stay separate words.
"""

from __future__ import annotations

import re

# `u.23`, `u-23`, `u–23`: a whole word of letters, a dot or dash, a whole number.
_JOINED_TO_A_NUMBER = re.compile(r"(?<![^\W_])([^\W\d_]+)[.\-‐‑‒–—](\d+)(?![^\W_])")
# A word of letters then digits, `u23`: also found as `u` followed by `23`.
_LETTERS_THEN_DIGITS = re.compile(r"([^\W\d_]+)(\d+)")


def glue_prefixed_numbers(typed: str) -> str:
    """`u.23 viet nam` -> `u23 viet nam`: a prefix joined to a number by a dot or dash becomes the
    glued word it is searched as."""
    return _JOINED_TO_A_NUMBER.sub(r"\1\2", typed)


def prefix_and_number(word: str) -> tuple[str, str] | None:
    """`("u", "23")` for `u23`; None for a word that is not letters then digits."""
    joined = _LETTERS_THEN_DIGITS.fullmatch(word)
    return None if joined is None else (joined[1], joined[2])
