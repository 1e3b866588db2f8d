"""`bantin feeds list|add|remove|origin|import-opml|export-opml`: manage the sources."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from bot.cli.common import (
    add_command,
    config_from,
    no_such_source,
    print_warnings,
    run_async,
    with_database,
)
from bot.services import utcnow
from jobs.source_removal import remove_source_telling_followers
from news.config import Config
from news.config_feeds import FEED_KINDS
from news.opml import OpmlError, OpmlFeed, read_opml, write_opml
from news.source_address import name_from_address, source_name_problem, source_url_problem
from storage.schema import ensure_up_to_date
from storage.sources import (
    MAX_NAME_CHARS,
    SourceExists,
    SourceSpec,
    SourceUrlExists,
    add_source,
    list_sources,
    matching_sources,
    sync_config_sources,
)


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "feeds",
        help="list, add, remove, import or export the sources",
        example="bantin feeds list\nbantin feeds add https://example.gov.vn/tin-tuc --name 'Tin tỉnh' --kind html",
    )
    sub = parser.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    ls = add_command(
        sub,
        "list",
        help="every source with its health: last success, last error, items, next check",
        example="bantin feeds list\nbantin feeds list --json",
    )
    ls.add_argument("--json", action="store_true", help="a JSON list of objects")
    ls.set_defaults(handler=list_cmd)
    add = add_command(
        sub,
        "add",
        help="add a source (stored in the database, like /addfeed)",
        example="bantin feeds add https://vnexpress.net/rss/tin-moi-nhat.rss --name VnExpress",
    )
    add.add_argument("url", help="http(s):// or file:// URL of a feed or a news listing page")
    add.add_argument("--name", help="a unique short name (default: the host name)")
    add.add_argument("--kind", choices=FEED_KINDS, default="auto", help="rss, html or auto (default)")
    add.add_argument("--selector", help="CSS selector of the article links (kind html)")
    add.add_argument("--full-text", action="store_true", help="fetch each entry's page for the full text")
    add.set_defaults(handler=add_cmd)
    rm = add_command(
        sub,
        "remove",
        help="remove a source and its items (one of [[feeds]] in the config file is removed there instead)",
        example="bantin feeds remove VnExpress",
    )
    rm.add_argument(
        "name",
        help="the source's name, its number in `feeds list`, or a unique start of the name",
    )
    rm.set_defaults(handler=remove_cmd)
    origin = add_command(
        sub,
        "origin",
        help="mark a source as added from a chat (polled on public addresses only, as /addfeed's) or by an admin on the host",
        example="bantin feeds origin 'Tin tỉnh' chat",
    )
    origin.add_argument(
        "name", help="the source's name, its number in `feeds list`, or a unique start of the name"
    )
    origin.add_argument("origin", choices=ORIGINS, help="chat or admin")
    origin.set_defaults(handler=origin_cmd)
    imp = add_command(
        sub,
        "import-opml",
        help="add every feed of an OPML file (up to 10,000 feeds, 10 MB); a feed whose name or address is a source already is skipped",
        example="bantin feeds import-opml subscriptions.opml",
    )
    imp.add_argument("file", help="the OPML file, or - for standard input")
    imp.set_defaults(handler=import_cmd)
    exp = add_command(
        sub,
        "export-opml",
        help="print every source as OPML",
        example="bantin feeds export-opml > bantin.opml",
    )
    exp.set_defaults(handler=export_cmd)


def _work(args, work):
    config = config_from(args)

    async def wrapped(db):
        await ensure_up_to_date(db.engine)
        async with db.transaction() as session:
            print_warnings(await sync_config_sources(session, config.feeds, utcnow()))
        return await work(db, config)

    return run_async(lambda: with_database(config, wrapped))


ERROR_CHARS = 120  # of a source's last error in `feeds list`, as /feeds shows it (--json has it whole)


def _when(dt, tz) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else "-"


def list_cmd(args) -> int:
    async def work(db, config):
        async with db.session() as session:
            return await list_sources(session), config.tz

    sources, tz = _work(args, work)
    if args.json:
        print(json.dumps([_source_json(s) for s in sources], ensure_ascii=False, indent=2))
        return 0
    for s in sources:
        state = "ok" if not s.error_count else f"{s.error_count} error(s): {_one_line(s.last_error or '')}"
        if not s.enabled:
            state = "disabled"
        kind = s.detected_kind or s.kind
        print(f"{s.id}. {s.name} [{kind}, {s.origin}] {s.url}")  # the number `feeds remove` takes
        print(
            f"  items {s.item_count} · last success {_when(s.last_success_at, tz)} · "
            f"next check {_when(s.next_check_at, tz)} · {state}"
        )
    return 0


def _one_line(text: str, limit: int = ERROR_CHARS) -> str:
    """An error as one short line: stored, it may be an exception's several lines and 1,000 characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _source_json(s) -> dict:
    iso = lambda dt: dt.isoformat() if dt else None  # noqa: E731
    return {
        "id": s.id,
        "name": s.name,
        "url": s.url,
        "kind": s.kind,
        "detected_kind": s.detected_kind,
        "origin": s.origin,
        "enabled": s.enabled,
        "items": s.item_count,
        "error_count": s.error_count,
        "last_error": s.last_error,
        "last_error_at": iso(s.last_error_at),
        "last_success_at": iso(s.last_success_at),
        "next_check_at": iso(s.next_check_at),
    }


