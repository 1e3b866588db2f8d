"""`bantin digest --preview`: shows the next digest, writes nothing."""

import asyncio
import json
from datetime import timedelta

import pytest

from bot.cli.main import main
from storage.db import Database
from storage.models import Digest, OutboxMessage, utcnow
from tests.delivery.world import add_sources, add_story, add_subscribers, count_rows, subscriber


@pytest.fixture
def world(sqlite_url, tmp_path):
    async def build():
        db = Database(sqlite_url)
        src = await add_sources(db, "VnExpress")
        recent = utcnow() - timedelta(hours=1)  # the command composes as of now
        await add_story(
            db,
            "Hà Nội mưa lớn",
            [src["VnExpress"]],
            summary="Nhiều tuyến phố ngập sâu.",
            published=recent,
            seen_at=recent,
        )
        [sid] = await add_subscribers(db, 1, first_chat=777)
        await db.close()
        return sid

    sid = asyncio.run(build())
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    return str(config), sqlite_url, sid


async def _state(url: str, sid: int):
    db = Database(url)
    try:
        return (
            await count_rows(db, Digest),
            await count_rows(db, OutboxMessage),
            (await subscriber(db, sid)).digest_cursor,
        )
    finally:
        await db.close()


def test_preview_prints_the_next_digest_and_changes_nothing(world, capsys):
    config, url, sid = world
    assert main(["--config", config, "digest", "--preview", "--chat", "777"]) == 0
    out = capsys.readouterr().out
    assert "next digest for chat 777: 1 story, 1 message\n" in out
    assert "Hà Nội mưa lớn" in out and "Nhiều tuyến phố ngập sâu." in out and "<b>" not in out
    assert asyncio.run(_state(url, sid)) == (0, 0, 0)


def test_preview_as_json_defaults_to_the_oldest_subscriber(world, capsys):
    config, _url, _sid = world
    assert main(["--config", config, "digest", "--preview", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["chat_id"], payload["stories"], payload["more"]) == (777, 1, 0)
    assert "Hà Nội mưa lớn" in payload["messages"][0]


@pytest.mark.parametrize(
    "argv, message", [(["--chat", "999", "--preview"], "no subscriber for chat 999"), ([], "--preview")]
)
def test_preview_errors_are_one_line(world, capsys, argv, message):
    config, _url, _sid = world
    assert main(["--config", config, "digest", *argv]) == 2
    assert message in capsys.readouterr().err


def test_the_help_of_preview_does_not_promise_a_send(capsys):
    """`bantin digest` never sends (`bantin run` does): its help must not say that leaving out
    --preview sends the digest."""
    with pytest.raises(SystemExit):
        main(["digest", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--preview" in help_text and "instead of sending" not in help_text
    assert "bantin run" in help_text
