"""Extractive news summaries: rank sentences by lead position, centrality and title overlap, drop
repeats of the title and of each other, and keep the best ones, in article order, within a word budget.

Deterministic and pure Python: scores are ratios of token counts, ties go to the earlier sentence.
Only the first sentences compete (the lead prior leaves later ones no chance), which keeps the cost
flat however long the article is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import NamedTuple

from news.language import detect_language
from news.sentences import body_lines, is_boilerplate, iter_line_sentences

DEFAULT_WORDS = 50
LANGUAGES = ("vi", "en")
ELLIPSIS = "…"

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
# Tokens are lowercase words with the commonest punctuation blanked out: Python's re is slow on
# Vietnamese (non-ASCII) text, and str.replace over the joined sentences is not.
_BLANKED = (",", ".", ";", ":", "(", ")", '"', "“", "”", "?", "!")
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
    tokens: frozenset[str]  # every distinct token, for repeat checks
    content: frozenset[str]  # tokens without function words, for scoring


def summarize(body: str, title: str | None = None, words: int = DEFAULT_WORDS, lang: str = "auto") -> str:
    """At most `words` words of `body`'s best sentences, in article order; "" when there is no text.

    Sentences are never cut, except the best one when it alone is longer than `words` (it then ends
    with "…"). `lang` is "vi", "en" or "auto" (detected from the title and the body).
    """
    if words < 1:
        raise ValueError(f"words must be positive, got {words}")
    if lang != "auto" and lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)} or auto, got {lang!r}")
    lines = body_lines(body)
    title = " ".join(unicodedata.normalize("NFC", title or "").split())
    if lang == "auto":
        lang = detect_language(f"{title}\n{_head(lines, 300)}")
    weights = WEIGHTS[lang]
    stop = _STOPWORDS[lang]
    title_tokens = _token_sets([title])[0] if title else frozenset()
    sentences = _sentences(lines, stop, weights.candidates, title_tokens, weights.repeat)
    if not sentences:
        return ""
    scores = _scores(sentences, title_tokens - stop, weights)
    return _select(sentences, scores, words, weights)


def _head(lines: list[str], chars: int) -> str:
    """The first `chars` characters of the lines joined by newlines, joining only the lines needed."""
    head, length = [], -1
    for line in lines:
        head.append(line)
        length += len(line) + 1
        if length >= chars:
            break
    return "\n".join(head)[:chars]


def _sentences(
    lines: list[str], stop: frozenset[str], limit: int, title: frozenset[str], repeat: float
) -> list[_Sentence]:
    """The first `limit` sentences with words, less those that repeat the title (they keep their
    index: the lead prior counts them)."""
    texts = [s for s in islice(iter_line_sentences(lines), limit) if not is_boilerplate(s)]
    sentences = []
    index = 0
    for text, tokens in zip(_single_spaced(texts), _token_sets(texts), strict=True):
        if not tokens:
            continue
        if not title or len(tokens & title) < repeat * len(tokens):
            sentences.append(_Sentence(index, text, text.count(" ") + 1, tokens, tokens - stop))
        index += 1
    return sentences


def _single_spaced(texts: list[str]) -> list[str]:
    """Each text with its whitespace runs made single spaces. Usually there is nothing to do: the
    sentences are stripped, and one check of them all spares splitting each into words."""
    joined = " ".join(texts)
    if joined.isprintable() and "  " not in joined:  # no tab, no-break space, line break or double space
        return texts
    return [" ".join(text.split()) for text in texts]


def _token_sets(texts: list[str]) -> list[frozenset[str]]:
    """The distinct lowercase words of each text, all texts blanked in one pass."""
    if not texts:
        return []
    joined = "\n".join(texts).lower()
    for mark in _BLANKED:
        joined = joined.replace(mark, " ")
    return [frozenset(part.split()) for part in joined.split("\n")]


def _repeats(tokens: frozenset[str], of: frozenset[str], share: float) -> bool:
    return bool(of) and len(tokens & of) >= share * len(tokens)


def _scores(sentences: list[_Sentence], title: frozenset[str], weights: Weights) -> list[float]:
    """Lead prior + centrality (how many other candidates share its words) + title overlap."""
    centrality = [
        shared / len(s.content) ** weights.length_norm if s.content else 0.0
        for s, shared in zip(sentences, _shared_counts([s.content for s in sentences]), strict=True)
    ]
    central_weight = weights.centrality / (max(centrality) or 1.0)
    title_weight = weights.title / len(title) if title else 0.0
    priors = _position_priors(weights)
    scores = []
    for sentence, central in zip(sentences, centrality, strict=True):
        score = priors[sentence.index] + central_weight * central
        if title_weight:
            score += title_weight * len(sentence.content & title)
        if sentence.words < weights.min_words:
            score /= 2
        if sentence.text[0] in _QUOTES:
            score *= weights.quoted
        scores.append(score)
    return scores


def _shared_counts(contents: list[frozenset[str]]) -> list[int]:
    """For each set, how many of its words the other sets hold, summed over them: pairwise
    intersections in C are cheaper than counting every word in a Counter (8 sets, ~30 words each)."""
    shared = [0] * len(contents)
    for i, content in enumerate(contents):
        for j in range(i + 1, len(contents)):
            common = len(content & contents[j])
            shared[i] += common
            shared[j] += common
    return shared


@cache
def _position_priors(weights: Weights) -> tuple[float, ...]:
    return tuple(
        weights.position / (1 + index) ** weights.position_decay for index in range(weights.candidates)
    )


def _select(sentences: list[_Sentence], scores: list[float], budget: int, weights: Weights) -> str:
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
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
        if sentence.words > left or any(_repeats(sentence.tokens, k.tokens, weights.repeat) for k in kept):
            continue
        kept.append(sentence)
        left -= sentence.words
    return " ".join(s.text for s in sorted(kept, key=lambda s: s.index))


def _cut(text: str, budget: int) -> str:
    """The first `budget` words of a sentence too long to keep whole, ending with an ellipsis."""
    return " ".join(text.split()[:budget]).rstrip(",;:-–—.…") + ELLIPSIS
