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


@pytest.mark.parametrize(
    ("times", "key", "reason"),
    [
        # No time at all: subscribers on the default times never got a digest, and nothing said why.
        ("[]", "schedule.digest_times", "at least one time"),
        ('["07:00", "07:00"]', "schedule.digest_times[1]", "07:00 is digest_times[0] already"),
        ('["07:00", "17:00", "07:00"]', "schedule.digest_times[2]", "07:00 is digest_times[0] already"),
        ('["7:00", "07:00"]', "schedule.digest_times[0]", "two digits each"),
        (
            '["06:00", "08:00", "10:00", "12:00", "14:00", "16:00", "18:00"]',
            "schedule.digest_times",
            "at most 6",
        ),
    ],
)
def test_digest_times_need_one_to_six_different_times(times: str, key: str, reason: str):
    with pytest.raises(ConfigError) as err:
        parse_config(f"[schedule]\ndigest_times = {times}", "conf.toml", env={})
    assert (err.value.key, reason in err.value.reason) == (key, True), err.value.reason


@pytest.mark.parametrize(
    "times", [["07:00"], ["07:00", "17:00"], ["06:00", "08:00", "10:00", "12:00", "14:00", "23:59"]]
)
def test_one_to_six_different_times_pass(times: list[str]):
    toml = "[schedule]\ndigest_times = [" + ", ".join(f'"{t}"' for t in times) + "]"
    assert parse_config(toml, "conf.toml", env={}).schedule.digest_times == times


def test_the_chat_takes_as_many_times_as_the_config():
    from bot.handlers.settings_input import InputError, parse_times
    from news.schedule import MAX_DIGEST_TIMES

    assert len(parse_times(" ".join(f"{h}:00" for h in range(MAX_DIGEST_TIMES)))) == MAX_DIGEST_TIMES
    with pytest.raises(InputError):
        parse_times(" ".join(f"{h}:00" for h in range(MAX_DIGEST_TIMES + 1)))
