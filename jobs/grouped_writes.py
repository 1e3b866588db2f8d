"""Group commit: the writes of several polled sources in one transaction, each in a savepoint.

A cold poll stores thousands of sources. With a transaction each, every commit rewrote the same
index and full-text pages and paid BEGIN, COMMIT and a session of its own. Here a source whose
write is ready while a transaction runs waits for the next one, which takes every source then
waiting (up to MAX_SOURCES): under light load a source still has a transaction to itself, at
once; under a flood the transactions grow and their number shrinks.

A source's write that raises is rolled back to its savepoint and its caller gets the exception;
the others commit. When the transaction itself fails (at BEGIN or COMMIT), each of its writes is
tried again in a transaction of its own, so one source cannot fail another's poll.

Writes that come with a payload can go further: `together(session, payloads)` does all of a
group's work in a few statements instead of a few per source (a changed feed brings one or two
new items: the per-statement cost was most of its write). It answers None, or raises, when it
cannot (a twin, a known item, a removed source): its savepoint is undone and each write runs
on its own as above, so it changes how fast a group is written, never what is written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from jobs.db_turns import turn
from storage.db import Database

log = logging.getLogger("bantin.poll")

T = TypeVar("T")
Write = Callable[[AsyncSession], Awaitable[Any]]
Together = Callable[[AsyncSession, list[Any]], Awaitable[list[Any] | None]]

MAX_SOURCES = 16  # writes per transaction: bounds how long one holds the database (~0.3 s in a cold poll)


class GroupWriter:
    """Runs `write(session)` calls, grouping the ones that wait at the same time into one transaction."""

    def __init__(
        self, db: Database, max_sources: int = MAX_SOURCES, together: Together | None = None
    ) -> None:
        self._db = db
        self._max = max_sources
        self._together = together
        self._waiting: list[_Waiting] = []
        self._drainer: asyncio.Task | None = None
        self.transactions = 0  # committed, for tests and benchmarks
        self.written_together = 0  # groups `together` wrote, for tests and benchmarks

    async def write(self, write: Callable[[AsyncSession], Awaitable[T]], payload: Any = None) -> T:
        """Run `write` inside a transaction (shared with other waiting writes) and return its result;
        with a `payload`, `together` may do its work instead, with the rest of its group."""
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(write, future, payload))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            group = [w for w in self._waiting[: self._max] if not w.future.done()]
            del self._waiting[: self._max]
            try:
                if group and not await self._run_together(group):
                    for waiting in group:
                        await self._run_alone(waiting.write, waiting.future)
            except BaseException as exc:  # cancelled (shutdown): nobody may wait forever
                for future in (w.future for w in group + self._waiting):
                    if not future.done():
                        future.cancel() if isinstance(exc, asyncio.CancelledError) else future.set_exception(
                            exc
                        )
                self._waiting.clear()
                raise

    async def _run_together(self, group: list[_Waiting]) -> bool:
        """One transaction for the group; False (nothing settled) when the transaction failed."""
        settled: list[tuple[asyncio.Future, Any, BaseException | None]] = []
        try:
            async with turn(self._db), self._db.transaction() as session:
                values = await self._try_together(session, group)
                if values is not None:
                    settled = [(w.future, value, None) for w, value in zip(group, values, strict=True)]
                for waiting in group if values is None else ():
                    try:
                        async with session.begin_nested():
                            settled.append((waiting.future, await waiting.write(session), None))
                    except Exception as exc:  # this write's own failure: only its savepoint is undone
                        settled.append((waiting.future, None, exc))
        except Exception as exc:
            if len(group) == 1:  # its own transaction failed: that is its failure
                _settle(group[0].future, None, exc)
                return True
            return False
        self.transactions += 1
        for future, value, exc in settled:
            _settle(future, value, exc)
        return True

    async def _try_together(self, session: AsyncSession, group: list[_Waiting]) -> list | None:
        """The group's values from `together`, or None (nothing written) when it cannot."""
        payloads = [w.payload for w in group]
        if self._together is None or any(p is None for p in payloads):
            return None
        try:
            async with session.begin_nested():
                values = await self._together(session, payloads)
                if values is None:
                    raise _NotTogether
        except _NotTogether:
            return None
        except Exception:
            log.warning("a group's writes failed together; each is written on its own", exc_info=True)
            return None
        self.written_together += 1
        return values

    async def _run_alone(self, write: Write, future: asyncio.Future) -> None:
        if future.done():
            return
        try:
            async with turn(self._db), self._db.transaction() as session:
                value = await write(session)
        except Exception as exc:
            _settle(future, None, exc)
            return
        self.transactions += 1
        _settle(future, value, None)

    async def close(self) -> None:
        """Wait for the writes under way (a poll ends only when what it fetched is stored)."""
        if self._drainer is not None:
            await self._drainer


@dataclass(slots=True)
class _Waiting:
    write: Write
    future: asyncio.Future
    payload: Any  # for `together`; None: this write runs on its own


class _NotTogether(Exception):
    """`together` declined: undo its savepoint."""


def _settle(future: asyncio.Future, value: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is None:
        future.set_result(value)
    else:
        future.set_exception(exc)
