"""Extractive news summaries: rank sentences by lead position, centrality and title overlap, drop
repeats of the title and of each other, and keep the best ones, in article order, within a word budget.

Deterministic and pure Python: scores are ratios of token counts, ties go to the earlier sentence.
Only the first sentences compete (the lead prior leaves later ones no chance), which keeps the cost
flat however long the article is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import islice
from typing import NamedTuple

from news.captions import is_caption
from news.language import detect_language
from news.sentences import iter_line_sentences
from news.story_lines import body_lines, is_boilerplate

DEFAULT_WORDS = 50
LANGUAGES = ("vi", "en")
ELLIPSIS = "…"
# A summary has at most this many characters per word of its budget: far above Vietnamese or English
# (about 5 and 6), it only bounds text written without spaces (Thai, Chinese, a long link), where a whole
# paragraph is one "word".
MAX_CHARS_PER_WORD = 12

# Function words say nothing about what a story is about (Vietnamese: syllables).
_STOPWORDS = {
    "vi": frozenset(
        """
        và của là các những được có trong cho với không đã này một khi để theo từ tại cũng đang sẽ thì mà
        như về ra vào bị đến lên xuống nhiều hơn rất lại còn nên nhưng vì do nếu sau trước trên dưới đó
        đây ấy nào gì ai họ chúng tôi ta mình vẫn đều chỉ mới vừa cùng hay hoặc tuy nhiên nữa thế vậy cả
        mỗi mọi bởi qua khác cần phải việc điều ở nơi lúc rồi đi hiện nay biết thêm
        """.split()
    ),
    "en": frozenset(
        """
        a an the and or but if then than so of to in on at by for with from into onto about over under
        as is are was were be been being am do does did have has had having will would shall should can
        could may might must it its this that these those there here he him his she her hers they them
        their we us our you your i me my not no nor also just only very too more most some any all each
        every such own which who whom whose what when where why how said says say told after before
        while during up down out off again further once
        """.split()
    ),
}
# The same as UTF-8 bytes: tokens are bytes when the sentences have no whitespace but single spaces
# (nearly always), as bytes.split() then splits like str.split(), and bytes are cheaper to make and hash.
_UTF8_STOPWORDS = {lang: frozenset(word.encode() for word in words) for lang, words in _STOPWORDS.items()}
# Tokens are lowercase words with the commonest punctuation blanked out: Python's re is slow on
# Vietnamese (non-ASCII) text, and str.replace over the joined sentences is not.
_BLANKED = (",", ".", ";", ":", "(", ")", '"', "“", "”", "?", "!")
# Blanking before splitting into bytes: the curly quotes in the text (str.replace finds a character
# fast, bytes.replace a three-byte sequence slowly), the ASCII marks in one bytes.translate.
_CURLY_QUOTES = ("“", "”")
_BLANK_ASCII = bytes.maketrans(b',.;:()"?!', b" " * 9)
_QUOTES = "\"'“‘«"


@dataclass(frozen=True)
class Weights:
    """How much each signal counts; tuned per language on the dev corpora (see bench/rouge.py)."""

    position: float  # weight of the lead prior 1 / (1 + index) ** position_decay
    position_decay: float
    centrality: float  # weight of the words a sentence shares with the other candidates
    title: float  # weight of the share of the title's words a sentence carries
    repeat: float  # a sentence with this share of its words in a kept sentence (or the title) repeats it
    floor: float  # sentences scored under this share of the best one do not fill the budget
    quoted: float = 1.0  # score factor of a sentence that opens with a quotation (what someone said)
    min_words: int = 5  # shorter sentences (captions, datelines) are scored at half
    candidates: int = 8  # how many of the first sentences compete
    length_norm: float = 0.5  # centrality is divided by (number of distinct words) ** length_norm

    @cached_property
    def priors(self) -> tuple[float, ...]:
        """The lead prior of each candidate index (computed once: hashing a dataclass is slow)."""
        return tuple(self.position / (1 + index) ** self.position_decay for index in range(self.candidates))


WEIGHTS: dict[str, Weights] = {
    # VietNews dev-1000: references echo the title, so title overlap is the strongest signal.
    "vi": Weights(position=1.0, position_decay=0.3, centrality=0.5, title=3.0, repeat=0.7, floor=0.6),
    # CNN/DM FRANK-250 has no titles: the English title weight is a prior, not a tuned value.
    "en": Weights(
        position=1.0, position_decay=1.0, centrality=0.3, title=1.0, repeat=0.5, floor=0.3, quoted=0.7
    ),
}


class _Sentence(NamedTuple):
    index: int
    text: str  # single-spaced
    words: int
    tokens: frozenset[str | bytes]  # every distinct token, for repeat checks
    content: frozenset[str | bytes]  # tokens without function words, for scoring
    title_words: int  # how many content words of the title it holds


# A _Sentence from a tuple, skipping NamedTuple's Python-level __new__ (a third cheaper per sentence).
_new_sentence = partial(tuple.__new__, _Sentence)


def summarize(body: str, title: str | None = None, words: int = DEFAULT_WORDS, lang: str = "auto") -> str:
    """At most `words` words (and `words` * MAX_CHARS_PER_WORD characters) of `body`'s best sentences,
    in article order; "" when there is no text.

    Sentences are never cut, except the best one when it alone is longer than `words`, and text with
    too few spaces for its length (either then ends with "…"). `lang` is "vi", "en" or "auto" (detected from the title and the body).
    """
    if words < 1:
        raise ValueError(f"words must be positive, got {words}")
    if lang != "auto" and lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)} or auto, got {lang!r}")
    lines = body_lines(body)
    title = _single_spaced_title(unicodedata.normalize("NFC", title or ""))
    if lang == "auto":
        lang = detect_language(f"{title}\n{_head(lines, 300)}")
    weights = WEIGHTS[lang]
    sentences, title_words = _candidates(lines, title, lang, weights)
    if not sentences:
        return ""
    summary = _select(sentences, _scores(sentences, title_words, weights), words, weights)
    return _within_chars(summary, words * MAX_CHARS_PER_WORD)


def _single_spaced_title(title: str) -> str:
    """The title stripped, its whitespace runs made single spaces; as it is when it is so already (the
    usual case: checking is cheaper than splitting into words). No whitespace but the space is printable."""
    if title.isprintable() and "  " not in title and title[:1] != " " and title[-1:] != " ":
        return title
    return " ".join(title.split())


def _head(lines: list[str], chars: int) -> str:
    """The first `chars` characters of the lines joined by newlines, joining only the lines needed."""
    head, length = [], -1
    for line in lines:
        head.append(line)
        length += len(line) + 1
        if length >= chars:
            break
    return "\n".join(head)[:chars]


def _candidates(lines: list[str], title: str, lang: str, weights: Weights) -> tuple[list[_Sentence], int]:
    """The first `weights.candidates` sentences with words, less those that repeat the title (they keep
    their index: the lead prior counts them), and the number of content words of the title."""
    texts = [s for s in islice(iter_line_sentences(lines), weights.candidates) if not is_boilerplate(s)]
    # A caption run into a paragraph (`… - Ảnh: TTXVN` as its last sentence) is no candidate either,
    # unless it is all there is.
    texts = [s for s in texts if not is_caption(s)] or texts
    joined = "\n".join(texts)  # no text holds a line break: they are parts of lines
    single_spaced = _single_spaced(texts, joined)
    # The title is single-spaced already. When the texts are too, their words may be split as bytes.
    *token_sets, title_tokens = _token_sets(f"{joined}\n{title}" if texts else title, single_spaced)
    stop = (_UTF8_STOPWORDS if single_spaced else _STOPWORDS)[lang]
    if not single_spaced:
        texts = [" ".join(text.split()) for text in texts]
    title_content = title_tokens - stop
    title_size = len(title_tokens)
    repeat = weights.repeat
    sentences = []
    index = -1
    for text, tokens in zip(texts, token_sets, strict=True):
        if not tokens:
            continue
        index += 1
        # A sentence with more words than `repeat` times the title's cannot repeat it: no need to look.
        threshold = repeat * len(tokens)
        if title_size and title_size >= threshold and len(tokens & title_tokens) >= threshold:
            continue
        content = tokens - stop
        # the content words of the title it holds: the same as (tokens & title) - stop
        in_title = len(content & title_content) if title_content else 0
        sentences.append(_new_sentence((index, text, text.count(" ") + 1, tokens, content, in_title)))
    return sentences, len(title_content)


def _single_spaced(texts: list[str], joined: str) -> bool:
    """Whether the only whitespace in the texts (`joined`: one a line) is single spaces, as nearly always:
    the sentences are stripped, and one check of them all spares splitting each into words. (A printable
    character is no whitespace but the space.)"""
    return "  " not in joined and all(map(str.isprintable, texts))


def _token_sets(lines: str, single_spaced: bool) -> list[frozenset[str | bytes]]:
    """The distinct lowercase words of each line, all lines blanked in one pass; as UTF-8 bytes when the
    lines are `single_spaced` (lowercasing and blanking make no whitespace but spaces)."""
    lines = lines.lower()
    if single_spaced:
        for quote in _CURLY_QUOTES:
            lines = lines.replace(quote, " ")
        utf8 = lines.encode().translate(_BLANK_ASCII)
        return [frozenset(line.split()) for line in utf8.split(b"\n")]
    for mark in _BLANKED:
        lines = lines.replace(mark, " ")
    return [frozenset(line.split()) for line in lines.split("\n")]


def _repeats(tokens: frozenset[str | bytes], of: frozenset[str | bytes], share: float) -> bool:
    return bool(of) and len(tokens & of) >= share * len(tokens)


def _scores(sentences: list[_Sentence], title_words: int, weights: Weights) -> list[float]:
    """Lead prior + centrality (how many other candidates share its words) + title overlap."""
    length_norm = weights.length_norm
    centrality = [
        shared / len(s.content) ** length_norm if s.content else 0.0
        for s, shared in zip(sentences, _shared_counts([s.content for s in sentences]), strict=True)
    ]
    central_weight = weights.centrality / (max(centrality) or 1.0)
    title_weight = weights.title / title_words if title_words else 0.0
    priors = weights.priors
    min_words, quoted = weights.min_words, weights.quoted
    scores = []
    for sentence, central in zip(sentences, centrality, strict=True):
        score = priors[sentence.index] + central_weight * central
        if title_weight:
            score += title_weight * sentence.title_words
        if sentence.words < min_words:
            score /= 2
        if sentence.text[0] in _QUOTES:
            score *= quoted
        scores.append(score)
    return scores


def _shared_counts(contents: list[frozenset[str | bytes]]) -> list[int]:
    """For each set, how many of its words the other sets hold, summed over them: pairwise
    intersections in C are cheaper than counting every word in a Counter (8 sets, ~30 words each)."""
    shared = [0] * len(contents)
    for i, content in enumerate(contents):
        for j in range(i + 1, len(contents)):
            common = len(content & contents[j])
            shared[i] += common
            shared[j] += common
    return shared


def _select(sentences: list[_Sentence], scores: list[float], budget: int, weights: Weights) -> str:
    ranked = sorted(range(len(sentences)), key=scores.__getitem__, reverse=True)  # stable: ties by index
    best = sentences[ranked[0]]
    if best.words > budget:
        return _cut(best.text, budget)
    floor = weights.floor * scores[ranked[0]]
    kept: list[_Sentence] = []
    left = budget
    for i in ranked:
        if scores[i] < floor:
            break
        sentence = sentences[i]
        if sentence.words > left or (
            kept and any(_repeats(sentence.tokens, k.tokens, weights.repeat) for k in kept)
        ):
            continue
        kept.append(sentence)
        left -= sentence.words
    return " ".join(s.text for s in sorted(kept))  # article order: tuples compare by index first


def _cut(text: str, budget: int) -> str:
    """The first `budget` words of a sentence too long to keep whole, ending with an ellipsis."""
    return " ".join(text.split()[:budget]).rstrip(",;:-–—.…") + ELLIPSIS


def _within_chars(text: str, chars: int) -> str:
    """`text`, or its first `chars` characters ending with an ellipsis (at a space when one is near)."""
    if len(text) <= chars:
        return text
    head = text[:chars]
    space = head.rfind(" ")
    if space > chars // 2:
        head = head[:space]
    return head.rstrip(",;:-–—.… ") + ELLIPSIS
