"""A cheap Vietnamese/English detector: the share of Vietnamese-only letters, then function words."""

from __future__ import annotations

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


def detect_language(text: str) -> str:
    """Return "vi" or "en". Text with no letters is "vi" (the primary language); text with neither
    Vietnamese letters nor function words of either language is "en"."""
    sample = unicodedata.normalize("NFC", text[:_SAMPLE_CHARS]).lower()
    visible = len(sample) - sample.count(" ")
    if not any(char.isalpha() for char in sample):
        return "vi"
    # Count only the letters present (a set of a few hundred characters is cheap; re is slow here).
    vietnamese_letters = sum(sample.count(char) for char in set(sample) & _VIETNAMESE_LETTERS)
    if vietnamese_letters >= _VIETNAMESE_LETTER_SHARE * visible:
        return "vi"
    words = [word.strip(_PUNCTUATION) for word in sample.split()]
    vietnamese_words = sum(map(_VIETNAMESE_WORDS.__contains__, words))
    english_words = sum(map(_ENGLISH_WORDS.__contains__, words))
    if english_words > vietnamese_words:
        return "en"
    if vietnamese_words > english_words or vietnamese_letters:
        return "vi"
    return "en"
