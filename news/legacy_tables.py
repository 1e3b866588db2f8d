"""Mapping tables of the legacy Vietnamese font encodings TCVN3 and VNI-Windows.

Both were 8-bit font hacks: a page in them is served as windows-1252/latin-1, so after the
normal decode each legacy byte is the Latin-1 character of the same code point. The tables
below are keyed by those characters.

Tone order in every row: none, huyền (grave), sắc (acute), hỏi (hook), ngã (tilde),
nặng (dot below).
"""

from __future__ import annotations

# TCVN3 (TCVN 5712:1993 VN3, the "ABC" encoding of the .VnTime fonts). It has code points
# for lower-case letters with tones, plus seven upper-case letters without tone (Ă Â Ê Ô Ơ Ư
# Đ). Upper-case letters WITH tones do not exist: headings used the .VnTimeH font variant,
# which draws the lower-case code points as capitals. Such text therefore converts to lower
# case; nothing in the bytes says otherwise.
_TCVN3_ROWS = (
    # Unicode row,   TCVN3 row (as Latin-1 characters)
    ("aàáảãạ", "aµ¸¶·¹"),
    ("ăằắẳẵặ", "¨»¾¼½Æ"),
    ("âầấẩẫậ", "©ÇÊÈÉË"),
    ("eèéẻẽẹ", "eÌÐÎÏÑ"),
    ("êềếểễệ", "ªÒÕÓÔÖ"),
    ("iìíỉĩị", "i×ÝØÜÞ"),
    ("oòóỏõọ", "oßãáâä"),
    ("ôồốổỗộ", "«åèæçé"),
    ("ơờớởỡợ", "¬êíëìî"),
    ("uùúủũụ", "uïóñòô"),
    ("ưừứửữự", "\u00adõøö÷ù"),  # ư is 0xAD, the soft hyphen: convert before cleaning text
    ("yỳýỷỹỵ", "yúýûüþ"),
    ("đĂÂÊÔƠƯĐ", "®¡¢£¤¥¦§"),
)

TCVN3_TO_UNICODE: dict[str, str] = {
    legacy: uni
    for uni_row, legacy_row in _TCVN3_ROWS
    for uni, legacy in zip(uni_row, legacy_row, strict=True)
    if legacy != uni
}

# VNI-Windows writes a vowel as its base letter followed by one modifier character that
# carries the vowel's own diacritic and/or the tone; a few letters are single characters.
# Upper-case text uses the upper-case modifiers.
VNI_TONE_MODIFIERS = ("", "øØ", "ùÙ", "ûÛ", "õÕ", "ïÏ")
VNI_CIRCUMFLEX_MODIFIERS = ("âÂ", "àÀ", "áÁ", "åÅ", "ãÃ", "äÄ")  # â ê ô with each tone
VNI_BREVE_MODIFIERS = ("êÊ", "èÈ", "éÉ", "úÚ", "üÜ", "ëË")  # ă with each tone

# Letters that VNI writes as one character: ơ ư đ, i with a tone, ỵ.
VNI_SINGLE_LETTERS: dict[str, str] = {
    "ô": "ơ", "Ô": "Ơ",
    "ö": "ư", "Ö": "Ư",
    "ñ": "đ", "Ñ": "Đ",
    "ì": "ì", "Ì": "Ì",
    "í": "í", "Í": "Í",
    "æ": "ỉ", "Æ": "Ỉ",
    "ó": "ĩ", "Ó": "Ĩ",
    "ò": "ị", "Ò": "Ị",
    "î": "ỵ", "Î": "Ỵ",
}  # fmt: skip

# Unicode vowel rows (tone order as above) that VNI spells as base letter + modifier:
# (VNI base letter, Unicode row, modifiers for each tone).
VNI_VOWEL_ROWS = (
    ("a", "aàáảãạ", VNI_TONE_MODIFIERS),
    ("a", "âầấẩẫậ", VNI_CIRCUMFLEX_MODIFIERS),
    ("a", "ăằắẳẵặ", VNI_BREVE_MODIFIERS),
    ("e", "eèéẻẽẹ", VNI_TONE_MODIFIERS),
    ("e", "êềếểễệ", VNI_CIRCUMFLEX_MODIFIERS),
    ("o", "oòóỏõọ", VNI_TONE_MODIFIERS),
    ("o", "ôồốổỗộ", VNI_CIRCUMFLEX_MODIFIERS),
    ("ô", "ơờớởỡợ", VNI_TONE_MODIFIERS),  # ơ is the single character ô
    ("u", "uùúủũụ", VNI_TONE_MODIFIERS),
    ("ö", "ưừứửữự", VNI_TONE_MODIFIERS),  # ư is the single character ö
    ("y", "yỳýỷỹ", VNI_TONE_MODIFIERS[:5]),  # ỵ is the single character î
)


def _vni_sequences() -> dict[str, str]:
    """Every VNI spelling (two characters, or one) -> its Unicode letter.

    A modifier of either case is accepted after a base of either case (all-caps headings
    typed with lower-case modifiers exist); the base letter decides the case.
    """
    table: dict[str, str] = dict(VNI_SINGLE_LETTERS)
    for base, row, modifiers in VNI_VOWEL_ROWS:
        for letter, modifier_pair in zip(row, modifiers, strict=True):
            for modifier in modifier_pair:
                table[base + modifier] = letter
                table[base.upper() + modifier] = letter.upper()
    return table


VNI_TO_UNICODE: dict[str, str] = _vni_sequences()
