"""`bantin sandbox`: try the whole bot offline, chatting with it in the terminal (no token, no network)."""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

from rich.console import Console

from bot.cli.common import add_command, check_database, run_async
from bot.sandbox.session import Sandbox, SandboxOptions, interactive, script_lines, stdin_lines
from news.config import ENV_DATABASE_URL, Config, bundled_sample_feeds, load_config, validate

DEFAULT_DATABASE = "sqlite+aiosqlite:///data/bantin.db"


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "sandbox",
        help="chat with the whole bot offline in the terminal (no token, no network)",
        description=(
            "Run the whole service (scheduler, polling of the bundled sample sources, SQLite, the bot) "
            "against a Telegram stand-in in the same process, and chat with it in the terminal. "
            f"The database is ${ENV_DATABASE_URL} or ./data/bantin.db, migrated automatically."
        ),
        example='bantin sandbox\nprintf "/start\\n[1]\\n/latest\\n" | bantin sandbox\nbantin sandbox --script commands.txt --lang en',
    )
    parser.add_argument(
        "--script",
        metavar="FILE",
        help="read the commands from FILE (- for stdin), print the replies and exit; "
        "the default when stdin is not a terminal",
    )
    parser.add_argument(
        "--lang", choices=("vi", "en"), default="vi", help="your Telegram language (default: vi)"
    )
    parser.set_defaults(handler=run)


def sandbox_config(config_file: str | None) -> Config:
    """An explicit --config is used as given; otherwise the embedded defaults with the bundled samples
    (a ./config.toml with real feeds would need the network)."""
    config = load_config(config_file) if config_file else validate(Config(feeds=bundled_sample_feeds()))
    config.storage.url = os.environ.get(ENV_DATABASE_URL) or (
        config.storage.url if config_file else DEFAULT_DATABASE
    )
    return config


def run(args) -> int:
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    config = sandbox_config(getattr(args, "config", None))
    check_database(config)
    script = args.script or (None if interactive() else "-")
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    options = SandboxOptions(language=args.lang, echo=script is not None)
    sandbox = Sandbox(config, console, options)
    if script is None:
        ready = threading.Event()
        return run_async(lambda: sandbox.run(stdin_lines("you › ", ready), ready))
    if script == "-":
        lines = sys.stdin.read().splitlines()
    else:
        lines = Path(script).read_text(encoding="utf-8").splitlines()
    return run_async(lambda: sandbox.run(script_lines(lines)))
