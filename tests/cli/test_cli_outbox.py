"""`bantin outbox`: what the admin sees of the outbox, and failed messages sent again or purged."""

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import insert

from bot.cli.main import main
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from tests.delivery.world import outbox_rows

ERROR = "Forbidden: bot was blocked by the user"


def row(chat: int, status: str, *, age_days: float = 0, attempts: int = 0, error: str | None = None):
    created = utcnow() - timedelta(days=age_days)
    return {
        "chat_id": chat,
        "kind": "digest",
        "ref_id": chat,
        "part": 0,
        "text": f"Bản tin cho {chat}",
        "status": status,
        "attempts": attempts,
        "last_error": error,
        "created_at": created,
        "next_attempt_at": created,
    }


WORLD = [
    row(101, "sent", age_days=1, attempts=1),
    row(102, "pending", age_days=0.5),
    row(103, "pending", age_days=0.01),
    row(104, "failed", age_days=20, attempts=8, error="HTTP 500: Internal Server Error"),
    row(105, "failed", age_days=2, attempts=1, error="Bad Request: message is too long"),
    row(106, "failed", age_days=1, attempts=8, error=ERROR),
    row(107, "cancelled", age_days=3, error="telegram: " + ERROR),
]


@pytest.fixture
def world(sqlite_url, tmp_path):
    async def build():
        db = Database(sqlite_url)
        async with db.transaction() as session:
            await session.execute(insert(OutboxMessage), WORLD)
        await db.close()

    asyncio.run(build())
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    return str(config), sqlite_url


def rows_now(url: str) -> dict[int, OutboxMessage]:
    async def read():
        db = Database(url)
        try:
            return {r.chat_id: r for r in await outbox_rows(db)}
        finally:
            await db.close()

    return asyncio.run(read())


def test_status_counts_rows_by_state_with_the_oldest_pending_age(world, capsys):
    config, _ = world
    assert main(["--config", config, "outbox", "status"]) == 0
    out = capsys.readouterr().out
    for line in ("pending: 2", "sending: 0", "sent: 1", "failed: 3", "cancelled: 1"):
        assert line in out
    assert "oldest pending: 12 h" in out

    assert main(["--config", config, "outbox", "status", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["counts"] == {"pending": 2, "sending": 0, "sent": 1, "failed": 3, "cancelled": 1}
    assert 11.9 * 3600 < figures["oldest_pending_age_seconds"] < 12.1 * 3600


@pytest.mark.parametrize(
    "options, chats",
    [
        ([], [106, 105, 104]),  # failed is the default, newest first
        (["--failed"], [106, 105, 104]),
        (["--failed", "--limit", "2"], [106, 105]),
        (["--failed", "--chat", "105"], [105]),
        (["--pending"], [103, 102]),
        (["--cancelled"], [107]),
    ],
)
def test_list_shows_the_rows_asked_for(world, capsys, options, chats):
    config, _ = world
    assert main(["--config", config, "outbox", "list", *options, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["chat_id"] for r in listed] == chats
    assert set(listed[0]) >= {"id", "chat_id", "kind", "status", "attempts", "last_error", "created_at"}


def test_list_as_text_gives_chat_kind_attempts_and_error(world, capsys):
    config, _ = world
    assert main(["--config", config, "outbox", "list", "--failed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    [blocked] = [line for line in lines if "106" in line]
    assert "digest" in blocked and "8" in blocked and ERROR in blocked


@pytest.mark.parametrize(
    "options, retried",
    [
        (["--all"], {104, 105, 106}),
        (["--chat", "105"], {105}),
        (["--chat", "101"], set()),  # sent: not failed, nothing to retry
    ],
)
def test_retry_puts_failed_rows_back_to_pending(world, capsys, options, retried):
    config, url = world
    assert main(["--config", config, "outbox", "retry", *options]) == 0
    assert f"{len(retried)} failed message" in capsys.readouterr().out
    rows = rows_now(url)
    for chat in (104, 105, 106):
        stored = rows[chat]
        if chat in retried:
            assert (stored.status, stored.attempts, stored.claimed_by) == ("pending", 0, None)
            assert stored.next_attempt_at <= utcnow()
        else:
            assert stored.status == "failed"
    assert rows[101].status == "sent" and rows[107].status == "cancelled"


def test_retry_by_id(world, capsys):
    config, url = world
    ids = {r.chat_id: r.id for r in rows_now(url).values()}
    assert main(["--config", config, "outbox", "retry", "--id", str(ids[104]), str(ids[101])]) == 0
    assert "1 failed message" in capsys.readouterr().out
    assert rows_now(url)[104].status == "pending"


def test_retry_without_saying_which_rows_changes_nothing(world, capsys):
    config, url = world
    assert main(["--config", config, "outbox", "retry"]) == 2
    assert "--all" in capsys.readouterr().err
    assert {r.status for r in rows_now(url).values() if r.chat_id in (104, 105, 106)} == {"failed"}


def test_purge_deletes_only_failed_rows_older_than_asked(world, capsys):
    config, url = world
    assert main(["--config", config, "outbox", "purge", "--failed", "--older-than", "7"]) == 0
    assert "purged 1 failed message" in capsys.readouterr().out
    assert sorted(rows_now(url)) == [101, 102, 103, 105, 106, 107]


def test_purge_insists_on_failed_and_an_age(world, capsys):
    config, url = world
    with pytest.raises(SystemExit):
        main(["--config", config, "outbox", "purge", "--older-than", "7"])
    with pytest.raises(SystemExit):
        main(["--config", config, "outbox", "purge", "--failed"])
    assert len(rows_now(url)) == len(WORLD)
