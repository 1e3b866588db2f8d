"""`bantin db upgrade|current`: apply the schema migrations, show the revision."""

from __future__ import annotations

import sys

from bot.cli.common import add_command, check_database, config_from, run_async, with_database
from storage import schema

EXIT_CANNOT_UPGRADE = 2  # as `bantin run` on a schema it cannot use


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "db",
        help="database schema: upgrade to the current version, or show it",
        example="bantin db upgrade\nBANTIN_DATABASE_URL=postgresql+asyncpg://bantin:pw@localhost/bantin bantin db upgrade",
    )
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = add_command(sub, "upgrade", help="apply all migrations (creates the schema)", example="bantin db upgrade")
    up.set_defaults(handler=upgrade)
    cur = add_command(sub, "current", help="print the schema revision and the code's", example="bantin db current")
    cur.set_defaults(handler=current)


def upgrade(args) -> int:
    config = config_from(args)
    check_database(config)
    try:
        schema.upgrade(config.storage.url)
    except schema.SchemaOutOfDate as exc:  # newer than the code: upgrading again cannot help
        print(f"bantin: {exc}", file=sys.stderr)
        return EXIT_CANNOT_UPGRADE
    print(f"database schema is at {schema.head_revision()} (head)")
    return 0


def current(args) -> int:
    config = config_from(args)

    async def read(db):
        return await schema.current_revision(db.engine)

    rev = run_async(lambda: with_database(config, read))
    head = schema.head_revision()
    if rev == head:
        advice = "up to date"
    elif schema.is_newer_than_code(rev):
        advice = "the database is newer than this bantin: run the version that upgraded it"
    else:
        advice = "run: bantin db upgrade"
    print(f"database: {rev or 'no schema'}; code: {head}; {advice}")
    return 0 if rev == head else 1
