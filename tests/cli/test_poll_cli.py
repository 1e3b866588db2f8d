"""`bantin poll`, `bantin latest` and `bantin feeds ...` as an admin runs them: on a temporary SQLite
database, with the bundled sample sources (no config) and with sources on a local feed server."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from bot.cli.main import main
from storage.db import Database
from tests.dbsupport import truncate_all
from tests.feedserver import FeedServer
from tests.jobs.pollkit import FeedItem, rss

SAMPLES = ("Báo Sông Xanh", "Cổng TTĐT tỉnh Sông Xanh", "Green River Times")
HEADLINES = [
    (
        "Khánh thành cầu Rạch Miễu 2 nối hai tỉnh",
        "Cây cầu dài hơn 17 km rút ngắn thời gian đi lại giữa hai bờ sông Tiền.",
    ),
    (
        "Nông dân trúng mùa lúa hè thu",
        "Năng suất bình quân đạt 5,9 tấn mỗi ha, giá lúa tươi tăng khoảng 3,5%.",
    ),
    ("Mưa lớn ở vùng biển Tây Nam", "Đài khí tượng cảnh báo gió giật cấp 8, sóng biển cao từ 2 đến 3 mét."),
    (
        "Học sinh vùng sâu có trường mới",
        "Ngôi trường 12 phòng học được bàn giao trước năm học mới cho 400 em.",
    ),
    (
        "Hội chợ nông sản thu hút nghìn khách",
        "Hơn 200 gian hàng trưng bày đặc sản trái cây, thủy sản của tỉnh.",
    ),
]


def feed(name: str, items: int) -> bytes:
    """A feed of `items` different stories (every source its own links)."""
    return rss(
        FeedItem(f"{title} ({name})", f"https://{name}.example.vn/tin/{n}.html", lead)
        for n, (title, lead) in enumerate(HEADLINES[:items])
    ).encode()


@pytest.fixture
def admin_shell(sqlite_url, tmp_path, monkeypatch):
    """A working directory with no config.toml and BANTIN_DATABASE_URL on a migrated SQLite file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BANTIN_CONFIG", raising=False)
    monkeypatch.setenv("BANTIN_DATABASE_URL", sqlite_url)
    return tmp_path


