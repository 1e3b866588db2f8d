"""`bantin outbox status|list|retry|purge`: see what waits to be sent and what failed; send failed
messages again, or forget them."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta

from bot.cli.common import add_command, config_from, run_async, with_database
from storage import outbox_admin
from storage.models import utcnow
from storage.outbox import CANCELLED, FAILED, PENDING, SENDING, SENT
from storage.schema import ensure_up_to_date

EXIT_USAGE = 2
ERROR_SHOWN = 120  # characters of a row's last error in the text listing (--json has all of it)


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "outbox",
        help="the messages waiting to be sent, and those that failed: see, retry, purge",
        example="bantin outbox status\nbantin outbox list --failed --limit 20\nbantin outbox retry --chat -1001234567890",
    )
    sub = parser.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    _register_status(sub)
    _register_list(sub)
    _register_retry(sub)
    _register_purge(sub)


def _register_status(sub) -> None:
    parser = add_command(
        sub,
        "status",
        help="how many messages are in each state, and how long the oldest one waiting has waited",
        example="bantin outbox status\nbantin outbox status --json",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="a JSON object: counts (state -> number), oldest_pending_age_seconds (null: none waiting)",
    )
    parser.set_defaults(handler=status)


def _register_list(sub) -> None:
    parser = add_command(
        sub,
        "list",
        help="the messages in one state, newest first (failed ones unless told otherwise)",
        example="bantin outbox list --failed\nbantin outbox list --pending --chat 123456789 --json",
    )
    states = parser.add_mutually_exclusive_group()
    for state in (FAILED, PENDING, SENDING, CANCELLED, SENT):
        states.add_argument(
            f"--{state}", dest="status", action="store_const", const=state, help=f"list {state} messages"
        )
    parser.set_defaults(status=FAILED)
    parser.add_argument("--chat", type=int, metavar="CHAT_ID", help="only this chat's messages")
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="how many at most (default 50)")
    parser.add_argument(
        "--json",
        action="store_true",
        help="a JSON list of objects: id, chat_id, kind, status, attempts, last_error, created_at, "
        "next_attempt_at (ISO 8601, UTC)",
    )
    parser.set_defaults(handler=list_messages)


def _register_retry(sub) -> None:
    parser = add_command(
        sub,
        "retry",
        help="send failed messages again: all of them, those with these ids, or one chat's",
        description="Put failed messages back in the queue, due now, with their attempts counted afresh:\n"
        "a running bantin (or deliver_worker) sends them within a second or so. Only failed messages\n"
        "are touched; a chat's later messages wait until the retried one is sent.",
        example="bantin outbox retry --all\nbantin outbox retry --id 812 813\nbantin outbox retry --chat 123456789",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every failed message")
    which.add_argument(
        "--id", type=int, nargs="+", metavar="ID", help="these messages (ids from `outbox list`)"
    )
    which.add_argument("--chat", type=int, metavar="CHAT_ID", help="this chat's failed messages")
    parser.set_defaults(handler=retry)


def _register_purge(sub) -> None:
    parser = add_command(
        sub,
        "purge",
        help="delete failed messages queued more than DAYS days ago",
        example="bantin outbox purge --failed --older-than 30",
    )
    parser.add_argument(
        "--failed",
        action="store_true",
        required=True,
        help="failed messages (required: nothing else is purged)",
    )
    parser.add_argument(
        "--older-than", type=float, required=True, metavar="DAYS", help="queued more than DAYS days ago"
    )
    parser.set_defaults(handler=purge)


def _with_db(args, work):
    config = config_from(args)

    async def checked(db):
        await ensure_up_to_date(db.engine)
        async with db.transaction() as session:
            return await work(session)

    return run_async(lambda: with_database(config, checked))


def status(args) -> int:
    view = _with_db(args, outbox_admin.overview)
    age = None if view.oldest_pending_at is None else (utcnow() - view.oldest_pending_at).total_seconds()
    if args.json:
        print(json.dumps({"counts": view.counts, "oldest_pending_age_seconds": age}, indent=2))
        return 0
    for state, count in view.counts.items():
        print(f"{state}: {count}")
    print("oldest pending: " + ("none" if age is None else _duration(age)))
    return 0


def _duration(seconds: float) -> str:
    """A wait in the largest unit that fits: 45 s, 12 min, 12 h, 3 d."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size:.0f} {unit}"
    return f"{max(seconds, 0):.0f} s"


def list_messages(args) -> int:
    if args.limit < 1:
        print("bantin: --limit must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    rows = _with_db(
        args, lambda s: outbox_admin.list_rows(s, args.status, limit=args.limit, chat_id=args.chat)
    )
    if args.json:
        print(json.dumps([_row_json(r) for r in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"no {args.status} messages")
    for r in rows:
        error = (r.last_error or "").replace("\n", " ")[:ERROR_SHOWN]
        print(
            f"{r.id}\tchat {r.chat_id}\t{r.kind}\t{r.attempts} attempts\t{r.created_at:%Y-%m-%d %H:%M}\t{error}"
        )
    return 0


def _row_json(r: outbox_admin.ListedRow) -> dict:
    return {
        "id": r.id,
        "chat_id": r.chat_id,
        "kind": r.kind,
        "status": r.status,
        "attempts": r.attempts,
        "last_error": r.last_error,
        "created_at": r.created_at.isoformat(),
        "next_attempt_at": r.next_attempt_at.isoformat(),
    }


def retry(args: argparse.Namespace) -> int:
    if not (args.all or args.id or args.chat is not None):
        print(
            "bantin: say which failed messages to retry: --all, --id ID..., or --chat CHAT_ID",
            file=sys.stderr,
        )
        return EXIT_USAGE
    count = _with_db(
        args, lambda s: outbox_admin.retry_failed(s, utcnow(), row_ids=args.id, chat_id=args.chat)
    )
    print(f"{count} failed message{'' if count == 1 else 's'} queued to be sent again")
    return 0


def purge(args) -> int:
    if args.older_than < 0:
        print("bantin: --older-than must be 0 or more days", file=sys.stderr)
        return EXIT_USAGE
    before = utcnow() - timedelta(days=args.older_than)
    count = _with_db(args, lambda s: outbox_admin.purge_failed(s, before))
    print(
        f"purged {count} failed message{'' if count == 1 else 's'} queued before {before:%Y-%m-%d %H:%M} UTC"
    )
    return 0
