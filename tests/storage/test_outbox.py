"""The outbox table: claims (oldest unfinished row per chat, disjoint between workers), recovery,
cancel and move, counters."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert

from storage import outbox, outbox_admin
from storage.counters import increment_many, read_counters
from storage.db import Database
from storage.models import OutboxMessage
from tests.delivery.world import NOW, outbox_rows


async def add_rows(db: Database, chats_parts: list[tuple[int, int]], **fields) -> None:
    """Rows for (chat, parts) pairs, each chat's parts consecutive: digest ref = chat."""
    rows = [
        {
            "chat_id": chat,
            "kind": "digest",
            "ref_id": chat,
            "part": p,
            "text": f"{chat}/{p}",
            "next_attempt_at": NOW,
        }
        | fields
        for chat, parts in chats_parts
        for p in range(parts)
    ]
    async with db.transaction() as session:
        await session.execute(insert(OutboxMessage), rows)


async def claim(db: Database, worker: str = "w1", limit: int = 100, now=NOW) -> list[outbox.ClaimedRow]:
    async with db.transaction() as session:
        return await outbox.claim_outbox_rows(session, worker, now, limit)


async def test_a_claim_takes_only_the_oldest_unfinished_row_of_each_chat(fresh_db):
    await add_rows(fresh_db, [(11, 3), (12, 1), (13, 2)])

    first = await claim(fresh_db)
    assert [(r.chat_id, r.part) for r in first] == [(11, 0), (12, 0), (13, 0)]
    assert await claim(fresh_db) == []  # the next parts wait for the first ones

    async with fresh_db.transaction() as session:
        await outbox.mark_sent(session, [(first[0].id, 500)], NOW)
    assert [(r.chat_id, r.part) for r in await claim(fresh_db)] == [(11, 1)]

    rows = {r.text: r for r in await outbox_rows(fresh_db)}
    assert (rows["11/0"].status, rows["11/0"].message_id) == ("sent", 500)
    assert (rows["11/1"].status, rows["11/1"].claimed_by, rows["11/1"].attempts) == ("sending", "w1", 1)
    assert rows["11/2"].status == "pending"


async def test_rows_not_yet_due_are_not_claimed_and_block_their_chat(fresh_db):
    await add_rows(fresh_db, [(11, 2)], next_attempt_at=NOW + timedelta(minutes=5))
    await add_rows(fresh_db, [(12, 1)])
    assert [r.chat_id for r in await claim(fresh_db)] == [12]
    assert [r.part for r in await claim(fresh_db, now=NOW + timedelta(minutes=6))] == [0]


async def test_concurrent_claims_never_share_a_row(fresh_db):
    await add_rows(fresh_db, [(chat, 1) for chat in range(1, 301)])
    other = Database(fresh_db.url)
    try:
        results = await asyncio.gather(
            *(claim(db, worker=f"w{i}", limit=40) for i in range(6) for db in (fresh_db, other))
        )
    finally:
        await other.close()
    ids = [row.id for rows in results for row in rows]
    assert len(ids) == len(set(ids)) == sum(len(r) for r in results)
    assert len(ids) == 300  # 12 claims of 40 cover all 300 rows


async def test_a_retry_waits_then_goes_again(fresh_db):
    await add_rows(fresh_db, [(11, 2)])
    [row] = await claim(fresh_db)
    async with fresh_db.transaction() as session:
        await outbox.mark_retry(session, row.id, NOW + timedelta(seconds=30), "network down")
    assert await claim(fresh_db) == []  # part 0 waits, and part 1 behind it
    [again] = await claim(fresh_db, now=NOW + timedelta(seconds=31))
    assert (again.id, again.attempts) == (row.id, 2)


LATE_OUTCOMES = {
    "sent": lambda session, row_id: outbox.mark_sent(session, [(row_id, 99)], NOW, worker="stalled"),
    "retry": lambda session, row_id: outbox.mark_retry(session, row_id, NOW, "HTTP 502", worker="stalled"),
    "failed": lambda session, row_id: outbox.mark_failed(session, row_id, "HTTP 502", worker="stalled"),
    "plain text": lambda session, row_id: outbox.rewrite_as_plain_text(
        session, row_id, "Bản tin không thẻ", worker="stalled"
    ),
}


@pytest.mark.parametrize("late", sorted(LATE_OUTCOMES))
async def test_a_late_outcome_from_a_sender_whose_row_was_taken_over_changes_nothing(fresh_db, late):
    """A sender cut off from the database past the claim's life writes its outcomes when it is back;
    by then another sender took the row over and sent it: a late "retry" must not send it again."""
    await add_rows(fresh_db, [(11, 1)])
    [row] = await claim(fresh_db, "stalled")
    later = NOW + timedelta(minutes=5)
    async with fresh_db.transaction() as session:
        await outbox.recover_stale_sending(
            session, claimed_before=later - timedelta(minutes=1), max_attempts=8, worker="other"
        )
    [again] = await claim(fresh_db, "other", now=later)
    async with fresh_db.transaction() as session:
        await outbox.mark_sent(session, [(again.id, 500)], later, worker="other")

    async with fresh_db.transaction() as session:
        await LATE_OUTCOMES[late](session, row.id)

    [stored] = await outbox_rows(fresh_db)
    assert (stored.status, stored.message_id, stored.claimed_by, stored.last_error) == (
        "sent",
        500,
        "other",
        None,
    )
    assert (stored.text, stored.parse_mode) == ("11/0", "HTML")


