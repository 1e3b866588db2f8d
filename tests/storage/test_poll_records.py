"""Recording successful polls: one (with its row count) or many in one statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.models import Source
from storage.sources import PollSuccess, SourceSpec, add_source, record_success, record_successes

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
NEXT = NOW + timedelta(minutes=15)


async def _sources(db, *names: str) -> list[int]:
    async with db.transaction() as s:
        rows = [await add_source(s, SourceSpec(name=n, url=f"https://{n}.example.vn/rss"), NOW) for n in names]
        for row in rows:
            row.title, row.error_count, row.item_count = f"Báo {row.name}", 3, 10
        await s.flush()
        return [row.id for row in rows]


async def _row(db, source_id: int) -> Source:
    async with db.session() as s:
        return await s.get(Source, source_id)


async def test_a_success_resets_errors_and_keeps_what_the_poll_did_not_find(fresh_db):
    [tinh] = await _sources(fresh_db, "tinh")
    async with fresh_db.transaction() as s:
        found = await record_success(
            s, PollSuccess(tinh, NOW, NEXT, etag='"v2"', entry_memo=b"bm1...", new_url="https://tinh.vn/rss")
        )
    row = await _row(fresh_db, tinh)
    assert found is True
    assert (row.error_count, row.last_success_at, row.next_check_at) == (0, NOW, NEXT)
    assert (row.etag, row.entry_memo, row.url) == ('"v2"', b"bm1...", "https://tinh.vn/rss")
    assert (row.title, row.item_count) == ("Báo tinh", 10), "no title found: the old one stays"


async def test_a_success_of_a_removed_source_says_so(fresh_db):
    async with fresh_db.transaction() as s:
        assert await record_success(s, PollSuccess(4242, NOW, NEXT)) is False


async def test_many_successes_in_one_statement_count_their_new_items(fresh_db):
    a, b = await _sources(fresh_db, "a", "b")
    async with fresh_db.transaction() as s:
        await record_successes(
            s,
            [
                PollSuccess(a, NOW, NEXT, title="Báo A mới", new_items=2),
                PollSuccess(b, NOW, NEXT, last_modified="Fri, 27 Nov 2026 03:00:00 GMT", title=""),
                PollSuccess(4242, NOW, NEXT),  # removed meanwhile: nothing to update
            ],
        )
    first, second = await _row(fresh_db, a), await _row(fresh_db, b)
    assert (first.title, first.item_count, first.error_count) == ("Báo A mới", 12, 0)
    assert (second.title, second.item_count, second.last_modified) == ("Báo b", 10, "Fri, 27 Nov 2026 03:00:00 GMT")
