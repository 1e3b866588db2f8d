"""`bantin search WORDS`: stored stories matching every word, diacritics optional, as text or JSON."""

from __future__ import annotations

import json
import sys

from bot.cli.common import add_command, config_from, run_async, with_database
from bot.cli.latest import print_story, story_json
from news.render import shortened_query
from storage.schema import ensure_up_to_date
from storage.search import search_stories


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "search",
        help="search stored stories (diacritics optional: 'dieu le dang' finds 'Điều lệ Đảng')",
        example='bantin search dieu le dang\nbantin search "thủy điện" --limit 5 --json',
    )
    parser.add_argument(
        "words", nargs="+", metavar="WORDS", help="every word must match; the last may be a prefix"
    )
    parser.add_argument("--limit", type=int, default=10, metavar="N", help="how many stories (default 10)")
    parser.add_argument("--json", action="store_true", help="a JSON object: the query, total and stories")
    parser.set_defaults(handler=run)


def run(args) -> int:
    config = config_from(args)
    if args.limit < 1:
        print("bantin: --limit must be at least 1", file=sys.stderr)
        return 2
    query = " ".join(args.words)

    async def work(db):
        await ensure_up_to_date(db.engine)
        async with db.session() as session:
            return await search_stories(session, query, limit=args.limit)

    rows, total = run_async(lambda: with_database(config, work))
    tz = config.tz
    if args.json:
        payload = {"query": query, "total": total, "stories": [story_json(r, tz) for r in rows]}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"no stories match {shortened_query(query)!r}")
        return 0
    print(f"{total} matching stor{'y' if total == 1 else 'ies'}, best first:\n")
    for row in rows:
        print_story(row, tz)
    return 0
