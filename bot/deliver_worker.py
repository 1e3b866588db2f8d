"""A process that only drains the outbox (and optionally composes due digests first): the crash tests
kill it mid-broadcast, and a deployment can run it apart from the bot's handlers.

    python -m bot.deliver_worker --config /etc/bantin/config.toml --until-idle
    python -m bot.deliver_worker --db sqlite:///bantin.db --base-url http://127.0.0.1:8081/bot \\
        --token 123:ABC --until-idle

The config file is found as `bantin` finds it (--config, else $BANTIN_CONFIG, else ./config.toml);
--db, --base-url, --token and the rate options override what it says.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import signal
import sys

from bot.api_sender import BotApiSender
from bot.cli.common import warn_about_unknown_environment
from jobs.deliver import CLAIM_TTL, OutboxSender
from jobs.digest import compose_due_digests
from news.config import ENV_CONFIG, Config, ConfigError, DeliveryConfig, load_config
from storage.db import Database

log = logging.getLogger("bantin.deliver_worker")
EXIT_CONFIG = 2  # as `bantin`


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.deliver_worker",
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="Example:\n" + __doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-c", "--config", metavar="FILE", help=f"config file (default: ${ENV_CONFIG}, else ./config.toml)"
    )
    parser.add_argument("--db", help="database URL (default: [storage] url)")
    parser.add_argument(
        "--base-url", help="Bot API base URL, as python-telegram-bot takes it (default: [telegram] base_url)"
    )
    parser.add_argument("--token", help="the bot token (default: [telegram] token)")
    parser.add_argument(
        "--timeout", type=float, help="seconds to wait for one send ([delivery] send_timeout)"
    )
    parser.add_argument("--rate", type=float, help="messages/s cap ([delivery] messages_per_second)")
    parser.add_argument("--per-chat-interval", type=float, help="seconds ([delivery] per_chat_interval)")
    parser.add_argument("--group-per-minute", type=int, help="([delivery] group_messages_per_minute)")
    parser.add_argument(
        "--paid", action="store_true", default=None, help="allow_paid_broadcast at --paid-rate"
    )
    parser.add_argument("--paid-rate", type=float, help="([delivery] paid_messages_per_second)")
    parser.add_argument("--concurrency", type=int, default=None, help="sends in flight at once")
    parser.add_argument(
        "--retry-after-scale", type=float, default=1.0, help="seconds per reported retry_after"
    )
    parser.add_argument(
        "--claim-ttl",
        type=float,
        default=CLAIM_TTL,
        help="seconds after which the rows a dead sender left 'sending' are taken over",
    )
    parser.add_argument("--compose", action="store_true", help="compose due digests before sending")
    parser.add_argument("--until-idle", action="store_true", help="exit when the outbox is empty")
    return parser.parse_args(argv)


def delivery_settings(args: argparse.Namespace, configured: DeliveryConfig) -> DeliveryConfig:
    """The config's [delivery], with what the command line gives instead."""
    given = {
        "messages_per_second": args.rate,
        "per_chat_interval": args.per_chat_interval,
        "group_messages_per_minute": args.group_per_minute,
        "allow_paid_broadcast": args.paid,
        "paid_messages_per_second": args.paid_rate,
        "send_timeout": args.timeout,
    }
    return dataclasses.replace(configured, **{k: v for k, v in given.items() if v is not None})


def settings(args: argparse.Namespace) -> Config:
    """The admin's config (ConfigError when it cannot be used), the command line's values put in."""
    config = load_config(args.config)
    config.storage.url = args.db or config.storage.url
    config.telegram.base_url = args.base_url or config.telegram.base_url
    config.telegram.token = args.token or config.telegram.token
    config.delivery = delivery_settings(args, config.delivery)
    if not config.telegram.token:
        raise ConfigError(
            config.path,
            "telegram.token",
            "empty: set it in the config file, in BANTIN_TELEGRAM_TOKEN, or give --token",
        )
    return config


async def main(args: argparse.Namespace) -> int:
    try:
        config = settings(args)
    except ConfigError as exc:
        print(f"deliver_worker: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    # As `bantin run`: a misspelt BANTIN_DATABSE_URL would leave the worker on another database.
    warn_about_unknown_environment(config, "deliver_worker")
    db = Database(config.storage.url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        if args.compose:
            report = await compose_due_digests(db, config)
            print(f"composed {report.composed} digests ({report.already_done} already there)", flush=True)
        return await _send(db, config, args, stop)
    finally:
        await db.close()


async def _send(db: Database, config: Config, args: argparse.Namespace, stop: asyncio.Event) -> int:
    telegram = config.telegram
    api_sender = BotApiSender.for_token(
        telegram.token, telegram.base_url, timeout=config.delivery.send_timeout
    )
    try:
        sender = OutboxSender(
            db,
            api_sender,
            config.delivery,
            concurrency=args.concurrency,
            retry_after_scale=args.retry_after_scale,
            claim_ttl=args.claim_ttl,
        )
        print(f"sending as {sender.worker}", flush=True)
        tally = await sender.run(stop, until_idle=args.until_idle)
    finally:
        await api_sender.aclose()
    print("done: " + ", ".join(f"{k}={v}" for k, v in sorted(tally.items())), flush=True)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(main(parse_args())))
