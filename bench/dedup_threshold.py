"""Measure story-signature distances on real articles and choose the same-story threshold.

Run: .venv/bin/python bench/dedup_threshold.py [--variants]

Data (read from ../shared/corpora, nothing copied):
- negatives: every pair of different real articles: 1,000 VietNews articles (title + article)
  and the 180 VnExpress / Dân trí feed items of vi-feeds (title + description), all pairs.
  None of the 180 feed items recurs across the snapshots (checked here: each article id
  appears once), and no two VietNews articles are the same story (best 3-gram Jaccard 0.21,
  two different reports about the same island), so all pairs are true negatives.
- positives: each real article against an edited copy of itself, one class per edit seen
  when the same story comes back through another feed or a re-publication:
    tones      old-style tone marks (hoà, thuỷ), decomposed Unicode, case/punctuation noise
    tracking   the link with utm_/zarsrc parameters (the signature never sees the URL)
    source     a source suffix on the title and a `(Nguồn) -` prefix on the lead
    typos      three syllables of the lead and one of the title changed
    sentence   one sentence of the lead replaced by a sentence of another article
    combined   source + typos + tones together
  and two harder classes reported apart (a signature is not meant to catch them):
    snippet    the feed's first lead sentence only vs the full lead
    sapo       VietNews title + summary vs title + article (same story, other lead text)
    teaser     title + summary vs title + summary + article (a feed's sapo, a portal's full text)
    dated      the same with "(TTXVN) - " before the full text
  plus the same-story pairs the corpus itself holds (found by lead overlap, printed, read).

What it showed (--variants; recall of the six edit classes at distance <= 7, no false match
among the 692k different-article pairs for any variant up to distance 11, one for trigrams at 12;
MinHash is the one-permutation kind news.fingerprint ships, 74.8% with 64 hash functions), with
the first 60 body syllables signed, as before the lead sentence was:
    1-bit MinHash, bigrams, 60 words   74.4%   <- shipped before (threshold 7, 8 bands)
    1-bit MinHash, trigrams, 60 words  65.4%
    1-bit MinHash, bigrams, 40 words   73.9%
    SimHash, bigrams, 60 words         54.2%
    SimHash, trigrams, 60 words        48.4%
Now the signature reads the title and the lead sentence (news.fingerprint.lead_syllables,
cut at 40 syllables): edited copies 72.8%, teaser 99.8% (was 26.7%), dated 99.6%,
snippet 86.3% (was 26.1%); closest different articles 13 bits, 0.01% quantile 17.
"""

from __future__ import annotations

import argparse
import html
import itertools
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import feedparser

from news.fingerprint import (
    BANDS,
    LEAD_WORDS,
    SAME_STORY_MAX_DISTANCE,
    SHINGLE_SIZE,
    _hash64,
    band_keys,
    minhash64,
    signature_distance,
    story_shingles,
    story_signature,
)

CORPORA = Path(__file__).resolve().parents[1] / "../shared/corpora"
EDIT_CLASSES = ("tones", "tracking", "source", "typos", "sentence", "combined")
HARD_CLASSES = ("snippet", "sapo", "teaser", "dated")
REAL_CLASSES = ("corpus",)
THRESHOLDS = range(0, 13)

# Old-style tone placement: tone on the second vowel of oa/oe/uy at the end of a syllable.
_OLD_STYLE = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}  # fmt: skip
_OLD_STYLE_RE = re.compile("(" + "|".join(_OLD_STYLE) + r")(?!\w)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ\"“(])")


