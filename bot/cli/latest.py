"""`bantin latest`: the newest stories, as text or JSON."""

from __future__ import annotations

import json
import sys

from bot.cli.common import add_command, config_from, no_such_source, run_async, with_database
from storage.schema import ensure_up_to_date
from storage.sources import matching_sources
from storage.stories import latest_stories


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "latest",
        help="print the newest stories (title, source, time, summary)",
        example='bantin latest --limit 5\nbantin latest --source "Báo Sông Xanh" --json',
    )
    parser.add_argument("--limit", type=int, default=10, metavar="N", help="how many stories (default 10)")
    parser.add_argument(
        "--source", metavar="NAME", help="only stories this source carried (name, number or a unique start)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="a JSON list of objects: story_id, title, url, published (ISO 8601 with offset), "
        "published_day (the day alone when the source gave no time, else null), source, sources, summary",
    )
    parser.set_defaults(handler=run)


def run(args) -> int:
    config = config_from(args)
    if args.limit < 1:
        print("bantin: --limit must be at least 1", file=sys.stderr)
        return 2

    async def work(db):
        await ensure_up_to_date(db.engine)
        async with db.session() as session:
            source_id = None
            if args.source:
                matches = await matching_sources(session, args.source, enabled_only=False)
                if len(matches) != 1:
                    print(f"bantin: {no_such_source(args.source, matches)}", file=sys.stderr)
                    return None
                source_id = matches[0].id
            return await latest_stories(session, limit=args.limit, source_id=source_id)

    rows = run_async(lambda: with_database(config, work))
    if rows is None:
        return 2
    tz = config.tz
    if args.json:
        print(json.dumps([story_json(r, tz) for r in rows], ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print_story(row, tz)
    if not rows:
        print("no stories yet (run: bantin poll)")
    return 0


def print_story(row, tz) -> None:
    """Title; sources and time; URL; summary; a blank line."""
    print(f"{row.title}\n  {' · '.join(row.sources)} · {_when(row, tz)}\n  {row.url}")
    if row.summary:
        print(f"  {row.summary}")
    print()


def _when(row, tz) -> str:
    # A source that gave a day and no time of day: its day, not a made-up 00:00.
    if row.published_day is not None:
        return row.published_day.strftime("%d/%m/%Y")
    return row.published_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def story_json(row, tz) -> dict:
    return {
        "story_id": row.id,
        "title": row.title,
        "url": row.url,
        "published": row.published_at.astimezone(tz).isoformat(),
        "published_day": row.published_day.isoformat() if row.published_day is not None else None,
        "source": row.sources[0] if row.sources else None,
        "sources": list(row.sources),
        "summary": row.summary,
    }
