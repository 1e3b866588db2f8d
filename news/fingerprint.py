"""Content fingerprints (exact duplicates) and story signatures (near duplicates).

`content_fingerprint` hashes the match key of title and body: the same text re-served with
other tone-mark placement, case, spacing or punctuation gets the same fingerprint. Boilerplate
(a short title and a short body or none, see `says_too_little`) identifies nothing by itself, and
a short body or none under a headline identifies no item (`fingerprint_and_signature`).

`story_signature` is a 64-bit 1-bit MinHash of syllable 2-gram shingles of the title plus the
body's lead sentence (`lead_syllables`: its first sentence of `LEAD_SENTENCE_MIN_SYLLABLES` or
more, cut at `LEAD_WORDS`), so the same story republished with small edits (a source suffix on
the title, a dateline, a typo) lands a few bits away from the original while unrelated stories
land about 32 bits apart. Signing the lead sentence rather than a fixed window is what lets a
feed's teaser (its description: the article's first sentence or sapo) meet the full article
that begins with it; see `LEAD_WORDS` for the figures. `bench/dedup_threshold.py` chose it: on 692k
pairs of different real articles neither 1-bit MinHash nor SimHash puts a pair closer than
14 bits, but MinHash keeps edited copies about half as far (expected 32 * (1 - J) bits against
64 * angle / pi), so at the same threshold it finds more of them: at distance <= 7, 74.4% of
edited copies against 54.2% for SimHash over the same bigrams; bigrams beat trigrams (65.4%).
The MinHash is one-permutation hashing (one hash per shingle, 64 bins, see `minhash64`):
0.05 ms for a story's ~70 shingles against 0.65 ms for 64 separate hash functions, with the
same figures on that benchmark (74.8% then, no pair closer than 14 bits either way).

Signatures are stored as signed 64-bit integers (SQL BIGINT); candidates are looked up by
`band_keys`: the 64 bits cut into `BANDS` equal bands. Two signatures at Hamming distance
d differ in at most d bands, so with `BANDS` >= d + 1 at least one band is identical
(pigeonhole): an index on band keys finds every pair within the threshold, and the exact
distance is checked afterwards on those candidates only.
"""

from __future__ import annotations

import hashlib
import re

from news.sentences import iter_sentences
from news.tones import match_key

SHINGLE_SIZE = 2
# The signed lead is the body's first sentence of 10 syllables or more (shorter ones before it are
# a dateline line, a photo caption, "Thông báo."), cut at 40 syllables. Against the first 60
# syllables signed before, on 1,000 VietNews articles (bench/dedup_threshold.py, distance <= 7):
#   teaser/full pair                                   first 60   lead sentence
#   title + sapo  vs  title + sapo + article             26.7%       99.8%
#   title + sapo  vs  title + "Hà Nội (TTXVN) - " + …    24.1%       97.8%
#   title + sapo  vs  title + date line + sapo + …       25.4%      100%
#   title + 200/150 characters "…"  vs  title + article  56.2/8.2%   99.6/92.1%
#   edited copies (the six edit classes)                 74.4%       72.8%
#   closest different articles (692k pairs), 0.01% q.   14, 17      13, 17
# Edited copies lose a little (3 typos in a shorter text weigh more: 65% -> 54%; a replaced
# sentence costs less: 13% -> 44%); different articles stay as far apart (13 against 14 is
# chance: 1 vs 0 pairs at <= 13, 9 vs 8 at <= 15, what 64 fair coin flips give). A sapo that
# the full text does not contain (VietNews summary vs article: 0.2%) shares only the title;
# no lead-based signature finds it.
LEAD_WORDS = 40
LEAD_SENTENCE_MIN_SYLLABLES = 10
# The lead sentence is looked for in the body's beginning only: splitting a long body costs more
# than signing it, and a lead sentence after 2,000 characters of short lines is no lead.
LEAD_SCAN_CHARS = 2000
# bench/dedup_threshold.py: no pair of different real articles is closer than 13 bits (692k
# pairs; the 0.01% quantile is 17); 7 keeps 72.8% of edited copies (tone/Unicode variants
# 97%, source suffix + dateline 87%, 3 typos 54%) with about half the gap to 13 as margin. The
# two same-story pairs found in the corpus are 1 and 11 bits apart: the second (a retitled
# story) is missed.
SAME_STORY_MAX_DISTANCE = 7
# Portals title different news alike ("Thông báo", "Tin vắn", "Lịch công tác tuần") and often give no
# body but "Xem tệp đính kèm". Below both counts the text cannot tell such items apart: a real
# headline has six syllables or more, a real lead twenty.
THIN_TITLE_SYLLABLES = 6
THIN_BODY_SYLLABLES = 20
# Pigeonhole: distance <= 7 leaves at least one of 8 bands untouched. Each band is 8 bits, so
# about 8/256 = 3% of unrelated stored stories share some band key (3.2% measured) and get
# their distance checked: storage should look up within a recent window only. For a big
# store, 4 bands of 16 bits (0.006% candidates) with threshold 3 is the cheap setting; it
# keeps 48% of edited copies.
BANDS = SAME_STORY_MAX_DISTANCE + 1

