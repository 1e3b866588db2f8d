"""`bantin run`: the service — the bot (polling Telegram for updates), the scheduler and the sender."""

from __future__ import annotations

import logging
import sys

from telegram import Update

from bot.app import build_application
from bot.cli.common import add_command, config_from
from bot.services import Services
from news.config import ENV_TOKEN
from storage.db import Database
from storage.schema import SchemaOutOfDate

EXIT_CANNOT_START = 2  # no token, or a database schema that is not up to date


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "run",
        help="run the bot: answer commands, poll sources, send digests",
        description=(
            f"Run the service until stopped (Ctrl-C or SIGTERM). Needs a bot token (${ENV_TOKEN} or "
            "[telegram] token) and an up-to-date database (`bantin db upgrade`)."
        ),
        example="BANTIN_TELEGRAM_TOKEN=123456:ABC bantin run\nbantin -c /etc/bantin/config.toml run",
    )
    parser.set_defaults(handler=run)


def run(args) -> int:
    config = config_from(args)
    if not config.telegram.token:
        print(
            f"bantin: no Telegram bot token: set {ENV_TOKEN} (or [telegram] token in the config), "
            "or try the bot offline with `bantin sandbox`",
            file=sys.stderr,
        )
        return EXIT_CANNOT_START
    logging.basicConfig(
        level=config.logging.level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token in the URL
    services = Services(config, Database(config.storage.url))
    application = build_application(config, services)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except SchemaOutOfDate as exc:
        print(f"bantin: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    return 0
