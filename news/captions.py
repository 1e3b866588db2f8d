"""Photo captions and credits: lines that describe or credit a picture, not sentences of the story.

One table of credit forms serves both readers of article text: summaries skip caption lines and
sentences (news.sentences, news.summarize), and a page's stored body drops caption lines and the
photographer's credit after the byline (news.site_rules, news.body_captions).

A credit is a label (`Ảnh`, `Photo`, …) and who took or gave the picture; a caption is a line or
sentence that ends with a credit (`Quang cảnh hội nghị. (Ảnh: Minh Anh)`, `… - Ảnh: TTXVN`), or a
line that is a credit alone (`Ảnh: T.L`). A story's sentence may still speak of photos: `triển lãm
ảnh: …`, `bà B (ảnh)`, `(ảnh trên)`, `(ảnh hưởng …)`, `… sức ảnh hưởng.` are no credits.
"""

from __future__ import annotations

import re

# Labels of a photo credit, lowercase; a space in a label matches any run of spaces.
CREDIT_LABELS = ("ảnh", "photo", "nguồn ảnh", "đồ họa", "đồ hoạ")
# Words that make prose of a label with no colon after it: `(ảnh hưởng …)` is "influence",
# `(ảnh trên)` points at a photo of the story.
PROSE_AFTER_LABEL = ("hưởng", "trên", "dưới", "bên", "trái", "phải", "giữa", "này", "đó")

_LABEL = "(?:" + "|".join(label.replace(" ", r"\s+") for label in CREDIT_LABELS) + ")"
_NOT_PROSE = r"(?!\s+(?:" + "|".join(PROSE_AFTER_LABEL) + r")\b)"
# Who took or gave the picture: a name, an agency, `VGP/Nhật Bắc`, initials (`T.L`: a dot with no
# space after it ends no sentence); a few words, no brackets, no sentence end. (`Ảnh: Trung Sơn Cụ
# thể là 25.000 đồng một giờ.` is a credit glued to a sentence of the story.)
_WORD = r"(?:[^\s().!?…]|\.(?=\S))+"
_WHO = rf"{_WORD}(?:\s+{_WORD}){{0,7}}"
# The same, glued to the caption with no separator (`… hôm 4-11 qua Ảnh: Reuters`): fewer words.
_SHORT_WHO = rf"{_WORD}(?:\s+{_WORD}){{0,2}}"

# How a credit closes a caption, each form with what separates it from the caption's text.
CREDIT_FORMS = {
    # `(Ảnh: TTXVN)`, `(ảnh Nhật Hồ)`, `(Ảnh minh họa)`, `(Ảnh chụp màn hình)`
    "in brackets": rf"\(\s*{_LABEL}{_NOT_PROSE}(?:\s*:\s*|\s+)[^()]{{1,60}}\)",
    # `… - Ảnh: Hoài Nam`, `… | Ảnh: TTXVN`
    "after a dash": rf"[-–—|]\s*{_LABEL}\s*:\s*{_WHO}",
    # `… hội nghị. Ảnh: T.L`, `… Nhật Bản. Ảnh: AFP.`
    "after a sentence": rf"(?<=[.!?…\"”’)])\s*{_LABEL}\s*:\s*{_WHO}",
    # `… qua Ảnh: Reuters`, `…)Ảnh:Freepik`: only a capitalised label, so `triển lãm ảnh: …` is prose
    "glued on": rf"(?<=[\s)\]])(?-i:Ảnh|Photo)\s*:\s*{_SHORT_WHO}",
}
_ENDING_CREDIT = re.compile(r"(?:" + "|".join(CREDIT_FORMS.values()) + r")\s*\.?$", re.IGNORECASE)
_CREDIT_ALONE = re.compile(rf"(?:{CREDIT_FORMS['in brackets']}|{_LABEL}\s*:\s*{_WHO})\s*\.?", re.IGNORECASE)
# Every credit form has its label before a colon or after a bracket (`Ảnh:`, `(ảnh`): a text where no
# label's last word meets a colon and no first word a bracket holds no credit (see `may_hold_a_credit`).
_LAST_WORDS = tuple({label.split()[-1] for label in CREDIT_LABELS})
_FIRST_WORDS = tuple({label.split()[0] for label in CREDIT_LABELS})
_LONGEST_WORD = max(len(word) for word in _LAST_WORDS + _FIRST_WORDS)
_TAIL_CHARS = 100  # a credit is at most 60 characters and its label
_EDGES = " |"  # a table cell's caption comes with the cell's bars


def is_photo_credit(line: str) -> bool:
    """A line that is only a photo credit: `(Ảnh: Minh Anh)`, `Ảnh: TTXVN`, `Photo: AP`, `Ảnh: T.L`."""
    text = line.strip(_EDGES)
    return len(text) <= _TAIL_CHARS and _CREDIT_ALONE.fullmatch(text) is not None


def is_caption(text: str) -> bool:
    """A line or sentence that ends with a photo credit (`… (Ảnh: TTXVN)`, `… - Ảnh: Hoài Nam`,
    `…. Ảnh: T.L`), or that is one."""
    return credit_start(text) is not None


def credit_start(text: str) -> int | None:
    """Where the photo credit that ends `text` begins (0 when `text` is nothing else), or None."""
    text = text.rstrip(_EDGES)
    tail_start = max(0, len(text) - _TAIL_CHARS)
    tail = text[tail_start:]
    if not any(label in tail.lower() for label in ("ảnh", "photo", "đồ h")):
        return None  # the common case, decided without a regex (slow on Vietnamese text)
    if is_photo_credit(text):
        return 0
    found = _ENDING_CREDIT.search(tail)
    return None if found is None else tail_start + found.start()


def may_hold_a_credit(lowered: str) -> bool:
    """False when the lowercased `lowered` surely holds no photo credit (no `ảnh:`, `(ảnh`, …): a cheap
    test for long texts. It reads what stands next to each colon and bracket, a few in a text (a regex
    is slow on Vietnamese text, and `hình ảnh` is common prose, so the label alone says little)."""
    colon = lowered.find(":")
    while colon >= 0:
        if lowered[max(0, colon - _LONGEST_WORD - 1) : colon].rstrip().endswith(_LAST_WORDS):
            return True
        colon = lowered.find(":", colon + 1)
    bracket = lowered.find("(")
    while bracket >= 0:
        if lowered[bracket + 1 : bracket + _LONGEST_WORD + 2].lstrip().startswith(_FIRST_WORDS):
            return True
        bracket = lowered.find("(", bracket + 1)
    return False
