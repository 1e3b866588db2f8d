"""What every command needs: the config from --config, a database, an asyncio runner."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from news.config import Config, load_config
from news.config_environment import unknown_environment
from storage.db import Database

T = TypeVar("T")


def add_command(subparsers, name: str, *, help: str, example: str, description: str | None = None):
    """A subcommand parser whose --help shows a description and at least one example.

    It also takes -c/--config, so `bantin config check -c FILE` works as `bantin -c FILE config check`
    (SUPPRESS: when not given here, the global option's value stays)."""
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description or help,
        epilog="Example:\n  " + example.strip().replace("\n", "\n  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-c", "--config", metavar="FILE", default=argparse.SUPPRESS, help="config file (as `bantin -c FILE`)"
    )
    return parser


def config_from(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def warn_about_unknown_environment(config: Config, program: str = "bantin") -> None:
    """One stderr line per BANTIN_* variable bantin does not read (a misspelt one is otherwise ignored),
    each starting with `program`, the command that warns (`bantin`, `deliver_worker`)."""
    for name, closest in unknown_environment(os.environ, config.summaries.llm_api_key_env):
        hint = f" (did you mean {closest}?)" if closest else ""
        print(f"{program}: warning: {name} is set but bantin reads no such variable{hint}", file=sys.stderr)


def print_warnings(notes: list[str]) -> None:
    """What a command did that the admin did not ask for (a source taken over by the config)."""
    for note in notes:
        print(f"bantin: warning: {note}", file=sys.stderr)


# Candidates a command given an ambiguous source lists (as the chat does).
AMBIGUOUS_SHOWN = 5


def no_such_source(query: str, matches: list) -> str:
    """Why `query` named no one source (storage.sources.matching_sources found `matches`)."""
    if not matches:
        return f"no source named {query!r} (see bantin feeds list)"
    names = ", ".join(f"{s.name!r} ({s.id})" for s in matches[:AMBIGUOUS_SHOWN])
    names += ", ..." if len(matches) > AMBIGUOUS_SHOWN else ""
    return f"{query!r} could be more than one source: {names}; type more of the name, or its number"


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(make())


async def with_database(config: Config, work: Callable[[Database], Awaitable[T]]) -> T:
    db = Database(config.storage.url)
    try:
        await db.check_reachable()
        return await work(db)
    finally:
        await db.close()


def check_database(config: Config) -> None:
    """Raise DatabaseUnreachable now, for a command that opens the database its own way later."""
    run_async(lambda: with_database(config, _nothing))


async def _nothing(_db: Database) -> None:
    return None
