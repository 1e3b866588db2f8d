"""Which stored story a new item tells: lookup keys of a signature, candidates, the closest one.

news.fingerprint cuts the 64-bit story signature into BANDS (8) bands of 8 bits, so two
signatures within the same-story distance (7) share at least one whole band. Looking stories up
by single bands does not scale, though: an unrelated story shares one of 8 band values with
probability 8/256 (3%), so with 100,000 stories in the window every new item reads 3,000
candidate rows, and a cold poll of 100,000 items reads 150 million.

The keys stored here are pairs of bands (28 per story, 16 bits each). Two signatures at distance
<= BANDS - 2 (6) leave at least two bands untouched, so they share a pair key (pigeonhole); at
distance 7 they do unless the seven differing bits fall in seven different bands, which happens
to 2.7% of random 7-bit differences. An unrelated story shares a pair key with probability
28/65,536 (0.04%): 43 candidate rows at 100,000 stories instead of 3,000.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from news.fingerprint import BANDS, SAME_STORY_MAX_DISTANCE, from_signed64, signature_distance
from storage.models import Story, StoryBand

_BAND_BITS = 64 // BANDS
_BAND_MASK = (1 << _BAND_BITS) - 1
_PAIRS = tuple(combinations(range(BANDS), 2))
# Pair keys sit above every single-band key news.fingerprint.band_keys makes (< 2**11), so
# the two kinds can never be confused in story_bands.band.
PAIR_KEY_BASE = 1 << 21

Candidates = dict[int, list[tuple[int, int]]]  # lookup key -> [(story id, signature)]


def story_keys(signature: int) -> list[int]:
    """The lookup keys of a (signed or unsigned) signature; none for 0, which says nothing."""
    unsigned = from_signed64(signature)
    if unsigned == 0:
        return []
    bands = [(unsigned >> (index * _BAND_BITS)) & _BAND_MASK for index in range(BANDS)]
    return [
        PAIR_KEY_BASE + (pair << (2 * _BAND_BITS)) + (bands[i] << _BAND_BITS) + bands[j]
        for pair, (i, j) in enumerate(_PAIRS)
    ]


async def candidate_stories(session: AsyncSession, signatures: list[int], since: datetime) -> Candidates:
    """Stories first seen since `since` that share a lookup key with one of `signatures`."""
    keys = {key for signature in signatures for key in story_keys(signature)}
    if not keys:
        return {}
    rows = await session.execute(
        select(StoryBand.band, Story.id, Story.signature)
        .join(Story, Story.id == StoryBand.story_id)
        .where(StoryBand.band.in_(keys), Story.first_seen_at >= since)
    )
    found: Candidates = defaultdict(list)
    for key, story_id, signature in rows:
        found[key].append((story_id, signature))
    return found


def closest_story(signature: int, candidates: Candidates) -> int | None:
    """The candidate nearest to `signature` within the same-story distance (ties: the oldest)."""
    best: tuple[int, int] | None = None
    for key in story_keys(signature):
        for story_id, other in candidates.get(key, ()):
            distance = signature_distance(other, signature)
            if distance <= SAME_STORY_MAX_DISTANCE and (best is None or (distance, story_id) < best):
                best = (distance, story_id)
    return best[1] if best else None


def add_candidate(candidates: Candidates, story_id: int, signature: int) -> None:
    """Make a story created in this batch findable by the batch's later items."""
    for key in story_keys(signature):
        candidates.setdefault(key, []).append((story_id, signature))
