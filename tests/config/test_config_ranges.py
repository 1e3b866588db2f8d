"""Numbers in the config: each has a range, and a value outside it is a config error, not a crash later."""

from __future__ import annotations

import pytest

from news.config import ConfigError, parse_config

HUGE = 9_223_372_036_854_775_807  # the largest integer TOML has


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        # TOML has nan and inf: a nan rate passed `<= 0` and every comparison after it was False
        ("[delivery]\nmessages_per_second = nan", "delivery.messages_per_second", "a finite number"),
        ("[fetch]\nconnect_timeout = inf", "fetch.connect_timeout", "a finite number"),
        ("[delivery]\nper_chat_interval = -nan", "delivery.per_chat_interval", "a finite number"),
        # below the range
        ("[delivery]\nper_chat_interval = -1.0", "delivery.per_chat_interval", "0 or more, got -1.0"),
        ("[summaries]\nllm_daily_requests = -5", "summaries.llm_daily_requests", "0 or more, got -5"),
        # above it: the poll failed with `OverflowError: Python int too large to convert to C int`
        (f"[schedule]\npoll_interval = {HUGE}", "schedule.poll_interval", "at most 2592000"),
        (f"[schedule]\ndigest_check_interval = {HUGE}", "schedule.digest_check_interval", "at most 86400"),
        (f"[fetch]\nmax_backoff = {HUGE}", "fetch.max_backoff", "at most 2592000"),
        ("[fetch]\nread_timeout = 1e300", "fetch.read_timeout", "at most 3600"),
        (f"[fetch]\nconcurrency = {HUGE}", "fetch.concurrency", "at most 10000"),
        (f"[delivery]\nmax_attempts = {HUGE}", "delivery.max_attempts", "at most 1000"),
        (f"[digest]\nmax_stories = {HUGE}", "digest.max_stories", "at most 1000"),
        (
            f"[[feeds]]\nname = 'Tin tỉnh'\nurl = 'https://tin.example.vn/rss'\ninterval = {HUGE}",
            "feeds[0].interval",
            "at most 2592000",
        ),
    ],
)
def test_a_number_out_of_range_is_a_config_error(toml: str, key: str, reason: str):
    with pytest.raises(ConfigError) as err:
        parse_config(toml, "conf.toml", env={})
    assert err.value.key == key
    assert reason in err.value.reason
    assert str(err.value).startswith(f"conf.toml: {key}: ")


@pytest.mark.parametrize(
    "toml",
    [
        "[delivery]\nper_chat_interval = 0.0",  # no pause between two messages to one chat
        "[summaries]\nllm_daily_requests = 0",  # no abstractive summaries today
        "[schedule]\npoll_interval = 2592000",  # once in 30 days, the longest
        "[fetch]\nread_timeout = 3600",
        "[delivery]\nmessages_per_second = 0.5",
    ],
)
def test_numbers_at_the_edges_of_their_range_are_accepted(toml: str):
    parse_config(toml, "conf.toml", env={})


FEED = "[[feeds]]\nname = '{name}'\nurl = '{url}'\n"


@pytest.mark.parametrize(
    "second_url",
    [
        "https://tin.example.vn/rss",
        "HTTPS://TIN.example.vn/rss",
        "https://tin.example.vn/rss?utm_source=rss",
    ],
)
def test_the_same_feed_twice_is_a_config_error(second_url: str):
    """It was accepted: the feed was polled twice, each story credited to either name."""
    toml = FEED.format(name="Tin tỉnh", url="https://tin.example.vn/rss") + FEED.format(
        name="Tin tỉnh (bản 2)", url=second_url
    )
    with pytest.raises(ConfigError) as err:
        parse_config(toml, "conf.toml", env={})
    assert err.value.key == "feeds[1].url"
    assert err.value.reason == "the same address as feeds[0] ('Tin tỉnh')"
