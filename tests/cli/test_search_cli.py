"""`bantin search`: the stored stories matching the words, as text or JSON."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest

from bot.cli.main import main
from news.entries import Entry
from news.prepare import prepare_entry
from storage.db import Database
from storage.items import store_items
from storage.sources import SourceSpec, add_source

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
TITLE = "Hội nghị học tập Điều lệ Đảng tại xã Tân Phú"


@pytest.fixture
def config_file(sqlite_url, tmp_path) -> str:
    async def seed() -> None:
        db = Database(sqlite_url)
        async with db.transaction() as session:
            source = await add_source(
                session, SourceSpec(name="Báo Sông Xanh", url="https://sx.example.vn/rss"), NOW
            )
            entry = Entry(
                url="https://sx.example.vn/dieu-le.html",
                title=TITLE,
                body="Đảng ủy xã tổ chức hội nghị quán triệt quy định mới cho đảng viên các chi bộ thôn.",
                published=NOW,
            )
            await store_items(session, source, [prepare_entry(entry, words=30, language="vi")], NOW)
        await db.close()

    asyncio.run(seed())
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    return str(path)


def test_search_prints_matching_stories(config_file, capsys):
    assert main(["-c", config_file, "search", "dieu", "le", "dang"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 matching story, best first:")
    assert TITLE in out and "Báo Sông Xanh" in out


def test_search_json(config_file, capsys):
    assert main(["-c", config_file, "search", "ĐIỀU LỆ", "--json", "--limit", "3"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["query"] == "ĐIỀU LỆ"
    assert payload["total"] == 1
    assert [(s["title"], s["sources"]) for s in payload["stories"]] == [(TITLE, ["Báo Sông Xanh"])]


@pytest.mark.parametrize("words", [["tàu", "vũ", "trụ"], ['"NEAR(*'], ["'; DROP TABLE items; --"]])
def test_search_without_matches(config_file, capsys, words):
    assert main(["-c", config_file, "search", *words]) == 0
    assert capsys.readouterr().out.startswith("no stories match")


def test_a_long_query_without_matches_is_not_repeated_in_full(config_file, capsys):
    assert main(["-c", config_file, "search", "tàu " * 1250]) == 0
    assert capsys.readouterr().out == f"no stories match {('tàu ' * 25)[:99] + '…'!r}\n"


def test_search_rejects_a_bad_limit(config_file, capsys):
    assert main(["-c", config_file, "search", "dang", "--limit", "0"]) == 2
    assert "--limit" in capsys.readouterr().err