@pytest.fixture
def own_config(admin_shell) -> Path:
    """A config.toml with no [[feeds]]: only the sources the admin adds."""
    path = admin_shell / "config.toml"
    path.write_text('[schedule]\ntimezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    return path


@pytest.fixture
def http_feeds():
    """A feed server on 127.0.0.1 in its own thread: the CLI runs its own event loop."""
    loop = asyncio.new_event_loop()
    server = FeedServer()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield server
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def bantin(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.strip()]


# -- the bundled samples ---------------------------------------------------------------------------


def test_poll_with_no_config_polls_the_three_samples_and_each_yields_items(admin_shell, capsys):
    code, out, _err = bantin(capsys, "poll")
    assert code == 0
    by_source = {line.split(":", 1)[0]: line for line in lines(out)}
    assert set(by_source) == set(SAMPLES)
    for line in by_source.values():
        assert " new, 0 updated, 0 duplicate" in line and not line.split(": ", 1)[1].startswith("0 new"), line

    code, out, _err = bantin(capsys, "poll")
    assert sorted(lines(out)) == sorted(f"{name}: not modified" for name in SAMPLES)


def test_latest_json_lists_stories_of_every_sample_source(admin_shell, capsys):
    bantin(capsys, "poll")
    code, out, _err = bantin(capsys, "latest", "--json", "--limit", "50")
    assert code == 0
    stories = json.loads(out)
    assert {s["source"] for s in stories} == set(SAMPLES)
    for story in stories:
        assert {"title", "url", "published", "source", "summary", "story_id"} <= set(story)
        assert datetime.fromisoformat(story["published"]).utcoffset() is not None
        assert story["title"] and story["url"] and isinstance(story["story_id"], int)
    assert [s["published"] for s in stories] == sorted((s["published"] for s in stories), reverse=True)
    assert not any("utm_" in s["url"] for s in stories), "readers get canonical URLs"


def test_latest_filters_by_source_and_limits(admin_shell, capsys):
    bantin(capsys, "poll")
    code, out, _err = bantin(capsys, "latest", "--json", "--source", "Cổng TTĐT tỉnh Sông Xanh")
    portal = json.loads(out)
    assert code == 0 and len(portal) == 3
    assert all(s["source"] == "Cổng TTĐT tỉnh Sông Xanh" for s in portal)
    code, out, _err = bantin(capsys, "latest", "--json", "--limit", "2")
    assert len(json.loads(out)) == 2
    code, out, _err = bantin(capsys, "latest", "--limit", "1", "--source", "Báo Sông Xanh")
    assert code == 0 and "Báo Sông Xanh · 19/09/2019 10:15\n  https://" in out
    code, _out, err = bantin(capsys, "latest", "--source", "không có")
    assert code == 2 and "no source named" in err


def test_latest_shows_the_day_alone_of_a_page_that_gives_no_time(admin_shell, capsys):
    # The portal's pages say `Ngày: 19.09.2019` and no time: no made-up 00:00.
    bantin(capsys, "poll", "--source", "Cổng TTĐT tỉnh Sông Xanh")
    code, out, _err = bantin(capsys, "latest", "--json")
    placed = sorted((story["published_day"], story["published"]) for story in json.loads(out))
    # first seen years later: each is placed at noon of its day, among that day's timed stories
    assert code == 0 and placed == [
        ("2019-09-17", "2019-09-17T12:00:00+07:00"),
        ("2019-09-18", "2019-09-18T12:00:00+07:00"),
        ("2019-09-19", "2019-09-19T12:00:00+07:00"),
    ]
    code, out, _err = bantin(capsys, "latest", "--limit", "1")
    assert "Cổng TTĐT tỉnh Sông Xanh · 19/09/2019\n" in out


def test_poll_one_source_by_name(admin_shell, capsys):
    code, out, _err = bantin(capsys, "poll", "--source", "Green River Times")
    assert code == 0 and lines(out) == ["Green River Times: 3 new, 0 updated, 0 duplicate"]
    code, _out, err = bantin(capsys, "poll", "--source", "không có")
    assert code == 2 and "no source named" in err


def test_poll_on_a_terminal_shows_progress_and_still_one_line_per_source(admin_shell, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    code, out, _err = bantin(capsys, "poll")
    assert code == 0
    for name in SAMPLES:
        assert f"{name}: " in out


def test_feeds_list_shows_health(admin_shell, capsys):
    bantin(capsys, "poll")
    code, out, _err = bantin(capsys, "feeds", "list", "--json")
    assert code == 0
    sources = {s["name"]: s for s in json.loads(out)}
    assert set(sources) == set(SAMPLES)
    for source in sources.values():
        assert source["items"] > 0 and source["error_count"] == 0
        assert source["last_success_at"] and source["next_check_at"]
    code, out, _err = bantin(capsys, "feeds", "list")
    assert "Cổng TTĐT tỉnh Sông Xanh [html, config]" in out and "items 3 · last success" in out


# -- sources on a feed server ----------------------------------------------------------------------


def test_feeds_add_poll_list_remove(own_config, http_feeds, capsys):
    good = http_feeds.serve("/tinh.rss", feed("tinh", 4), etag='"1"')
    bad = http_feeds.serve("/hong.rss", b"loi", status=500)

    assert bantin(capsys, "feeds", "add", good, "--name", "Tin tỉnh")[0] == 0
    assert bantin(capsys, "feeds", "add", bad, "--name", "Hỏng", "--kind", "rss")[0] == 0
    code, _out, err = bantin(capsys, "feeds", "add", good, "--name", "Tin tỉnh")
    assert code == 1 and "exists already" in err

    code, out, _err = bantin(capsys, "poll")
    assert code == 0
    assert sorted(lines(out)) == ["Hỏng: error: HTTP 500", "Tin tỉnh: 4 new, 0 updated, 0 duplicate"]

    code, out, _err = bantin(capsys, "feeds", "list")
    assert "1 error(s): HTTP 500" in out and "items 4 · last success 20" in out
    listed = {s["name"]: s for s in json.loads(bantin(capsys, "feeds", "list", "--json")[1])}
    assert listed["Hỏng"]["error_count"] == 1 and listed["Hỏng"]["last_error"] == "HTTP 500"
    assert listed["Hỏng"]["last_error_at"] and listed["Hỏng"]["last_success_at"] is None

    code, out, _err = bantin(capsys, "latest", "--json", "--source", "Tin tỉnh")
    assert len(json.loads(out)) == 4

    assert bantin(capsys, "feeds", "remove", "Tin tỉnh")[0] == 0
    assert bantin(capsys, "feeds", "remove", "Tin tỉnh")[0] == 1
    assert [s["name"] for s in json.loads(bantin(capsys, "feeds", "list", "--json")[1])] == ["Hỏng"]


def test_poll_exits_non_zero_when_every_source_failed(own_config, http_feeds, capsys):
    bantin(capsys, "feeds", "add", http_feeds.serve("/x.rss", b"", status=503), "--name", "Hỏng")
    code, out, _err = bantin(capsys, "poll")
    assert code == 1 and lines(out) == ["Hỏng: error: HTTP 503"]


def test_feeds_add_refuses_other_schemes(own_config, capsys):
    code, _out, err = bantin(capsys, "feeds", "add", "ftp://example.vn/rss")
    assert code == 2 and "http://" in err


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Nguồn tin</title></head><body>
  <outline text="Thời sự">
    <outline type="rss" text="Tin tỉnh" title="Tin tỉnh" xmlUrl="{a}"/>
    <outline type="rss" text="Kinh tế &amp; Đời sống" xmlUrl="{b}"/>
  </outline>
  <outline type="rss" text="Tệp cục bộ" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_import_then_export_opml(own_config, http_feeds, capsys, tmp_path):
    a = http_feeds.serve("/a.rss", feed("a", 2))
    b = http_feeds.serve("/b.rss", feed("b", 3))
    opml = tmp_path / "nguon.opml"
    opml.write_text(OPML.format(a=a, b=b), encoding="utf-8")

    code, out, _err = bantin(capsys, "feeds", "import-opml", str(opml))

    assert code == 0
    assert lines(out) == [
        "added Tin tỉnh",
        "added Kinh tế & Đời sống",
        "skipped Tệp cục bộ (only http:// and https:// addresses can be added)",
    ]
    assert lines(bantin(capsys, "feeds", "import-opml", str(opml))[1])[:2] == [
        "skipped Tin tỉnh (name exists)", "skipped Kinh tế & Đời sống (name exists)",
    ]  # fmt: skip
    code, out, _err = bantin(capsys, "poll")
    assert sorted(lines(out)) == [
        "Kinh tế & Đời sống: 3 new, 0 updated, 0 duplicate", "Tin tỉnh: 2 new, 0 updated, 0 duplicate",
    ]  # fmt: skip

    code, out, _err = bantin(capsys, "feeds", "export-opml")
    assert code == 0
    outlines = etree.fromstring(out.encode()).iter("outline")
    assert sorted((o.get("text"), o.get("xmlUrl")) for o in outlines) == sorted(
        [("Tin tỉnh", a), ("Kinh tế & Đời sống", b)]
    )


def test_import_of_a_broken_opml_file_says_why(own_config, capsys, tmp_path):
    broken = tmp_path / "hong.opml"
    broken.write_text("<opml><body><outline", encoding="utf-8")
    code, _out, err = bantin(capsys, "feeds", "import-opml", str(broken))
    assert code == 2 and "hong.opml" in err and "OPML" in err


@pytest.fixture
def own_config_on_each_database(db_url, tmp_path, monkeypatch) -> Path:
    """`own_config`, with the database on SQLite and on PostgreSQL (emptied first)."""
    if db_url.startswith("postgresql"):
        asyncio.run(_emptied(db_url))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BANTIN_CONFIG", raising=False)
    monkeypatch.setenv("BANTIN_DATABASE_URL", db_url)
    path = tmp_path / "config.toml"
    path.write_text('[schedule]\ntimezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    return path


async def _emptied(url: str) -> None:
    db = Database(url)
    try:
        await truncate_all(db)
    finally:
        await db.close()


def test_source_names_fit_the_names_column(own_config_on_each_database, capsys, tmp_path):
    """An outline title can be a paragraph; PostgreSQL refuses a name over 200 characters (and
    rolled the whole import back). A typed name that long is refused with a reason."""
    long_title = "Cổng thông tin điện tử tỉnh Sông Xanh " * 8  # 304 characters
    opml = tmp_path / "dai.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head/><body>'
        f'<outline type="rss" text="{long_title}" xmlUrl="https://songxanh.example.vn/rss"/>'
        '<outline type="rss" text="Tin huyện" xmlUrl="https://huyen.example.vn/rss"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    assert bantin(capsys, "feeds", "import-opml", str(opml))[0] == 0
    code, _out, err = bantin(capsys, "feeds", "add", "https://xa.example.vn/rss", "--name", long_title)
    assert code == 2 and "longer than 200" in err
    assert bantin(capsys, "feeds", "add", "https://ap.example.vn/rss", "--name", "   ")[0] == 0

    names = [s["name"] for s in json.loads(bantin(capsys, "feeds", "list", "--json")[1])]
    assert sorted(names) == sorted([" ".join(long_title.split())[:200], "Tin huyện", "ap.example.vn"])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://", "the address has no host name"),
        ("https://tin tinh.example.vn/rss", "the address has spaces in it"),
        ("https://tinh.example.vn:99999/rss", "not a valid address"),
        ("http://[::1/rss", "not a valid address"),
        ("file://", "the file:// address names no file"),
        ("ftp://tinh.example.vn/rss", "only http://, https:// and file:// addresses can be added"),
    ],
)
def test_feeds_add_refuses_an_address_that_cannot_be_fetched(own_config, capsys, url, reason):
    code, out, err = bantin(capsys, "feeds", "add", url, "--name", "Tin tỉnh")
    assert (code, out) == (2, "")
    assert reason in err and "http://" in err
    assert json.loads(bantin(capsys, "feeds", "list", "--json")[1]) == []


def test_url_schemes_are_case_insensitive(own_config, capsys, tmp_path):
    assert bantin(capsys, "feeds", "add", "HTTPS://Tinh.example.vn/rss", "--name", "Tin tỉnh")[0] == 0
    opml = tmp_path / "hoa.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head/><body>'
        '<outline type="rss" text="Tin huyện" xmlUrl="HTTP://huyen.example.vn/rss"/>'
        '<outline type="rss" text="Hỏng" xmlUrl="http://[::1/rss"/>'
        '<outline type="rss" text="Tệp" xmlUrl="FILE:///etc/passwd"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    code, out, _err = bantin(capsys, "feeds", "import-opml", str(opml))
    assert code == 0
    assert lines(out) == [
        "added Tin huyện",
        "skipped Hỏng (not a valid address)",
        "skipped Tệp (only http:// and https:// addresses can be added)",
    ]
    names = [s["name"] for s in json.loads(bantin(capsys, "feeds", "list", "--json")[1])]
    assert sorted(names) == ["Tin huyện", "Tin tỉnh"]


@pytest.mark.parametrize(("query", "polled"), [("bao song", "Báo Sông Xanh"), ("green", "Green River Times")])
def test_poll_source_takes_what_feeds_remove_takes(admin_shell, capsys, query: str, polled: str):
    """Only the exact name worked (`bantin latest --source` and the chat took a start of it)."""
    code, out, err = bantin(capsys, "poll", "--source", query)
    assert (code, err) == (0, "")
    assert [line.split(":", 1)[0] for line in lines(out)] == [polled]


def test_poll_source_that_fits_several_polls_none_and_lists_them(admin_shell, capsys):
    code, out, err = bantin(capsys, "poll", "--source", "sông xanh")
    assert (code, out) == (2, "")
    assert err.startswith("bantin: 'sông xanh' could be more than one source: 'Báo Sông Xanh' (")
    assert "'Cổng TTĐT tỉnh Sông Xanh' (" in err


def test_latest_source_takes_the_name_without_diacritics(admin_shell, capsys):
    bantin(capsys, "poll")
    code, out, err = bantin(capsys, "latest", "--json", "--source", "bao song xanh")
    assert (code, err) == (0, "")
    assert {story["source"] for story in json.loads(out)} == {"Báo Sông Xanh"}
    code, out, err = bantin(capsys, "latest", "--source", "sông xanh")
    assert code == 2 and err.startswith("bantin: 'sông xanh' could be more than one source: ")
