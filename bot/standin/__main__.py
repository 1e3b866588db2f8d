"""Run the Bot API stand-in as its own process, e.g. so a delivery benchmark's client has a core to itself.

    python -m bot.standin --port 8081 --private-chats 10000 [--unlimited | --speed 10]

Point the client at http://127.0.0.1:8081/bot with the printed token; `GET /standin/stats` answers
the counters (requests by method, replies by status, messages sent, 429s) as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.standin.limits import RateLimits
from bot.standin.server import DEFAULT_TOKEN, BotApiStandIn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.standin", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--private-chats", type=int, default=0, help="register users 1..N as subscribers")
    limits = parser.add_mutually_exclusive_group()
    limits.add_argument("--unlimited", action="store_true", help="no flood limits")
    limits.add_argument(
        "--speed", type=float, default=1.0, help="multiply every rate (retry_after scales too)"
    )
    args = parser.parse_args(argv)
    asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> None:
    limits = RateLimits.unlimited() if args.unlimited else RateLimits().scaled(args.speed)
    standin = BotApiStandIn(args.token, limits=limits)
    for user_id in range(1, args.private_chats + 1):
        standin.add_private_chat(user_id)
    await standin.start(args.host, args.port)
    print(f"Bot API stand-in on {standin.base_url} token {standin.token}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await standin.stop()


if __name__ == "__main__":
    main()
