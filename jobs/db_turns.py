"""Take turns at the database: on SQLite, one poller transaction at a time in this process.

SQLite has one writer at a time and bantin opens every transaction with BEGIN IMMEDIATE, so
fifty concurrent polls would all wait in SQLite's busy handler, which polls with sleeps and
gives up after the busy timeout ("database is locked"). Queueing on an asyncio lock instead
is fair, costs nothing while waiting, and never times out. PostgreSQL needs no turns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from weakref import WeakKeyDictionary

from storage.db import Database

_LOCKS: WeakKeyDictionary[Database, asyncio.Lock] = WeakKeyDictionary()


@contextlib.asynccontextmanager
async def turn(db: Database) -> AsyncIterator[None]:
    """Hold this while using `db` (a session or a transaction) from concurrent poll tasks."""
    if db.dialect != "sqlite":
        yield
        return
    lock = _LOCKS.get(db)
    if lock is None:
        lock = _LOCKS[db] = asyncio.Lock()
    async with lock:
        yield
