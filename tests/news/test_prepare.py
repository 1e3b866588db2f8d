"""Preparing parsed entries: the canonical URL kept on the entry, repeated guids told apart."""

from __future__ import annotations

import pytest

import news.prepare
from news.entries import Entry
from news.prepare import canonical_url_of, disambiguate_guids


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Tinh.Example.VN:443/tin/a.html?utm_source=fb#dau", "https://tinh.example.vn/tin/a.html"),
        ("", None),
    ],
)
def test_canonical_url_is_computed_once_and_kept(monkeypatch, url, canonical):
    entry = Entry(url=url, title="Tin")
    assert canonical_url_of(entry) == canonical
    monkeypatch.setattr(news.prepare, "canonical_url", lambda u: pytest.fail("computed twice"))
    assert canonical_url_of(entry) == entry.canonical == canonical


def test_repeated_guid_gets_the_canonical_url():
    entries = [
        Entry(url="https://tinh.example.vn/a.html?utm_medium=x", title="A", guid="123"),
        Entry(url="https://tinh.example.vn/b.html", title="B", guid="123"),
        Entry(url="https://tinh.example.vn/c.html", title="C", guid="456"),
    ]
    assert [e.guid for e in disambiguate_guids(entries)] == [
        "123#https://tinh.example.vn/a.html",
        "123#https://tinh.example.vn/b.html",
        "456",
    ]
