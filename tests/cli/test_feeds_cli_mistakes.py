"""`bantin feeds ...` given what an admin gets wrong: the same feed twice, a file that is not there."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.cli.main import main
from storage.db import Database
from storage.models import utcnow
from storage.sources import get_source, record_error


@pytest.fixture
def admin_shell(sqlite_url, tmp_path, monkeypatch):
    """A working directory with no config.toml and BANTIN_DATABASE_URL on a migrated SQLite file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BANTIN_CONFIG", raising=False)
    monkeypatch.setenv("BANTIN_DATABASE_URL", sqlite_url)
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    return tmp_path


def bantin(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("url", "name", "error"),
    [
        ("https://tin.example.vn/rss", "Tin tỉnh 2", "the source 'Tin tỉnh' polls this address already"),
        (
            "https://TIN.example.vn/rss?utm_medium=rss",
            "Khác",
            "the source 'Tin tỉnh' polls this address already",
        ),
        ("https://khac.example.vn/rss", "TIN  TỈNH", "a source named 'Tin tỉnh' exists already"),
    ],
)
def test_feeds_add_refuses_the_same_source_twice(admin_shell, capsys, url: str, name: str, error: str):
    assert bantin(capsys, "feeds", "add", "https://tin.example.vn/rss", "--name", "Tin tỉnh")[0] == 0

    code, _out, err = bantin(capsys, "feeds", "add", url, "--name", name)

    assert (code, err) == (1, f"bantin: {error}\n")
    assert bantin(capsys, "feeds", "list", "--json")[1].count('"name"') == 1


def test_import_opml_skips_a_feed_that_is_a_source_already(admin_shell, capsys):
    bantin(capsys, "feeds", "add", "https://tin.example.vn/rss", "--name", "Tin tỉnh")
    (admin_shell / "ds.opml").write_text(
        '<opml version="2.0"><body>'
        '<outline text="Tin tỉnh nhà" xmlUrl="https://tin.example.vn/rss"/>'
        '<outline text="Báo Đồng Lúa" xmlUrl="https://donglua.example.vn/rss"/>'
        "</body></opml>",
        encoding="utf-8",
    )

    code, out, _err = bantin(capsys, "feeds", "import-opml", "ds.opml")

    assert code == 0
    assert out.splitlines() == ["added Báo Đồng Lúa", "skipped Tin tỉnh nhà (the address of Tin tỉnh)"]


def test_feeds_add_refuses_a_file_that_is_not_there(admin_shell, capsys):
    """It was added, and every poll after failed with "file not found"."""
    missing = (admin_shell / "khong-co.xml").as_uri()

    code, _out, err = bantin(capsys, "feeds", "add", missing)

    assert (code, err) == (2, f"bantin: {missing}: no such file\n")
    assert bantin(capsys, "feeds", "list", "--json")[1].strip() == "[]"


def test_feeds_add_takes_a_file_that_is_there(admin_shell, capsys):
    feed = admin_shell / "tin xã mới.xml"  # file:///…/tin%20x%C3%A3%20m%E1%BB%9Bi.xml
    feed.write_text("<rss version='2.0'><channel><title>Tin xã</title></channel></rss>", encoding="utf-8")
    assert bantin(capsys, "feeds", "add", feed.as_uri(), "--name", "Tin xã")[0] == 0


def _outlines(count: int) -> str:
    body = "".join(
        f'<outline text="Nguồn {n}" xmlUrl="https://nguon{n}.example.vn/rss"/>' for n in range(count)
    )
    return f'<opml version="2.0"><body>{body}</body></opml>'


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "no such file"),
        ("directory", "not a file"),
        ("x" * 10_000_001, "larger than 10 MB: not a subscription list"),
        (_outlines(10_001), "10001 feeds, more than 10000 in one import"),
    ],
)
def test_import_opml_refuses_what_is_no_subscription_list(admin_shell, capsys, content, error):
    """A missing file was `bantin: error: FileNotFoundError: ...`, exit 1; a file of any size was read
    whole, and every feed in it added (a million of them in one transaction)."""
    path = admin_shell / "ds.opml"
    if content == "directory":
        path.mkdir()
    elif content is not None:
        path.write_text(content, encoding="utf-8")

    code, out, err = bantin(capsys, "feeds", "import-opml", str(path))

    assert (code, out, err) == (2, "", f"bantin: {path}: {error}\n")


