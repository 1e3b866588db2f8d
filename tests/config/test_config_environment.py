"""BANTIN_* environment variables an admin gets wrong: a config path that is not there, a misspelt name."""

from __future__ import annotations

import pytest

from bot.cli.main import main
from news.config import ConfigError, load_config
from news.config_environment import unknown_environment


def test_a_missing_file_named_by_bantin_config_says_so(tmp_path):
    """It said only "file not found", and the admin looked for a -c option they had not given."""
    missing = tmp_path / "khong-co.toml"
    with pytest.raises(ConfigError) as err:
        load_config(env={"BANTIN_CONFIG": str(missing)})
    assert str(err.value) == f"{missing}: file not found (named by BANTIN_CONFIG)"


@pytest.mark.parametrize(
    ("env", "found"),
    [
        ({"BANTIN_DATABSE_URL": "x"}, [("BANTIN_DATABSE_URL", "BANTIN_DATABASE_URL")]),
        ({"BANTIN_TOKEN": "x"}, [("BANTIN_TOKEN", "BANTIN_TELEGRAM_TOKEN")]),
        ({"BANTIN_CONFIG_FILE": "x"}, [("BANTIN_CONFIG_FILE", "BANTIN_CONFIG")]),
        ({"BANTIN_XYZ": "x"}, [("BANTIN_XYZ", None)]),
        ({"BANTIN_DATABASE_URL": "x", "BANTIN_LLM_API_KEY": "k", "BANTIN_TEST_DATABASE_URL": "y"}, []),
        ({"PATH": "/usr/bin", "bantin_config": "x"}, []),
    ],
)
def test_unknown_bantin_variables_are_found(env, found):
    assert unknown_environment(env, llm_api_key_env="BANTIN_LLM_API_KEY") == found


def test_config_check_warns_about_a_misspelt_variable(tmp_path, monkeypatch, capsys):
    """A misspelt BANTIN_DATABSE_URL was ignored without a word: the bot ran on ./bantin.db."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BANTIN_CONFIG", raising=False)
    monkeypatch.delenv("BANTIN_DATABASE_URL", raising=False)
    monkeypatch.setenv("BANTIN_DATABSE_URL", "postgresql+asyncpg://bantin:hunter2@db/bantin")

    assert main(["config", "check"]) == 0
    err = capsys.readouterr().err
    assert err == (
        "bantin: warning: BANTIN_DATABSE_URL is set but bantin reads no such variable "
        "(did you mean BANTIN_DATABASE_URL?)\n"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        # "Bán tin" saved in a one-byte code page (windows-1252 here) by an old editor
        (b'[schedule]\ntimezone = "Asia/Ho_Chi_Minh"\n# B\xe1n tin\n', "byte 0xe1 on line 3"),
        ("\ufeff[schedule]\n".encode("utf-16"), "byte 0xff on line 1"),
    ],
)
def test_a_config_file_that_is_not_utf8(tmp_path, content: bytes, reason: str):
    """It said `cannot read: 'utf-8' codec can't decode byte 0xe1 in position 44: invalid continuation
    byte`: a position in bytes, and no word of what to do."""
    path = tmp_path / "config.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert err.value.reason == f"not UTF-8 text ({reason}): save the file as UTF-8"
