"""Reading the newest stories, of all sources or one: order, pages, counts, and the index behind them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from news.entries import Entry
from news.prepare import disambiguate_guids, prepare_entry
from storage.items import store_items
from storage.models import Source, Story, StorySource
from storage.sources import SourceSpec, add_source
from storage.stories import count_stories, latest_stories

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)

BODY = (
    "Sáng nay, Ủy ban nhân dân huyện Long Điền tổ chức lễ khởi công tuyến đường ven biển dài mười hai "
    "cây số. Công trình có tổng vốn hơn ba trăm tỷ đồng, dự kiến hoàn thành sau hai năm thi công. "
    "Đại diện nhà thầu cam kết bảo đảm an toàn giao thông cho người dân trong suốt thời gian xây dựng."
)


async def _source(db, name: str) -> Source:
    async with db.transaction() as s:
        return await add_source(s, SourceSpec(name=name, url=f"https://{name}.example.vn/rss"), NOW)


async def _store(db, source: Source, *entries: Entry, now: datetime = NOW) -> None:
    async with db.transaction() as s:
        prepared = [prepare_entry(e, words=40) for e in disambiguate_guids(list(entries))]
        await store_items(s, await s.get(Source, source.id), prepared, now)


async def _links(db) -> list[tuple[int, int, datetime, datetime]]:
    """(story, source, the link's published time, the story's) for every story_sources row."""
    async with db.session() as s:
        rows = await s.execute(
            select(StorySource.story_id, StorySource.source_id, StorySource.published_at, Story.published_at)
            .join(Story, Story.id == StorySource.story_id)
            .order_by(StorySource.id)
        )
        return [tuple(row) for row in rows]


async def test_every_writer_copies_the_story_published_time(fresh_db):
    a, b, c = await _source(fresh_db, "a"), await _source(fresh_db, "b"), await _source(fresh_db, "c")
    first = Entry(url="https://a.example.vn/duong.html", title="Khởi công đường ven biển Long Điền",
                  body=BODY, published=NOW - timedelta(hours=6))  # fmt: skip
    await _store(fresh_db, a, first)  # a new story in one bulk insert
    # b tells the same story five hours later (bulk insert joining a stored story), c links the very
    # item (a duplicate from another source), a polls it again (nothing new).
    await _store(fresh_db, b, Entry(url="https://b.example.vn/bai-1.html", title="Long Điền khởi công đường ven biển",
                                    body=BODY + " Người dân rất phấn khởi.", published=NOW - timedelta(hours=1)))  # fmt: skip
    await _store(fresh_db, c, Entry(url=first.url, title=first.title, body=first.body, published=NOW))
    await _store(fresh_db, a, first)
    # Twins in one batch go in one by one; an undated item's story is dated by its first sighting.
    twin_body = "Hội nông dân xã tổ chức tập huấn kỹ thuật nuôi tôm cho gần hai trăm hộ dân ven sông."
    await _store(
        fresh_db, c,
        Entry(url="https://c.example.vn/tom-1.html", title="Tập huấn nuôi tôm", body=twin_body, published=None),
        Entry(url="https://c.example.vn/tom-2.html", title="Tập huấn nuôi tôm", body=twin_body, published=None),
        now=NOW + timedelta(hours=2),
    )  # fmt: skip

    links = await _links(fresh_db)
    assert len({story for story, *_ in links}) == 2, "b joined a's story"
    assert [(source, published) for _, source, published, _ in links] == [
        (a.id, NOW - timedelta(hours=6)),
        (b.id, NOW - timedelta(hours=6)),
        (c.id, NOW - timedelta(hours=6)),
        (c.id, NOW + timedelta(hours=2)),
    ]
    assert all(link == story for *_, link, story in links)


def _at(hours_ago: float) -> datetime:
    return NOW - timedelta(hours=hours_ago)


@pytest.fixture
async def newsroom(fresh_db):
    """Sources `busy` (41 stories, one an hour, two at the same hour), `rare` (3 old stories, one
    shared with busy) and `quiet` (none), stored row by row as the writers would."""
    sources = {name: (await _source(fresh_db, name)).id for name in ("busy", "rare", "quiet")}
    carried = [("busy", _at(h)) for h in range(40)] + [("busy", _at(7))]  # a tie at 7 hours ago
    carried += [("rare", _at(24 * 30)), ("rare", _at(24 * 20))]
    ids: dict[str, list[tuple[datetime, int]]] = {"busy": [], "rare": [], "quiet": []}
    async with fresh_db.transaction() as s:
        for number, (name, published) in enumerate(carried):
            story = Story(title=f"Tin {number}", url=f"https://x.example.vn/{number}", signature=number,
                          published_at=published, first_seen_at=NOW)  # fmt: skip
            s.add(story)
            await s.flush()
            s.add(
                StorySource(story_id=story.id, source_id=sources[name], seen_at=NOW, published_at=published)
            )
            ids[name].append((published, story.id))
        shared = ids["busy"][25]  # 25 hours ago, carried by rare too
        s.add(StorySource(story_id=shared[1], source_id=sources["rare"], seen_at=NOW, published_at=shared[0]))
        ids["rare"].append(shared)
    newest_first = {name: [i for _, i in sorted(rows, reverse=True)] for name, rows in ids.items()}
    return fresh_db, sources, newest_first


@pytest.mark.parametrize("source", ["busy", "rare", "quiet"])
@pytest.mark.parametrize(("limit", "offset"), [(5, 0), (5, 5), (10, 35), (5, 41), (50, 0)])
async def test_latest_of_a_source_is_newest_first_by_time_then_id(newsroom, source, limit, offset):
    db, sources, newest_first = newsroom
    async with db.session() as s:
        rows = await latest_stories(s, limit=limit, offset=offset, source_id=sources[source])
    assert [r.id for r in rows] == newest_first[source][offset : offset + limit]
    assert [r.published_at for r in rows] == sorted((r.published_at for r in rows), reverse=True)


async def test_latest_of_a_source_names_every_source_of_a_story(newsroom):
    db, sources, newest_first = newsroom
    async with db.session() as s:
        rows = await latest_stories(s, limit=1, source_id=sources["rare"])
    assert [r.id for r in rows] == newest_first["rare"][:1]
    assert rows[0].sources == ("busy", "rare")  # 25 hours ago: busy carried it first


@pytest.mark.parametrize(("source", "cap", "expected"), [("busy", None, 41), ("busy", 10, 10),
                                                          ("rare", None, 3), ("rare", 2, 2), ("quiet", 5, 0)])  # fmt: skip
async def test_count_of_a_source(newsroom, source, cap, expected):
    db, sources, _ = newsroom
    async with db.session() as s:
        assert await count_stories(s, source_id=sources[source], cap=cap) == expected


async def test_sqlite_reads_a_source_page_from_its_index_without_sorting(sqlite_db):
    """The newest stories of a source are a range of (source_id, published_at, story_id): no
    temporary B-tree sorts the source's stories, and the count reads the index alone."""
    source = (await _source(sqlite_db, "busy")).id
    statements: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "story_sources" in statement and "source_id =" in statement:
            statements.append((statement, parameters))

    event.listen(sqlite_db.engine.sync_engine, "before_cursor_execute", record)
    async with sqlite_db.session() as s:
        await latest_stories(s, limit=5, offset=5, source_id=source)
        await count_stories(s, source_id=source, cap=1000)
    event.remove(sqlite_db.engine.sync_engine, "before_cursor_execute", record)

    assert len(statements) == 2
    async with sqlite_db.engine.connect() as conn:
        for statement, parameters in statements:
            plan = " | ".join(
                row[-1]
                for row in (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)).all()
            )
            assert "USING COVERING INDEX ix_story_sources_source_id_published_at_story_id" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


