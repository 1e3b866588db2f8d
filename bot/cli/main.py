"""`bantin`: the command-line entry point. Each command lives in its own module under bot/cli/."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from news import __version__
from news.config import ConfigError
from storage.db import DatabaseFileError, DatabaseUnreachable
from storage.schema import SchemaOutOfDate

# Each module exposes register(subparsers); its parser sets `handler=run(args) -> int`.
COMMAND_MODULES = (
    "bot.cli.run",
    "bot.cli.sandbox",
    "bot.cli.poll",
    "bot.cli.latest",
    "bot.cli.search",
    "bot.cli.digest",
    "bot.cli.summarize",
    "bot.cli.feeds",
    "bot.cli.db",
    "bot.cli.outbox",
    "bot.cli.config_cmd",
)

EXIT_CONFIG = 2
EXIT_NO_DATABASE = 2  # none, or one without the current schema: as `bantin run` that cannot start


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bantin",
        description="bantin (bản tin): a self-hosted Telegram bot that turns news sources into digests.",
        epilog="Example:\n  bantin config check\n  bantin db upgrade && bantin run",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"bantin {__version__}")
    parser.add_argument(
        "-c", "--config", metavar="FILE", help="config file (default: $BANTIN_CONFIG, else ./config.toml)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command still being built is simply absent
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except ConfigError as exc:
        print(f"bantin: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (DatabaseUnreachable, DatabaseFileError, SchemaOutOfDate) as exc:
        print(f"bantin: {exc}", file=sys.stderr)
        return EXIT_NO_DATABASE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: one line, no traceback
        logging.getLogger("bantin").debug("command failed", exc_info=True)
        print(f"bantin: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
