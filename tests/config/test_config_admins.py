"""[telegram] admins: Telegram user ids, which are positive."""

from __future__ import annotations

import pytest

from news.config import ConfigError, parse_config


@pytest.mark.parametrize(
    ("admins", "key"),
    [
        # a group's or channel's id (negative) or 0 matched no user: the admin had no admin commands,
        # and nothing said why
        ("[-1001234567890]", "telegram.admins[0]"),
        ("[123456789, 0]", "telegram.admins[1]"),
    ],
)
def test_an_admin_id_that_no_user_has_is_refused(admins: str, key: str):
    with pytest.raises(ConfigError) as err:
        parse_config(f"[telegram]\nadmins = {admins}", "conf.toml", env={})
    assert err.value.key == key
    assert "a Telegram user id is a positive number" in err.value.reason


def test_user_ids_pass():
    assert parse_config("[telegram]\nadmins = [123456789, 7000000001]", None, env={}).telegram.admins == [
        123456789,
        7000000001,
    ]
