"""The async engine and sessions: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from news.config import DATABASE_DRIVERS, ENV_DATABASE_URL
from news.fingerprint import signature_distance

SQLITE_BUSY_TIMEOUT_MS = 30_000


def dialect_insert(dialect: str):
    """The `insert` of the database's own dialect: the one with ON CONFLICT (do nothing, do update)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def normalize_url(url: str) -> str:
    """Accept the plain driver names an admin may write and pick the async drivers."""
    for scheme, driver in DATABASE_DRIVERS.items():
        if url.startswith(scheme):
            return driver + url.removeprefix(scheme)
    return url


def _on_sqlite_connect(dbapi_conn, _record) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (the pysqlite driver's own is lazy).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 16 MB of pages instead of 2 MB: a poll's inserts touch index pages all over items and
    # story_bands, re-read from the OS on every statement with the default cache.
    cursor.execute("PRAGMA cache_size=-16384")
    # Checkpoint every 10,000 WAL pages (40 MB), not 1,000: index pages a poll rewrites again and
    # again are copied into the database once per checkpoint, not once per 4 MB of log.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()
    # storage.story_match filters candidate stories by distance in the query (PostgreSQL has
    # bit_count): the ~100 unrelated candidates an item meets in a big store never leave SQLite.
    dbapi_conn.create_function(SIGNATURE_DISTANCE, 2, _signature_distance, deterministic=True)


SIGNATURE_DISTANCE = "bantin_signature_distance"


def _signature_distance(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else signature_distance(a, b)


READ_ONLY = "bantin_read_only"  # execution option of Database.reading() connections


def _begin_immediate(conn) -> None:
    # A reading() connection runs each statement on its own: no write lock taken, none waited for.
    if not conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# Rows per multi-row INSERT ... RETURNING. The drivers keep each statement text they prepared
# (SQLite 128, asyncpg 100), and a poll's write group inserts up to 800 rows at once: with
# SQLAlchemy's 1,000, every size from 1 to 800 was another large prepared statement kept
# (~50 MB in a cold poll of 2,000 feeds).
INSERT_PAGE_ROWS = 100


class DatabaseFileError(OSError):
    """The SQLite file cannot be opened; the message names it (SQLite's own names nothing)."""


class DatabaseUnreachable(Exception):
    """No connection could be opened: the message names the database (password masked) and the
    server's or the network's reason, which the driver's exception buries under its own class."""


def _unreachable(url: str, exc: Exception) -> DatabaseUnreachable:
    where = make_url(url).render_as_string(hide_password=True)
    reason = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return DatabaseUnreachable(
        f"cannot open the database {where}: {' '.join(str(reason).split()) or type(reason).__name__}; "
        f"check [storage] url (or {ENV_DATABASE_URL}) and that the server runs"
    )


def _check_sqlite_file(path: Path) -> None:
    """Create the file's directory, and the file if it is missing (an empty file is a new SQLite
    database), so that a path that cannot be is said with its name, not as SQLite's "unable to
    open database file"."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = exc.strerror or exc
        raise DatabaseFileError(
            f"cannot create {path.parent}, the SQLite database's directory: {why}"
        ) from exc
    try:
        path.open("ab").close()
    except OSError as exc:
        raise DatabaseFileError(f"cannot open the SQLite database {path}: {exc.strerror or exc}") from exc


def create_engine(url: str, **kwargs) -> AsyncEngine:
    url = normalize_url(url)
    parsed = make_url(url)
    kwargs.setdefault("insertmanyvalues_page_size", INSERT_PAGE_ROWS)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _check_sqlite_file(Path(parsed.database))
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        # SQLite's own locking is per transaction: BEGIN IMMEDIATE avoids upgrade deadlocks
        # between two writers that both started as readers.
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # No JIT: every query here is short, and a cold poll outruns the planner's statistics; the
    # story lookup (2,000 index probes) was then estimated costly enough to be compiled, which
    # took 77 of its 104 ms.
    kwargs.setdefault("connect_args", {"server_settings": {"jit": "off"}})
    return create_async_engine(url, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class Database:
    """The engine and its session factory, opened once per process."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.url = normalize_url(url)
        self.engine = create_engine(self.url, **engine_kwargs)
        self.sessions = session_factory(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for a read that needs no transaction around it (one statement sees one
        state anyway). On SQLite it takes no write lock, so it neither waits for a writer's
        transaction nor holds one up: a WAL reader sees the last commit."""
        async with self.engine.connect() as conn:
            yield await conn.execution_options(**{READ_ONLY: True})

    async def check_reachable(self) -> None:
        """Open one connection, or raise DatabaseUnreachable saying why (the connection stays pooled)."""
        try:
            async with self.engine.connect():
                pass
        except (DBAPIError, OSError) as exc:
            raise _unreachable(self.url, exc) from exc

    async def close(self) -> None:
        await self.engine.dispose()
