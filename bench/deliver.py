"""Delivery throughput against a Bot API stand-in enforcing Telegram's flood limits.

Run: .venv/bin/python bench/deliver.py [--messages N] [--paid] [--db URL]

N subscribers (default 10,000) get one broadcast each through the real path: outbox rows in the
database, `OutboxSender` pacing, `BotApiSender` (kept-alive HTTP/1.1, bot/http_pool.py) to the stand-in. The
stand-in runs in its own process (so the CPU figures are the sender's alone) and enforces the cap
L: 30 messages/s, or 1000/s with --paid (allow_paid_broadcast), as token buckets with Telegram's
burst. Printed:
  achieved/L    messages per second between the stand-in's first and last accepted send, over L
  429s          refusals the stand-in answered (the target is zero)
  CPU s/1000    user+system CPU seconds of this process per 1,000 messages while sending
  peak RSS      of this process (database setup included)
At 30/s, 10,000 messages take about 5.6 minutes; `--messages 1000` measures a shorter run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot.api_sender import BotApiSender  # noqa: E402
from bot.standin import RateLimits, StandInThread  # noqa: E402
from jobs.deliver import OutboxSender, default_concurrency  # noqa: E402
from jobs.digest import queue_broadcast  # noqa: E402
from news.config import DeliveryConfig  # noqa: E402
from storage import schema  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Subscriber  # noqa: E402

FIRST_CHAT = 100_001


def _standin_main(conn, chats: int) -> None:
    """Child process: serve the stand-in until asked for its figures."""
    thread = StandInThread(limits=RateLimits()).start()
    standin = thread.standin

    def register() -> None:
        for chat in range(FIRST_CHAT, FIRST_CHAT + chats):
            standin.add_private_chat(chat)

    thread.call(register)
    conn.send((standin.base_url, standin.token))
    conn.recv()

    def figures() -> dict:
        times = [r["time"] for r in standin.sent if r["method"] == "sendMessage"]
        return {
            "accepted": len(times),
            "span": (max(times) - min(times)) if len(times) > 1 else 0.0,
            "refused_by_limits": standin.flood.refused,
            "429": standin.replies[429],
            "paid": sum(1 for r in standin.sent if r.get("allow_paid_broadcast")),
        }

    conn.send(thread.call(figures))
    thread.stop()


async def _prepare(db_url: str, n: int) -> None:
    db = Database(db_url)
    async with db.transaction() as session:
        for start in range(0, n, 5000):
            rows = [
                {"chat_id": FIRST_CHAT + i, "all_sources": True} for i in range(start, min(n, start + 5000))
            ]
            await session.execute(insert(Subscriber), rows)
    await queue_broadcast(db, "<b>Bản tin thử</b> — kiểm tra tốc độ gửi", admin_id=None)
    await db.close()


async def _send(
    db_url: str, base_url: str, token: str, delivery: DeliveryConfig, concurrency: int | None
) -> tuple[float, float, dict]:
    db = Database(db_url)
    in_flight = concurrency or default_concurrency(delivery)
    api_sender = BotApiSender.for_token(token, base_url, timeout=delivery.send_timeout)
    sender = OutboxSender(db, api_sender, delivery, concurrency=in_flight)
    cpu0 = _cpu()
    wall0 = time.perf_counter()
    tally = await sender.run(until_idle=True)
    wall = time.perf_counter() - wall0
    cpu = _cpu() - cpu0
    await api_sender.aclose()
    await db.close()
    return wall, cpu, dict(tally)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages", type=int, default=10_000, help="subscribers = messages (default 10,000)"
    )
    parser.add_argument("--paid", action="store_true", help="allow_paid_broadcast: cap 1000/s")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--concurrency", type=int, help="sends in flight (default: the sender's own choice)")
    args = parser.parse_args(argv)

    db_url = args.db or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='bench-deliver-')}/bench.db"
    schema.upgrade(db_url)
    asyncio.run(_prepare(db_url, args.messages))
    delivery = DeliveryConfig(allow_paid_broadcast=args.paid)
    cap = delivery.paid_messages_per_second if args.paid else delivery.messages_per_second

    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(
        target=_standin_main, args=(child, args.messages), daemon=True
    )
    process.start()
    try:
        base_url, token = parent.recv()
        wall, cpu, tally = asyncio.run(_send(db_url, base_url, token, delivery, args.concurrency))
        parent.send("figures")
        figures = parent.recv()
        process.join(10)
    finally:
        if process.is_alive():
            process.terminate()

    accepted = figures["accepted"]
    achieved = (accepted - 1) / figures["span"] if figures["span"] else 0.0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"messages: {args.messages} (ran {'the full' if args.messages >= 10_000 else 'a shorter'} measurement)"
    )
    print(f"database: {db_url.split(':', 1)[0]}; cap L = {cap:g}/s{' (paid broadcast)' if args.paid else ''}")
    print(f"sends in flight at most: {args.concurrency or default_concurrency(delivery)}")
    print(f"accepted by the stand-in: {accepted}; sender's tally: {tally}")
    print(f"achieved: {achieved:.2f} msg/s = {achieved / cap:.3f} of L (first to last send)")
    print(f"end to end: {args.messages / wall:.2f} msg/s over {wall:.1f} s (start-up included)")
    print(f"429 responses: {figures['429']} (refused by the limits: {figures['refused_by_limits']})")
    print(f"CPU: {cpu:.2f} s = {cpu / max(accepted, 1) * 1000:.3f} CPU s per 1,000 messages")
    print(f"peak RSS: {rss_mb:.1f} MB")
    return 0 if figures["429"] == 0 and accepted == args.messages else 1


if __name__ == "__main__":
    sys.exit(main())
