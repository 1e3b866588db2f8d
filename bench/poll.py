"""Poll benchmark: 2,000 RSS sources x 50 items served on loopback, polled through the whole path.

Run: .venv/bin/python bench/poll.py [--sources 2000] [--items 50] [--workers 1] [--database-url URL]

A feed server runs in a child process (so it does not share the poller's CPU) and serves
`--sources` RSS 2.0 feeds of `--items` different Vietnamese-looking items (~35 KB a feed, each
with an ETag and Last-Modified). This process then measures, in order:

  cold poll   poll_due_sources over every source on an empty database: fetch, parse, prepare
              (summary, fingerprints, signature; in --workers processes, as the service does),
              store with dedup and story clustering
  loop lag    meanwhile, how late a 10 ms timer fires: what a bot in the same process waits
  304 cycle   the next cycle: every feed answers 304 Not Modified
  changed     the cycle after: every feed has changed at the same URL (a new ETag, FRESH_LATER
              new items on top, as many old ones gone): fetch, parse the items the last stored
              poll did not have (news.feed_memo), prepare and store the new ones. What a poll of
              busy sources looks like once the archive exists.
  peak RSS    of this process after the three cycles (the server's memory is not counted)
  bare parse  feedparser.parse on the same bytes, one after the other: the floor
  parse path  our parse_feed + prepare_entry on the same bytes (no network, no database)
  cold CPU    CPU seconds of the poller and of its parsing workers during the cold poll, and the
              wall time they would take spread perfectly over the cores this process may use (a
              database server's own processes are not counted: on PostgreSQL the floor is higher)

and prints the ratios to bare parsing of the parse path, of the cold poll (every item new: its
time is mostly storing 100,000 items with their indexes, search terms and story keys, which
feedparser does not do) and of the changed-feeds cycle (bare parsing of the changed bytes).
Items are written so that no two are the same story: every one must be stored.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/feedserver.py serves the feeds

import feedparser  # noqa: E402

from news.config import Config  # noqa: E402

# Syllables to draw made-up headlines and leads from: ~35 KB feeds of text that reads like news
# to the tokenizer, the summarizer and the signatures, with no two items the same story.
SYLLABLES = (
    "an ba bác bản bảo bắc bến biển bình bộ các cán cảng cao cầu chất chỉ chính cho chợ chủ chức "
    "công cơ cục của cuộc dân dẫn dịch doanh du dự đại đảng đào đất đầu đây để điện định đô đồng "
    "động đời đường gia giá giải giao giáo giờ hạ hai hàng hành hệ hiện hóa học hội hơn huyện "
    "khai khẩn khí khoa không kinh kết lại làm lãnh lễ liên lớn lúa lực lượng mạnh mặt miền mới "
    "môi mưa năm nam nay nền nghị ngành người nhà nhân nhiều nhất nông nước phát phòng phố phủ "
    "quan quản quốc sách sản sau sinh sở sông sự tại tàu tâm tân tế thành thêm thể thị thông "
    "thu thủy thuế tích tiêu tin tỉnh tổ tổng trạm trên triển triệu trong trung trường tư tuyến "
    "tỷ ủy vào vận văn việc viên vốn vụ vùng xã xây xuất y yêu"
).split()
ITEM_TIME = 1_700_000_000
FRESH_LATER = 2  # new items per feed in the changed-feeds cycle


def _sentence(rnd: random.Random, words: int) -> str:
    text = " ".join(rnd.choice(SYLLABLES) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def synthetic_feed(index: int, items: int, fresh: int = 0) -> bytes:
    """Feed number `index`: the same bytes every time (seeded), different from every other feed.

    `fresh` new items go on top and as many of the oldest drop off: the same feed a while later.
    """
    entries = []
    for n in range(-fresh, items - fresh):
        rnd = random.Random(f"{index}:{n}")  # an item reads the same in every version
        link = f"https://nguon{index}.example.vn/tin/bai-{index}-{n}.html"
        title = _sentence(rnd, rnd.randint(9, 14))[:-1]
        lead = " ".join(_sentence(rnd, rnd.randint(14, 24)) for _ in range(4))
        entries.append(
            f"<item><title>{escape(title)}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{formatdate(ITEM_TIME - n * 3600 - index, usegmt=True)}</pubDate>"
            f"<description>{escape(lead)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Nguồn {index}</title><link>https://nguon{index}.example.vn/</link>"
        "<description>Tin tức tổng hợp</description><language>vi</language>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


# -- the server process --------------------------------------------------------------------------


async def _serve(port: int, sources: int, items: int) -> None:
    """Serves every feed at /feeds/N.xml; a line "later" on stdin swaps in their later versions
    (FRESH_LATER new items, a new ETag) at the same URLs, and "later" on stdout says it is done."""
    from tests.feedserver import FeedServer

    server = FeedServer()
    stamp = formatdate(ITEM_TIME, usegmt=True)
    for index in range(sources):
        server.serve(
            f"/feeds/{index}.xml", synthetic_feed(index, items), etag=f'"v1-{index}"', last_modified=stamp
        )
    later = {index: synthetic_feed(index, items, FRESH_LATER) for index in range(sources)}

    def serve_later() -> None:
        stamp = formatdate(ITEM_TIME + 3 * 3600, usegmt=True)
        for index, body in later.items():
            server.serve(f"/feeds/{index}.xml", body, etag=f'"v2-{index}"', last_modified=stamp)
        print("later", flush=True)

    loop = asyncio.get_running_loop()

    def read_commands() -> None:
        for line in sys.stdin:
            if line.strip() == "later":
                loop.call_soon_threadsafe(serve_later)

    threading.Thread(target=read_commands, daemon=True).start()
    await server.start(port)
    print(server.port, flush=True)
    await asyncio.Event().wait()


def _start_server(sources: int, items: int) -> tuple[subprocess.Popen, int]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--sources", str(sources), "--items", str(items)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = child.stdout.readline()
    if not line.strip().isdigit():
        child.kill()
        raise SystemExit(f"the feed server did not start: {line!r}")
    return child, int(line)


def serve_later_feeds(server: subprocess.Popen) -> None:
    """Every feed changes in place: the server answers with its later version from now on."""
    server.stdin.write("later\n")
    server.stdin.flush()
    if server.stdout.readline().strip() != "later":
        raise SystemExit("the feed server did not switch to the later feeds")


# -- the measurements ----------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _peak_rss_of(pid: int) -> float:
    """Peak RSS in MB of a running process (Linux: VmHWM)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    kb = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), "0")
    return int(kb) / 1024