def test_feeds_remove_of_a_configured_source_says_where_it_comes_from(admin_shell, capsys):
    """It printed "removed Tin tỉnh" and deleted its items, and the next command put the source back
    from the config file, empty."""
    config = admin_shell / "config.toml"
    config.write_text('[[feeds]]\nname = "Tin tỉnh"\nurl = "https://tin.example.vn/rss"\n', encoding="utf-8")

    code, out, err = bantin(capsys, "feeds", "remove", "Tin tỉnh")

    assert (code, out) == (1, "")
    assert err == (
        f"bantin: 'Tin tỉnh' is a [[feeds]] entry of {config.name}: delete it there "
        "(removed here, it would come back at the next start, without its items)\n"
    )
    assert '"Tin tỉnh"' in bantin(capsys, "feeds", "list", "--json")[1]


def test_feeds_remove_of_a_bundled_sample_says_so(sqlite_url, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no config.toml: the bundled sample sources
    monkeypatch.delenv("BANTIN_CONFIG", raising=False)
    monkeypatch.setenv("BANTIN_DATABASE_URL", sqlite_url)

    code, _out, err = bantin(capsys, "feeds", "remove", "báo sông xanh")

    assert code == 1
    assert err.startswith(
        "bantin: 'Báo Sông Xanh' is a bundled sample source, used while there is no config file"
    )


@pytest.mark.parametrize("name", ["Tin\x01xã", "Tin xã\u200b", "x" * 201])
def test_feeds_add_refuses_a_name_that_cannot_be_shown_or_stored(admin_shell, capsys, name: str):
    """A control character was stored (and broke export-opml); a zero-width one made two names look alike."""
    code, _out, err = bantin(capsys, "feeds", "add", "https://tin.example.vn/rss", "--name", name)

    assert code == 2 and err.startswith("bantin: the name ")
    assert bantin(capsys, "feeds", "list", "--json")[1].strip() == "[]"


def _add_three_sources(capsys) -> None:
    for url, name in [
        ("https://tinh.example.vn/rss", "Tin tỉnh"),
        ("https://xa.example.vn/rss", "Tin xã"),
        ("https://donglua.example.vn/rss", "Báo Đồng Lúa"),
    ]:
        assert bantin(capsys, "feeds", "add", url, "--name", name)[0] == 0


def _source_names(capsys) -> list[str]:
    import json

    return [s["name"] for s in json.loads(bantin(capsys, "feeds", "list", "--json")[1])]


@pytest.mark.parametrize("query", ["Báo Đồng Lúa", "báo đồng", "bao dong lua", "BÁO", "3"])
def test_feeds_remove_takes_what_removefeed_takes(admin_shell, capsys, query: str):
    """The name, its number in `feeds list`, a unique prefix, the name without its diacritics: only
    the exact name worked here, while /removefeed in the chat took all of them."""
    _add_three_sources(capsys)
    listed = bantin(capsys, "feeds", "list")[1].splitlines()
    assert "3. Báo Đồng Lúa [auto, admin] https://donglua.example.vn/rss" in listed

    code, out, err = bantin(capsys, "feeds", "remove", query)

    assert (code, out, err) == (0, "removed Báo Đồng Lúa\n", "")
    assert _source_names(capsys) == ["Tin tỉnh", "Tin xã"]


def test_feeds_remove_of_an_ambiguous_prefix_lists_the_candidates(admin_shell, capsys):
    _add_three_sources(capsys)

    code, out, err = bantin(capsys, "feeds", "remove", "tin")

    assert (code, out) == (1, "")
    assert err == (
        "bantin: 'tin' could be more than one source: 'Tin tỉnh' (1), 'Tin xã' (2); "
        "type more of the name, or its number\n"
    )
    assert _source_names(capsys) == ["Báo Đồng Lúa", "Tin tỉnh", "Tin xã"]


def test_feeds_remove_of_a_configured_source_by_prefix_says_where_it_comes_from(admin_shell, capsys):
    config = admin_shell / "config.toml"
    config.write_text('[[feeds]]\nname = "Tin tỉnh"\nurl = "https://tin.example.vn/rss"\n', encoding="utf-8")

    code, _out, err = bantin(capsys, "feeds", "remove", "tin t")

    assert code == 1 and err.startswith(f"bantin: 'Tin tỉnh' is a [[feeds]] entry of {config.name}")
    assert _source_names(capsys) == ["Tin tỉnh"]


def test_a_config_entry_for_an_added_source_takes_it_over_and_says_so(admin_shell, capsys):
    """Both were kept: the feed polled twice under two names."""
    assert bantin(capsys, "feeds", "add", "https://tinh.example.vn/rss", "--name", "Tỉnh nhà")[0] == 0
    (admin_shell / "config.toml").write_text(
        '[[feeds]]\nname = "Tin tỉnh"\nurl = "https://tinh.example.vn/rss"\n', encoding="utf-8"
    )

    code, out, err = bantin(capsys, "feeds", "list")

    assert code == 0 and out.startswith("1. Tin tỉnh [auto, config] https://tinh.example.vn/rss\n")
    assert err == (
        "bantin: warning: the source 'Tỉnh nhà', added by an admin, is now the [[feeds]] entry 'Tin tỉnh' "
        "(the same address)\n"
    )
    assert bantin(capsys, "feeds", "list")[2] == ""  # said once


def _origins(capsys) -> dict[str, str]:
    return {s["name"]: s["origin"] for s in json.loads(bantin(capsys, "feeds", "list", "--json")[1])}


@pytest.mark.parametrize(
    ("origin", "said"),
    [
        ("chat", "Tin tỉnh: added from a chat (polled on public addresses only)\n"),
        ("admin", "Tin tỉnh: added by an admin on the host (polled on any address)\n"),
    ],
)
def test_feeds_origin_marks_a_source_as_added_from_a_chat_or_not(admin_shell, capsys, origin: str, said: str):
    """Sources added with /addfeed before it recorded 'chat' were stored as 'admin', like `feeds add`'s,
    with nothing to tell them apart: the admin who knows which they are marks them."""
    assert bantin(capsys, "feeds", "add", "https://tin.example.vn/rss", "--name", "Tin tỉnh")[0] == 0
    assert bantin(capsys, "feeds", "origin", "tin tinh", "chat")[0] == 0
    assert bantin(capsys, "feeds", "origin", "Tin", origin) == (0, said, "")
    assert _origins(capsys) == {"Tin tỉnh": origin}


def test_feeds_origin_leaves_a_configured_source_alone(admin_shell, capsys):
    config = admin_shell / "config.toml"
    config.write_text('[[feeds]]\nname = "Tin tỉnh"\nurl = "https://tin.example.vn/rss"\n', encoding="utf-8")
    code, out, err = bantin(capsys, "feeds", "origin", "Tin tỉnh", "chat")
    assert (code, out) == (1, "")
    assert err == "bantin: 'Tin tỉnh' is a [[feeds]] entry, polled on any address as the config is\n"
    assert _origins(capsys) == {"Tin tỉnh": "config"}


def test_feeds_origin_of_no_such_source_says_so(admin_shell, capsys):
    code, out, err = bantin(capsys, "feeds", "origin", "Không có", "chat")
    assert (code, out) == (1, "") and "Không có" in err


def _record_an_error(url: str, name: str, reason: str) -> None:
    async def record() -> None:
        db = Database(url)
        async with db.transaction() as session:
            source = await get_source(session, name)
            await record_error(session, source.id, now=utcnow(), reason=reason, next_check_at=utcnow())
        await db.close()

    asyncio.run(record())


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("HTTP 503", "HTTP 503"),
        (  # what an internal error of the database looks like: several lines, a long one
            "internal error: OperationalError: (sqlite3.OperationalError) database is locked\n"
            "[SQL: UPDATE sources SET etag=? WHERE sources.id = ?]\n" + "[parameters: " + "x" * 300 + "]",
            "internal error: OperationalError: (sqlite3.OperationalError) database is locked [SQL: UPDATE "
            "sources SET etag=? WHERE s…",
        ),
    ],
    ids=["short", "several lines"],
)
def test_feeds_list_shows_each_source_on_two_lines_whatever_its_error(
    admin_shell, sqlite_url, capsys, reason: str, shown: str
):
    """The error was printed as stored (up to 1,000 characters, newlines and all): one source's
    traceback-like error broke the listing of every source after it."""
    assert bantin(capsys, "feeds", "add", "https://tin.example.vn/rss", "--name", "Tin tỉnh")[0] == 0
    assert bantin(capsys, "feeds", "add", "https://huyen.example.vn/rss", "--name", "Tin huyện")[0] == 0
    _record_an_error(sqlite_url, "Tin tỉnh", reason)

    lines = bantin(capsys, "feeds", "list")[1].splitlines()

    assert len(lines) == 4, lines
    assert lines[1].endswith(" · ok")  # Tin huyện, listed first
    assert lines[3].endswith(f" · 1 error(s): {shown}")
