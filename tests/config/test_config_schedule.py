"""[schedule] and per-source zones and times: what the config accepts, and what it refuses by name."""

from __future__ import annotations

import pytest

from news.config import ConfigError, parse_config

FEED = "[[feeds]]\nname = 'Báo tỉnh'\nurl = 'https://baotinh.example.vn/rss'\n"


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        # Files in the zone directory that are no zone a user lives in: `localtime` is whatever the
        # host is set to (another machine, another digest hour), the other two are tzdata internals.
        ("[schedule]\ntimezone = 'localtime'", "schedule.timezone"),
        ("[schedule]\ntimezone = 'posixrules'", "schedule.timezone"),
        ("[schedule]\ntimezone = 'Factory'", "schedule.timezone"),
        ("[schedule]\ntimezone = 'posix/Asia/Ho_Chi_Minh'", "schedule.timezone"),
        ("[schedule]\ntimezone = 'right/UTC'", "schedule.timezone"),
        (FEED + "timezone = 'localtime'", "feeds[0].timezone"),
        (FEED + "timezone = 'Factory'", "feeds[0].timezone"),
    ],
)
def test_a_file_of_the_zone_directory_that_is_no_place_is_refused(toml: str, key: str):
    with pytest.raises(ConfigError) as err:
        parse_config(toml, "conf.toml", env={})
    assert err.value.key == key
    assert "time zone" in err.value.reason
    assert "Asia/Ho_Chi_Minh" in err.value.reason  # says what a zone name looks like


@pytest.mark.parametrize("zone", ["UTC", "Asia/Ho_Chi_Minh", "Etc/GMT-7", "Europe/Berlin", "Asia/Saigon"])
def test_real_zones_pass(zone: str):
    config = parse_config(f"[schedule]\ntimezone = '{zone}'\n{FEED}timezone = '{zone}'", "conf.toml", env={})
    assert config.schedule.timezone == config.feeds[0].timezone == zone