def add_cmd(args) -> int:
    args.url = args.url.strip()
    if problem := source_url_problem(args.url, allow_file=True):
        print(f"bantin: {args.url}: {problem} (expected http://, https:// or file://...)", file=sys.stderr)
        return 2
    if _names_a_missing_file(args.url):  # every poll would fail with "file not found"
        print(f"bantin: {args.url}: no such file", file=sys.stderr)
        return 2
    name = " ".join((args.name or "").split()) or name_from_address(args.url)[:MAX_NAME_CHARS]
    if problem := source_name_problem(name):
        print(f"bantin: the name {name[:40]!r}: {problem}", file=sys.stderr)
        return 2
    spec = SourceSpec(
        name=name,
        url=args.url,
        kind=args.kind,
        selector=args.selector,
        full_text=args.full_text,
    )

    async def work(db, config):
        async with db.transaction() as session:
            try:
                await add_source(session, spec, utcnow())
            except SourceExists as exc:
                return str(exc)
        return None

    error = _work(args, work)
    if error:
        print(f"bantin: {error}", file=sys.stderr)
        return 1
    print(
        f"added {spec.name}: {spec.url} (polled at the next cycle; now: bantin poll --source {spec.name!r})"
    )
    return 0


def _names_a_missing_file(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() == "file" and not Path(url2pathname(parts.path)).is_file()


def remove_cmd(args) -> int:
    async def work(db, config):
        async with db.transaction() as session:
            source = await _the_source(session, args.name)
            if isinstance(source, _Refusal):
                return source
            if source.origin == "config" and any(f.name == source.name for f in config.feeds):
                return _configured_source(source.name, config)
            await remove_source_telling_followers(session, source.name, utcnow(), config.schedule)
            return source.name

    return _told(_work(args, work), "removed {name}")


# Sources /addfeed added before it recorded "chat" were stored as "admin", as `feeds add`'s are: only
# the admin knows which they are.
ORIGINS = {
    "chat": "added from a chat (polled on public addresses only)",
    "admin": "added by an admin on the host (polled on any address)",
}


def origin_cmd(args) -> int:
    async def work(db, config):
        async with db.transaction() as session:
            source = await _the_source(session, args.name)
            if isinstance(source, _Refusal):
                return source
            if source.origin == "config":
                return _Refusal(
                    f"{source.name!r} is a [[feeds]] entry, polled on any address as the config is"
                )
            source.origin = args.origin
            return source.name

    return _told(_work(args, work), "{name}: " + ORIGINS[args.origin])


async def _the_source(session, name: str):
    """The one source `name` names (as the chat names it), or why there is none."""
    matches = await matching_sources(session, name, enabled_only=False)
    return matches[0] if len(matches) == 1 else _Refusal(no_such_source(name, matches))


def _told(name: str, done: str) -> int:
    """Print what was done to the source `name`, or why nothing was (exit status 1)."""
    if isinstance(name, _Refusal):
        print(f"bantin: {name}", file=sys.stderr)
        return 1
    print(done.format(name=name))
    return 0


class _Refusal(str):
    """Why `feeds remove` or `feeds origin` did nothing (a str, told apart from the name of a removed source)."""


def _configured_source(name: str, config: Config) -> _Refusal:
    # Every command first makes the configured sources present: removing one here would only
    # delete its items.
    where = (
        f"a [[feeds]] entry of {config.path}: delete it there"
        if config.path
        else "a bundled sample source, used while there is no config file: write one with your [[feeds]]"
    )
    return _Refusal(
        f"{name!r} is {where} (removed here, it would come back at the next start, without its items)"
    )


# A subscription list of a few thousand feeds is a few hundred KB; a file past these is something else,
# and every feed in it would be added (and polled) in one go.
MAX_OPML_BYTES = 10_000_000
MAX_IMPORTED_FEEDS = 10_000


def _read_subscription_list(file: str) -> list[OpmlFeed]:
    """The feeds of the OPML file (- for standard input), or OpmlError saying why not."""
    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_OPML_BYTES + 1)
        else:
            with open(file, "rb") as stream:
                data = stream.read(MAX_OPML_BYTES + 1)
    except FileNotFoundError:
        raise OpmlError("no such file") from None
    except IsADirectoryError:
        raise OpmlError("not a file") from None
    except OSError as exc:
        raise OpmlError(f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"larger than {MAX_OPML_BYTES // 1_000_000} MB: not a subscription list")
    feeds = read_opml(data)
    if len(feeds) > MAX_IMPORTED_FEEDS:
        raise OpmlError(f"{len(feeds)} feeds, more than {MAX_IMPORTED_FEEDS} in one import")
    return feeds


def import_cmd(args) -> int:
    try:
        feeds = _read_subscription_list(args.file)
    except OpmlError as exc:
        print(f"bantin: {args.file}: {exc}", file=sys.stderr)
        return 2

    async def work(db, config):
        added, skipped = [], []
        async with db.transaction() as session:
            for feed in feeds:
                if problem := source_url_problem(feed.url, allow_file=False):
                    skipped.append(f"{feed.name} ({problem})")
                    continue
                name = feed.name[:MAX_NAME_CHARS]  # an outline's title can be a whole description
                try:
                    async with session.begin_nested():
                        await add_source(session, SourceSpec(name=name, url=feed.url), utcnow())
                    added.append(name)
                except SourceUrlExists as exc:
                    skipped.append(f"{name} (the address of {exc.existing})")
                except SourceExists:
                    skipped.append(f"{name} (name exists)")
        return added, skipped

    added, skipped = _work(args, work)
    for name in added:
        print(f"added {name}")
    for name in skipped:
        print(f"skipped {name}")
    return 0


def export_cmd(args) -> int:
    async def work(db, config):
        async with db.session() as session:
            return await list_sources(session)

    sources = _work(args, work)
    sys.stdout.write(write_opml([OpmlFeed(s.name, s.configured_url or s.url) for s in sources]))
    return 0
