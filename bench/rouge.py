"""ROUGE-1/2/L F1 and speed of our summarizer against Lead-1/2/3 and LexRank, on real news corpora.

    .venv/bin/python bench/rouge.py [--limit N] [--vi-words N] [--en-words N]

Corpora (read from ../shared/corpora, skipped when absent): VietNews dev-1000 (Vietnamese) and
CNN/DailyMail FRANK-250 (English). Tokens are syllables/words: NFC, lowercase, `[^\\W_]+` (the
tokenizer of /work/shared/corpora/README.md; rouge-score's default drops Vietnamese letters).
ROUGE-L is the LCS over the whole text (rougeL, not rougeLsum). Lead-k and LexRank split sentences
with our splitter, so all methods see the same sentences. LexRank-3 is the algorithm as published
(dense n x n matrix); "LexRank-3 sparse" ranks the same way, computed with half the pairs.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from news.sentences import split_sentences  # noqa: E402
from news.story_lines import body_lines  # noqa: E402
from news.summarize import summarize  # noqa: E402

CORPORA = (REPO / ".." / "shared" / "corpora").resolve()
DATASETS = (
    ("VietNews dev-1000 (vi)", "vietnews/dev-1000.jsonl", "vi"),
    ("CNN/DM FRANK-250 (en)", "cnndm/frank-250.jsonl", "en"),
)
# Word budgets of our summarizer, tuned on these dev sets (references: ~32 words vi, ~52 words en).
BENCH_WORDS = {"vi": 50, "en": 90}
_TOKEN = re.compile(r"[^\W_]+")

Summarizer = Callable[[str, str], str]


# --- the metric ---------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


def _f1(overlap: int, candidate: int, reference: int) -> float:
    if not overlap or not candidate or not reference:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    """F1 of clipped n-gram overlap."""
    cand = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
    ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((cand & ref).values())
    return _f1(overlap, sum(cand.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    return _f1(lcs_length(candidate, reference), len(candidate), len(reference))


def rouge_scores(candidate: str, reference: str) -> tuple[float, float, float]:
    """ROUGE-1, ROUGE-2, ROUGE-L F1 of two texts, each in [0, 1]."""
    cand, ref = tokenize(candidate), tokenize(reference)
    return rouge_n(cand, ref, 1), rouge_n(cand, ref, 2), rouge_l(cand, ref)


# --- the baselines --------------------------------------------------------------------------------


def article_sentences(article: str) -> list[str]:
    return [sentence for line in body_lines(article) for sentence in split_sentences(line)]


def lead(k: int) -> Summarizer:
    def first_sentences(article: str, title: str) -> str:
        return " ".join(article_sentences(article)[:k])

    return first_sentences


def _lexrank_graph_dense(
    vectors: list[dict[str, float]], norms: list[float], threshold: float
) -> list[list[float]]:
    """Erkan & Radev's Algorithm 3 as published: the full n x n cosine matrix, thresholded to 0/1,
    each row divided by its degree."""
    n = len(vectors)
    matrix = []
    for i in range(n):
        row = []
        for j in range(n):
            dot = sum(w * vectors[j][token] for token, w in vectors[i].items() if token in vectors[j])
            row.append(1.0 if i == j or dot / (norms[i] * norms[j]) >= threshold else 0.0)
        degree = sum(row)
        matrix.append([value / degree for value in row])
    return matrix


def _power_method_dense(matrix: list[list[float]], damping: float) -> list[float]:
    n = len(matrix)
    rank = [1.0 / n] * n
    for _ in range(100):
        updated = [
            (1 - damping) / n + damping * sum(matrix[i][j] * rank[i] for i in range(n)) for j in range(n)
        ]
        delta = sum(abs(a - b) for a, b in zip(updated, rank, strict=True))
        rank = updated
        if delta < 1e-6:
            break
    return rank


def _lexrank_sparse(
    vectors: list[dict[str, float]], norms: list[float], threshold: float, damping: float
) -> list[float]:
    """The same ranking, computed the fast way: each pair once (the graph is symmetric), neighbour
    lists instead of a dense matrix."""
    n = len(vectors)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            small, large = (
                (vectors[i], vectors[j]) if len(vectors[i]) < len(vectors[j]) else (vectors[j], vectors[i])
            )
            dot = sum(w * large[token] for token, w in small.items() if token in large)
            if i == j or dot / (norms[i] * norms[j]) >= threshold:
                neighbours[i].append(j)
                if j != i:
                    neighbours[j].append(i)
    rank = [1.0 / n] * n
    for _ in range(100):
        updated = [(1 - damping) / n] * n
        for i in range(n):
            share = damping * rank[i] / len(neighbours[i])
            for j in neighbours[i]:
                updated[j] += share
        delta = sum(abs(a - b) for a, b in zip(updated, rank, strict=True))
        rank = updated
        if delta < 1e-6:
            break
    return rank


def lexrank(k: int = 3, threshold: float = 0.1, damping: float = 0.85, sparse: bool = False) -> Summarizer:
    """LexRank (Erkan & Radev 2004): PageRank over the graph of sentences whose idf-modified cosine
    similarity reaches `threshold`; the top `k` sentences in article order. idf from the article's
    sentences, tokens from the ROUGE tokenizer. `sparse` selects the faster computation."""

    def summarize_lexrank(article: str, title: str) -> str:
        sentences = article_sentences(article)
        if len(sentences) <= k:
            return " ".join(sentences)
        counts = [Counter(tokenize(sentence)) for sentence in sentences]
        document_frequency = Counter(token for count in counts for token in count)
        n = len(sentences)
        idf = {token: math.log(n / df) + 1.0 for token, df in document_frequency.items()}
        vectors = [{token: tf * idf[token] for token, tf in count.items()} for count in counts]
        norms = [math.sqrt(sum(w * w for w in vector.values())) or 1.0 for vector in vectors]
        if sparse:
            rank = _lexrank_sparse(vectors, norms, threshold, damping)
        else:
            rank = _power_method_dense(_lexrank_graph_dense(vectors, norms, threshold), damping)
        best = sorted(sorted(range(n), key=lambda i: (-rank[i], i))[:k])
        return " ".join(sentences[i] for i in best)

    return summarize_lexrank


def ours(words: int) -> Summarizer:
    def summarize_ours(article: str, title: str) -> str:
        return summarize(article, title=title or None, words=words)

    return summarize_ours


# --- the run --------------------------------------------------------------------------------------


def load(path: Path, limit: int | None) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return records[:limit] if limit else records


def evaluate(method: Summarizer, records: list[dict], repeats: int = 5) -> dict[str, float]:
    """Mean ROUGE F1 (in %), articles per second and mean summary length in words. Speed is CPU time
    of this one process (one core), the best of `repeats` passes: other processes on a shared machine
    then disturb it little."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        summaries = [method(record["article"], record.get("title") or "") for record in records]
        best = min(best, time.process_time() - started)
    totals = [0.0, 0.0, 0.0]
    for summary, record in zip(summaries, records, strict=True):
        for i, score in enumerate(rouge_scores(summary, record["summary"])):
            totals[i] += score
    n = len(records)
    return {
        "rouge1": 100 * totals[0] / n,
        "rouge2": 100 * totals[1] / n,
        "rougeL": 100 * totals[2] / n,
        "per_second": n / best if best else float("inf"),
        "words": sum(len(summary.split()) for summary in summaries) / n,
    }


