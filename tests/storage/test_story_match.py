"""Finding an item's story: chunk lookup keys, and stories joined within one stored batch."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from news.entries import Entry
from news.fingerprint import signature_distance, to_signed64
from news.prepare import prepare_entry
from storage.items import store_items
from storage.models import Item, Source, Story, StoryBand, StorySource
from storage.sources import SourceSpec, add_source
from storage.story_match import CHUNK_KEY_BASE, closest_story, probe_keys, story_keys

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
LEAD = (
    "Ủy ban nhân dân huyện Thủy Tiên vừa tổng kết công tác hòa giải ở cơ sở năm 2026. "
    "Các tổ hòa giải đã giải quyết thành công 412 vụ việc, đạt tỷ lệ 87,5%, góp phần giữ gìn "
    "an ninh trật tự và sự hòa thuận trong khu dân cư."
)
TITLE = "Huyện Thủy Tiên hòa giải thành công 412 vụ việc ở cơ sở"


def flip(signature: int, bits: list[int]) -> int:
    for bit in bits:
        signature ^= 1 << bit
    return signature


def test_a_story_stores_four_chunk_keys_and_an_item_probes_sixty_eight():
    rng = random.Random(3)
    for _ in range(200):
        signature = rng.getrandbits(64)
        stored, probes = story_keys(signature), probe_keys(signature)
        assert len(set(stored)) == len(stored) == 4
        assert len(set(probes)) == len(probes) == 4 * 17
        assert set(stored) <= set(probes)
        assert all(CHUNK_KEY_BASE <= key < 2 * CHUNK_KEY_BASE for key in probes)
        assert story_keys(to_signed64(signature)) == stored, "signed (as stored) or not, the same keys"


def test_a_signature_of_zero_has_no_keys():
    assert story_keys(0) == probe_keys(0) == []


@pytest.mark.parametrize("distance", range(0, 8))
def test_signatures_up_to_seven_bits_apart_are_always_found(distance):
    rng = random.Random(distance)
    for _ in range(500):
        signature = rng.getrandbits(64) | 1
        other = flip(signature, rng.sample(range(64), distance))
        assert set(probe_keys(signature)) & set(story_keys(other))


def test_eight_bits_apart_two_in_every_chunk_are_not_looked_up():
    signature = random.Random(7).getrandbits(64) | 1
    spread = flip(signature, [0, 1, 16, 17, 32, 33, 48, 49])
    bunched = flip(signature, [0, 1, 2, 16, 17, 32, 33, 48])  # the last chunk is one bit off
    assert not set(probe_keys(signature)) & set(story_keys(spread))
    assert set(probe_keys(signature)) & set(story_keys(bunched))


def test_unrelated_signatures_rarely_become_candidates():
    rng = random.Random(11)
    pairs = 20_000
    shared = sum(
        bool(set(probe_keys(rng.getrandbits(64))) & set(story_keys(rng.getrandbits(64))))
        for _ in range(pairs)
    )
    assert shared / pairs < 0.002  # 68/65536 expected


def test_closest_story_prefers_the_nearest_then_the_oldest():
    signature = random.Random(5).getrandbits(64) | 1
    near, far, too_far = (
        flip(signature, [1]),
        flip(signature, [1, 2, 3]),
        flip(signature, list(range(0, 64, 8))),
    )
    candidates = {}
    for story_id, other in [(3, far), (9, near), (4, near), (1, too_far)]:
        for key in story_keys(other):
            candidates.setdefault(key, []).append((story_id, other))
    assert closest_story(signature, candidates) == 4
    assert signature_distance(signature, too_far) == 8
    assert closest_story(flip(signature, list(range(0, 64, 8))), {}) is None


# -- in the database --------------------------------------------------------------------------------


async def _source(db, name: str) -> Source:
    async with db.transaction() as s:
        return await add_source(s, SourceSpec(name=name, url=f"https://{name}.example.vn/rss"), NOW)


async def _store(db, source: Source, *entries: Entry, now=NOW):
    async with db.transaction() as s:
        row = await s.get(Source, source.id)
        return await store_items(s, row, [prepare_entry(e, words=40) for e in entries], now)


async def _count(db, model) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_a_story_first_told_in_a_batch_is_joined_by_a_later_item_of_that_batch(fresh_db):
    a = await _source(fresh_db, "a")
    result = await _store(
        fresh_db, a,
        Entry(url="https://a.example.vn/1.html", title=TITLE, body=LEAD, published=NOW),
        Entry(url="https://a.example.vn/2.html", title="Nông dân thu hoạch lúa hè thu", body="Năng suất cao, giá ổn định."),
        Entry(url="https://a.example.vn/3.html", title=TITLE + " - Báo A", body=LEAD + " Hội nghị khen thưởng 12 tổ.", published=NOW),
    )  # fmt: skip
    assert (result.new, len(result.new_item_ids), len(result.new_story_ids)) == (3, 3, 2)
    async with fresh_db.session() as s:
        counts = sorted((await s.scalars(select(Story.item_count))).all())
        keys = await s.scalar(select(func.count()).select_from(StoryBand))
        links = await s.scalar(select(func.count()).select_from(StorySource))
        story_of = dict((await s.execute(select(Item.url, Item.story_id))).all())
    assert counts == [1, 2]
    assert keys == 2 * 4
    assert links == 2
    assert story_of["https://a.example.vn/1.html"] == story_of["https://a.example.vn/3.html"]


async def test_twins_within_one_batch_are_one_item(fresh_db):
    a = await _source(fresh_db, "a")
    result = await _store(
        fresh_db, a,
        Entry(url="https://a.example.vn/1.html", title=TITLE, body=LEAD),
        Entry(url="https://a.example.vn/1.html?utm_source=rss", title=TITLE, body=LEAD, guid="other-guid"),
        Entry(url="https://a.example.vn/9.html", title=TITLE.replace("hòa", "hoà"), body=LEAD.replace("hòa", "hoà")),
    )  # fmt: skip
    assert (result.new, result.duplicate) == (1, 2)
    assert await _count(fresh_db, Item) == 1


async def test_an_old_story_is_not_joined_after_the_window(fresh_db):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, Entry(url="https://a.example.vn/1.html", title=TITLE, body=LEAD))
    later = NOW + timedelta(days=4)
    result = await _store(
        fresh_db, b, Entry(url="https://b.example.vn/1.html", title=TITLE + " - Báo B", body=LEAD), now=later
    )
    assert len(result.new_story_ids) == 1
    assert await _count(fresh_db, Story) == 2


SYLLABLES = (
    "ba bến biển cầu chợ dân điện đường giá hàng huyện lúa mưa nhà nông phố sông tàu tỉnh trường xã".split()
)


def _made_up_story(rng: random.Random, number: int) -> tuple[str, str]:
    def words(n: int) -> str:
        return " ".join(rng.choice(SYLLABLES) for _ in range(n))

    # Lead sentences of 30 syllables, about a real one's length (VietNews median 33): the signature
    # reads the title and the first sentence, and " - Báo B" must stay a small part of that.
    return f"Tin số {number}: {words(8)}", ". ".join(words(30).capitalize() for _ in range(4)) + "."


async def test_a_big_batch_finds_every_story_it_retells(fresh_db):
    """80 items probe 5,440 keys in one lookup; every one of the 80 stories is found again."""
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    rng = random.Random(80)
    stories = [_made_up_story(rng, n) for n in range(80)]
    await _store(
        fresh_db, a, *(Entry(url=f"https://a.example.vn/{n}.html", title=t, body=body) for n, (t, body) in enumerate(stories))
    )  # fmt: skip

    retold = await _store(
        fresh_db, b,
        *(Entry(url=f"https://b.example.vn/{n}.html", title=t + " - Báo B", body=body) for n, (t, body) in enumerate(stories)),
    )  # fmt: skip

    assert (retold.new, retold.new_story_ids) == (80, [])
    assert await _count(fresh_db, Story) == 80


async def test_only_stories_within_the_same_story_distance_come_back_from_the_lookup(fresh_db):
    """All three share the item's first chunk key; the database leaves out the one 8 bits away."""
    from storage.story_match import candidate_stories, story_key_rows

    item = to_signed64(0x0123_4567_89AB_CDEF)
    near = {1: to_signed64(flip(item, [16, 20, 33, 40, 50, 60, 63])), 2: item}  # story id -> signature
    far = to_signed64(flip(item, [16, 20, 33, 40, 50, 60, 62, 63]))
    async with fresh_db.transaction() as s:
        for story_id, signature in [*near.items(), (3, far)]:
            s.add(Story(id=story_id, title=f"Tin {story_id}", url=f"https://a.vn/{story_id}", signature=signature,
                        published_at=NOW, first_seen_at=NOW, item_count=1))  # fmt: skip
        await s.flush()
        rows = [r for story_id, sig in [*near.items(), (3, far)] for r in story_key_rows(story_id, sig, NOW)]
        await s.execute(StoryBand.__table__.insert(), rows)
    assert [signature_distance(item, sig) for sig in [*near.values(), far]] == [7, 0, 8]

    async with fresh_db.session() as s:
        found = await candidate_stories(s, [item], NOW - timedelta(days=1))

    assert {story_id for stories in found.values() for story_id, _ in stories} == set(near)
    assert closest_story(item, found) == 2