async def test_a_removed_sources_stories_leave_the_newest(fresh_db):
    """Its items went with it; a story no remaining source carries is not shown or counted."""
    from storage.sources import remove_source

    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, Entry(url="https://a.example.vn/duong.html", title="Khởi công đường ven biển Long Điền",
                                    body=BODY, published=NOW - timedelta(hours=2)))  # fmt: skip
    kept = "Hội nông dân xã tổ chức tập huấn kỹ thuật nuôi tôm cho gần hai trăm hộ dân ven sông"
    await _store(fresh_db, b, Entry(url="https://b.example.vn/tom.html", title=kept, body=kept + ".",
                                    published=NOW - timedelta(hours=3)))  # fmt: skip
    async with fresh_db.transaction() as s:
        assert await remove_source(s, "a", NOW)

    async with fresh_db.session() as s:
        assert [row.title for row in await latest_stories(s)] == [kept]
        assert await count_stories(s) == 1


async def test_a_story_told_first_by_a_removed_source_links_to_a_remaining_ones_item(fresh_db):
    from storage.sources import remove_source

    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, Entry(url="https://a.example.vn/duong.html", title="Khởi công đường ven biển Long Điền",
                                    body=BODY, published=NOW - timedelta(hours=2)))  # fmt: skip
    await _store(fresh_db, b, Entry(url="https://b.example.vn/bai-1.html", title="Long Điền khởi công đường ven biển",
                                    body=BODY + " Người dân rất phấn khởi.", published=NOW - timedelta(hours=1)))  # fmt: skip
    async with fresh_db.transaction() as s:
        assert await remove_source(s, "a", NOW)

    async with fresh_db.session() as s:
        [row] = await latest_stories(s)
    assert (row.url, row.title, row.sources) == (
        "https://b.example.vn/bai-1.html",
        "Long Điền khởi công đường ven biển",
        ("b",),
    )


@pytest.mark.parametrize("stored", ["alone", "with a twin"])  # bulk insert, or item by item
async def test_a_story_left_by_a_removed_source_takes_the_next_sources_item(fresh_db, stored):
    """Kept so that its followers are not sent it again, it must not link to the removed site."""
    from storage.sources import remove_source

    a, b = await _source(fresh_db, "a"), await _source(fresh_db, "b")
    await _store(fresh_db, a, Entry(url="https://a.example.vn/duong.html", title="Khởi công đường ven biển Long Điền",
                                    body=BODY, published=NOW - timedelta(hours=2)))  # fmt: skip
    async with fresh_db.transaction() as s:
        assert await remove_source(s, "a", NOW)
    retold = Entry(url="https://b.example.vn/bai-1.html", title="Long Điền khởi công đường ven biển",
                   body=BODY + " Người dân rất phấn khởi.", published=NOW - timedelta(hours=1))  # fmt: skip
    twin = Entry(url=retold.url + "?utm_source=rss", title=retold.title, body=retold.body, guid="twin")
    await _store(
        fresh_db, b, retold, *([twin] if stored == "with a twin" else []), now=NOW + timedelta(hours=1)
    )

    async with fresh_db.session() as s:
        [row] = await latest_stories(s)
        assert await s.scalar(select(func.count()).select_from(Story)) == 1, "it joined the kept story"
    assert (row.url, row.title, row.sources) == (retold.url, retold.title, ("b",))
