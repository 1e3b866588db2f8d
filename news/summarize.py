"""Extractive news summaries: rank sentences by lead position, centrality and title overlap, drop
repeats of the title and of each other, and keep the best ones, in article order, within a word budget.

Deterministic and pure Python: every score is a ratio of token counts, ties go to the earlier sentence.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from news import stopwords
from news.language import detect_language
from news.sentences import body_lines, is_boilerplate, iter_sentences

DEFAULT_WORDS = 50
ELLIPSIS = "…"
# Tokens are whitespace-separated words stripped of punctuation: much faster than a regex on
# Vietnamese text (Python's re is slow on non-ASCII strings) and as good for counting overlap.
_PUNCTUATION = ".,;:!?()[]{}<>\"'“”‘’«»…–—-/\\|*•·"
_QUOTES = "\"'“‘«"


@dataclass(frozen=True)
class Weights:
    """How much each signal counts; tuned per language on the dev corpora (see bench/rouge.py)."""

    position: float  # weight of the lead prior 1 / (1 + index) ** position_decay
    position_decay: float
    centrality: float  # weight of the overlap with the rest of the article
    title: float  # weight of the share of the title's words a sentence carries
    repeat: float  # a sentence whose words are this share of a kept sentence's (or the title's) is a repeat
    min_words: int  # shorter sentences (captions, datelines) are scored at half
    candidates: int = 25  # only the first sentences compete: the lead prior leaves later ones no chance
    cut_best: bool = True  # when the best sentence alone is over budget, cut it rather than skip it
    quoted: float = 1.0  # score factor of a sentence that opens with a quotation (what someone said)
    length_norm: float = 0.5  # centrality is divided by (number of words) ** length_norm
    floor: float = 0.0  # sentences scored under this share of the best one do not fill the budget


WEIGHTS: dict[str, Weights] = {
    # VietNews dev-1000: references echo the title, so title overlap is the strongest signal.
    "vi": Weights(
        position=1.0, position_decay=0.3, centrality=0.5, title=3.0, repeat=0.7, min_words=5,
        candidates=15, floor=0.6,
    ),
    # CNN/DM FRANK-250 (no titles there: the title weight is a prior, not a tuned value).
    "en": Weights(
        position=1.0, position_decay=1.0, centrality=0.3, title=1.0, repeat=0.5, min_words=5,
        candidates=15, floor=0.3, quoted=0.7,
    ),
}


@dataclass(frozen=True)
class _Sentence:
    index: int
    text: str
    words: int
    tokens: frozenset[str]  # every distinct token, for repeat checks
    content: frozenset[str]  # tokens without function words, for scoring


def summarize(body: str, title: str | None = None, words: int = DEFAULT_WORDS, lang: str = "auto") -> str:
    """At most `words` words of `body`'s best sentences in article order; "" when there is no text."""
    if words < 1:
        raise ValueError(f"words must be positive, got {words}")
    text = "\n".join(body_lines(body))
    title = unicodedata.normalize("NFC", title or "")
    if lang == "auto":
        lang = detect_language(f"{title}\n{text}")
    weights = WEIGHTS.get(lang, WEIGHTS["vi"])
    stop = stopwords.for_language(lang)
    title_tokens = _tokens(title)
    sentences = [
        s
        for s in _sentences(text, stop, weights.candidates)
        if not _repeats(s.tokens, title_tokens, weights.repeat)
    ]
    if not sentences:
        return ""
    scores = _scores(sentences, title_tokens - stop, weights)
    return _select(sentences, scores, words, weights)


def _sentences(text: str, stop: frozenset[str], limit: int) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    for sentence in iter_sentences(text):
        if is_boilerplate(sentence):
            continue
        words = sentence.lower().split()
        tokens = _tokens_of(words)
        if not tokens:
            continue
        sentences.append(_Sentence(len(sentences), sentence, len(words), tokens, tokens - stop))
        if len(sentences) >= limit:
            break
    return sentences


def _tokens(text: str) -> frozenset[str]:
    return _tokens_of(text.lower().split())


def _tokens_of(words: list[str]) -> frozenset[str]:
    tokens = {word.strip(_PUNCTUATION) for word in words}
    tokens.discard("")
    return frozenset(tokens)


def _repeats(tokens: frozenset[str], of: frozenset[str], share: float) -> bool:
    return bool(of) and len(tokens & of) >= share * len(tokens)


def _scores(sentences: list[_Sentence], title: frozenset[str], weights: Weights) -> list[float]:
    """Lead prior + centrality (how many other sentences share its words) + title overlap."""
    counts = Counter(token for s in sentences for token in s.content)
    centrality = [
        sum(counts[token] - 1 for token in s.content) / len(s.content) ** weights.length_norm if s.content else 0.0
        for s in sentences
    ]
    top = max(centrality) or 1.0
    scores = []
    for sentence, central in zip(sentences, centrality, strict=True):
        score = weights.position / (1 + sentence.index) ** weights.position_decay
        score += weights.centrality * central / top
        if title:
            score += weights.title * len(sentence.content & title) / len(title)
        if sentence.words < weights.min_words:
            score /= 2
        if sentence.text[0] in _QUOTES:
            score *= weights.quoted
        scores.append(score)
    return scores


def _select(sentences: list[_Sentence], scores: list[float], budget: int, weights: Weights) -> str:
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    best = sentences[ranked[0]]
    if best.words > budget and (weights.cut_best or all(s.words > budget for s in sentences)):
        return _cut(best.text, budget)
    kept: list[_Sentence] = []
    left = budget
    floor = weights.floor * scores[ranked[0]]
    for i in ranked:
        sentence = sentences[i]
        if scores[i] < floor:
            break
        if sentence.words > left or any(_repeats(sentence.tokens, k.tokens, weights.repeat) for k in kept):
            continue
        kept.append(sentence)
        left -= sentence.words
        if left <= 0:
            break
    return " ".join(s.text for s in sorted(kept, key=lambda s: s.index))


def _cut(text: str, budget: int) -> str:
    """The first `budget` words of a sentence too long to keep whole, ending with an ellipsis."""
    head = " ".join(text.split()[:budget]).rstrip(",;:-–—.…")
    return head + ELLIPSIS
