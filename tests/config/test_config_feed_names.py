"""A [[feeds]] name must fit the database and read as one line where subscribers see it."""

from __future__ import annotations

import pytest

from news.config import ConfigError, parse_config
from news.source_address import MAX_NAME_CHARS
from storage.sources import MAX_NAME_CHARS as STORED_NAME_CHARS


def _feed(name: str) -> str:
    return f'[[feeds]]\nname = "{name}"\nurl = "https://tin.example.vn/rss"\n'


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        # PostgreSQL refused it at every command: `value too long for type character varying(200)`
        ("Tin tỉnh " * 30, f"longer than {MAX_NAME_CHARS} characters (270)"),
        ("Tin tỉnh\\nBản tin tối", "a name is one line, without control characters"),
        ("Tin\\ttỉnh", "a name is one line, without control characters"),
        ("Tin tỉnh\\u200b", "a name is one line, without control characters"),  # a zero-width space
    ],
)
def test_a_feed_name_that_cannot_be_shown_or_stored(name: str, reason: str):
    with pytest.raises(ConfigError) as err:
        parse_config(_feed(name), "conf.toml", env={})
    assert err.value.key == "feeds[0].name"
    assert reason in err.value.reason


def test_the_longest_name_fits_the_database():
    assert MAX_NAME_CHARS == STORED_NAME_CHARS
    assert (
        parse_config(_feed("ồ" * MAX_NAME_CHARS), "conf.toml", env={}).feeds[0].name == "ồ" * MAX_NAME_CHARS
    )
