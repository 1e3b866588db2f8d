"""Schema versions: apply Alembic migrations and tell whether a database is up to date."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import normalize_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# Objects that live outside the models (full-text search tables and their triggers) are
# created by migrations with raw SQL; autogenerate must not propose to drop them.
IGNORED_TABLE_PREFIXES = ("items_fts", "alembic_")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and name and name.startswith(IGNORED_TABLE_PREFIXES):
        return False
    if type_ == "index" and name and name.startswith("ix_items_search"):
        return False
    if type_ == "column" and name == "search_vector" and obj.table.name == "items":
        return False  # PostgreSQL's generated full-text column (migration 0002)
    return True


class SchemaOutOfDate(Exception):
    """The database is behind (or ahead of) the code's migrations."""


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head_revision() -> str:
    return _scripts().get_current_head()


def is_newer_than_code(revision: str | None) -> bool:
    """A revision this code has no migration for: a newer bantin upgraded the database."""
    if revision is None:
        return False
    try:
        return _scripts().get_revision(revision) is None
    except CommandError:
        return True


def refuse_newer_than_code(revision: str | None) -> None:
    """SchemaOutOfDate when a newer bantin upgraded the database: upgrading again cannot help."""
    if is_newer_than_code(revision):
        raise SchemaOutOfDate(
            f"The database is at revision {revision}, newer than this bantin (it knows up to "
            f"{head_revision()}): a newer version upgraded it. Run that version or a later one."
        )


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations (synchronous: Alembic's env runs its own event loop). A database at a
    revision this code does not know raises SchemaOutOfDate (migrations/env.py checks it)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def ensure_up_to_date(engine: AsyncEngine) -> None:
    current = await current_revision(engine)
    refuse_newer_than_code(current)
    head = head_revision()
    if current != head:
        state = "has no schema yet" if current is None else f"is at revision {current}, the code needs {head}"
        raise SchemaOutOfDate(
            f"The database {state}. Run `bantin db upgrade` (or set [storage] auto_upgrade = true)."
        )
