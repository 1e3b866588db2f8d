"""`bantin run`: the service — the bot (polling Telegram for updates), the scheduler and the sender."""

from __future__ import annotations

import errno
import logging
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
from bot.cli.common import add_command, check_database, config_from, warn_about_unknown_environment
from bot.health import CannotListen
from bot.lease import BotLease, LeaseHeld
from bot.logging_setup import redact, setup_logging
from bot.operations import Operations
from bot.services import Services
from news.config import ENV_TOKEN, Config
from storage.db import Database
from storage.schema import SchemaOutOfDate

# no token, a token Telegram rejects, no way to reach Telegram, a database schema that is not up to
# date, another instance running, or a listen port (health, webhook) taken
EXIT_CANNOT_START = 2
_CANNOT_BIND = (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES)  # the listen address, not the network


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
    warn_about_unknown_environment(config)
    check_database(config)  # before Telegram is asked anything: the bot cannot answer without it
    setup_logging(config.logging, [config.telegram.token, config.telegram.webhook.secret_token])
    database = Database(config.storage.url)
    services = Services(config, database)
    services.extras["operations"] = Operations(
        lease=BotLease(database, config.telegram.token),
        health_listen=config.health.listen if config.health.enabled else None,
        health_port=config.health.port,
    )
    application = build_application(config, services)
    try:
        # Signals are handled by Operations: a bounded graceful stop (stop_signals=None here).
        if config.telegram.mode == "webhook":
            application.run_webhook(
                **webhook_options(config), allowed_updates=Update.ALL_TYPES, stop_signals=None
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)
    except (SchemaOutOfDate, LeaseHeld, CannotListen) as exc:
        print(f"bantin: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    except OSError as exc:
        if config.telegram.mode != "webhook" or exc.errno not in _CANNOT_BIND:
            raise
        webhook = config.telegram.webhook
        print(
            f"bantin: cannot listen on {webhook.listen}:{webhook.port} for the webhook: "
            f"{exc.strerror}; change [telegram.webhook] listen or port",
            file=sys.stderr,
        )
        return EXIT_CANNOT_START
    except InvalidToken:
        print(
            f"bantin: Telegram rejected the bot token: check {ENV_TOKEN} or [telegram] token "
            '(the token @BotFather gave, "123456:ABC...")' + _base_url_hint(config),
            file=sys.stderr,
        )
        return EXIT_CANNOT_START
    except NetworkError as exc:  # at start only: once running, python-telegram-bot retries for ever
        where = redact(config.telegram.base_url, [config.telegram.token])
        print(
            f"bantin: cannot reach the Bot API at {where}: {redact(str(exc), [config.telegram.token])}; "
            "check the network and [telegram] base_url" + _base_url_hint(config),
            file=sys.stderr,
        )
        return EXIT_CANNOT_START
    logging.getLogger("bantin.run").info("bantin stopped cleanly")
    return 0


def _base_url_hint(config: Config) -> str:
    """The likelier cause when `base_url` lacks the `/bot` that the token is appended to: the Bot API
    then answers 404 (read as a rejected token), or the URL does not even parse."""
    if config.telegram.base_url.endswith("/bot"):
        return ""
    return f"; or [telegram] base_url {config.telegram.base_url!r} should end in /bot (the token is appended to it)"


def webhook_options(config: Config) -> dict:
    """python-telegram-bot's start_webhook/run_webhook arguments for `[telegram.webhook]`: it
    registers `url` with setWebhook and answers 403 to any request without the secret token."""
    webhook = config.telegram.webhook
    return {
        "listen": webhook.listen,
        "port": webhook.port,
        "url_path": webhook.path.strip("/"),
        "webhook_url": webhook.url,
        "secret_token": webhook.secret_token,
    }