@pytest.mark.parametrize("attempts, status", [(1, "pending"), (8, "failed")])
async def test_rows_left_sending_by_a_dead_sender_are_recovered(fresh_db, attempts, status):
    await add_rows(
        fresh_db, [(11, 1)], status="sending", claimed_by="dead", claimed_at=NOW, attempts=attempts
    )
    await add_rows(
        fresh_db, [(12, 1)], status="sending", claimed_by="alive", claimed_at=NOW + timedelta(seconds=5)
    )

    async with fresh_db.transaction() as session:
        recovery = await outbox.recover_stale_sending(
            session, claimed_before=NOW + timedelta(seconds=1), max_attempts=8
        )

    rows = {r.chat_id: r for r in await outbox_rows(fresh_db)}
    assert rows[11].status == status and rows[12].status == "sending"
    assert (recovery.requeued, recovery.failed) == ((1, 0) if status == "pending" else (0, 1))


async def test_cancel_and_move_touch_only_unfinished_rows(fresh_db):
    await add_rows(fresh_db, [(-11, 3)])
    [first] = await claim(fresh_db)
    async with fresh_db.transaction() as session:
        await outbox.mark_sent(session, [(first.id, 1)], NOW)
        moved = await outbox.move_chat_rows(session, -11, -10011)
        cancelled = await outbox.cancel_chat(session, -10011, "bot was kicked")
    assert (moved, cancelled) == (2, 2)
    assert [(r.chat_id, r.status) for r in await outbox_rows(fresh_db)] == [
        (-11, "sent"),
        (-10011, "cancelled"),
        (-10011, "cancelled"),
    ]


async def test_release_gives_rows_back_untried(fresh_db):
    await add_rows(fresh_db, [(11, 1)])
    [row] = await claim(fresh_db)
    async with fresh_db.transaction() as session:
        await outbox.release(session, [row.id])
    [again] = await claim(fresh_db)
    assert again.attempts == 1


async def test_counters_add_up_across_writers(fresh_db):
    async def bump() -> None:
        async with fresh_db.transaction() as session:
            await increment_many(session, {"delivery.sent": 3, "delivery.flood_waits": 1, "delivery.zero": 0})

    await asyncio.gather(*(bump() for _ in range(5)))
    async with fresh_db.session() as session:
        assert await read_counters(session, "delivery.") == {"delivery.flood_waits": 5, "delivery.sent": 15}


async def test_a_renewed_claim_is_not_taken_for_a_dead_one(fresh_db):
    await add_rows(fresh_db, [(11, 1)], status="sending", claimed_by="alive", claimed_at=NOW)
    await add_rows(fresh_db, [(12, 1)], status="sending", claimed_by="dead", claimed_at=NOW)

    async with fresh_db.transaction() as session:
        renewed = await outbox.renew_claims(session, "alive", NOW + timedelta(seconds=50))
        recovery = await outbox.recover_stale_sending(
            session, claimed_before=NOW + timedelta(seconds=10), max_attempts=8, worker="beside"
        )
        oldest = await outbox.oldest_claim_of_others(session, "beside")

    rows = {r.chat_id: r for r in await outbox_rows(fresh_db)}
    assert (renewed, recovery.requeued) == (1, 1)
    assert (rows[11].status, rows[11].claimed_by, rows[12].status) == ("sending", "alive", "pending")
    assert oldest == NOW + timedelta(seconds=50)


async def test_admin_retry_and_purge_touch_only_failed_rows(fresh_db):
    await add_rows(
        fresh_db, [(11, 1), (12, 1)], status="failed", attempts=8, created_at=NOW - timedelta(days=30)
    )
    await add_rows(fresh_db, [(13, 1)], status="failed", attempts=8, created_at=NOW)
    await add_rows(fresh_db, [(14, 1)], status="sent", created_at=NOW - timedelta(days=30))

    async with fresh_db.transaction() as session:
        retried = await outbox_admin.retry_failed(session, NOW, chat_id=11)
        purged = await outbox_admin.purge_failed(session, NOW - timedelta(days=7))
        view = await outbox_admin.overview(session)

    assert (retried, purged) == (1, 1)
    assert view.counts == {"pending": 1, "sending": 0, "sent": 1, "failed": 1, "cancelled": 0}
    assert view.oldest_pending_at == NOW - timedelta(days=30)
    assert [r.id for r in await claim(fresh_db)] == [r.id for r in await outbox_rows(fresh_db, chat_id=11)]
