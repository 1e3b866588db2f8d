"""Produce legacy Vietnamese bytes the way real servers send them, for encoding tests."""

from __future__ import annotations

import unicodedata

from news.legacy_tables import TCVN3_TO_UNICODE

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_TO_TCVN3 = {uni: legacy for legacy, uni in TCVN3_TO_UNICODE.items()}


def windows_1258(text: str) -> bytes:
    """Encode as Windows does for Vietnamese: â/ê/ô/ơ/ư/ă/đ precomposed, tone marks as combining characters."""
    pieces = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        shape = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        pieces.append(shape + tones)
    return "".join(pieces).encode("cp1258")


def tcvn3(text: str) -> bytes:
    """Bytes of a TCVN3 (.VnTime) document as servers send them: the legacy code points as Latin-1."""
    return "".join(_TO_TCVN3.get(char, char) for char in text).encode("latin-1")
