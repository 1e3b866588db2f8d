"""Group commit of a poll's writes: waiting writes share a transaction, each in its savepoint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from jobs.grouped_writes import GroupWriter
from storage.models import Source
from storage.sources import SourceSpec, add_source

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def adding(name: str, fail: bool = False):
    """A write that stores a source named `name` (and then raises, when `fail`)."""

    async def write(session) -> str:
        await add_source(session, SourceSpec(name=name, url=f"https://{name}.example.vn/rss"), NOW)
        await session.flush()
        if fail:
            raise ValueError(f"{name} broke")
        return name

    return write


async def stored_names(db) -> set[str]:
    async with db.session() as session:
        return set((await session.scalars(select(Source.name))).all())


async def test_writes_waiting_together_share_one_transaction(fresh_db):
    writer = GroupWriter(fresh_db)

    names = await asyncio.gather(*(writer.write(adding(f"nguon-{n}")) for n in range(5)))

    assert names == [f"nguon-{n}" for n in range(5)]
    assert writer.transactions == 1
    assert await stored_names(fresh_db) == set(names)


@pytest.mark.parametrize(("writes", "max_sources", "transactions"), [(5, 2, 3), (4, 4, 1), (1, 32, 1)])
async def test_a_transaction_takes_at_most_max_sources(fresh_db, writes, max_sources, transactions):
    writer = GroupWriter(fresh_db, max_sources=max_sources)

    await asyncio.gather(*(writer.write(adding(f"nguon-{n}")) for n in range(writes)))

    assert writer.transactions == transactions
    assert len(await stored_names(fresh_db)) == writes


async def test_a_failing_write_is_undone_alone_and_its_caller_gets_the_error(fresh_db):
    writer = GroupWriter(fresh_db)

    results = await asyncio.gather(
        writer.write(adding("tot-1")),
        writer.write(adding("hong", fail=True)),
        writer.write(adding("tot-2")),
        return_exceptions=True,
    )

    assert results[0] == "tot-1" and results[2] == "tot-2"
    assert isinstance(results[1], ValueError) and str(results[1]) == "hong broke"
    assert await stored_names(fresh_db) == {"tot-1", "tot-2"}
    assert writer.transactions == 1


async def test_a_group_whose_commit_fails_is_retried_write_by_write(sqlite_db):
    """A write that breaks a deferred rule fails only at COMMIT, taking its group with it."""

    async def dangling(session) -> str:
        await session.execute(text("PRAGMA defer_foreign_keys = ON"))
        await session.execute(
            text(
                "INSERT INTO subscriptions (subscriber_id, source_id, created_at) VALUES (987654, 987654, '2026-11-27')"
            )
        )
        return "dangling"

    writer = GroupWriter(sqlite_db)

    results = await asyncio.gather(
        writer.write(adding("truoc")),
        writer.write(dangling),
        writer.write(adding("sau")),
        return_exceptions=True,
    )

    assert results[0] == "truoc" and results[2] == "sau"
    assert "FOREIGN KEY" in str(results[1])
    assert await stored_names(sqlite_db) == {"truoc", "sau"}
    assert writer.transactions == 2  # the failed group committed nothing; then one each for the good two


async def test_a_write_alone_runs_at_once(fresh_db):
    writer = GroupWriter(fresh_db)

    assert await writer.write(adding("mot")) == "mot"
    assert await writer.write(adding("hai")) == "hai"

    assert writer.transactions == 2
    await writer.close()


async def test_a_caller_cancelled_while_waiting_leaves_the_others_and_its_write_undone(fresh_db):
    writer = GroupWriter(fresh_db, max_sources=1)
    behind: dict[str, asyncio.Task] = {}
    running, release = asyncio.Event(), asyncio.Event()

    async def slow(session) -> str:
        # While this group's transaction is open, two more writes queue up behind it (their tasks
        # take their first step, into the queue, before the test resumes: the loop runs in order).
        behind["huy"] = asyncio.create_task(writer.write(adding("huy")))
        behind["sau"] = asyncio.create_task(writer.write(adding("sau")))
        running.set()
        await release.wait()
        return await adding("cham")(session)

    first = asyncio.create_task(writer.write(slow))
    await running.wait()
    behind["huy"].cancel()
    release.set()

    assert await first == "cham" and await behind["sau"] == "sau"
    with pytest.raises(asyncio.CancelledError):
        await behind["huy"]
    await writer.close()
    assert await stored_names(fresh_db) == {"cham", "sau"}


# -- a group written together --------------------------------------------------------------------


def adding_together(answer: str = "written"):
    """A `together` that stores every payload (a name) as a source, then answers `answer`:
    "written" (their names), "declined" (None) or "broken" (raises)."""

    async def together(session, names: list[str]) -> list[str] | None:
        for name in names:
            await add_source(session, SourceSpec(name=name, url=f"https://{name}.example.vn/rss"), NOW)
        await session.flush()
        if answer == "broken":
            raise RuntimeError("together broke")
        return None if answer == "declined" else [f"{name} together" for name in names]

    return together


async def test_writes_with_payloads_are_written_together_by_one_call(fresh_db):
    writer = GroupWriter(fresh_db, together=adding_together())

    names = await asyncio.gather(*(writer.write(adding("unused"), f"nguon-{n}") for n in range(3)))

    assert names == [f"nguon-{n} together" for n in range(3)]
    assert (writer.transactions, writer.written_together) == (1, 1)
    assert await stored_names(fresh_db) == {f"nguon-{n}" for n in range(3)}, "no write ran on its own"


@pytest.mark.parametrize("answer", ["declined", "broken"])
async def test_a_group_together_cannot_write_is_undone_and_each_write_runs_on_its_own(fresh_db, answer):
    writer = GroupWriter(fresh_db, together=adding_together(answer))

    names = await asyncio.gather(*(writer.write(adding(f"rieng-{n}"), f"chung-{n}") for n in range(3)))

    assert names == [f"rieng-{n}" for n in range(3)]
    assert (writer.transactions, writer.written_together) == (1, 0)
    assert await stored_names(fresh_db) == set(names), "what together wrote is undone"


async def test_a_write_without_payload_keeps_its_group_from_being_written_together(fresh_db):
    writer = GroupWriter(fresh_db, together=adding_together())

    names = await asyncio.gather(writer.write(adding("rieng-1"), "chung-1"), writer.write(adding("rieng-2")))

    assert names == ["rieng-1", "rieng-2"]
    assert writer.written_together == 0