def strip_tags(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def load_articles() -> list[tuple[str, str, str]]:
    """(title, lead, summary or '') of every VietNews article and feed item."""
    articles = []
    vietnews = CORPORA / "vietnews" / "dev-1000.jsonl"
    import json

    for line in vietnews.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        articles.append((row["title"], row["article"], row["summary"]))
    seen_ids = Counter()
    for path in sorted((CORPORA / "vi-feeds").glob("*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            title = unicodedata.normalize("NFC", " ".join(entry.get("title", "").split()))
            lead = unicodedata.normalize("NFC", strip_tags(entry.get("description", "")))
            seen_ids[re.sub(r"\W", "", entry.get("link", ""))[-12:]] += 1
            if title and lead:
                articles.append((title, lead, ""))
    repeated = [key for key, count in seen_ids.items() if count > 1]
    print(f"articles: {len(articles)} (feed items seen in more than one snapshot: {len(repeated)})")
    return articles


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def old_style_noise(text: str) -> str:
    text = _OLD_STYLE_RE.sub(lambda m: _OLD_STYLE[m.group(1)], text)
    text = text.replace(", ", " ,  ").replace(". ", " .\n").upper()
    return unicodedata.normalize("NFD", text)


def typos(text: str, count: int, rng: random.Random, window: int = 60) -> str:
    words = text.split()
    limit = min(len(words), window)
    for index in rng.sample(range(limit), min(count, limit)):
        words[index] = rng.choice(["và", "của", "đã", "người", "năm", "tỉnh", "xx"])
    return " ".join(words)


def replace_sentence(lead: str, other: str, rng: random.Random) -> str:
    parts = sentences(lead)
    donor = sentences(other)
    if not donor:
        return lead
    # a sentence that lies inside the signature's 60-word window
    inside = [i for i in range(len(parts)) if len(" ".join(parts[:i]).split()) < 60] or [0]
    parts[rng.choice(inside)] = rng.choice(donor[:3])
    return " ".join(parts)


def positives(articles, rng: random.Random) -> dict[str, list[tuple[tuple[str, str], tuple[str, str]]]]:
    pairs: dict[str, list] = {name: [] for name in EDIT_CLASSES + HARD_CLASSES + REAL_CLASSES}
    for index, (title, lead, summary) in enumerate(articles):
        original = (title, lead)
        other = articles[(index + rng.randrange(1, len(articles))) % len(articles)]
        pairs["tones"].append((original, (old_style_noise(title), old_style_noise(lead))))
        pairs["tracking"].append((original, original))
        pairs["source"].append((original, (f"{title} - Báo Kiên Giang", f"(Dân trí) - {lead}")))
        pairs["typos"].append((original, (typos(title, 1, rng, 99), typos(lead, 3, rng))))
        pairs["sentence"].append((original, (title, replace_sentence(lead, other[1], rng))))
        pairs["combined"].append(
            (
                original,
                (
                    old_style_noise(typos(f"{title} | VnExpress", 1, rng, 99)),
                    old_style_noise(typos(f"TTO - {lead}", 2, rng)),
                ),
            )
        )
        first = sentences(lead)[:1]
        if first and len(first[0].split()) < min(60, len(lead.split())):
            pairs["snippet"].append((original, (title, first[0])))
        if summary:
            pairs["sapo"].append(((title, summary), original))
            pairs["teaser"].append(((title, summary), (title, f"{summary} {lead}")))
            pairs["dated"].append(((title, summary), (title, f"(TTXVN) - {summary} {lead}")))
    return pairs


def same_story_pairs_in_corpus(articles) -> set[tuple[int, int]]:
    """Pairs of different items that are one story: their leads share half their 3-gram shingles.

    Found and checked by reading them (printed below); they count as positives, not negatives.
    """
    shingles = [story_shingles("", lead) for _, lead, _ in articles]
    found = set()
    for i, j in itertools.combinations(range(len(articles)), 2):
        union = len(shingles[i] | shingles[j])
        if union and len(shingles[i] & shingles[j]) / union >= 0.5:
            found.add((i, j))
            print(f"  same story in the corpus: {articles[i][0][:60]!r} / {articles[j][0][:60]!r}")
    return found


def simhash64(features: set[str]) -> int:
    """Charikar's SimHash, the alternative measured against 1-bit MinHash."""
    if not features:
        return 0
    ones = [0] * 64
    for feature in features:
        value = _hash64(feature)
        for bit in range(64):
            ones[bit] += (value >> bit) & 1
    half = len(features) / 2
    return sum(1 << bit for bit in range(64) if ones[bit] > half)


Signer = Callable[[str, str], int]


def make_signer(algorithm: str, size: int, lead_words: int) -> Signer:
    if (algorithm, size, lead_words) == ("minhash", SHINGLE_SIZE, LEAD_WORDS):
        return story_signature  # the shipped signature itself
    hasher = simhash64 if algorithm == "simhash" else minhash64
    return lambda title, lead: hasher(story_shingles(title, lead, size=size, lead_words=lead_words))


def histogram(distances: list[int], top: int = 40) -> str:
    counts = Counter(min(d, top) for d in distances)
    return " ".join(f"{d}:{counts[d]}" for d in range(top + 1) if counts[d])


def evaluate(name: str, signer: Signer, articles, pairs, verbose: bool) -> dict:
    signatures = [signer(title, lead) for title, lead, _ in articles]
    negative_pairs = [
        p for p in itertools.combinations(range(len(signatures)), 2) if p not in pairs["corpus"]
    ]
    negatives = [signature_distance(signatures[i], signatures[j]) for i, j in negative_pairs]
    positive = {
        label: [signature_distance(signer(*a), signer(*b)) for a, b in rows]
        for label, rows in pairs.items()
        if label != "corpus"
    }
    positive["corpus"] = [
        signature_distance(signatures[i], signatures[j]) for i, j in sorted(pairs["corpus"])
    ]
    edits = [d for label in EDIT_CLASSES for d in positive[label]]
    result = {
        "name": name,
        "negatives": negatives,
        "negative_pairs": negative_pairs,
        "positive": positive,
        "signatures": signatures,
    }
    negative_counts = Counter(negatives)
    print(f"\n=== {name}: {len(negatives)} negative pairs, {len(edits)} edited-copy positives")
    print(
        f"negatives: min {min(negatives)}, 0.01% quantile {sorted(negatives)[len(negatives) // 10000]}, "
        f"median {statistics.median(negatives)}"
    )
    if verbose:
        print(f"negative histogram (<=40): {histogram(negatives)}")
        for label in EDIT_CLASSES + HARD_CLASSES + REAL_CLASSES:
            print(f"  {label:9} n={len(positive[label]):5} histogram: {histogram(positive[label], 40)}")
    print(
        "thr | "
        + " ".join(f"{c[:8]:>8}" for c in EDIT_CLASSES + HARD_CLASSES + REAL_CLASSES)
        + " | recall    FP  precision  FP/1e4 stored"
    )
    false_total = 0
    for threshold in THRESHOLDS:
        false_total = sum(negative_counts[d] for d in range(threshold + 1))
        recalls = [
            sum(d <= threshold for d in positive[c]) / max(1, len(positive[c]))
            for c in EDIT_CLASSES + HARD_CLASSES + REAL_CLASSES
        ]
        hits = sum(d <= threshold for d in edits)
        precision = hits / (hits + false_total) if hits + false_total else 1.0
        # expected false same-story matches for one new story checked against 10,000 stored ones
        per_10k = false_total / len(negatives) * 10_000
        print(
            f"{threshold:3} | "
            + " ".join(f"{r:8.3f}" for r in recalls)
            + f" | {hits / len(edits):6.3f} {false_total:5} {precision:9.4f} {per_10k:8.3f}"
        )
    return result


def band_candidates(signatures: list[int], bands: int) -> tuple[int, int]:
    """(pairs sharing at least one band key, all pairs) among different articles."""
    buckets: dict[int, list[int]] = {}
    for index, signature in enumerate(signatures):
        for key in band_keys(signature, bands):
            buckets.setdefault(key, []).append(index)
    shared = {tuple(sorted(p)) for members in buckets.values() for p in itertools.combinations(members, 2)}
    total = len(signatures) * (len(signatures) - 1) // 2
    return len(shared), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--variants", action="store_true", help="also compare MinHash and other shingle sizes"
    )
    args = parser.parse_args()
    if not CORPORA.is_dir():
        print(f"skipped: {CORPORA.resolve()} is absent", file=sys.stderr)
        return 0
    rng = random.Random(2019)
    articles = load_articles()
    pairs = positives(articles, rng)
    pairs["corpus"] = same_story_pairs_in_corpus(articles)
    variants = [("minhash", SHINGLE_SIZE, LEAD_WORDS)]
    if args.variants:
        variants += [("minhash", 3, 40), ("minhash", 2, 60), ("simhash", 2, 40), ("simhash", 3, 40)]
    results = []
    for algorithm, size, lead_words in variants:
        name = f"{algorithm} shingles={size} lead_words={lead_words}"
        results.append(
            evaluate(name, make_signer(algorithm, size, lead_words), articles, pairs, verbose=True)
        )
    chosen = results[0]
    started = time.perf_counter()
    for title, lead, _ in articles:
        story_signature(title, lead)
    per_story = (time.perf_counter() - started) / len(articles)
    print(f"\nstory_signature: {per_story * 1000:.2f} ms per story ({len(articles)} stories)")
    print(f"\nshipped: threshold {SAME_STORY_MAX_DISTANCE}, {BANDS} bands")
    print(f"\nLSH bands on {chosen['name']} (different articles sharing a band key = wasted candidates):")
    for bands in (4, 5, 6, 8):
        shared, total = band_candidates(chosen["signatures"], bands)
        print(
            f"  {bands} bands: guarantees distance <= {bands - 1}; {shared} of {total} pairs are candidates ({shared / total:.5%})"
        )
    closest = sorted(zip(chosen["negatives"], chosen["negative_pairs"], strict=True))[:5]
    print("\nclosest different-article pairs:")
    for distance, (i, j) in closest:
        print(f"  {distance:2}  {articles[i][0][:60]!r}  vs  {articles[j][0][:60]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