def _stat_fields(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces), from the state
    on (index 1 is the parent's pid, 11 and 12 the user and system CPU ticks); None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _descendants(root: int) -> set[int]:
    """Every live process under `root` (Linux /proc): the parsing workers sit under a forkserver."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(entry.name)) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def _helper_pids(server: subprocess.Popen) -> set[int]:
    """The parsing workers (and their forkserver): this process's descendants but the feed server's."""
    return _descendants(os.getpid()) - {server.pid} - _descendants(server.pid)


def _cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds of each live process (Linux /proc/PID/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        if (fields := _stat_fields(pid)) is not None:
            found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


async def _poll_cycles(
    url: str, server: subprocess.Popen, port: int, sources: int, concurrency: int, workers: int
) -> dict[str, float]:
    from sqlalchemy import func

    from jobs.offload import Offload
    from jobs.poll import make_fetcher, poll_due_sources
    from storage.db import Database
    from storage.models import Item
    from storage.sources import SourceSpec, add_source

    config = Config()
    config.fetch.concurrency = concurrency
    config.fetch.per_host = concurrency  # every feed is on 127.0.0.1
    db = Database(url)
    start = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    clock = [start]
    async with db.transaction() as session:
        for index in range(sources):
            spec = SourceSpec(
                name=f"nguon-{index}", url=f"http://127.0.0.1:{port}/feeds/{index}.xml", kind="rss"
            )
            await add_source(session, spec, start)
    figures: dict[str, float] = {}
    offload = Offload(workers)
    async with make_fetcher(config) as fetcher:
        lags: list[float] = []
        probe = asyncio.create_task(_loop_lag(lags))
        helpers_before = _cpu_seconds(_helper_pids(server))
        cpu_before = time.process_time()  # every thread of this process
        began = time.perf_counter()
        cold = await poll_due_sources(
            db, fetcher, config, now=lambda: clock[0], limit=sources, offload=offload
        )
        figures["cold"] = time.perf_counter() - began
        figures["cold_cpu_poller"] = time.process_time() - cpu_before
        helpers_after = _cpu_seconds(_helper_pids(server))
        figures["cold_cpu_workers"] = sum(
            cpu - helpers_before.get(pid, 0.0) for pid, cpu in helpers_after.items()
        )
        probe.cancel()
        lags.sort()
        figures["lag_p99"] = lags[int(len(lags) * 0.99)] if lags else 0.0
        figures["lag_max"] = lags[-1] if lags else 0.0
        figures["cold_errors"] = sum(o.status == "error" for o in cold)
        figures["new"] = sum(o.new for o in cold)
        clock[0] += timedelta(hours=7)
        began = time.perf_counter()
        warm = await poll_due_sources(
            db, fetcher, config, now=lambda: clock[0], limit=sources, offload=offload
        )
        figures["warm"] = time.perf_counter() - began
        figures["not_modified"] = sum(o.status == "not modified" for o in warm)
        # Every feed changed: FRESH_LATER new items on top of the ones stored, a new ETag.
        serve_later_feeds(server)
        clock[0] += timedelta(hours=7)
        began = time.perf_counter()
        later = await poll_due_sources(
            db, fetcher, config, now=lambda: clock[0], limit=sources, offload=offload
        )
        figures["changed"] = time.perf_counter() - began
        figures["changed_new"] = sum(o.new for o in later)
        figures["changed_duplicate"] = sum(o.duplicate for o in later)
        figures["changed_errors"] = sum(o.status == "error" for o in later)
    figures["worker_rss"] = max(map(_peak_rss_of, _helper_pids(server)), default=0.0)
    offload.close()
    async with db.session() as session:
        from sqlalchemy import select

        figures["stored"] = await session.scalar(select(func.count(Item.id)))
    await db.close()
    return figures


async def _loop_lag(lags: list[float], every: float = 0.01) -> None:
    """How late a 10 ms timer fires: how long the poll keeps a bot in the same process waiting."""
    while True:
        due = time.perf_counter() + every
        await asyncio.sleep(every)
        lags.append(time.perf_counter() - due)


def _bare_parse(bodies: list[bytes]) -> float:
    began = time.perf_counter()
    for body in bodies:
        feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    return time.perf_counter() - began


def _feedparser_default(bodies: list[bytes]) -> float:
    began = time.perf_counter()
    for body in bodies:
        feedparser.parse(io.BytesIO(body))
    return time.perf_counter() - began


def _parse_path(bodies: list[bytes]) -> float:
    from news.feeds import parse_feed
    from news.prepare import disambiguate_guids, prepare_entry

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    began = time.perf_counter()
    for index, body in enumerate(bodies):
        parsed = parse_feed(body, "application/rss+xml", f"http://127.0.0.1/feeds/{index}.xml", tz)
        [prepare_entry(e, words=60) for e in disambiguate_guids(parsed.entries)]
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=Config().fetch.concurrency,
        help="fetch concurrency, also per host: every feed is on 127.0.0.1 (default: the config's default)",
    )
    parser.add_argument("--workers", type=int, default=1, help="parsing worker processes (0: in the poller)")
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(0, args.sources, args.items))
        return

    server, port = _start_server(args.sources, args.items)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
            from storage import schema

            schema.upgrade(url)  # synchronous: Alembic runs its own event loop
            figures = asyncio.run(
                _poll_cycles(url, server, port, args.sources, args.concurrency, args.workers)
            )
            peak = _peak_rss_mb()
    finally:
        server.terminate()
        server.wait()

    bodies = [synthetic_feed(index, args.items) for index in range(args.sources)]
    size = sum(map(len, bodies))
    bare = _bare_parse(bodies)
    bare_later = _bare_parse(
        [synthetic_feed(index, args.items, FRESH_LATER) for index in range(args.sources)]
    )
    default = _feedparser_default(bodies)
    parse_path = _parse_path(bodies)
    items = args.sources * args.items
    database = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"

    print(
        f"{args.sources} sources x {args.items} items ({items} items, {size / 1e6:.1f} MB of feeds), {database}"
    )
    print(f"cold poll (whole path):  {figures['cold']:.1f} s wall, {items / figures['cold']:.0f} items/s, "
          f"{figures['new']:.0f} new, {figures['stored']:.0f} stored, {figures['cold_errors']:.0f} errors")  # fmt: skip
    print(f"event-loop lag:          p99 {figures['lag_p99'] * 1000:.0f} ms, max {figures['lag_max'] * 1000:.0f} ms "
          f"during the cold poll ({args.workers} parsing worker{'s' if args.workers != 1 else ''})")  # fmt: skip
    print(f"all-304 cycle:           {figures['warm']:.2f} s wall ({figures['not_modified']:.0f} not modified)"
          "  [target <= 5 s]")  # fmt: skip
    print(
        f"peak RSS (poller):       {peak:.0f} MB  [target <= 200 MB]; parsing worker: {figures['worker_rss']:.0f} MB"
    )
    print(f"bare feedparser.parse:   {bare:.1f} s ({bare / args.sources * 1000:.1f} ms a feed; "
          f"with its default sanitising: {default:.1f} s)")  # fmt: skip
    print(
        f"parse path (parse_feed + prepare_entry): {parse_path:.1f} s = {parse_path / bare:.2f}x bare feedparser"
    )
    print(f"whole path, cold poll (every item new):  {figures['cold']:.1f} s = {figures['cold'] / bare:.2f}x bare "
          "feedparser  [target <= 1.5x]")  # fmt: skip
    cpu = figures["cold_cpu_poller"] + figures["cold_cpu_workers"]
    cores = len(os.sched_getaffinity(0))
    print(f"  its CPU: poller {figures['cold_cpu_poller']:.1f} s (all threads) + parsing workers "
          f"{figures['cold_cpu_workers']:.1f} s = {cpu:.1f} s = {cpu / bare:.2f}x bare; spread perfectly "
          f"over {cores} cores, at least {cpu / cores:.1f} s = {cpu / cores / bare:.2f}x")  # fmt: skip
    print(f"whole path, changed feeds ({FRESH_LATER} new each):  {figures['changed']:.1f} s = "
          f"{figures['changed'] / bare_later:.2f}x bare feedparser on those bytes ({bare_later:.1f} s)  "
          f"[target <= 1.5x]; {figures['changed_new']:.0f} new, {figures['changed_duplicate']:.0f} known, "
          f"{figures['changed_errors']:.0f} errors")  # fmt: skip


if __name__ == "__main__":
    main()
