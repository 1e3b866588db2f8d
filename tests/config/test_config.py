"""Config loading: types and unknown keys are checked, errors name the file and key, env overrides."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from news.config import ConfigError, load_config, parse_config, schema_keys

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"


def _documented_keys(path: Path) -> set[str]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    keys: set[str] = set()

    def walk(prefix: str, table: dict) -> None:
        for key, value in table.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(dotted + ".", value)
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                for entry in value:
                    walk(dotted + ".", entry)
            else:
                keys.add(dotted)

    walk("", data)
    return keys


def test_every_schema_key_is_in_the_example_and_back():
    documented = _documented_keys(EXAMPLE)
    schema = schema_keys()
    assert schema - documented == set(), "keys missing from config.example.toml"
    assert documented - schema == set(), "config.example.toml documents keys the schema lacks"


def test_every_example_key_has_a_comment():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[a-z_]+ = ", line):
            above = lines[i - 1].strip()
            prev_key_doc = above.startswith("#") or re.match(r"^[a-z_]+ = ", above)
            assert prev_key_doc, f"line {i + 1} ({line}) has no comment above it"


def test_example_config_loads():
    config = load_config(EXAMPLE, env={})
    assert config.schedule.timezone == "Asia/Ho_Chi_Minh"
    assert config.feeds[0].name == "Tin tỉnh"


# webhook mode with a valid secret, and a valid URL
WEBHOOK_MODE = "[telegram]\nmode = 'webhook'\n[telegram.webhook]\n"
WEBHOOK = WEBHOOK_MODE + "secret_token = 'bi-mat_cua-bantin_01'\n"
HOOK_URL = "url = 'https://bot.example.vn/telegram'\n"


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        ("[telegram]\ntokn = 'x'", "telegram.tokn", "unknown key (did you mean 'token'?)"),
        ("[storage]\nurl = 5", "storage.url", "expected a string"),
        ("[telegram]\nadmins = ['me']", "telegram.admins[0]", "expected an integer"),
        ("[telegram]\nadmins = 1", "telegram.admins", "expected a list of an integer"),
        ("[schedule]\ntimezone = 'Mars/Olympus'", "schedule.timezone", "unknown time zone"),
        ("[schedule]\ndigest_times = ['7am']", "schedule.digest_times[0]", "expected HH:MM"),
        ("[fetch]\nconcurrency = 0", "fetch.concurrency", "greater than 0"),
        ("[fetch]\nconcurrency = true", "fetch.concurrency", "expected an integer"),
        ("[[feeds]]\nname = 'a'\nurl = 'ftp://x'", "feeds[0].url", "http://, https:// or file://"),
        ("[[feeds]]\nname = 'a'\nurl = 'https://x'\nkind = 'atom'", "feeds[0].kind", "must be one of"),
        ("[[feeds]]\nname = 'a'\nurl = 'https://x'\n[[feeds]]\nname = 'a'\nurl = 'https://y'", "feeds[1].name", "duplicate"),
        ("[[feeds]]\nurl = 'https://x'", "feeds[0].name", "needs a name"),
        (
            "[[feeds]]\nname = 'Tin tỉnh'\nurl = 'https://x'\n[[feeds]]\nname = 'tin  TỈNH '\nurl = 'https://y'",
            "feeds[1].name",
            "duplicate feed name 'tin  TỈNH ' (the same as 'Tin tỉnh' but for case or spaces)",
        ),
        ("[[feeds]]\nname = 'a'\nurl = 'https://tin tinh.vn/rss'", "feeds[0].url", "has spaces in it"),
        ("[[feeds]]\nname = 'a'\nurl = 'https://tinh.vn:99999/rss'", "feeds[0].url", "not a valid address"),
        ("[[feeds]]\nname = 'a'\nurl = 'http://'", "feeds[0].url", "the address has no host name"),
        ("telegram = 3", "telegram", "expected a table"),
        ("[telegram]\nmode = 'webhook'", "telegram.webhook.url", "public https"),
        ("[logging]\nformat = 'xml'", "logging.format", "plain"),
        ("bogus = 1", "bogus", "unknown key"),
        # a port past 65535 was accepted and the webhook server silently listened on it modulo 65536
        ("[telegram.webhook]\nport = 70000", "telegram.webhook.port", "TCP port"),
        ("[telegram.webhook]\nport = 0", "telegram.webhook.port", "TCP port"),
        # webhook settings that cannot work passed `config check`: Telegram refused the URL at start,
        # the server answered every update 404 (a path with a space arrives as %20), or bind failed
        # with a gaierror traceback
        (WEBHOOK + "url = 'http://127.0.0.1:8443/telegram'", "telegram.webhook.url", "https://"),
        (WEBHOOK + "url = 'https://bot.example.vn:9000/hook'", "telegram.webhook.url", "443, 80, 88, 8443"),
        (WEBHOOK + "url = 'https://bot example.vn/telegram'", "telegram.webhook.url", "no spaces"),
        (WEBHOOK + "url = 'https:///telegram'", "telegram.webhook.url", "host name"),
        (WEBHOOK + HOOK_URL + "path = '/my hook'", "telegram.webhook.path", "URL path"),
        (WEBHOOK + HOOK_URL + "path = '/hook(1)'", "telegram.webhook.path", "URL path"),
        (WEBHOOK + HOOK_URL + "listen = 'not an address'", "telegram.webhook.listen", "IP address or a host"),
        (WEBHOOK + HOOK_URL + "listen = '127.0.0.1:8443'", "telegram.webhook.listen", "IP address or a host"),
        (WEBHOOK_MODE + HOOK_URL + "secret_token = 'có dấu'", "telegram.webhook.secret_token", "A-Z a-z"),
        (WEBHOOK_MODE + HOOK_URL + "secret_token = 'a b'", "telegram.webhook.secret_token", "A-Z a-z"),
        (WEBHOOK_MODE + HOOK_URL + f"secret_token = '{'x' * 257}'", "telegram.webhook.secret_token", "1-256"),
        ("[health]\nlisten = '0.0.0.0 '", "health.listen", "IP address or a host name"),
        # Telegram takes a secret of one character; anyone who can reach the port could guess it
        (WEBHOOK_MODE + HOOK_URL + "secret_token = 'x'", "telegram.webhook.secret_token", "at least 16"),
        (
            WEBHOOK_MODE + HOOK_URL + f"secret_token = '{'a1' * 7}_'",
            "telegram.webhook.secret_token",
            "token_urlsafe",
        ),
    ],
)
def test_bad_config_names_file_and_key(toml, key, reason):
    with pytest.raises(ConfigError) as err:
        parse_config(toml, "conf.toml", env={})
    assert err.value.file == "conf.toml"
    assert err.value.key == key
    assert reason in err.value.reason
    assert str(err.value).startswith(f"conf.toml: {key}: ")


@pytest.mark.parametrize(
    "settings",
    [
        HOOK_URL + "listen = '0.0.0.0'\npath = '/tg/hook_1.x'",
        "url = 'https://bot.example.vn:8443/telegram'\nlisten = '::'",
        "url = 'https://203.0.113.7:88/telegram'\nlisten = 'localhost'",
    ],
)
def test_webhook_settings_that_work_pass(settings: str):
    assert parse_config(WEBHOOK + settings, "conf.toml", env={}).telegram.mode == "webhook"


def test_a_webhook_secret_of_16_characters_is_the_shortest_taken():
    config = parse_config(WEBHOOK_MODE + HOOK_URL + f"secret_token = '{'Z9' * 8}'", "conf.toml", env={})
    assert len(config.telegram.webhook.secret_token) == 16


def test_a_local_bot_api_server_takes_an_http_webhook_on_any_port():
    toml = WEBHOOK + "url = 'http://10.0.0.5:9000/telegram'\n"
    toml = toml.replace("[telegram]\n", "[telegram]\nbase_url = 'http://127.0.0.1:8081/bot'\n")
    assert parse_config(toml, "conf.toml", env={}).telegram.webhook.url == "http://10.0.0.5:9000/telegram"


@pytest.mark.parametrize(
    "key",
    [
        # 0 or less was accepted, then a paid broadcast or the first group send raised ValueError
        # (a token bucket with no rate), and a negative timeout failed every fetch or send at once
        "fetch.connect_timeout",
        "fetch.read_timeout",
        "fetch.max_interval",
        "fetch.max_backoff",
        "delivery.paid_messages_per_second",
        "delivery.group_messages_per_minute",
        "delivery.send_timeout",
        "summaries.llm_timeout",
    ],
)
@pytest.mark.parametrize("value", [0, -1])
def test_durations_and_rates_must_be_greater_than_zero(key: str, value: int):
    section, name = key.split(".")
    with pytest.raises(ConfigError) as err:
        parse_config(f"[{section}]\n{name} = {value}", "conf.toml", env={})
    assert err.value.key == key
    assert "greater than 0" in err.value.reason


@pytest.mark.parametrize(
    ("toml", "env"),
    [
        ("[storage]\nurl = 'mysql://bantin:hunter2@db/bantin'", {}),
        ("[storage]\nurl = 'sqlite+pysqlite:///bantin.db'", {}),
        ("[storage]\nurl = 'bantin.db'", {}),
        ("[storage]\nurl = ''", {}),
        ("", {"BANTIN_DATABASE_URL": "mysql://bantin:hunter2@db/bantin"}),
        ("", {"BANTIN_DATABASE_URL": "/var/lib/bantin/bantin.db"}),
    ],
)
def test_a_database_url_bantin_cannot_use_is_a_config_error(toml: str, env: dict[str, str]):
    """It was accepted, then every database command failed with `ModuleNotFoundError: No module
    named 'MySQLdb'`, `InvalidRequestError: ... requires an async driver` or `ArgumentError`."""
    with pytest.raises(ConfigError) as err:
        parse_config(toml, "conf.toml", env=env)
    assert err.value.key == "storage.url"
    assert "sqlite+aiosqlite://" in err.value.reason and "postgresql+asyncpg://" in err.value.reason
    assert "hunter2" not in str(err.value)


def test_bantin_db_upgrade_with_a_mysql_url_is_a_config_error_without_the_password():
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
    env["BANTIN_DATABASE_URL"] = "mysql://bantin:hunter2@db/bantin"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "db", "upgrade"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("bantin: config error: ") and "storage.url" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_invalid_toml_is_a_config_error():
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("[telegram\n", "x.toml", env={})


def test_environment_overrides_token_and_database():
    config = parse_config(
        "[telegram]\ntoken = 'from-file'\n",
        "c.toml",
        env={"BANTIN_TELEGRAM_TOKEN": "123:env", "BANTIN_DATABASE_URL": "postgresql+asyncpg://u@h/db"},
    )
    assert config.telegram.token == "123:env"
    assert config.storage.url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize(
    ("token", "kept"),
    [
        ("123456:ABC-def_9", "123456:ABC-def_9"),
        ("123456:ABC-def_9\r", "123456:ABC-def_9"),  # an env file saved on Windows
        ("  123456:ABC-def_9\n", "123456:ABC-def_9"),
        ("123456:ABC def_9", None),
        ("123456:ABC\x00def_9", None),
        ("123456:ABC\u200bdef_9", None),  # a zero-width space pasted from a chat
    ],
)
def test_the_token_is_one_word(token: str, kept: str | None):
    if kept is None:
        with pytest.raises(ConfigError, match="telegram.token.*spaces or control characters"):
            parse_config("", "c.toml", env={"BANTIN_TELEGRAM_TOKEN": token})
    else:
        assert parse_config("", "c.toml", env={"BANTIN_TELEGRAM_TOKEN": token}).telegram.token == kept


def test_bantin_config_env_points_at_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[schedule]\ntimezone = 'Europe/Berlin'\n", encoding="utf-8")
    assert load_config(env={"BANTIN_CONFIG": str(path)}).schedule.timezone == "Europe/Berlin"


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_defaults_without_a_file_use_the_bundled_samples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(env={})
    assert config.storage.url.startswith("sqlite")
    assert config.feeds, "the embedded defaults poll the bundled sample sources"
    assert all(f.url.startswith("file://") for f in config.feeds)


def _bantin(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args], capture_output=True, text=True, cwd=cwd or REPO
    )


def test_config_check_accepts_the_example():
    result = _bantin("-c", str(EXAMPLE), "config", "check")
    assert result.returncode == 0, result.stderr
    assert "Asia/Ho_Chi_Minh" in result.stdout


@pytest.mark.parametrize("where", ["before the command", "after the command"])
def test_config_check_rejects_a_misspelt_key_with_exit_2(tmp_path, where):
    bad = tmp_path / "bad.toml"
    bad.write_text("[storage]\nulr = 'sqlite:///x.db'\n", encoding="utf-8")
    option = ["-c", str(bad)]
    args = [*option, "config", "check"] if where == "before the command" else ["config", "check", *option]
    result = _bantin(*args)
    assert result.returncode == 2
    assert "storage.ulr" in result.stderr and "unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_check_masks_secrets(tmp_path):
    conf = tmp_path / "c.toml"
    conf.write_text(
        "[telegram]\ntoken = '123456:SECRETSECRETSECRET'\n[storage]\nurl = 'postgresql+asyncpg://u:hunter2@h/db'\n",
        encoding="utf-8",
    )
    result = _bantin("-c", str(conf), "config", "check")
    assert result.returncode == 0, result.stderr
    assert "SECRETSECRETSECRET" not in result.stdout and "hunter2" not in result.stdout
    assert "****" in result.stdout
