"""A cheap Vietnamese/English detector: the share of Vietnamese-only letters, then function words."""

from __future__ import annotations

import codecs
import unicodedata

# Letters that occur in Vietnamese and not in English (tone marks, ă â ê ô ơ ư đ), lowercase.
_VIETNAMESE_LETTERS = frozenset("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
# Frequent function words, Vietnamese also without tone marks (text typed without diacritics).
_VIETNAMESE_WORDS = frozenset(
    "và của là các những được có trong cho với không người đã này một khi để theo từ tại cũng đang sẽ"
    " va cua la cac nhung duoc co cho voi khong nguoi da nay mot khi de theo tu tai cung dang se"
    " thi ma nhu ve ra vao".split()
)
_ENGLISH_WORDS = frozenset(
    "the of and to in is that for with was on as by it at from are be this have has had were will"
    " not but an or which their they he she said would been who".split()
)
# Above this share of non-space characters, text is Vietnamese whatever its words: Vietnamese prose
# has 15-30 %, English prose with a few Vietnamese names well under 10 %.
_VIETNAMESE_LETTER_SHARE = 0.10
_SAMPLE_CHARS = 600
_PUNCTUATION = ".,;:!?()[]{}\"'“”‘’«»…–—-/%"
# Letters and spaces are counted in one C pass, before lowercasing (which costs as much again): a
# charmap codec keeps ASCII (as its own bytes), "İ" and the Vietnamese letters of both cases (as the
# other bytes) and drops every other character. ASCII is kept because each run of dropped characters
# costs an error-handler call; set(sample) or a regex cost 10-20x more on Vietnamese (non-ASCII) text.
_KEPT_ASCII = "\0\t\n\r" + "".join(map(chr, range(0x20, 0x7F)))  # a fast codec must map 0 to 0
_DOTTED_I = "İ"  # the one letter that lowercases to two characters


def _codec_table() -> str:
    table = ["\ufffe"] * 256  # U+FFFE: an unmapped byte
    for char in _KEPT_ASCII:
        table[ord(char)] = char
    letters = [_DOTTED_I, *sorted(_VIETNAMESE_LETTERS | {letter.upper() for letter in _VIETNAMESE_LETTERS})]
    free = [byte for byte, char in enumerate(table) if char == "\ufffe"]
    assert len(letters) <= len(free)
    for byte, letter in zip(free, letters, strict=False):
        table[byte] = letter
    return "".join(table)


_LETTER_CODEC = codecs.charmap_build(_codec_table())
_DOTTED_I_BYTE = codecs.charmap_encode(_DOTTED_I, "strict", _LETTER_CODEC)[0]
_NOT_VIETNAMESE_BYTES = _KEPT_ASCII.encode("ascii") + _DOTTED_I_BYTE


def detect_language(text: str) -> str:
    """Return "vi" or "en". Text with no letters is "vi" (the primary language); text with neither
    Vietnamese letters nor function words of either language is "en"."""
    sample = unicodedata.normalize("NFC", text[:_SAMPLE_CHARS])
    visible, vietnamese_letters = _visible_and_vietnamese(sample)
    if vietnamese_letters >= _VIETNAMESE_LETTER_SHARE * visible:
        return "vi"
    sample = sample.lower()
    if not any(char.isalpha() for char in sample):
        return "vi"
    words = [word.strip(_PUNCTUATION) for word in sample.split()]
    vietnamese_words = sum(map(_VIETNAMESE_WORDS.__contains__, words))
    english_words = sum(map(_ENGLISH_WORDS.__contains__, words))
    if english_words > vietnamese_words:
        return "en"
    if vietnamese_words > english_words or vietnamese_letters:
        return "vi"
    return "en"


def _visible_and_vietnamese(sample: str) -> tuple[int, int]:
    """The non-space characters of the lowercased sample (where "İ" is two; no other letter changes
    length) and its Vietnamese letters."""
    if sample.isascii():
        return len(sample) - sample.count(" "), 0
    kept = codecs.charmap_encode(sample, "ignore", _LETTER_CODEC)[0]
    visible = len(sample) - kept.count(b" ")
    if _DOTTED_I_BYTE in kept:  # rare: a search, not a count
        visible += kept.count(_DOTTED_I_BYTE)
    return visible, len(kept.translate(None, _NOT_VIETNAMESE_BYTES))