_MASK64 = (1 << 64) - 1
_SYLLABLE = re.compile(r"[^\W_]+")


def syllables(text: str) -> list[str]:
    """The match-key syllables of `text`: tones canonical, case folded, punctuation dropped."""
    return _SYLLABLE.findall(match_key(text))


def content_fingerprint(title: str, body: str) -> str:
    """Hex SHA-256 of the normalised title and body: equal for texts that differ only in form."""
    return _fingerprint(syllables(title), syllables(body))


def says_too_little(title_syllables: list[str], body_syllables: list[str]) -> bool:
    """A short title with a short body or none: boilerplate that portals reuse for different news."""
    return len(title_syllables) < THIN_TITLE_SYLLABLES and len(body_syllables) < THIN_BODY_SYLLABLES


# A body this long has THIN_BODY_SYLLABLES syllables unless it is mostly punctuation or digits:
# `has_thin_body` reads only this much of most bodies.
_THIN_SCAN_CHARS = 400


def has_thin_body(body: str) -> bool:
    """The body is under THIN_BODY_SYLLABLES syllables (none, or "Xem tệp đính kèm"): it tells no
    item apart, so two items of one source under one title are two items, never one story."""
    if len(syllables(body[:_THIN_SCAN_CHARS])) >= THIN_BODY_SYLLABLES:
        return False
    return len(body) <= _THIN_SCAN_CHARS or len(syllables(body)) < THIN_BODY_SYLLABLES


def fingerprint_and_signature(title: str, body: str, address: str = "") -> tuple[str, int]:
    """`content_fingerprint` and `story_signature` of one item, normalising each text once.

    A text that `says_too_little` is no sign that two items are one: its fingerprint also hashes
    the item's `address` (what else identifies it: its URL, its guid) and its signature is 0, near
    no story. A body under `THIN_BODY_SYLLABLES` under a real headline is no sign either: the
    fingerprint hashes the address too, the signature is the title's."""
    title_syllables, body_syllables = syllables(title), syllables(body)
    if says_too_little(title_syllables, body_syllables):
        return _fingerprint(title_syllables, body_syllables, address), 0
    shingles = _shingles(title_syllables, lead_syllables(body, body_syllables), SHINGLE_SIZE)
    # Under a headline, a thin body still tells nothing apart: a portal posts "Lịch công tác tuần
    # của Ban Thường vụ Tỉnh ủy" + "Xem tệp đính kèm" every week, and each week's is a new item.
    # The signature (the title's) still joins the same headline from another source in one story.
    identity = address if len(body_syllables) < THIN_BODY_SYLLABLES else ""
    return _fingerprint(title_syllables, body_syllables, identity), minhash64(shingles)


def lead_syllables(
    body: str, body_syllables: list[str] | None = None, lead_words: int = LEAD_WORDS
) -> list[str]:
    """The syllables a story signature reads of `body`: its first sentence of
    `LEAD_SENTENCE_MIN_SYLLABLES` or more, cut at `lead_words`.

    A teaser is that sentence (or begins with it) and so is the full article's lead, whatever
    follows it and whatever short line (a dateline, a caption) stands before it. A body with no
    such sentence gives its first `lead_words` syllables (`body_syllables` when already known).
    """
    for sentence in iter_sentences(body[:LEAD_SCAN_CHARS]):
        words = syllables(sentence)
        if len(words) >= LEAD_SENTENCE_MIN_SYLLABLES:
            return words[:lead_words]
    if body_syllables is None:
        body_syllables = syllables(body)
    return body_syllables[:lead_words]


