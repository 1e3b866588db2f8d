"""Unicode -> TCVN3 / VNI bytes, for tests: built from the encodings' byte values and
spelling rules, independently of news.legacy_tables, so a wrong table entry fails a round trip."""

from __future__ import annotations

import unicodedata

# TCVN3 byte of each letter; tone order: none, grave, acute, hook, tilde, dot below.
_TCVN3_BYTES = {
    "a": (None, 0xB5, 0xB8, 0xB6, 0xB7, 0xB9),
    "ă": (0xA8, 0xBB, 0xBE, 0xBC, 0xBD, 0xC6),
    "â": (0xA9, 0xC7, 0xCA, 0xC8, 0xC9, 0xCB),
    "e": (None, 0xCC, 0xD0, 0xCE, 0xCF, 0xD1),
    "ê": (0xAA, 0xD2, 0xD5, 0xD3, 0xD4, 0xD6),
    "i": (None, 0xD7, 0xDD, 0xD8, 0xDC, 0xDE),
    "o": (None, 0xDF, 0xE3, 0xE1, 0xE2, 0xE4),
    "ô": (0xAB, 0xE5, 0xE8, 0xE6, 0xE7, 0xE9),
    "ơ": (0xAC, 0xEA, 0xED, 0xEB, 0xEC, 0xEE),
    "u": (None, 0xEF, 0xF3, 0xF1, 0xF2, 0xF4),
    "ư": (0xAD, 0xF5, 0xF8, 0xF6, 0xF7, 0xF9),
    "y": (None, 0xFA, 0xFD, 0xFB, 0xFC, 0xFE),
    "đ": (0xAE,),
}
_TCVN3_CAPITALS = {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_QUALITY = {"\u0302": "circumflex", "\u0306": "breve", "\u031b": "horn"}


def split_letter(char: str) -> tuple[str, str, int]:
    """(base ASCII letter, quality mark name or "", tone index) of one Vietnamese letter."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    quality = next((_QUALITY[m] for m in marks if m in _QUALITY), "")
    tone = next((TONES.index(m) for m in marks if m in TONES[1:]), 0)
    return base, quality, tone


def encode_tcvn3(text: str) -> bytes:
    """Unicode -> TCVN3 bytes. Capitals with a tone use the lower-case code (.VnTimeH)."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            out.append(ord(char))
        elif char in _TCVN3_CAPITALS:
            out.append(_TCVN3_CAPITALS[char])
        else:
            base, quality, tone = split_letter(char.lower())
            letter = unicodedata.normalize(
                "NFC", base + {"circumflex": "\u0302", "breve": "\u0306", "horn": "\u031b", "": ""}[quality]
            )
            out.append(_TCVN3_BYTES[letter][tone])
    return bytes(out)


_VNI_TONE = ("", "ø", "ù", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "á", "å", "ã", "ä")
_VNI_BREVE = ("ê", "è", "é", "ú", "ü", "ë")
_VNI_I = ("i", "ì", "í", "æ", "ó", "ò")


def encode_vni(text: str) -> bytes:
    """Unicode -> VNI-Windows bytes (as the VNI-Times font spells each letter)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            out.append(char)
            continue
        upper = char.isupper()
        base, quality, tone = split_letter(char.lower())
        if char.lower() == "đ":
            spelled = "ñ"
        elif base == "i":
            spelled = _VNI_I[tone]
        elif base == "y" and tone == 5:
            spelled = "î"
        elif quality == "horn":
            spelled = {"o": "ô", "u": "ö"}[base] + _VNI_TONE[tone]
        elif quality == "circumflex":
            spelled = base + _VNI_CIRCUMFLEX[tone]
        elif quality == "breve":
            spelled = base + _VNI_BREVE[tone]
        else:
            spelled = base + _VNI_TONE[tone]
        out.append(spelled.upper() if upper else spelled)
    return "".join(out).encode("cp1252")


def as_vntimeh(text: str) -> str:
    """What TCVN3 can give back: capitals that carry a tone come out lower case."""
    return "".join(c.lower() if not c.isascii() and c.isupper() and split_letter(c)[2] else c for c in text)


def encodable(text: str) -> str:
    """Keep what the legacy fonts can spell: ASCII and Vietnamese letters."""
    return "".join(c for c in text if c.isascii() or c in "đĐ" or is_vietnamese_vowel(c))


def is_vietnamese_vowel(char: str) -> bool:
    decomposed = unicodedata.normalize("NFD", char.lower())
    marks = decomposed[1:]
    return (
        decomposed[0] in "aeiouy"
        and all(m in _QUALITY or m in TONES for m in marks)
        and sum(m in TONES for m in marks) <= 1
        and sum(m in _QUALITY for m in marks) <= 1
    )