async def test_the_lookup_reads_the_key_index_on_sqlite(sqlite_db):
    from storage.story_match import _probed_near

    async with sqlite_db.session() as s:
        stmt = _probed_near(s, [to_signed64(0x0123_4567_89AB_CDEF)], NOW)
        compiled = stmt.compile(s.bind)
        conn = await s.connection()
        params = tuple(compiled.params[name] for name in compiled.positiontup)
        plan = " / ".join(
            row[3] for row in await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params)
        )
    assert "SEARCH story_bands USING PRIMARY KEY (band=? AND first_seen_at>?)" in plan, plan


# Notices one portal posts again and again under one long title, the text in an attachment: two
# notices, not one story (a story joins the same news from other sources, or the same item updated).
RECURRING_NOTICES = [
    ("Lịch công tác tuần của Ban Thường vụ Tỉnh ủy", "Xem tệp đính kèm"),
    ("Thông báo kết luận của Thường trực Hội đồng nhân dân tỉnh", ""),
    ("Danh sách thí sinh đủ điều kiện dự tuyển viên chức năm nay", "Tải về tại đây."),
]


def _notice(number: int, title: str, body: str, source: str = "a") -> Entry:
    return Entry(url=f"https://{source}.example.vn/thong-bao-{number}.html", title=title, body=body)


