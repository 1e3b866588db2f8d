"""Storing items: one item per guid / canonical URL / content, one story across sources."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from news.entries import Entry
from news.prepare import disambiguate_guids, prepare_entry
from storage.items import store_items
from storage.models import Item, Source, Story, StorySource
from storage.sources import SourceSpec, add_source

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
PLUS7 = timezone(timedelta(hours=7))

BODY = (
    "Sáng 18/9, Ban Thường vụ Tỉnh ủy tổ chức hội nghị tổng kết công tác xây dựng Đảng nhiệm kỳ qua. "
    "Hội nghị ghi nhận từ đầu nhiệm kỳ đã kiểm tra 7.743 lượt tổ chức đảng cấp dưới. "
    "Đồng chí Bí thư Tỉnh ủy phát biểu chỉ đạo, đề nghị các cấp ủy tiếp tục đổi mới phương thức lãnh đạo."
)


def entry(url="https://tinh.example.vn/tin/hoi-nghi-123.html", title="Hội nghị tổng kết xây dựng Đảng",
          body=BODY, guid=None, published=NOW - timedelta(hours=1)) -> Entry:
    return Entry(url=url, title=title, guid=guid, body=body, published=published)


def prep(*entries: Entry):
    return [prepare_entry(e, words=40) for e in disambiguate_guids(list(entries))]


async def _source(db, name: str) -> Source:
    async with db.transaction() as s:
        return await add_source(s, SourceSpec(name=name, url=f"https://{name}.example.vn/rss"), NOW)


async def _store(db, source: Source, *entries: Entry, now=NOW):
    async with db.transaction() as s:
        row = await s.get(Source, source.id)
        return await store_items(s, row, prep(*entries), now)


async def _count(db, model) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_new_then_duplicate(fresh_db):
    src = await _source(fresh_db, "tinh")
    first = await _store(fresh_db, src, entry())
    again = await _store(fresh_db, src, entry())
    assert (first.new, first.duplicate) == (1, 0)
    assert (again.new, again.updated, again.duplicate) == (0, 0, 1)
    assert await _count(fresh_db, Item) == 1
    second = await _store(fresh_db, src, entry(), entry(url="https://tinh.example.vn/tin/khac-9.html", body="Khác."))
    assert second.new == 1
    async with fresh_db.session() as s:
        assert (await s.get(Source, src.id)).item_count == 2  # what /feeds shows: new items counted once


async def test_changed_title_under_same_guid_updates(fresh_db):
    src = await _source(fresh_db, "tinh")
    await _store(fresh_db, src, entry(guid="g-1"))
    result = await _store(fresh_db, src, entry(guid="g-1", title="Hội nghị tổng kết công tác xây dựng Đảng (cập nhật)"))
    assert (result.new, result.updated) == (0, 1)
    async with fresh_db.session() as s:
        item = await s.scalar(select(Item))
    assert item.title.endswith("(cập nhật)")
    assert item.updated_at is not None


async def test_same_url_with_tracking_parameters_from_another_source_is_one_item(fresh_db):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, entry(url="https://tinh.example.vn/tin/hoi-nghi-123.html"))
    result = await _store(
        fresh_db, b, entry(url="https://TINH.example.vn:443/tin/hoi-nghi-123.html?utm_source=zalo&fbclid=x#top")
    )
    assert (result.new, result.duplicate) == (0, 1)
    assert await _count(fresh_db, Item) == 1
    async with fresh_db.session() as s:
        sources = (await s.scalars(select(StorySource.source_id))).all()
    assert sorted(sources) == sorted([a.id, b.id]), "the story records both sources"


async def test_same_content_with_other_tone_marks_is_a_duplicate(fresh_db):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    body = "Ủy ban tổ chức hội nghị hòa giải ở cơ sở cho hòa giải viên của mười hai xã trong huyện Thủy Tiên."
    await _store(fresh_db, a, entry(title="Hội nghị về hòa giải ở cơ sở", body=body))
    result = await _store(
        fresh_db, b,
        entry(url="https://b.example.vn/x.html", title="Hội nghị về hoà giải ở cơ sở",
              body=body.replace("Ủy", "Uỷ").replace("hòa", "hoà").replace("Thủy", "Thuỷ")),
    )
    assert (result.new, result.duplicate) == (0, 1)


async def test_near_duplicate_from_another_source_joins_the_story(fresh_db):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, entry())
    result = await _store(
        fresh_db, b,
        entry(url="https://bao.example.vn/bai-456.html", title="Hội nghị tổng kết xây dựng Đảng - Báo tỉnh",
              body=BODY + " Hội nghị kết thúc trong ngày."),
    )
    assert result.new == 1 and result.new_story_ids == []
    assert await _count(fresh_db, Item) == 2
    assert await _count(fresh_db, Story) == 1
    async with fresh_db.session() as s:
        assert await s.scalar(select(Story.item_count)) == 2


async def test_different_stories_stay_apart(fresh_db):
    a = await _source(fresh_db, "a")
    result = await _store(
        fresh_db, a, entry(),
        entry(url="https://tinh.example.vn/tin/lua-789.html", title="Nông dân thu hoạch lúa hè thu",
              body="Nông dân huyện Châu Thành đang thu hoạch lúa hè thu với năng suất cao, giá lúa ổn định."),
    )
    assert result.new == 2 and len(result.new_story_ids) == 2


async def test_repeated_guid_in_one_feed_is_disambiguated_by_url(fresh_db):
    a = await _source(fresh_db, "a")
    result = await _store(
        fresh_db, a,
        entry(guid="same", url="https://a.example.vn/1.html", title="Tin thứ nhất", body="Nội dung một khác hẳn."),
        entry(guid="same", url="https://a.example.vn/2.html", title="Tin thứ hai", body="Nội dung hai hoàn toàn khác."),
    )
    assert result.new == 2


async def test_undated_item_keeps_its_first_seen_time(fresh_db):
    a = await _source(fresh_db, "a")
    await _store(fresh_db, a, entry(published=None), now=NOW)
    await _store(fresh_db, a, entry(published=None), now=NOW + timedelta(hours=5))
    async with fresh_db.session() as s:
        item = await s.scalar(select(Item))
    assert item.published_at == NOW and item.dated is False


@pytest.mark.parametrize("together", [False, True], ids=["one by one", "together"])
@pytest.mark.parametrize(
    ("published", "stored", "dated"),
    [
        (NOW - timedelta(minutes=1), NOW - timedelta(minutes=1), True),
        (NOW, NOW, True),
        (NOW + timedelta(minutes=5), NOW, False),  # a clock ahead, or a wrong zone
        (datetime(2031, 1, 1, tzinfo=UTC), NOW, False),  # `Từ ngày 01/01/2031, …` in the text
    ],
)
async def test_an_item_dated_after_it_was_seen_keeps_its_first_seen_time(
    fresh_db, published, stored, dated, together
):
    a = await _source(fresh_db, "a")
    if together:
        await _store_together(fresh_db, [(a, [entry(published=published)])])
    else:
        await _store(fresh_db, a, entry(published=published), now=NOW)
    async with fresh_db.session() as s:
        item = await s.scalar(select(Item))
        story = await s.scalar(select(Story))
    assert (item.published_at, item.dated, story.published_at) == (stored, dated, stored)


TODAY_START = datetime(2026, 11, 27, tzinfo=PLUS7)  # NOW is 08:00 of this day at UTC+7


@pytest.mark.parametrize("together", [False, True], ids=["one by one", "together"])
@pytest.mark.parametrize(
    ("day_start", "stored", "day"),
    [
        # a page saying `Ngày: 27.11.2026` read that day: its first-seen time, its day shown
        (TODAY_START, NOW, date(2026, 11, 27)),
        # read days later: noon of its day
        (TODAY_START - timedelta(days=2), datetime(2026, 11, 25, 12, tzinfo=PLUS7), date(2026, 11, 25)),
        # a day not yet begun: not credible, so undated and no day shown
        (TODAY_START + timedelta(days=1), NOW, None),
    ],
)
async def test_a_story_dated_by_its_day_alone_keeps_the_day_and_a_place_in_time(
    fresh_db, day_start, stored, day, together
):
    dated_by_day = entry(published=day_start.astimezone(UTC))
    dated_by_day.published_day = day_start.date()
    a = await _source(fresh_db, "a")
    if together:
        await _store_together(fresh_db, [(a, [dated_by_day])])
    else:
        await _store(fresh_db, a, dated_by_day, now=NOW)
    async with fresh_db.session() as s:
        story = await s.scalar(select(Story))
    assert (story.published_at, story.published_day) == (stored, day)


async def test_concurrent_polls_cannot_insert_twins(fresh_db):
    a = await _source(fresh_db, "a")
    results = await asyncio.gather(*(_store(fresh_db, a, entry()) for _ in range(4)))
    assert sum(r.new for r in results) == 1
    assert await _count(fresh_db, Item) == 1


@pytest.mark.parametrize("dup_key", ["guid", "canonical_url", "content_fingerprint"])
async def test_database_enforces_uniqueness(fresh_db, dup_key):
    from sqlalchemy.exc import IntegrityError

    a = await _source(fresh_db, "a")
    await _store(fresh_db, a, entry(guid="g"))
    async with fresh_db.session() as s:
        item = await s.scalar(select(Item))
        twin = Item(
            source_id=a.id, guid="other", url="u", canonical_url="https://other.example/",
            title="t", published_at=NOW, content_fingerprint="f" * 64, signature=0,
        )
        setattr(twin, dup_key, getattr(item, dup_key))
        s.add(twin)
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_changed_text_drops_the_cached_abstractive_summary(fresh_db):
    src = await _source(fresh_db, "tinh")
    await _store(fresh_db, src, entry(guid="g-1"))
    async with fresh_db.transaction() as s:
        item = await s.scalar(select(Item))
        item.summary_llm = "Tóm tắt cũ của bài viết."
    await _store(fresh_db, src, entry(guid="g-1", body=BODY + " Đoạn mới được bổ sung sau khi đăng."))
    async with fresh_db.session() as s:
        assert await s.scalar(select(Item.summary_llm)) is None


# -- several sources' new items in one go (a poll's write group) ---------------------------------

OTHER_BODY = "Nông dân huyện Châu Thành thu hoạch lúa hè thu, năng suất đạt 6,5 tấn một héc-ta, cao hơn vụ trước."


async def _store_together(db, batches):
    from storage.items import store_new_items_together

    async with db.transaction() as s:
        return await store_new_items_together(s, [(src.id, prep(*entries)) for src, entries in batches], NOW)


async def test_new_items_of_several_sources_are_stored_together_with_one_story_per_story(fresh_db):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    rice = entry(url="https://a.example.vn/lua.html", title="Thu hoạch lúa hè thu", body=OTHER_BODY)
    # The same story told by b (its own URL, a source suffix): it joins a's story.
    retold = entry(url="https://b.example.vn/hoi-nghi.html", title="Hội nghị tổng kết xây dựng Đảng - Báo B")

    results = await _store_together(fresh_db, [(a, [entry(), rice]), (b, [retold])])

    assert [(r.new, len(r.new_item_ids), len(r.new_story_ids)) for r in results] == [(2, 2, 2), (1, 1, 0)]
    async with fresh_db.session() as s:
        owners = dict((await s.execute(select(Item.id, Item.source_id))).all())
        links = set((await s.execute(select(StorySource.story_id, StorySource.source_id))).all())
        counts = dict((await s.execute(select(Story.id, Story.item_count))).all())
    assert [owners[i] for r in results for i in r.new_item_ids] == [a.id, a.id, b.id]
    party_story = results[0].new_story_ids[0]
    assert links == {(party_story, a.id), (results[0].new_story_ids[1], a.id), (party_story, b.id)}
    assert counts == {party_story: 2, results[0].new_story_ids[1]: 1}


@pytest.mark.parametrize(
    "batches",
    [
        pytest.param(lambda a, b: [(a, [entry()]), (b, [entry(url="https://a.example.vn/khac.html")])], id="same content"),
        pytest.param(
            lambda a, b: [(a, [entry()]), (b, [entry(url="https://tinh.example.vn/tin/hoi-nghi-123.html?utm_source=x", body=OTHER_BODY)])],
            id="same canonical URL",
        ),
    ],
)
async def test_twins_across_sources_are_not_stored_together(fresh_db, batches):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    assert await _store_together(fresh_db, batches(a, b)) is None
    assert await _count(fresh_db, Item) == 0, "nothing is written: the caller stores them source by source"


async def test_an_item_stored_already_is_not_stored_together(fresh_db):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, entry())
    rice = entry(url="https://b.example.vn/lua.html", title="Thu hoạch lúa", body=OTHER_BODY)
    assert await _store_together(fresh_db, [(b, [rice]), (a, [entry()])]) is None
    assert (await _count(fresh_db, Item), await _count(fresh_db, Story)) == (1, 1)


async def test_items_of_one_feed_sharing_a_link_under_different_guids_are_all_kept(fresh_db):
    """Each item linked to the portal's home page: two stories, not one overwritten by the other."""
    a = await _source(fresh_db, "a")
    home = "https://a.example.vn/"
    result = await _store(
        fresh_db,
        a,
        entry(guid="101", url=home, title="Khánh thành trường học mới", body="Trường có mười hai phòng học."),
        entry(guid="102", url=home, title="Nông dân trúng mùa lúa", body="Năng suất đạt gần sáu tấn mỗi ha."),
    )
    assert (result.new, result.updated) == (2, 0)
    async with fresh_db.session() as s:
        titles = (await s.scalars(select(Item.title).order_by(Item.id))).all()
    assert titles == ["Khánh thành trường học mới", "Nông dân trúng mùa lúa"]


