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
_READ_LOCKS: WeakKeyDictionary[Database, asyncio.Lock] = WeakKeyDictionary()


@contextlib.asynccontextmanager
async def turn(db: Database) -> AsyncIterator[None]:
    """Hold this while using `db` (a session or a transaction) from concurrent poll tasks."""
    if db.dialect != "sqlite":
        yield
        return
    async with _lock(_LOCKS, db):
        yield


@contextlib.asynccontextmanager
async def read_turn(db: Database) -> AsyncIterator[None]:
    """Hold this while reading through `db.reading()` from concurrent poll tasks: reads take no
    write lock, so they go on while a writer holds its turn, one at a time among themselves (a
    hundred concurrent reads would empty the connection pool)."""
    if db.dialect != "sqlite":
        yield
        return
    async with _lock(_READ_LOCKS, db):
        yield


def _lock(locks: WeakKeyDictionary[Database, asyncio.Lock], db: Database) -> asyncio.Lock:
    lock = locks.get(db)
    if lock is None:
        lock = locks[db] = asyncio.Lock()
    return lock
