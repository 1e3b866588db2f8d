"""A database the commands cannot open: one line naming it (password masked) and why, exit 2."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from bot.cli.main import main
from tests.dbsupport import PG_SKIP_REASON, PG_URL

REFUSED = "postgresql+asyncpg://bantin:hunter2@127.0.0.1:1/bantin"  # nothing listens on port 1
COMMANDS = [
    ["feeds", "list"],
    ["feeds", "add", "https://tin.example.vn/rss"],
    ["feeds", "export-opml"],
    ["db", "upgrade"],
    ["db", "current"],
    ["latest"],
    ["search", "lũ lụt"],
    ["poll"],
    ["run"],
]


@pytest.fixture
def config_for(tmp_path, monkeypatch):
    monkeypatch.delenv("BANTIN_DATABASE_URL", raising=False)
    monkeypatch.setenv("BANTIN_TELEGRAM_TOKEN", "123456:ABC-def")  # `run` checks the token first

    def write(url: str) -> str:
        path = tmp_path / "config.toml"
        path.write_text(f'[storage]\nurl = "{url}"\n[health]\nenabled = false\n', encoding="utf-8")
        return str(path)

    return write


def _run(config: str, command: list[str], capsys) -> tuple[int, str]:
    code = main(["-c", config, *command])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_that_refuses_the_connection(config_for, capsys, command):
    """It was `bantin: error: ConnectionRefusedError: [Errno 111] Connect call failed (...)`, exit 1:
    nothing said it was the database."""
    code, err = _run(config_for(REFUSED), command, capsys)
    assert code == 2
    assert err.startswith(
        "bantin: cannot open the database postgresql+asyncpg://bantin:***@127.0.0.1:1/bantin: "
    )
    assert "[storage] url" in err and "hunter2" not in err and "Traceback" not in err


def test_a_sqlite_file_that_cannot_be_created(config_for, capsys):
    code, err = _run(config_for("sqlite+aiosqlite:////proc/no-such-dir/bantin.db"), ["feeds", "list"], capsys)
    assert code == 2
    assert err.startswith("bantin: cannot create /proc/no-such-dir, the SQLite database's directory: ")


@pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON)
@pytest.mark.parametrize("command", [["feeds", "list"], ["db", "upgrade"]], ids=" ".join)
def test_a_wrong_password_is_said_as_the_server_says_it(config_for, capsys, command):
    """It was `bantin: error: DBAPIError: (sqlalchemy.dialects.postgresql.asyncpg.Error) password
    authentication failed ...` and a line pointing at SQLAlchemy's documentation."""
    url = make_url(PG_URL).set(password="not-the-password-x9")
    code, err = _run(config_for(url.render_as_string(hide_password=False)), command, capsys)
    assert code == 2
    assert err.startswith("bantin: cannot open the database ") and "password authentication failed" in err
    assert "not-the-password-x9" not in err and "sqlalche.me" not in err and err.count("\n") == 1


def test_the_sandbox_on_a_database_that_refuses_the_connection(config_for, tmp_path, capsys):
    script = tmp_path / "lenh.txt"
    script.write_text("/start\n", encoding="utf-8")
    code, err = _run(config_for(REFUSED), ["sandbox", "--script", str(script)], capsys)
    assert code == 2
    assert err.startswith(
        "bantin: cannot open the database postgresql+asyncpg://bantin:***@127.0.0.1:1/bantin: "
    )


@pytest.mark.parametrize(
    "command", [["feeds", "list"], ["latest"], ["search", "lũ lụt"], ["poll"]], ids=" ".join
)
def test_a_database_without_the_schema(config_for, tmp_path, capsys, command):
    """It was `bantin: error: SchemaOutOfDate: ...`, exit 1, where `bantin run` says the same with exit 2."""
    code, err = _run(config_for(f"sqlite+aiosqlite:///{tmp_path / 'moi.db'}"), command, capsys)
    assert (code, err) == (
        2,
        "bantin: The database has no schema yet. Run `bantin db upgrade` (or set [storage] auto_upgrade = true).\n",
    )