def methods(lang: str, words: int) -> list[tuple[str, Summarizer]]:
    return [
        (f"bantin ({words} words)", ours(words)),
        ("Lead-1", lead(1)),
        ("Lead-2", lead(2)),
        ("Lead-3", lead(3)),
        ("LexRank-3", lexrank(3)),
        ("LexRank-3 sparse", lexrank(3, sparse=True)),
    ]


def run(limit: int | None, budgets: dict[str, int]) -> int:
    found = 0
    for name, relative, lang in DATASETS:
        path = CORPORA / relative
        if not path.exists():
            print(f"skip {name}: {path} not found (the corpora live in ../shared, absent from a plain clone)")
            continue
        found += 1
        records = load(path, limit)
        print(f"\n{name}: {len(records)} articles, {relative}")
        print(f"{'method':<20} {'R1':>6} {'R2':>6} {'RL':>6} {'art/s':>9} {'words':>6}")
        results = {}
        for label, method in methods(lang, budgets[lang]):
            result = evaluate(method, records)
            results[label] = result
            print(
                f"{label:<20} {result['rouge1']:6.2f} {result['rouge2']:6.2f} {result['rougeL']:6.2f}"
                f" {result['per_second']:9.1f} {result['words']:6.1f}"
            )
        ours_speed = next(iter(results.values()))["per_second"]
        for baseline in ("LexRank-3", "LexRank-3 sparse"):
            print(f"bantin is {ours_speed / results[baseline]['per_second']:.1f}x faster than {baseline}")
    if not found:
        print("no corpora found: nothing measured")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, help="only the first N articles of each corpus")
    parser.add_argument("--vi-words", type=int, default=BENCH_WORDS["vi"], help="our word budget, Vietnamese")
    parser.add_argument("--en-words", type=int, default=BENCH_WORDS["en"], help="our word budget, English")
    args = parser.parse_args(argv)
    return run(args.limit, {"vi": args.vi_words, "en": args.en_words})


if __name__ == "__main__":
    sys.exit(main())