def _fingerprint(title_syllables: list[str], body_syllables: list[str], address: str = "") -> str:
    key = " ".join(title_syllables) + "\x1f" + " ".join(body_syllables)
    if address:
        key += "\x1f" + address
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def story_shingles(title: str, body: str, size: int = SHINGLE_SIZE, lead_words: int = LEAD_WORDS) -> set[str]:
    """Syllable `size`-grams of the title and of the body's lead sentence (`lead_syllables`).

    Title and lead are shingled separately so no shingle straddles the seam; a text shorter
    than `size` contributes itself as one shingle.
    """
    return _shingles(syllables(title), lead_syllables(body, lead_words=lead_words), size)


def _shingles(title_words: list[str], lead_words: list[str], size: int) -> set[str]:
    shingles: set[str] = set()
    for words in (title_words, lead_words):
        if 0 < len(words) < size:
            shingles.add(" ".join(words))
        shingles.update(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    return shingles


def _hash64(feature: str) -> int:
    # For bench/dedup_threshold.py (SimHash). Not hash(): it changes with PYTHONHASHSEED.
    return int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")


def _probe_order(bin_index: int) -> tuple[int, ...]:
    # Derived from a fixed label, not from `random`, so every install computes the same signatures.
    def rank(other: int) -> bytes:
        return hashlib.blake2b(f"bantin-oph-{bin_index}-{other}".encode(), digest_size=8).digest()

    return tuple(sorted((other for other in range(64) if other != bin_index), key=rank))


# Each bin's own fixed random order of the other bins: an empty bin takes the minimum of the
# first non-empty bin in its order (optimal densification, Shrivastava 2017). Two sets that
# leave the same bins empty borrow from the same bins, so a borrowed bit still agrees with
# probability J + (1 - J) / 2, and bins borrowing from one bin do not all copy the same bit.
_PROBES = tuple(_probe_order(index) for index in range(64))


def minhash64(features: set[str]) -> int:
    """1-bit one-permutation MinHash: 64 bins, one bit of each bin's minimum.

    One 72-bit hash per feature: its first byte picks the bin (of 64), the other 64 bits are
    the value; bit i of the signature is bit i of the minimum value in bin i, or in the bin
    that empty bin i borrows from (see `_PROBES`). Two sets with Jaccard similarity J then
    agree on each bit with probability about J + (1 - J) / 2, as with 64 independent
    permutations, so the expected Hamming distance is 32 * (1 - J): 0 for copies, about 32 for
    unrelated texts. One hash per feature instead of 64 makes it ~10x faster in pure Python.
    An empty set gives 0.
    """
    if not features:
        return 0
    minima: list[int | None] = [None] * 64
    for feature in features:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=9).digest()
        index = digest[0] & 63
        value = int.from_bytes(digest[1:], "big")
        current = minima[index]
        if current is None or value < current:
            minima[index] = value
    signature = 0
    for index, value in enumerate(minima):
        if value is None:
            value = next(minima[other] for other in _PROBES[index] if minima[other] is not None)
        signature |= value & (1 << index)
    return signature


def story_signature(title: str, body: str) -> int:
    """Unsigned 64-bit signature of the story's title and lead sentence (see the module docstring).

    Texts with no syllable at all give 0; do not compare such stories by signature.
    """
    return minhash64(story_shingles(title, body))


def signature_distance(a: int, b: int) -> int:
    """Hamming distance between two signatures, signed or unsigned."""
    return ((a ^ b) & _MASK64).bit_count()


def same_story(a: int, b: int, threshold: int = SAME_STORY_MAX_DISTANCE) -> bool:
    """True when two signatures are at most `threshold` bits apart."""
    return signature_distance(a, b) <= threshold


def to_signed64(value: int) -> int:
    """An unsigned 64-bit value as the signed integer a BIGINT column holds."""
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def from_signed64(value: int) -> int:
    """A BIGINT read back as the unsigned 64-bit signature."""
    return value & _MASK64


def band_keys(signature: int, bands: int = BANDS) -> list[int]:
    """One lookup key per band: the band's index in the high bits, its bits below.

    Keys of different bands never collide, so one indexed column can hold all of them, and
    every key fits in a BIGINT. Band widths are as equal as possible (64 bits over 4 bands:
    16 bits each; over 6 bands: 11, 11, 11, 11, 10, 10).
    """
    if not 2 <= bands <= 32:
        raise ValueError(f"bands must be in 2..32, got {bands}")
    signature &= _MASK64
    shift = -(-64 // bands)  # the widest band's width
    keys = []
    start = 0
    for index in range(bands):
        width = 64 // bands + (1 if index < 64 % bands else 0)
        keys.append((index << shift) | ((signature >> start) & ((1 << width) - 1)))
        start += width
    return keys
