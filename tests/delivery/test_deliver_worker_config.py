"""`python -m bot.deliver_worker` reads the admin's config like `bantin` does: --config, BANTIN_CONFIG."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.deliver_worker import main, parse_args
from storage.db import Database
from storage.models import utcnow
from tests.delivery.world import add_sources, add_story, add_subscribers

TITLES = ("Hà Nội mở thêm tuyến xe buýt điện", "Đà Nẵng đón khách du lịch đầu năm")


async def _a_due_digest_of_two_stories(db: Database) -> None:
    now = utcnow()
    source = (await add_sources(db, "Báo Thủ Đô"))["Báo Thủ Đô"]
    for minutes, title in enumerate(TITLES, start=10):
        await add_story(
            db,
            title,
            [source],
            published=now - timedelta(minutes=minutes + 10),
            seen_at=now - timedelta(minutes=minutes),
        )
    await add_subscribers(
        db, 1, next_digest_at=now - timedelta(minutes=1), created_at=now - timedelta(days=1)
    )


def _config(tmp_path, sqlite_url: str, standin) -> str:
    path = tmp_path / "bantin.toml"
    path.write_text(
        f'[telegram]\ntoken = "{standin.token}"\nbase_url = "{standin.base_url}"\n'
        f'[storage]\nurl = "{sqlite_url}"\n'
        "[digest]\nmax_stories = 1\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize("named_by", ["--config", "BANTIN_CONFIG"])
async def test_compose_uses_the_config_file(sqlite_url, standin, tmp_path, monkeypatch, named_by: str):
    """--compose composed with the built-in defaults (ten stories, the default zone and times),
    whatever the admin's config said, and --db, --base-url and --token had to repeat it."""
    monkeypatch.delenv("BANTIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("BANTIN_TELEGRAM_TOKEN", raising=False)
    standin.add_private_chat(1001)
    db = Database(sqlite_url)
    await _a_due_digest_of_two_stories(db)
    await db.close()
    path = _config(tmp_path, sqlite_url, standin)
    argv = ["--compose", "--until-idle"]
    if named_by == "--config":
        argv += ["--config", path]
    else:
        monkeypatch.setenv("BANTIN_CONFIG", path)

    assert await main(parse_args(argv)) == 0

    [digest] = [r["visible_text"] for r in standin.sent if r["method"] == "sendMessage"]
    assert sum(title in digest for title in TITLES) == 1  # [digest] max_stories = 1


def test_the_help_names_the_config_option(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    out = capsys.readouterr().out
    assert "--config FILE" in out and "BANTIN_CONFIG" in out


@pytest.mark.parametrize(
    ("config_text", "error"),
    [
        ("[telegram]\ntokn = '1:A'\n", "bantin.toml: telegram.tokn: unknown key (did you mean 'token'?)"),
        ("", "bantin.toml: telegram.token: empty: set it in the config file, in BANTIN_TELEGRAM_TOKEN"),
    ],
)
async def test_a_config_the_worker_cannot_use_is_one_line_and_exit_2(
    tmp_path, monkeypatch, capsys, config_text, error
):
    monkeypatch.delenv("BANTIN_TELEGRAM_TOKEN", raising=False)
    (tmp_path / "bantin.toml").write_text(config_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert await main(parse_args(["--config", "bantin.toml", "--until-idle"])) == 2
    assert capsys.readouterr().err.startswith(f"deliver_worker: config error: {error}")


@pytest.mark.parametrize(
    ("variable", "warning"),
    [
        (
            "BANTIN_DATABSE_URL",
            "deliver_worker: warning: BANTIN_DATABSE_URL is set but bantin reads no such variable "
            "(did you mean BANTIN_DATABASE_URL?)\n",
        ),
        (
            "BANTIN_TOKEN",
            "deliver_worker: warning: BANTIN_TOKEN is set but bantin reads no such variable "
            "(did you mean BANTIN_TELEGRAM_TOKEN?)\n",
        ),
        ("BANTIN_TEST_ANYTHING", ""),  # the test suite's own
    ],
)
async def test_a_misspelt_variable_is_warned_about_as_bantin_run_does(
    tmp_path, monkeypatch, capsys, sqlite_url, standin, variable, warning
):
    """`bantin run` warned about a misspelt BANTIN_DATABSE_URL; the worker ignored it without a word
    and drained another database's outbox."""
    monkeypatch.delenv("BANTIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("BANTIN_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv(variable, "postgresql+asyncpg://bantin:hunter2@db/bantin")
    path = _config(tmp_path, sqlite_url, standin)
    db = Database(sqlite_url)
    await db.close()

    assert await main(parse_args(["--config", path, "--until-idle"])) == 0
    assert capsys.readouterr().err == warning
