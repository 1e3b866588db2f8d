"""`bantin poll`: poll the sources once now and print one line per source."""

from __future__ import annotations

import sys

from bot.cli.common import add_command, config_from, no_such_source, print_warnings, run_async
from bot.services import utcnow
from jobs.offload import Offload
from jobs.poll import make_fetcher, poll_due_sources
from news.config import Config
from storage.db import Database
from storage.schema import ensure_up_to_date
from storage.sources import matching_sources, schedule_now, sync_config_sources


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "poll",
        help="poll the sources once now (all, or one) and print what each yielded",
        example='bantin poll\nbantin poll --source "Báo Sông Xanh"',
    )
    parser.add_argument(
        "--source",
        metavar="NAME",
        help="poll only this source (its name, number or a unique start of the name)",
    )
    parser.set_defaults(handler=run)


def run(args) -> int:
    config = config_from(args)
    return run_async(lambda: poll_once(config, args.source, progress=sys.stdout.isatty()))


async def poll_once(config: Config, source_name: str | None, *, progress: bool = False) -> int:
    db = Database(config.storage.url)
    try:
        await db.check_reachable()
        await ensure_up_to_date(db.engine)
        now = utcnow()
        async with db.transaction() as session:
            print_warnings(await sync_config_sources(session, config.feeds, now))
            if source_name is not None:
                matches = await matching_sources(session, source_name)
                if len(matches) != 1:
                    print(f"bantin: {no_such_source(source_name, matches)}", file=sys.stderr)
                    return 2
                source_name = matches[0].name
            due = await schedule_now(session, now, source_name)
        offload = Offload(config.fetch.parse_workers)
        try:
            async with make_fetcher(config) as fetcher:
                if progress:
                    outcomes = await _with_progress(db, fetcher, config, offload, due, source_name)
                else:
                    outcomes = await poll_due_sources(
                        db,
                        fetcher,
                        config,
                        on_outcome=lambda o: print(o.line(), flush=True),
                        source_name=source_name,
                        offload=offload,
                    )
        finally:
            offload.close()
        return 1 if outcomes and all(o.status == "error" for o in outcomes) else 0
    finally:
        await db.close()


async def _with_progress(db, fetcher, config, offload, total: int, source_name: str | None):
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("polling", total=total)

        def done(outcome) -> None:
            bar.console.print(outcome.line(), markup=False, highlight=False)
            bar.advance(task)

        return await poll_due_sources(
            db, fetcher, config, on_outcome=done, source_name=source_name, offload=offload
        )
