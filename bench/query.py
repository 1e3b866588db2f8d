"""Latency of /latest and /search on a big archive: through the running bot, then in storage.

Run: .venv/bin/python bench/query.py [--items 1000000] [--runs 40] [--keep PATH]
Quick run: .venv/bin/python bench/query.py --items 20000 --runs 20

It fills a fresh SQLite file (and, when BANTIN_TEST_DATABASE_URL is set, that PostgreSQL database,
whose public schema it drops and re-creates as the tests do) with synthetic Vietnamese-like items:
titles and bodies drawn from a syllable list with Zipf-like frequencies, so some words are in most
items and some in a handful. Rows go in with bulk inserts (executemany on SQLite with the FTS
triggers live; COPY on PostgreSQL with the GIN index built afterwards).

First table, what a user waits for: the real application (`bot.app.build_application`, its
post_init, gate and handlers) runs on that database against the Bot API stand-in on 127.0.0.1,
with its periodic jobs removed and its outbox sender stopped. Each run hands a private-chat message
to `Application.process_update` and stops the clock when the stand-in records the reply's
sendMessage (bench/query_handlers.py says exactly what that covers):

    /latest              the first page (5 stories)
    /latest 5 <source>   one source's newest, named without diacritics (nguon 7)
    /search common       a word in most items
    /search rare         a word in 1 item in 20,000
    /search no-dia       two words typed without diacritics
    /search 2-word       two words with diacritics
    /search absent       a word in no item

Second table, where that time goes: the handlers' own query functions (bot/handlers/news_pages.py)
in a new session each run, as a handler opens one, plus the deepest /latest page the buttons reach
and OFFSET 50,000 in storage. p50 / p95 in milliseconds against the 50 ms target.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.query_handlers import Timing, percentiles, time_commands  # noqa: E402
from bot.handlers.news_pages import LATEST_SIZE, MAX_PAGES, latest_page, search_page  # noqa: E402
from news.config import FeedConfig  # noqa: E402
from news.tones import fold_diacritics  # noqa: E402
from storage import schema  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.stories import latest_stories  # noqa: E402

TARGET_MS = 50.0
SOURCES = 40
START = datetime(2024, 1, 1, tzinfo=UTC)

# Syllables we listed for this benchmark, roughly from frequent to rare.
SYLLABLES = """
của và các có được cho là người trong với những đã một không này tỉnh năm xã huyện
ngày công tác đồng chí thực hiện phát triển kinh tế xây dựng tổ chức hội nghị nhân dân
chính quyền đảng bộ ủy ban cán bộ đảng viên quản lý nhà nước sản xuất nông nghiệp giáo
dục y tế văn hóa thể thao du lịch giao thông đường cầu trường học sinh bệnh viện bác sĩ
lúa gạo cà phê hồ tiêu thủy sản tôm cá rừng sông biển núi mưa lũ bão hạn mặn nước sạch
điện lưới thành phố thị trấn phường quận khu vực dự án vốn đầu tư doanh nghiệp hợp tác
lao động việc làm thu nhập hộ nghèo chính sách an sinh xã hội bảo hiểm thuế ngân sách
kế hoạch mục tiêu nhiệm vụ giải pháp kết quả đánh giá kiểm tra giám sát thanh tra
pháp luật tòa án công an an ninh trật tự tai nạn cháy nổ cứu hộ phòng chống dịch bệnh
tiêm chủng vắc xin môi trường rác thải ô nhiễm cây xanh công viên chợ siêu thị giá cả
xuất khẩu nhập khẩu thương mại hàng hóa dịch vụ ngân hàng tín dụng lãi suất vàng đô la
khánh thành khởi công hoàn thành bàn giao tiếp nhận trao tặng khen thưởng bằng khen
huân chương kỷ niệm truyền thống lễ hội đền chùa di tích bảo tàng thư viện sách báo
mới cũ lớn nhỏ cao thấp nhanh chậm tốt đẹp khó khăn thuận lợi an toàn hiệu quả bền vững
sáng chiều tối đêm hôm nay mai qua tuần tháng quý đầu cuối giữa trên dưới trước sau
""".split()
RARE = "Xuyên"  # a place name in one item of RARE_EVERY
RARE_EVERY = 20_000
FOLDED = [fold_diacritics(s) for s in SYLLABLES]
WEIGHTS = [1.0 / (rank + 8) for rank in range(len(SYLLABLES))]


def source_name(number: int) -> str:
    return f"Nguồn {number}"


def source_url(number: int) -> str:
    return f"https://nguon{number}.example.vn/rss"


def bench_feeds() -> list[FeedConfig]:
    """The bench's sources as [[feeds]] entries, so the bot's start-up sync finds them configured."""
    return [FeedConfig(name=source_name(s), url=source_url(s), kind="rss") for s in range(1, SOURCES + 1)]


def _words(rng: random.Random, count: int) -> list[int]:
    return rng.choices(range(len(SYLLABLES)), weights=WEIGHTS, k=count)


def synthetic_items(n: int, seed: int = 7) -> Iterator[tuple]:
    """(id, source, title, summary, body, search_text, published) for n items, oldest first."""
    rng = random.Random(seed)
    step = timedelta(days=3 * 365) / max(n, 1)
    for i in range(1, n + 1):
        title_ids, body_ids = _words(rng, 12), _words(rng, 40)
        title_words = [SYLLABLES[j] for j in title_ids]
        folded = [FOLDED[j] for j in title_ids + body_ids[:20] + body_ids]
        if i % RARE_EVERY == 0:
            title_words.insert(3, RARE)
            folded.insert(3, fold_diacritics(RARE).lower())
        title = " ".join(title_words).capitalize()
        body = " ".join(SYLLABLES[j] for j in body_ids).capitalize() + "."
        summary = " ".join(SYLLABLES[j] for j in body_ids[:20]) + "…"
        yield i, 1 + i % SOURCES, title, summary, body, " ".join(folded), START + step * i


# ---- loading -----------------------------------------------------------------------------------------


def _sqlite_time(moment: datetime) -> str:
    return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it


def load_sqlite(path: Path, n: int, batch: int = 20_000) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    now = _sqlite_time(START)
    conn.executemany(
        "INSERT INTO sources (id, name, url, kind, full_text, origin, enabled, error_count, next_check_at,"
        " item_count, created_at) VALUES (?, ?, ?, 'rss', 0, 'config', 1, 0, ?, 0, ?)",
        [(s, source_name(s), source_url(s), now, now) for s in range(1, SOURCES + 1)],
    )
    rows = synthetic_items(n)
    while chunk := [next(rows, None) for _ in range(batch)]:
        chunk = [r for r in chunk if r is not None]
        if not chunk:
            break
        stories, items, links = [], [], []
        for i, source, title, summary, body, search_text, published in chunk:
            at = _sqlite_time(published)
            url = f"https://nguon{source}.example.vn/tin/{i}.html"
            stories.append((i, title, url, summary, i, at, at))
            items.append(
                (
                    i,
                    source,
                    i,
                    str(i),
                    url,
                    url,
                    title,
                    at,
                    at,
                    body,
                    summary,
                    "vi",
                    f"{i:064x}",
                    i,
                    search_text,
                )
            )
            links.append((i, i, source, at, at))
        conn.executemany(
            "INSERT INTO stories (id, title, url, summary, signature, published_at, first_seen_at, item_count)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            stories,
        )
        conn.executemany(
            "INSERT INTO items (id, source_id, story_id, guid, url, canonical_url, title, published_at, dated,"
            " first_seen_at, body, summary, language, content_fingerprint, signature, search_text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
            items,
        )
        conn.executemany(
            "INSERT INTO story_sources (id, story_id, source_id, seen_at, published_at) VALUES (?, ?, ?, ?, ?)",
            links,
        )
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


async def load_postgresql(url: str, n: int, batch: int = 50_000) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP INDEX IF EXISTS ix_items_search_vector")  # built once, after the load
        await conn.copy_records_to_table(
            "sources",
            columns=["id", "name", "url", "kind", "full_text", "origin", "enabled", "error_count",
                     "next_check_at", "item_count", "created_at"],
            records=[(s, source_name(s), source_url(s), "rss", False, "config", True, 0, START, 0, START)
                     for s in range(1, SOURCES + 1)],
        )  # fmt: skip
        rows = synthetic_items(n)
        while chunk := [r for r in (next(rows, None) for _ in range(batch)) if r is not None]:
            stories, items, links = [], [], []
            for i, source, title, summary, body, search_text, published in chunk:
                url_ = f"https://nguon{source}.example.vn/tin/{i}.html"
                stories.append((i, title, url_, summary, i, published, published, 1))
                items.append((i, source, i, str(i), url_, url_, title, published, True, published, body,
                              summary, "vi", f"{i:064x}", i, search_text))  # fmt: skip
                links.append((i, i, source, published, published))
            await conn.copy_records_to_table(
                "stories",
                columns=["id", "title", "url", "summary", "signature", "published_at", "first_seen_at",
                         "item_count"],
                records=stories,
            )  # fmt: skip
            await conn.copy_records_to_table(
                "items",
                columns=["id", "source_id", "story_id", "guid", "url", "canonical_url", "title", "published_at",
                         "dated", "first_seen_at", "body", "summary", "language", "content_fingerprint",
                         "signature", "search_text"],
                records=items,
            )  # fmt: skip
            await conn.copy_records_to_table(
                "story_sources",
                columns=["id", "story_id", "source_id", "seen_at", "published_at"],
                records=links,
            )
        await conn.execute("CREATE INDEX ix_items_search_vector ON items USING gin (search_vector)")
        for table in ("stories", "items", "story_sources"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


# ---- timing ------------------------------------------------------------------------------------------


def _rare_word(n: int) -> str:
    return RARE if n >= RARE_EVERY else SYLLABLES[-1]


def commands(n: int) -> list[tuple[str, str]]:
    """(label, what the user types) for the end-to-end table."""
    return [
        ("/latest", "/latest"),
        ("/latest 5 <source>", "/latest 5 nguon 7"),
        ("/search common", f"/search {SYLLABLES[0]}"),
        ("/search rare", f"/search {_rare_word(n)}"),
        ("/search no-dia", "/search khanh thanh"),
        ("/search 2-word", "/search thủy sản"),
        ("/search absent", "/search xyzzy"),
    ]


def queries(n: int) -> list[tuple[str, Callable]]:
    rare = _rare_word(n)
    deepest = MAX_PAGES - 1
    return [
        ("latest p1", lambda s: latest_page(s, size=LATEST_SIZE)),
        ("latest one source", lambda s: latest_page(s, size=LATEST_SIZE, source_id=7)),
        (f"latest deep (p{deepest + 1})", lambda s: latest_page(s, size=LATEST_SIZE, page=deepest)),
        ("latest_stories offset 50,000", lambda s: _latest_rows(s, 50_000)),
        (f"search common ({SYLLABLES[0]})", lambda s: search_page(s, SYLLABLES[0])),
        (f"search rare ({rare})", lambda s: search_page(s, rare)),
        ("search no-dia (khanh thanh)", lambda s: search_page(s, "khanh thanh")),
        ("search 2-word (thủy sản)", lambda s: search_page(s, "thủy sản")),
        ("search absent (xyzzy)", lambda s: search_page(s, "xyzzy")),
    ]


@dataclass
class _Rows:
    total: int


async def _latest_rows(session, offset: int) -> _Rows:
    """Deeper than any button reaches: what OFFSET costs in storage.stories itself."""
    return _Rows(len(await latest_stories(session, limit=LATEST_SIZE, offset=offset)))


async def time_queries(db: Database, n: int, runs: int) -> list[tuple[str, float, float, int]]:
    results = []
    for name, run in queries(n):
        samples = []
        for attempt in range(runs + 3):
            started = time.perf_counter()
            async with db.session() as session:
                page = await run(session)
            if attempt >= 3:  # the first runs warm the caches
                samples.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(samples)
        results.append((name, p50, p95, page.total))
    return results


def _verdict(p95: float) -> str:
    return "ok" if p95 <= TARGET_MS else "SLOW"


def report(
    label: str,
    n: int,
    load_seconds: float,
    through_bot: list[Timing],
    storage: list[tuple[str, float, float, int]],
) -> None:
    loaded = f"loaded in {load_seconds:.0f} s" if load_seconds else "reused"
    print(f"\n{label}: {n:,} items, {loaded}; target p95 <= {TARGET_MS:.0f} ms")
    print(f"  through the bot (update in -> reply recorded by the stand-in)\n"
          f"  {'command':22} {'p50 ms':>8} {'p95 ms':>8}        reply")  # fmt: skip
    for t in through_bot:
        reply = t.reply if len(t.reply) <= 60 else t.reply[:59] + "…"
        print(f"  {t.label:22} {t.p50:8.1f} {t.p95:8.1f}  {_verdict(t.p95):4}  {reply}")
    print(f"  storage: the handlers' query functions, new session each run\n"
          f"  {'query':32} {'p50 ms':>8} {'p95 ms':>8} {'matches':>9}")  # fmt: skip
    for name, p50, p95, total in storage:
        print(f"  {name:32} {p50:8.1f} {p95:8.1f} {total:9,}  {_verdict(p95)}")


async def time_both(url: str, n: int, runs: int) -> tuple[list[Timing], list[tuple[str, float, float, int]]]:
    """The end-to-end table (the bot opens and closes its own Database), then the storage one."""
    through_bot = await time_commands(url, bench_feeds(), commands(n), runs)
    db = Database(url)
    try:
        return through_bot, await time_queries(db, n, runs)
    finally:
        await db.close()


async def bench_sqlite(n: int, runs: int, keep: Path | None, reuse: bool) -> None:
    directory = tempfile.TemporaryDirectory(prefix="bantin-bench-")
    path = keep or Path(directory.name) / "bench.db"
    url = f"sqlite+aiosqlite:///{path}"
    if not reuse:
        started = time.perf_counter()
        await asyncio.to_thread(schema.upgrade, url)
        await asyncio.to_thread(load_sqlite, path, n)
        load_seconds = time.perf_counter() - started
    else:
        load_seconds = 0.0
    try:
        size = path.stat().st_size / 1e6
        report(
            f"SQLite {sqlite3.sqlite_version} ({size:,.0f} MB)",
            n,
            load_seconds,
            *await time_both(url, n, runs),
        )
    finally:
        directory.cleanup()


async def bench_postgresql(url: str, n: int, runs: int, reuse: bool) -> None:
    from tests.dbsupport import reset_pg_schema

    load_seconds = 0.0
    if not reuse:
        started = time.perf_counter()
        await asyncio.to_thread(reset_pg_schema, url)
        await asyncio.to_thread(schema.upgrade, url)
        await load_postgresql(url, n)
        load_seconds = time.perf_counter() - started
    report("PostgreSQL", n, load_seconds, *await time_both(url, n, runs))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=1_000_000, help="items to store (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per query (default 40)")
    parser.add_argument("--keep", type=Path, help="SQLite file to keep (reused when it exists)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--no-postgresql", action="store_true", help="skip PostgreSQL even when configured")
    parser.add_argument(
        "--reuse-postgresql",
        action="store_true",
        help="time the PostgreSQL data of an earlier run (same --items)",
    )
    args = parser.parse_args()
    if not args.no_sqlite:
        reuse = bool(args.keep and args.keep.exists())
        asyncio.run(bench_sqlite(args.items, args.runs, args.keep, reuse=reuse))
    pg_url = os.environ.get("BANTIN_TEST_DATABASE_URL", "")
    if pg_url and not args.no_postgresql:
        asyncio.run(bench_postgresql(pg_url, args.items, args.runs, reuse=args.reuse_postgresql))
    elif not pg_url:
        print("\nPostgreSQL: skipped (set BANTIN_TEST_DATABASE_URL to run it)")


if __name__ == "__main__":
    main()
