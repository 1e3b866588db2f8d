"""Sentence splitting for Vietnamese and English news text.

Rules, in order: line breaks always separate; a candidate boundary is a run of `.`, `!`, `?` or an
ellipsis with the closing quotes/brackets that follow it; whether it really ends a sentence depends on
what comes after (a lowercase letter never starts a sentence) and on the token before a single period
(abbreviations such as `TP.` or `PGS.TS.` and initials such as `T.X.` do not end one). No sentence ends
inside a short quotation (`Ông nói: “A. B.” Sau đó…` is one sentence, then another).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

# Abbreviations that stand before a name or a number and so never end a sentence (compared lowercased,
# one part at a time, so chains such as `PGS.TS.`, `ThS.BS.` or `PGS-TS.` are covered too).
_NEVER_FINAL_PARTS = frozenset(
    # Vietnamese: places (thành phố, quận, phường, thị xã, thị trấn, huyện, xã), page, titles and degrees;
    # honours (nghệ sĩ, nhà giáo, thầy thuốc nhân dân / ưu tú), giảng viên chính / cao cấp, đồng chí;
    # bác sĩ nội trú, dược sĩ, điều dưỡng, kỹ thuật viên.
    "tp q p tx tt h x tr gs pgs ts tskh ths bs bsck bscki bsckii bsck1 bsck2 ks kts ls nxb cn cki ckii ck1"
    " ck2 ndt ncs nsnd nsưt ngnd ngưt ttnd ttưt gvc gvcc đ/c bsnt ds đd ktv"
    # English titles before a name.
    " mr mrs ms dr prof gen col lt sgt capt gov sen rep rev hon st mt vs messrs".split()
)
# Whole multi-part tokens that never end a sentence.
_NEVER_FINAL_TOKENS = frozenset("u.s u.k u.n e.g i.e a.k.a".split())
# Abbreviations that often end a sentence too: they end one only before an uppercase letter.
_MAYBE_FINAL_PARTS = frozenset(
    "etc inc ltd co corp jr sr no nos fig vol approx dept est jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_MAYBE_FINAL_TOKENS = frozenset("v.v a.m p.m".split())
# Lowercase after a number these are units, not places: `8 giờ 30 p.` (phút, minutes), `lúc 8 h.` (giờ).
_UNITS_AFTER_NUMBERS = frozenset("p h".split())

# A run of terminators and the closing quotes/brackets after it. One character class first and no
# groups: this keeps the scan fast on Vietnamese text (Python's re is slow on non-ASCII strings).
_CANDIDATE = re.compile(r"[.!?…][.!?…]*[\"'”’»)\]]*")
# A quotation of several sentences (`Ông nói: “A. B.” Sau đó…`) is kept in one sentence when it closes
# within this many characters (some 40 Vietnamese words) of the sentence's start, so that a summary
# neither opens nor ends inside it. A longer one (or one never closed) is split as plain text: its parts
# still fit a summary's word budget.
_MAX_QUOTED_CHARS = 180
_CLOSERS = "\"'”’»)]"
_OPENING_QUOTES = "\"'“‘«"
# `.`: the next dot of an ellipsis written spaced, `. . .`, which ends no sentence before its last dot.
_NO_SENTENCE_START = ",;)."
# A sentence's end with no space before the next: `.”Sau`, `!)Hôm`, `ngày 5/3.Sau` (see `_ends_glued_sentence`).
_GLUED_CLOSERS = "”’»)]"
_GLUED_TERMINATORS = frozenset((".", "!", "?", "?!", "!?"))
_DATE_CHARACTERS = "0123456789/.-"
_ROMAN = frozenset("IVX")  # the digits of a list's roman numbers (`I.` to `XX.`)
_LIST_NUMBER_ENDS = frozenset("0123456789IVX")
# Before these words a lone capital is a person's initial (`bà H. Sau đó`), not `H.` for huyện.
_PERSON_WORDS = frozenset("ông bà anh chị em cô chú bác cháu bé cụ mr mrs ms miss".split())
# Words that often open a sentence and are no part of a name: after an initial they start a sentence
# (`Nguyễn Văn H. Sau đó`), where a name's syllable goes on with it (`Trần V. Nam`). Syllables that are
# names or places too (Anh, Như, Thế, Năm, Đồng, …) are left out.
_INITIAL_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZĐ")
_SENTENCE_OPENERS = frozenset(
    """
    sau tuy theo trong tại khi hiện lúc do vì nhưng còn để đến từ với qua cùng ngoài trước đây đó hôm
    cũng mặc dù nếu khoảng ngay riêng chiều tối trưa ngày tháng được bị ông bà chị em cô chú bác cháu cụ
    họ tôi chúng các những một này vụ việc vậy bởi nhờ sự điều trên dưới vào ra lần mỗi mọi nhiều không
    có là đã sẽ đang vừa chỉ rồi thậm kết tổng cả nó và hay hoặc thì mà xem
    the he she it they we but and in on at this that these those there his her its their our after when
    while as if so yet for however meanwhile mr mrs ms dr
    """.split()
)

# No-break and thin spaces (common in pages) count as spaces; zero-width ones as nothing.
_ODD_SPACES = (("\u00a0", " "), ("\u2009", " "), ("\u202f", " "), ("\u200b", ""), ("\ufeff", ""))
# What str.splitlines breaks lines at, besides "\n".
_OTHER_LINE_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")

_ORDINARY, _NEVER_FINAL, _MAYBE_FINAL, _INITIAL = 0, 1, 2, 3
_ABBREVIATION_PARTS = _NEVER_FINAL_PARTS | _MAYBE_FINAL_PARTS
_LONGEST_ABBREVIATION = max(len(part) for part in _ABBREVIATION_PARTS)
# What joins the parts of a chain of titles: `PGS.TS.`, and on some sites `PGS-TS.` or `PGS–TS.`.
_CHAIN_JOINERS = re.compile(r"[.\-–]")


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, line by line; every non-empty line yields at least one sentence."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    """`split_sentences`, lazily: a caller that needs only the first sentences stops early."""
    return iter_line_sentences(clean_lines(text))


def iter_line_sentences(lines: Iterable[str]) -> Iterator[str]:
    """The sentences of lines already cleaned (`clean_lines`, news.story_lines.body_lines), lazily
    (no second normalisation)."""
    for line in lines:
        # `split_line`, without its call: this loop is the summarizer's
        if '"' in line or "“" in line:
            yield from _split_quoted_line(line)
        else:
            yield from _split_plain_line(line)


def clean_lines(text: str) -> list[str]:
    """The non-empty lines of `text`: NFC, odd spaces made plain, each stripped."""
    text = unicodedata.normalize("NFC", text)
    for odd, plain in _ODD_SPACES:
        if odd in text:
            text = text.replace(odd, plain)
    # str.splitlines tests every character for ten kinds of line break, slow on long non-ASCII text;
    # most text breaks lines with "\n" alone, and a search for each of the others is cheaper.
    lines = text.splitlines() if any(map(text.__contains__, _OTHER_LINE_BREAKS)) else text.split("\n")
    return [stripped for line in lines if (stripped := line.strip())]


def split_line(line: str) -> Iterator[str]:
    """The sentences of one clean line."""
    # Two loops, not one: most lines have no quotation, and their loop pays nothing for the rule.
    return _split_quoted_line(line) if '"' in line or "“" in line else _split_plain_line(line)


def _split_plain_line(line: str) -> Iterator[str]:
    start = 0
    for match in _CANDIDATE.finditer(line):
        end = match.end()
        dot = match.start()
        if _ends_plainly(line, dot, end) or _ends_sentence(line, match):
            # the cheap test first: most ends have no number before them
            if line[dot - 1] in _LIST_NUMBER_ENDS and _is_list_number(line, start, match):
                continue
            sentence = line[start:end].strip()
            if sentence:
                yield sentence
            start = end
    tail = line[start:].strip()
    if tail:
        yield tail


def _split_quoted_line(line: str) -> Iterator[str]:
    """`_split_plain_line`, but a short quotation open at an end keeps the sentence going past it."""
    start = 0
    length = len(line)
    marks = [-1, -1, -1]  # see `_next_quotation`
    opening = closing = -1  # the first quotation not closed before the last end found
    held = 0  # where a quotation open at an end closes: no sentence ends before that
    for match in _CANDIDATE.finditer(line):
        end = match.end()
        dot = match.start()
        if _ends_plainly(line, dot, end) or _ends_sentence(line, match):
            if end <= held or line[dot - 1] in _LIST_NUMBER_ENDS and _is_list_number(line, start, match):
                continue
            if opening < end < length:
                while closing < end:
                    opening, closing = _next_quotation(line, closing + 1, marks)
                if start <= opening < end and closing - start <= _MAX_QUOTED_CHARS and closing < length:
                    held = closing
                    continue
            sentence = line[start:end].strip()
            if sentence:
                yield sentence
            start = end
    tail = line[start:].strip()
    if tail:
        yield tail


def _next_quotation(line: str, index: int, marks: list[int]) -> tuple[int, int]:
    """The indexes of the opening and the closing mark of the first quotation at or after `index`; the
    line's length for a mark that is not there.

    `“` or `"` opens a quotation, `”` or `"` closes it (pages mix them: `"vua lúa”`); a `”` with none
    open is no mark. `marks` holds the index of the next `"`, `“` and `”` found so far (-1 at first, the
    line's length when there is none): each is looked for again only past the last one found, so a long
    line with many quotations is read once, not once for each."""
    length = len(line)
    straight, opening_curly, closing_curly = marks
    if straight < index:
        straight = _find(line, '"', index, length)
    if opening_curly < index:
        opening_curly = _find(line, "“", index, length)
    opening = min(straight, opening_curly)
    if opening == length:
        closing = length
    else:
        if straight <= opening:
            straight = _find(line, '"', opening + 1, length)
        if closing_curly <= opening:
            closing_curly = _find(line, "”", opening + 1, length)
        closing = min(straight, closing_curly)
    marks[:] = straight, opening_curly, closing_curly
    return opening, closing


def _find(line: str, mark: str, index: int, length: int) -> int:
    found = line.find(mark, index)
    return found if found >= 0 else length


def _is_list_number(line: str, start: int, match: re.Match[str]) -> bool:
    """`1.`, `12.` or `IV.` alone at the start of a sentence, or `1.` right after a colon (`gồm: 1.`):
    the number of a list item, whose text follows it."""
    dot = match.start()
    if match.group() != "." or line[dot - 1 : dot] not in _LIST_NUMBER_ENDS:
        return False  # the common case, decided cheaply: no number before the period
    head = line[start:dot].strip()
    if head.isascii() and (head.isdigit() and len(head) <= 2 or 0 < len(head) <= 4 and set(head) <= _ROMAN):
        return True
    return head[-1:] in ("1", "I") and head[-2:-1] == " " and head[:-2].rstrip().endswith(":")


def _ends_plainly(line: str, start: int, end: int) -> bool:
    """The commonest ends, decided without the general rules: `word. Next`, where `word` is an ordinary
    word (see `_is_ordinary_word`) and `Next` anything that may start a sentence (a capital, a digit, an
    opening quote). False means "ask `_ends_sentence`", not "no end"."""
    if end - start != 1 or not line.startswith(". ", start):
        return False
    follower = line[end + 1 : end + 2]
    if not follower.isupper() and (
        not follower or follower.isspace() or follower.islower() or follower in _NO_SENTENCE_START
    ):
        return False
    return _is_ordinary_word(line[line.rfind(" ", 0, start) + 1 : start])


def _is_ordinary_word(word: str) -> bool:
    """Whether `_token_kind` would call the word before a period ordinary, told cheaply: a word or
    number that is no abbreviation and too long or not capitalised to be an initial (`Nội`, `2019`,
    `năm`; not `TP`, `H`, `Kh`), or a word that ends with a quote or bracket (`Định)`)."""
    if word.isalnum():
        return (len(word) > 2 or not word[0].isupper()) and word.lower() not in _ABBREVIATION_PARTS
    last = word[-1:]
    return last != "" and last != "." and not last.isalnum()


def _ends_sentence(line: str, match: re.Match[str]) -> bool:
    after = match.end()
    if after >= len(line):
        return True
    terminator = match.group().rstrip(_CLOSERS)
    if not line[after].isspace():
        return _ends_glued_sentence(line, match)
    nxt = _skip_spaces(line, after + 1)
    if nxt >= len(line):
        return True
    follower = line[nxt]
    if "…" in terminator or "..." in terminator:
        return _starts_capitalised(line, nxt)
    if follower.islower() or follower in _NO_SENTENCE_START:
        return False
    if terminator != ".":
        return True
    kind = _token_kind(line, match.start())
    if kind == _INITIAL:
        return _initial_ends_sentence(line, match.start(), nxt)
    if kind == _NEVER_FINAL:
        return False
    if kind == _MAYBE_FINAL:
        return not follower.isdigit()
    return True


def _initial_ends_sentence(line: str, dot: int, nxt: int) -> bool:
    """Whether a capital's initial (`H.`, `Th.`) ends a sentence before the capital or digit at `nxt`.

    Before a word that opens sentences it does (`bà H. Tuy nhiên`, `Nguyễn Văn T. Sau đó`). Before a
    digit or a bracket it does not (`Phạm Văn T. (SN 1973)`, `Q. 3`), nor before another initial (`ông
    N. Q. D.`). After a person word it does (`bà H. Nam về`: `bà H.` is all the name there is); else
    not for a place (`ở H. Châu Thành`, `Tr. 5`) nor after a capitalised word (a middle initial: `Trần
    V. Nam`, `George W. Bush`)."""
    follower = line[nxt]
    if follower.isdigit() or follower == "(":
        return False
    space = line.find(" ", nxt)
    word = line[nxt : space if space >= 0 else len(line)]
    if word.rstrip(",;:.").lower() in _SENTENCE_OPENERS:
        return True
    if word[-1] == "." and all(_is_name_initial(part) for part in word[:-1].split(".")):
        return False
    before = _word_before(line, dot)
    if before.lower() in _PERSON_WORDS:
        return True
    if _token_before(line, dot).lower() in _NEVER_FINAL_PARTS:
        return False
    return not before[:1].isupper()


def _ends_glued_sentence(line: str, match: re.Match[str]) -> bool:
    """A missing space after a sentence's end, before a capitalised word: after a lowercase word
    (`điểm.Hội nghị`), a number or a date (`ngày 5/3.Sau đó`, `năm 2019.Hai`), or a closing quote or
    bracket (`họp.”Sau đó`). Not in `TP.HCM`, `TP.Huế`, `7.743`, `baokiengiang.vn` or `việc:1.Sửa`, nor
    before a straight quote, which may open the next sentence (`hát."Hay quá"`)."""
    after = match.end()
    if after + 1 >= len(line) or not (line[after].isupper() and line[after + 1].islower()):
        return False
    group = match.group()
    dot = match.start()
    if group != ".":
        terminator = group.rstrip(_CLOSERS)
        return (
            group[-1] in _GLUED_CLOSERS
            and terminator in _GLUED_TERMINATORS
            and (terminator != "." or _token_kind(line, dot) == _ORDINARY)
        )
    word = line[line.rfind(" ", 0, dot) + 1 : dot]
    if len(word) >= 2 and word[0].isdigit() and word[-1].isdigit():
        return not word.strip(_DATE_CHARACTERS)
    token = _token_before(line, dot)
    return (
        len(token) >= 2
        and token.replace("/", "").isalpha()  # a word, or a unit such as `km/h` (`đ/c` is no ordinary token)
        and token.islower()
        and _token_kind(line, dot) == _ORDINARY
    )


def _skip_spaces(line: str, index: int) -> int:
    while index < len(line) and line[index].isspace():
        index += 1
    return index


def _starts_capitalised(line: str, index: int) -> bool:
    while index < len(line) and line[index] in _OPENING_QUOTES:
        index += 1
    return index < len(line) and line[index].isupper()


def _token_before(line: str, dot: int) -> str:
    """The word (with inner dots, slashes or dashes, as in `PGS.TS`, `T.X`, `Đ/c` or `PGS-TS`) that ends
    at the period at `dot`."""
    token = line[line.rfind(" ", 0, dot) + 1 : dot].lstrip(_OPENING_QUOTES + "([-–").strip(".")
    return token if _CHAIN_JOINERS.sub("", token).replace("/", "").isalnum() else ""


def _token_kind(line: str, dot: int) -> int:
    if dot > _LONGEST_ABBREVIATION and line[dot - _LONGEST_ABBREVIATION - 1 : dot].isalpha():
        return _ORDINARY  # the common case, decided cheaply: a word longer than any abbreviation
    word = line[line.rfind(" ", 0, dot) + 1 : dot]
    if _is_ordinary_word(word):
        return _ORDINARY  # the other common cases, decided as the rules below would
    token = _token_before(line, dot)
    if not token or (len(token) > _LONGEST_ABBREVIATION and not _CHAIN_JOINERS.search(token)):
        return _ORDINARY
    if _is_name_initial(token):
        return _INITIAL
    lowered = token.lower()
    parts = _CHAIN_JOINERS.split(lowered)
    if token in _UNITS_AFTER_NUMBERS and _word_before(line, dot).isdigit():
        return _MAYBE_FINAL
    if lowered in _NEVER_FINAL_TOKENS or all(part in _NEVER_FINAL_PARTS for part in parts):
        return _NEVER_FINAL
    if lowered in _MAYBE_FINAL_TOKENS or (len(parts) == 1 and lowered in _MAYBE_FINAL_PARTS):
        return _MAYBE_FINAL
    initials = token.split(".")
    if all(_is_initial(part) for part in initials):
        return _NEVER_FINAL if len(initials) > 1 else _MAYBE_FINAL
    return _ORDINARY


def _word_before(line: str, end: int) -> str:
    """The word before the token that ends at `end` (`bà` in `bà H.`)."""
    words = line[:end].rsplit(None, 2)
    return words[-2] if len(words) >= 2 else ""


def _is_name_initial(token: str) -> bool:
    """`T`, `Đ`, `Th`, `Ng`, `Tr`: a capital with no tone mark, or an initial of two consonants (`Kh`);
    not a word such as `Á` (Asia: `Đông Nam Á.`), nor a syllable such as `An` or `Vi`."""
    if len(token) == 1:
        return token in _INITIAL_LETTERS
    return len(token) == 2 and token[0] in _INITIAL_LETTERS and token[1] in "hgr"


def _is_initial(part: str) -> bool:
    """`T`, `Kh`, `Đ`: an abbreviated name (one capital, optionally one lowercase letter)."""
    if not part or len(part) > 2 or not part[0].isupper() or not part[0].isalpha():
        return False
    return len(part) == 1 or part[1].islower()
