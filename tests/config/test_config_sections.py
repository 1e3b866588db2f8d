"""A key in the wrong section, a section that does not exist, a config path that is no file: the
error says where the key belongs, or what is wrong with the path."""

from __future__ import annotations

import pytest

from news.config import ConfigError, load_config, parse_config


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        # "unknown key" alone: the admin had the right key, under the wrong heading
        (
            "[telegram]\ntimezone = 'Asia/Ho_Chi_Minh'",
            "telegram.timezone",
            "unknown key (it belongs in [schedule] or [[feeds]])",
        ),
        ("timezone = 'Asia/Ho_Chi_Minh'", "timezone", "unknown key (it belongs in [schedule] or [[feeds]])"),
        ("[schedule]\ntoken = '1:A'", "schedule.token", "unknown key (it belongs in [telegram])"),
        ("[digest]\nwords = 40", "digest.words", "unknown key (it belongs in [summaries])"),
        (
            "[fetch]\nlisten = '0.0.0.0'",
            "fetch.listen",
            "unknown key (it belongs in [telegram.webhook] or [health])",
        ),
        ("[storage]\ninterval = 60", "storage.interval", "unknown key (it belongs in [[feeds]])"),
        (
            "[telegram]\nsecret_token = 'x'",
            "telegram.secret_token",
            "unknown key (it belongs in [telegram.webhook])",
        ),
        (
            "[webhook]\nurl = 'https://bot.example.vn/telegram'",
            "webhook",
            "unknown section (it is [telegram.webhook])",
        ),
        ("[schedul]\ntimezone = 'UTC'", "schedul", "unknown section (did you mean 'schedule'?)"),
        ("[tin_tuc]\nnguon = 'x'", "tin_tuc", "unknown section"),
        ("[telegram]\ntokn = 'x'", "telegram.tokn", "unknown key (did you mean 'token'?)"),
        ("[telegram.webhok]\nurl = 'x'", "telegram.webhok", "unknown section (did you mean 'webhook'?)"),
        # one pair of brackets: a table, where every source is an entry of an array of tables
        (
            "[feeds]\nname = 'Tin tỉnh'\nurl = 'https://tinh.example.vn/rss'",
            "feeds",
            "write each entry as [[feeds]], with two pairs of brackets",
        ),
    ],
)
def test_a_misplaced_key_or_section_says_where_it_belongs(toml: str, key: str, reason: str):
    with pytest.raises(ConfigError) as err:
        parse_config(toml, "conf.toml", env={})
    assert (err.value.key, reason in err.value.reason) == (key, True), err.value.reason


def test_a_config_path_that_is_a_directory_says_so(tmp_path):
    """It said "cannot read: [Errno 21] Is a directory: '...'"."""
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path, env={})
    expected = f"a directory, not a file: give the config file itself (e.g. {tmp_path / 'config.toml'})"
    assert err.value.reason == expected


def test_bantin_config_naming_a_directory_says_so(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(env={"BANTIN_CONFIG": str(tmp_path)})
    assert err.value.reason.startswith("a directory, not a file (named by BANTIN_CONFIG)")


def test_a_config_saved_with_a_byte_order_mark_loads(tmp_path):
    """Notepad saves "UTF-8" with a BOM; the file was "not valid TOML: Invalid statement (at line 1,
    column 1)", pointing at a character the editor does not show."""
    path = tmp_path / "config.toml"
    path.write_bytes("\ufeff[schedule]\ntimezone = 'Asia/Ho_Chi_Minh'\n# giờ gửi bản tin\n".encode())
    assert load_config(path, env={}).schedule.timezone == "Asia/Ho_Chi_Minh"
