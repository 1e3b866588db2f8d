"""Which addresses can become a source: one rule for the command line and /addfeed."""

from __future__ import annotations

import pytest

from news.source_address import MAX_URL_CHARS, is_public_address, name_from_address, source_url_problem

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


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("172.31.255.254", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fe80::1", False),
        ("fe80::1%2", False),  # with a zone, as getaddrinfo gives it
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b:1::a00:7", False),  # the local-use NAT64 prefix (RFC 8215): a private network's own
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("2002:a00:7::1", False),  # 6to4 of 10.0.0.7
        ("::127.0.0.1", False),  # IPv4-compatible (deprecated; a sit tunnel still carries it)
        ("::a00:7", False),  # IPv4-compatible 10.0.0.7
        ("::ffff:0:7f00:1", False),  # IPv4-translated (SIIT) 127.0.0.1
        ("fec0::1", False),  # site-local (deprecated, still routed inside a site)
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("224.0.0.1", False),  # multicast
        ("255.255.255.255", False),
        ("203.0.113.7", False),  # documentation range
        ("8.8.8.8", True),
        ("172.32.0.1", True),  # just past 172.16/12
        ("::ffff:8.8.8.8", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public
