"""Preparing parsed entries: the canonical URL kept on the entry, repeated guids told apart."""

from __future__ import annotations

import pytest

import news.prepare
from news.entries import Entry
from news.prepare import canonical_url_of, disambiguate_guids, prepare_entry


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


def test_a_url_repeated_for_different_guids_identifies_none_of_them():
    """A feed linking every item to its home page: the guids tell the items apart, not the URL."""
    entries = [
        Entry(url="https://tinh.example.vn/", title="Khánh thành trường học", guid="101"),
        Entry(url="https://tinh.example.vn/#tin", title="Nông dân trúng mùa", guid="102"),
        Entry(url="https://tinh.example.vn/tin/3.html", title="Mưa lớn", guid="103"),
        Entry(url="https://tinh.example.vn/tin/3.html", title="Mưa lớn", guid="103"),  # listed twice
    ]
    prepared = [prepare_entry(e, words=20) for e in disambiguate_guids(entries)]
    assert [(p.guid, p.canonical_url) for p in prepared] == [
        ("101", None),
        ("102", None),
        ("103", "https://tinh.example.vn/tin/3.html"),
        ("103", "https://tinh.example.vn/tin/3.html"),
    ]
    assert prepared[0].url == "https://tinh.example.vn/"  # still the link readers get
