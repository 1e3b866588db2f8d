"""A process that only drains the outbox (and optionally composes due digests first): the crash tests
kill it mid-broadcast, and a deployment can run it apart from the bot's handlers.

    python -m bot.deliver_worker --db sqlite:///bantin.db --base-url http://127.0.0.1:8081/bot \\
        --token 123:ABC --until-idle
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from bot.api_sender import BotApiSender
from jobs.deliver import CLAIM_TTL, OutboxSender
from jobs.digest import compose_due_digests
from news.config import Config, DeliveryConfig
from storage.db import Database

log = logging.getLogger("bantin.deliver_worker")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = DeliveryConfig()
    parser = argparse.ArgumentParser(prog="python -m bot.deliver_worker", description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--base-url", required=True, help="Bot API base URL, as python-telegram-bot takes it")
    parser.add_argument(
        "--timeout", type=float, default=defaults.send_timeout, help="seconds to wait for one send"
    )
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, default=defaults.messages_per_second, help="messages/s cap")
    parser.add_argument("--per-chat-interval", type=float, default=defaults.per_chat_interval)
    parser.add_argument("--group-per-minute", type=int, default=defaults.group_messages_per_minute)
    parser.add_argument("--paid", action="store_true", help="allow_paid_broadcast at --paid-rate")
    parser.add_argument("--paid-rate", type=float, default=defaults.paid_messages_per_second)
    parser.add_argument("--concurrency", type=int, default=None)
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


async def main(args: argparse.Namespace) -> int:
    delivery = DeliveryConfig(
        messages_per_second=args.rate,
        per_chat_interval=args.per_chat_interval,
        group_messages_per_minute=args.group_per_minute,
        allow_paid_broadcast=args.paid,
        paid_messages_per_second=args.paid_rate,
    )
    db = Database(args.db)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        if args.compose:
            report = await compose_due_digests(db, Config())
            print(f"composed {report.composed} digests ({report.already_done} already there)", flush=True)
        api_sender = BotApiSender.for_token(args.token, args.base_url, timeout=args.timeout)
        try:
            sender = OutboxSender(
                db,
                api_sender,
                delivery,
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
    finally:
        await db.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(main(parse_args())))