# Boilerplate a portal reuses for different news: the text alone cannot tell them apart.
BOILERPLATE = [
    ("Thông báo", ""),
    ("Thông báo", "Xem nội dung trong tệp đính kèm."),
    ("Lịch công tác tuần", ""),
    ("Tin vắn", "Mời bạn đọc xem chi tiết tại đây."),
    ("THÔNG BÁO!", "Xem tệp đính kèm"),
]


# Notices that portals post again and again under one long title, the text in an attachment: the
# title makes a story signature, but the text still does not tell next week's notice from this one.
RECURRING_NOTICES = [
    ("Lịch công tác tuần của Ban Thường vụ Tỉnh ủy", "Xem tệp đính kèm"),
    ("Thông báo kết luận của Thường trực Hội đồng nhân dân tỉnh", ""),
    ("Kết luận của Thường trực Tỉnh ủy", "Xem nội dung trong tệp đính kèm."),
    ("Danh sách thí sinh đủ điều kiện dự tuyển viên chức", "Tải về tại đây."),
]


@pytest.mark.parametrize(("title", "body"), BOILERPLATE + RECURRING_NOTICES)
async def test_next_weeks_item_with_the_same_boilerplate_text_is_new(fresh_db, title, body):
    a = await _source(fresh_db, "a")
    await _store(fresh_db, a, entry(url="https://a.example.vn/thong-bao-1.html", title=title, body=body))
    week = timedelta(days=7)
    later = entry(url="https://a.example.vn/thong-bao-2.html", title=title, body=body, published=NOW + week)
    result = await _store(fresh_db, a, later, now=NOW + week)
    assert (result.new, result.duplicate, len(result.new_story_ids)) == (1, 0, 1)
    again = await _store(fresh_db, a, later, now=NOW + week)  # the same item polled again
    assert (again.new, again.updated, again.duplicate) == (0, 0, 1)


