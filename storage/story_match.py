"""Which stored story a new item tells: lookup keys of a signature, candidates, the closest one.

Two signatures tell the same story within Hamming distance 7 (news.fingerprint). The 64 bits
are cut into CHUNKS (4) chunks of 16 bits; each story stores one key per chunk. Two signatures
within distance 7 differ by at most one bit in some chunk (four chunks with two or more
differing bits would make 8), so a new item looks up each of its chunks and every value one bit
away from it: 4 x 17 = 68 probe keys, and none of the near stories is missed.

This replaced pairs of 8-bit bands (28 keys stored per story; an unrelated story matched with
probability 0.04%, but 2.7% of stories at distance 7 were missed). Every stored key is a random
place in the key index, so a story's 28 keys made 28 scattered page writes: more than half of
a cold poll's storage time. Four keys cost a seventh of that; in exchange an unrelated story
becomes a candidate with probability 68/65,536 (0.1%): about 100 candidate rows per item at
100,000 stories in the window, filtered by the exact distance.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Container, Iterable
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import BigInteger, bindparam, cast, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY, BIT
from sqlalchemy.ext.asyncio import AsyncSession

from news.fingerprint import SAME_STORY_MAX_DISTANCE, from_signed64, signature_distance
from storage.db import SIGNATURE_DISTANCE
from storage.models import StoryBand, StorySource

STORY_WINDOW = timedelta(days=3)  # a story stays open to new sources this long

CHUNKS = 4
_CHUNK_BITS = 64 // CHUNKS
_CHUNK_MASK = (1 << _CHUNK_BITS) - 1
# Above every key of the band schemes stored before migration 0003 (all < 2**22).
CHUNK_KEY_BASE = 1 << 23

Candidates = dict[int, list[tuple[int, int]]]  # stored key -> [(story id, signature)]


def _chunks(signature: int) -> Iterable[tuple[int, int]]:
    """(key base, chunk value) per chunk of a non-zero signature."""
    unsigned = from_signed64(signature)
    for index in range(CHUNKS):
        yield CHUNK_KEY_BASE + (index << _CHUNK_BITS), (unsigned >> (index * _CHUNK_BITS)) & _CHUNK_MASK


def story_key_rows(story_id: int, signature: int, first_seen_at: datetime) -> list[dict]:
    """The story_bands rows of a story: its keys, each with what a lookup reads of the story."""
    return [
        {"band": key, "first_seen_at": first_seen_at, "story_id": story_id, "signature": signature}
        for key in story_keys(signature)
    ]


def story_keys(signature: int) -> list[int]:
    """The keys a story stores: one per chunk. None for 0, a signature that says nothing."""
    if from_signed64(signature) == 0:
        return []
    return [base + value for base, value in _chunks(signature)]


def probe_keys(signature: int) -> list[int]:
    """The keys an item looks up: each chunk and its values one bit away."""
    return list(_probes(signature))


@lru_cache(maxsize=1024)
def _probes(signature: int) -> tuple[int, ...]:
    # Cached: a batch's lookup (candidate_stories) and its choice per item (closest_story) both
    # need each item's 68 keys, one right after the other.
    if from_signed64(signature) == 0:
        return ()
    keys = []
    for base, value in _chunks(signature):
        keys.append(base + value)
        keys.extend(base + (value ^ (1 << bit)) for bit in range(_CHUNK_BITS))
    return tuple(keys)


def _probed_near(session: AsyncSession, signatures: list[int], since: datetime):
    """Story keys one of `signatures` probes, of stories first seen since `since` and within the
    same-story distance of the signature that probed them.

    The probe keys go in one bound parameter: rendered as thousands of parameters, the list cost
    more to build than the lookup itself. The distance is checked in the database, so only near
    stories come back: at 100,000 stories in the window an item meets about 100 unrelated
    candidates, and sending them over was most of the lookup.
    """
    unique = list(dict.fromkeys(signatures))
    columns = (StoryBand.band, StoryBand.story_id, StoryBand.signature)
    if session.bind.dialect.name == "postgresql":
        pairs = [(key, signature) for signature in unique for key in _probes(signature)]
        probe = (
            func.unnest(
                bindparam("probe_keys", [k for k, _ in pairs], type_=ARRAY(BigInteger)),
                bindparam("probe_signatures", [s for _, s in pairs], type_=ARRAY(BigInteger)),
            )
            .table_valued("key", "signature")
            .render_derived(name="probe")
        )
        # LATERAL, kept from being merged into a plain join by its OFFSET: one index lookup per
        # probe key. As a plain join PostgreSQL sorted the whole key table for a merge join
        # (85 ms instead of a few at 40,000 stories).
        band = (
            select(*columns)
            .where(StoryBand.band == probe.c.key, StoryBand.first_seen_at >= since)
            .offset(0)
            .lateral("band")
        )
        distance = func.bit_count(cast(band.c.signature.op("#")(probe.c.signature), BIT(64)))
        return (
            select(band.c.band, band.c.story_id, band.c.signature)
            .select_from(probe)
            .join(band, true())
            .where(distance <= SAME_STORY_MAX_DISTANCE)
        )
    # [[signature, key, key, ...], ...]: each signature once, with its 68 keys after it
    lists = json.dumps([[signature, *_probes(signature)] for signature in unique])
    item = func.json_each(bindparam("probes", lists)).table_valued("value").alias("item")
    probe = func.json_each(item.c.value).table_valued("key", "value").alias("probe")
    distance = getattr(func, SIGNATURE_DISTANCE)(StoryBand.signature, func.json_extract(item.c.value, "$[0]"))
    return (
        select(*columns)
        .select_from(item.join(probe, probe.c.key > 0))
        .join(StoryBand, StoryBand.band == probe.c.value)
        .where(StoryBand.first_seen_at >= since, distance <= SAME_STORY_MAX_DISTANCE)
    )


async def candidate_stories(session: AsyncSession, signatures: list[int], since: datetime) -> Candidates:
    """Stories first seen since `since`, within the same-story distance of one of `signatures`,
    under each key they were found by."""
    found: Candidates = defaultdict(list)
    signatures = [s for s in signatures if _probes(s)]
    if not signatures:
        return found
    for key, story_id, signature in await session.execute(_probed_near(session, signatures, since)):
        found[key].append((story_id, signature))
    return found


def closest_story(signature: int, candidates: Candidates, skip: Container[int] = ()) -> int | None:
    """The candidate nearest to `signature` within the same-story distance (ties: the oldest), other
    than the stories in `skip`."""
    best: tuple[int, int] | None = None
    for key in _probes(signature):
        for story_id, other in candidates.get(key, ()):
            if story_id in skip:
                continue
            distance = signature_distance(other, signature)
            if distance <= SAME_STORY_MAX_DISTANCE and (best is None or (distance, story_id) < best):
                best = (distance, story_id)
    return best[1] if best else None


def candidate_ids(candidates: Candidates, signature: int) -> set[int]:
    """The stories `signature` found among the candidates (within the distance or not)."""
    return {story_id for key in _probes(signature) for story_id, _ in candidates.get(key, ())}


async def stories_carried(
    session: AsyncSession, story_ids: Iterable[int], source_ids: Iterable[int]
) -> set[tuple[int, int]]:
    """(story id, source id) of these stories that these sources carry already."""
    story_ids, source_ids = sorted(set(story_ids)), sorted(set(source_ids))
    if not story_ids or not source_ids:
        return set()
    found: set[tuple[int, int]] = set()
    for start in range(0, len(story_ids), 500):  # well under the databases' parameter limits
        rows = await session.execute(
            select(StorySource.story_id, StorySource.source_id).where(
                StorySource.story_id.in_(story_ids[start : start + 500]),
                StorySource.source_id.in_(source_ids),
            )
        )
        found.update((story_id, source_id) for story_id, source_id in rows)
    return found


def add_candidate(candidates: Candidates, story_id: int, signature: int) -> None:
    """Make a story created in this batch findable by the batch's later items."""
    for key in story_keys(signature):
        candidates.setdefault(key, []).append((story_id, signature))
