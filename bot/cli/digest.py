"""`bantin digest --preview [--chat CHAT_ID]`: what a subscriber's next digest would hold, sent nowhere.

Nothing is written: no digest row, no outbox row, and the subscriber's cursor stays where it is.
"""

from __future__ import annotations

import json
import sys

from sqlalchemy import select

from bot.cli.common import add_command, config_from, run_async, with_database
from jobs.digest import compose_digest_for
from news.telegram_html import strip_tags
from storage.models import Subscriber
from storage.schema import ensure_up_to_date


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "digest",
        help="preview a subscriber's next digest (nothing is sent, no cursor moves)",
        example="bantin digest --preview\nbantin digest --preview --chat 123456789 --json",
    )
    parser.add_argument(
        "--preview",
        action="store_true",
        help="print the next digest (required: digests are sent only by `bantin run`)",
    )
    parser.add_argument(
        "--chat",
        type=int,
        metavar="CHAT_ID",
        help="the subscriber's chat (default: the first admin's, else the oldest)",
    )
    parser.add_argument("--html", action="store_true", help="print the Telegram HTML, not the visible text")
    parser.add_argument("--json", action="store_true", help="a JSON object with the parts and counts")
    parser.set_defaults(handler=run)


async def _pick_subscriber(session, chat_id: int | None, admins: list[int]) -> Subscriber | None:
    if chat_id is not None:
        return (await session.execute(select(Subscriber).where(Subscriber.chat_id == chat_id))).scalar()
    for admin in admins:
        found = (await session.execute(select(Subscriber).where(Subscriber.chat_id == admin))).scalar()
        if found is not None:
            return found
    query = select(Subscriber).where(Subscriber.active.is_(True)).order_by(Subscriber.id).limit(1)
    return (await session.execute(query)).scalar()


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def run(args) -> int:
    if not args.preview:
        print("bantin: digests are sent by `bantin run`; use --preview to see the next one", file=sys.stderr)
        return 2
    config = config_from(args)

    async def work(db):
        await ensure_up_to_date(db.engine)
        async with db.session() as session:
            subscriber = await _pick_subscriber(session, args.chat, config.telegram.admins)
        if subscriber is None:
            return None, None
        return subscriber, await compose_digest_for(db, config, subscriber.id, record=False)

    subscriber, result = run_async(lambda: with_database(config, work))
    if subscriber is None:
        which = f"chat {args.chat}" if args.chat is not None else "any chat"
        print(f"bantin: no subscriber for {which} (someone must /start the bot first)", file=sys.stderr)
        return 2
    parts = result.parts if args.html else [strip_tags(part) for part in result.parts]
    if args.json:
        payload = {
            "chat_id": subscriber.chat_id,
            "stories": result.story_count,
            "more": result.more,
            "messages": parts,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(
        f"next digest for chat {subscriber.chat_id}: {_count(result.story_count, 'story', 'stories')}"
        + (f" (+{result.more} more)" if result.more else "")
        + f", {_count(len(parts), 'message', 'messages')}"
    )
    for number, part in enumerate(parts, 1):
        print(f"\n--- message {number}/{len(parts)} ---\n{part}")
    if not parts:
        print("nothing new since the last digest: nothing would be sent")
    return 0