@pytest.mark.parametrize(("title", "body"), BOILERPLATE)
async def test_two_portals_boilerplate_items_are_two_stories(fresh_db, title, body):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, entry(url="https://a.example.vn/thong-bao.html", title=title, body=body))
    result = await _store(
        fresh_db, b, entry(url="https://b.example.vn/thong-bao.html", title=title, body=body)
    )
    assert (result.new, len(result.new_story_ids)) == (1, 1)


async def test_the_same_headline_without_a_body_from_two_portals_is_still_one_story(fresh_db):
    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    title = "Thủ tướng thăm chính thức Nhật Bản và dự hội nghị thượng đỉnh"
    await _store(fresh_db, a, entry(url="https://a.example.vn/thu-tuong.html", title=title, body=""))
    result = await _store(fresh_db, b, entry(url="https://b.example.vn/thu-tuong.html", title=title, body=""))
    # Another item (a title with no body tells no item apart: RECURRING_NOTICES), the same story.
    assert (result.new, result.duplicate, result.new_story_ids) == (1, 0, [])
    assert await _count(fresh_db, Story) == 1


TEASER_TITLE = "Cần Thơ khánh thành cầu Bình Thủy 2 nối hai quận ven sông Hậu"
TEASER = (
    "Sáng 12/3, UBND thành phố Cần Thơ khánh thành cầu Bình Thủy 2 dài 420 m, rút ngắn thời gian "
    "đi lại giữa quận Bình Thủy và quận Ninh Kiều còn khoảng mười phút."
)
FULL_ARTICLE = (
    f"Cần Thơ, 12/3/2025\n(TTXVN) - {TEASER}\nCông trình có tổng vốn đầu tư 380 tỷ đồng, khởi công "
    "từ tháng 5 năm trước và về đích sớm hơn kế hoạch hai tháng. Theo Sở Giao thông vận tải, mỗi ngày "
    "có khoảng mười hai nghìn lượt xe qua khu vực này."
)


@pytest.mark.parametrize("teaser_first", [True, False])
async def test_a_feeds_teaser_and_a_portals_full_article_are_one_story_with_two_sources(
    fresh_db, teaser_first
):
    feed, portal = await _source(fresh_db, "feed"), await _source(fresh_db, "portal")
    teaser = Entry(
        url="https://feed.example.vn/cau-binh-thuy-2.html",
        title=TEASER_TITLE,
        body=TEASER,
        published=NOW - timedelta(hours=2),
        snippet_only=True,
    )
    full = entry(
        url="https://portal.example.vn/tin/cau-binh-thuy-2-123.html", title=TEASER_TITLE, body=FULL_ARTICLE
    )
    for source, item in [(feed, teaser), (portal, full)][:: 1 if teaser_first else -1]:
        await _store(fresh_db, source, item)
    assert await _count(fresh_db, Item) == 2
    assert await _count(fresh_db, Story) == 1
    async with fresh_db.session() as s:
        assert await s.scalar(select(Story.item_count)) == 2
        sources = (await s.scalars(select(StorySource.source_id))).all()
    assert sorted(sources) == sorted([feed.id, portal.id])
