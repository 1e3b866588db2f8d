"""Vietnamese tone-mark placement and the comparison keys built on it.

Vietnamese writes the same syllable with its tone mark in two places ("old style" `hoà`,
`thuỷ`; "new style" `hòa`, `thủy`). Both are common in news, so dedup and search must treat
them as one word: `canonical_tones` rewrites every Vietnamese syllable to the new style
(the placement underthesea's `text_normalize` produces); `match_key` and `search_key` build
on it.

New style, syllable by syllable: a vowel with its own diacritic (ă â ê ô ơ ư; the last one,
so ươ -> ơ) takes the tone; else, with a final consonant, the last vowel (hoàng, quýt);
else the middle of three vowels (ngoài) or the first of two (hòa, khỏe, thủy, mía). The
"u" of "qu" and the "i" of "gi" before another vowel belong to the onset (quý, giá).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONE_MARKS = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng
_VOWEL_BASES = "aăâeêioôơuưy"
_QUALITY_VOWELS = frozenset("ăâêôơư")  # vowels that carry a diacritic of their own

# Every precomposed vowel, lower and upper case -> (lower-case base vowel, tone index).
_VOWEL_INFO: dict[str, tuple[str, int]] = {}
# (lower-case base vowel, tone index) -> precomposed lower-case letter.
_COMPOSE: dict[tuple[str, int], str] = {}
for _base in _VOWEL_BASES:
    for _tone, _mark in enumerate(_TONE_MARKS):
        _char = unicodedata.normalize("NFC", _base + _mark)
        _COMPOSE[(_base, _tone)] = _char
        _VOWEL_INFO[_char] = (_base, _tone)
        _VOWEL_INFO[_char.upper()] = (_base, _tone)

_ALL_VOWELS = "".join(_VOWEL_INFO)
_TONED_VOWELS = "".join(c for c, (_, tone) in _VOWEL_INFO.items() if tone)

_ONSETS = frozenset("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()) | {""}
_CODAS = frozenset("c ch m n ng nh p t".split()) | {""}
# Vowel clusters (without tone) that occur in Vietnamese syllables after the onset.
_NUCLEI = frozenset(
    """a ă â e ê i o ô ơ u ư y
    ai ao au ay âu ây eo êu ia iu iê oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê
    iêu yêu oai oay oao oeo uây uôi uya uyê uyu ươi ươu""".split()
)
# Clusters that end in a glide (mai, sau, người) or are open (mía, của, mưa: with a final they are
# spelt iê, uô, ươ) take no final consonant; `ch` and `nh` follow only a, ê, i, y (oa, uê, uy).
_NO_CODA_NUCLEI = frozenset(
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oay oao oeo uây uôi uya uyu ươi ươu".split()
)
_PALATAL_CODA_NUCLEI = frozenset("a oa ê uê i y uy".split())

# A toned vowel next to another vowel: only there can a tone sit in the wrong place. Text
# goes through in space-separated tokens, each fixed once and cached: news reuses a few
# thousand syllables, so the common path is a dict hit per token.
_PAIR_RE = re.compile(f"[{_ALL_VOWELS}][{_TONED_VOWELS}]|[{_TONED_VOWELS}][{_ALL_VOWELS}]")
_CANDIDATE_RE = re.compile(
    rf"[^\W\d_]*(?:[{_ALL_VOWELS}][{_TONED_VOWELS}]|[{_TONED_VOWELS}][{_ALL_VOWELS}])[^\W\d_]*"
)
_TOKEN_CACHE_SIZE = 1 << 16
_COMBINING_RE = re.compile(r"[\u0300-\u036f]")


def _fold_table() -> dict[int, str | None]:
    """Latin letter with marks -> letter without; combining marks -> nothing; đ -> d."""
    table: dict[int, str | None] = dict.fromkeys(range(0x300, 0x370))
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        decomposed = unicodedata.normalize("NFD", chr(code))
        if len(decomposed) > 1 and decomposed[0].isascii():
            table[code] = decomposed[0]
    table[ord("đ")], table[ord("Đ")] = "d", "D"
    # Look-alikes of đ/Đ that older fonts and input methods still put in Vietnamese text (and in
    # queries): Latin-1 ð/Ð (eth) and African ɖ/Ɖ. None decomposes, so each is named here.
    table[ord("ð")], table[ord("Ð")], table[ord("ɖ")], table[ord("Ɖ")] = "d", "D", "d", "D"
    return table


_FOLD_TABLE = _fold_table()
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


def _tone_position(nucleus: str, coda: str) -> int:
    """Index in `nucleus` (lower case, toneless) where the new style puts the tone mark."""
    quality = [i for i, v in enumerate(nucleus) if v in _QUALITY_VOWELS]
    if quality:
        return quality[-1]  # ươ -> ơ, uyê -> ê
    if len(nucleus) == 1:
        return 0
    if coda:
        return len(nucleus) - 1  # hoàng, quýt, huỳnh
    if len(nucleus) == 3:
        return 1  # ngoài, khuỷu, ngoáy
    # Two vowels, no coda: the first. For oa/oe/uy this is what makes the new style
    # (hòa, khỏe, thủy; the old style wrote hoà, khoẻ, thuỷ).
    return 0  # hai, mía, của, túi


def _split_syllable(lower: str) -> tuple[str, str, str] | None:
    """Onset, nucleus, coda of a lower-case toneless syllable, or None if it is not Vietnamese."""
    start = 0
    while start < len(lower) and lower[start] not in _VOWEL_BASES:
        start += 1
    end = start
    while end < len(lower) and lower[end] in _VOWEL_BASES:
        end += 1
    onset, nucleus, coda = lower[:start], lower[start:end], lower[end:]
    # "qu" and "gi" before another vowel are onsets: quý, giá (but gìn is g + i + n).
    if onset == "q" and nucleus.startswith("u") and len(nucleus) > 1:
        onset, nucleus = "qu", nucleus[1:]
    elif onset == "g" and nucleus.startswith("i") and len(nucleus) > 1:
        onset, nucleus = "gi", nucleus[1:]
    if onset not in _ONSETS or coda not in _CODAS or nucleus not in _NUCLEI:
        return None
    if coda and nucleus in _NO_CODA_NUCLEI or coda in ("ch", "nh") and nucleus not in _PALATAL_CODA_NUCLEI:
        return None
    return onset, nucleus, coda


@lru_cache(maxsize=16384)
def _canonical_word(word: str) -> str:
    toned = [(i, _VOWEL_INFO[c][1]) for i, c in enumerate(word) if c in _VOWEL_INFO and _VOWEL_INFO[c][1]]
    if len(toned) != 1:
        return word  # no tone or two tones: not a single Vietnamese syllable we can place
    tone_at, tone = toned[0]
    plain = "".join(_VOWEL_INFO[c][0] if c in _VOWEL_INFO else c.lower() for c in word)
    parts = _split_syllable(plain)
    if parts is None:
        return word
    onset, nucleus, coda = parts
    target = len(onset) + _tone_position(nucleus, coda)
    if target == tone_at:
        return word
    chars = list(word)
    chars[tone_at] = _with_tone(word[tone_at], 0)
    chars[target] = _with_tone(word[target], tone)
    return "".join(chars)


def _with_tone(char: str, tone: int) -> str:
    new = _COMPOSE[(_VOWEL_INFO[char][0], tone)]
    return new.upper() if char.isupper() else new


def is_vietnamese_syllable(word: str) -> bool:
    """True if `word` spells one Vietnamese syllable (onset, vowels, coda, at most one tone)."""
    if not word or len(word) > 7:
        return False
    tones = 0
    plain = []
    for char in word.lower():
        if char in _VOWEL_INFO:
            base, tone = _VOWEL_INFO[char]
            tones += tone > 0
            plain.append(base)
        elif "a" <= char <= "z" or char == "đ":
            plain.append(char)
        else:
            return False
    return tones <= 1 and _split_syllable("".join(plain)) is not None


def canonical_tones(s: str) -> str:
    """Put the tone mark of every Vietnamese syllable in `s` in the new-style place.

    `hoà` -> `hòa`, `thuỷ` -> `thủy`, `Uỷ` -> `Ủy`; `quý`, `giá`, `hoàng`, `người` stay.
    Case is kept letter by letter. Words that do not parse as one Vietnamese syllable
    (English, French, two tone marks, unknown onsets or codas) pass through unchanged.
    """
    if s.isascii():
        return s
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    if _PAIR_RE.search(s) is None:
        return s
    return " ".join([_canonical_token(token) for token in s.split(" ")])


@lru_cache(maxsize=_TOKEN_CACHE_SIZE)
def _canonical_token(token: str) -> str:
    if _PAIR_RE.search(token) is None:
        return token
    return _CANDIDATE_RE.sub(lambda m: _canonical_word(m.group()), token)


def fold_diacritics(s: str) -> str:
    """Strip every combining mark and turn `đ`/`Đ` (and look-alikes) into `d`/`D`: `Điều lệ` -> `Dieu le`."""
    if s.isascii():
        return s
    folded = s.translate(_FOLD_TABLE)  # Vietnamese and other Latin text: one pass
    if folded.isascii():
        return folded
    return _COMBINING_RE.sub("", unicodedata.normalize("NFD", folded))


def match_key(s: str) -> str:
    """Key for exact matching (dedup, filters): NFC, canonical tones, casefold, one space."""
    if s.isascii():
        return " ".join(s.casefold().split())
    s = _INVISIBLE_RE.sub("", s)
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    return " ".join([_canonical_token(token) for token in s.casefold().split()])


def search_key(s: str) -> str:
    """Accent-insensitive key: `Điều lệ Đảng` -> `dieu le dang`; `hoà` and `hòa` -> `hoa`.

    Compatibility forms fold too (NFKC): full-width `ｄｉｅｕ` as East Asian keyboards type it, `²`.
    """
    if not s.isascii() and not unicodedata.is_normalized("NFKC", s):
        s = unicodedata.normalize("NFKC", s)
    return fold_diacritics(match_key(s))
