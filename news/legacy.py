"""Detect and convert the legacy Vietnamese encodings TCVN3 (ABC) and VNI-Windows.

Old provincial pages set their text in .VnTime (TCVN3) or VNI-Times fonts and serve the bytes
as windows-1252/latin-1, so after the ordinary decode they read `HuyÖn ñy ban` (TCVN3) or
`Huyeän uûy ban` (VNI). No Python codec or charset detector knows these encodings.

Detection converts each word that has a Latin-1 character both ways and counts the words that
become a valid Vietnamese syllable. Real legacy text turns most of its accented words into
syllables; French, German or Spanish words almost never do (`année` or `für` are not
Vietnamese syllables in either reading), and proper Unicode Vietnamese is recognised by the
letters (ơ, ư, đ, ạ...) that Latin-1 lacks.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import islice

from news.legacy_tables import TCVN3_TO_UNICODE, VNI_TO_UNICODE
from news.tones import is_vietnamese_syllable

TCVN3 = "tcvn3"
VNI = "vni"
ENCODINGS = (TCVN3, VNI)

_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)
_VNI_RE = re.compile("|".join(re.escape(seq) for seq in sorted(VNI_TO_UNICODE, key=len, reverse=True)))

# A word as the legacy decode leaves it: ASCII letters and Latin-1 characters, which in
# TCVN3 include symbols such as ¸ µ ¨ « that are letters there.
_WORD_RE = re.compile("[A-Za-z\u00a1-\u00ff]+")
_NON_ASCII_WORD_RE = re.compile("[A-Za-z\u00a1-\u00ff]*[\u00a1-\u00ff][A-Za-z\u00a1-\u00ff]*")
# Letters only Unicode Vietnamese has: a page containing them is not in a legacy encoding.
_ASCII_LETTER_RE = re.compile("[A-Za-z]")
_UNICODE_VIETNAMESE_RE = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")

# How much evidence a verdict needs: at least this many converted syllables, making at least
# this share of all words. Vietnamese marks most syllables, so legacy text scores 0.4-0.8; a
# French text with `où`, `goût` in it stays far below.
# And most accented words must convert: in legacy text nearly all do, in French (`mangé`,
# `déjà`, `très`) most do not.
MIN_HITS = 2
MIN_HIT_RATIO = 0.15
MIN_CONVERTED_SHARE = 0.6
# Text examined: enough for a verdict, bounded on huge pages.
MAX_CHARS = 200_000
# This many letters that only Unicode Vietnamese has settle it without looking at words.
UNICODE_VIETNAMESE_ENOUGH = 20


def convert_legacy(text: str, encoding: str) -> str:
    """Convert text decoded as windows-1252/latin-1 from TCVN3 or VNI into Unicode NFC.

    TCVN3 capitals with tones were drawn with the .VnTimeH font from the lower-case code
    points, so they come out lower case.
    """
    if encoding == TCVN3:
        converted = text.translate(_TCVN3_TABLE)
    elif encoding == VNI:
        converted = _VNI_RE.sub(_vni_letter, text)
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}; expected one of {ENCODINGS}")
    return unicodedata.normalize("NFC", converted)


def detect_legacy_encoding(text: str) -> str | None:
    """Return "tcvn3" or "vni" if `text` is Vietnamese in that legacy encoding, else None."""
    if text.isascii() or _has_unicode_vietnamese(text):
        return None
    scores = legacy_scores(text)
    best = max(ENCODINGS, key=lambda encoding: scores[encoding])
    hits, words, accented = scores[best], scores["words"], scores["accented"]
    if hits < MIN_HITS or hits < MIN_HIT_RATIO * words or hits < MIN_CONVERTED_SHARE * accented:
        return None
    if scores["unicode_vietnamese"] >= hits:
        return None
    return best


def _has_unicode_vietnamese(text: str) -> bool:
    """`legacy_scores`' early answer without counting every letter of a long text: a UTF-8 feed's
    whole body is checked, and proper Unicode Vietnamese reaches the threshold in its first lines."""
    found = islice(_UNICODE_VIETNAMESE_RE.finditer(text, 0, MAX_CHARS), UNICODE_VIETNAMESE_ENOUGH)
    return sum(1 for _match in found) >= UNICODE_VIETNAMESE_ENOUGH


def legacy_scores(text: str) -> dict[str, int]:
    """The evidence behind `detect_legacy_encoding`, for diagnostics and tuning.

    `words`: words examined; `accented`: those with a Latin-1 character that are not a
    Vietnamese syllable as they stand; `tcvn3`/`vni`: accented words that become one when
    read in that encoding; `unicode_vietnamese`: letters only Unicode Vietnamese has.
    """
    text = text[:MAX_CHARS]
    scores = {"words": 0, "accented": 0, TCVN3: 0, VNI: 0}
    unicode_letters = len(_UNICODE_VIETNAMESE_RE.findall(text))
    scores["unicode_vietnamese"] = unicode_letters
    if unicode_letters >= UNICODE_VIETNAMESE_ENOUGH:
        return scores  # proper Unicode Vietnamese: skip the word-by-word look
    scores["words"] = len(_WORD_RE.findall(text))
    for word in _NON_ASCII_WORD_RE.findall(text):
        accented, tcvn3, vni = _word_evidence(word)
        scores["accented"] += accented
        scores[TCVN3] += tcvn3
        scores[VNI] += vni
    return scores


@lru_cache(maxsize=8192)
def _word_evidence(word: str) -> tuple[int, int, int]:
    """(accented, becomes a syllable in TCVN3, in VNI) for one non-ASCII word."""
    if is_vietnamese_syllable(word):
        return 0, 0, 0  # fine as it is (`cà`, `phê`): no evidence either way
    if len(word) < 2 or not _ASCII_LETTER_RE.search(word):
        # A lone symbol or a run of them (`µ`, `Æ`) is what other charsets read as cp1252
        # look like; real legacy syllables nearly all have an ASCII letter.
        return 1, 0, 0
    return (
        1,
        int(is_vietnamese_syllable(convert_legacy(word, TCVN3))),
        int(is_vietnamese_syllable(convert_legacy(word, VNI))),
    )


def _vni_letter(match: re.Match[str]) -> str:
    return VNI_TO_UNICODE[match.group()]