@pytest.mark.parametrize(("title", "body"), RECURRING_NOTICES)
@pytest.mark.parametrize("stored", ["two days apart", "in one poll", "in one poll with a twin"])
async def test_two_notices_of_one_portal_under_one_title_are_two_stories(fresh_db, title, body, stored):
    a = await _source(fresh_db, "a")
    first, second = _notice(1, title, body), _notice(2, title, body)
    if stored == "two days apart":
        await _store(fresh_db, a, first)
        result = await _store(fresh_db, a, second, now=NOW + timedelta(days=2))
        assert (result.new, len(result.new_story_ids)) == (1, 1)
    else:
        twin = [Entry(url=f"{first.url}?utm_source=rss", title=title, body=body, guid="twin")]
        result = await _store(fresh_db, a, first, second, *(twin if stored.endswith("twin") else []))
        assert (result.new, len(result.new_story_ids)) == (2, 2)
    assert await _count(fresh_db, Story) == 2


@pytest.mark.parametrize(("title", "body"), RECURRING_NOTICES)
async def test_another_portals_copy_of_a_notice_still_joins_its_story(fresh_db, title, body):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, _notice(1, title, body), _notice(2, title, body))

    copy = await _store(fresh_db, b, _notice(1, title, body, source="b"), now=NOW + timedelta(hours=3))

    assert (copy.new, copy.new_story_ids) == (1, [])
    assert await _count(fresh_db, Story) == 2
