"""Which addresses can become a source: one rule for the command line and /addfeed."""

from __future__ import annotations

import pytest

from news.source_address import MAX_URL_CHARS, name_from_address, source_url_problem

ONLY_WEB = "only http:// and https:// addresses can be added"
ONLY_WEB_OR_FILE = "only http://, https:// and file:// addresses can be added"


@pytest.mark.parametrize(
    ("url", "on_the_command_line", "from_a_chat"),
    [
        ("https://tinh.example.vn/rss", None, None),
        ("HTTPS://Tinh.example.vn/rss", None, None),  # schemes in any case
        ("http://127.0.0.1:8080/feed.xml", None, None),
        ("file:///srv/bantin/mau.xml", None, ONLY_WEB),
        ("FILE:///srv/bantin/mau.xml", None, ONLY_WEB),
        ("file://", "the file:// address names no file", ONLY_WEB),
        ("ftp://tinh.example.vn/rss", ONLY_WEB_OR_FILE, ONLY_WEB),
        ("tinh.example.vn/rss", ONLY_WEB_OR_FILE, ONLY_WEB),
        ("http://", "the address has no host name", "the address has no host name"),
        ("https://tin tinh.example.vn/rss", "the address has spaces in it", "the address has spaces in it"),
        ("https://tinh.example.vn:99999/rss", "not a valid address", "not a valid address"),
        ("http://[::1/rss", "not a valid address", "not a valid address"),
        (
            "https://tinh.example.vn/" + "a" * MAX_URL_CHARS,
            "the address is too long",
            "the address is too long",
        ),
    ],
)
def test_source_url_problem(url: str, on_the_command_line: str | None, from_a_chat: str | None) -> None:
    assert source_url_problem(url, allow_file=True) == on_the_command_line
    assert source_url_problem(url, allow_file=False) == from_a_chat


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://baomau.example.vn/rss/thoi-su.rss", "baomau.example.vn"),
        ("HTTPS://BaoMau.example.vn/rss", "baomau.example.vn"),
        ("file:///srv/mau/bao-song-xanh.xml", "bao-song-xanh"),
    ],
)
def test_a_source_added_without_a_name_is_named_after_its_address(url, name):
    assert name_from_address(url) == name
