"""Turn a parsed entry into what storage keeps: identity keys, fingerprints, summary, search text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from news.entries import Entry
from news.fingerprint import fingerprint_and_signature, to_signed64
from news.language import detect_language
from news.summarize import LANGUAGES as SUMMARY_LANGUAGES
from news.summarize import summarize
from news.tones import search_key
from news.urls import canonical_url

SEARCH_BODY_CHARS = 4000  # the lead carries the words people search for; keeps the index small


@dataclass(slots=True)
class PreparedItem:
    guid: str
    url: str
    canonical_url: str | None
    title: str
    author: str | None
    published: datetime | None
    published_day: date | None  # the source gave this day and no time of day (news.entries)
    body: str
    summary: str
    language: str
    read_count: int | None
    fingerprint: str
    signature: int
    search_text: str


def canonical_url_of(entry: Entry) -> str | None:
    """The entry's canonical URL, computed once and kept on the entry (None without a URL)."""
    if entry.canonical is None and entry.url:
        entry.canonical = canonical_url(entry.url)
    return entry.canonical


def prepare_entry(entry: Entry, *, words: int, language: str | None = None) -> PreparedItem:
    canon = None if entry.shared_url else canonical_url_of(entry)
    address = f"{canon or entry.url}\x1f{entry.guid or ''}"  # tells boilerplate items apart
    fingerprint, signature = fingerprint_and_signature(entry.title, entry.body, address)
    lang = language or entry.language or detect_language(f"{entry.title}\n{entry.body[:2000]}")
    # The summarizer has rules for vi and en only; other languages get the nearer of the two.
    summary_lang = lang if lang in SUMMARY_LANGUAGES else "auto"
    summary = summarize(entry.body, title=entry.title, words=words, lang=summary_lang) if entry.body else ""
    return PreparedItem(
        guid=(entry.guid or canon or fingerprint)[:2000],
        url=entry.url,
        canonical_url=canon,
        title=entry.title or (summary[:80] if summary else entry.url),
        author=entry.author,
        published=entry.published,
        published_day=entry.published_day,
        body=entry.body,
        summary=summary,
        language=lang,
        read_count=entry.read_count,
        fingerprint=fingerprint,
        signature=to_signed64(signature),
        search_text=search_key(f"{entry.title}\n{summary}\n{entry.body[:SEARCH_BODY_CHARS]}"),
    )


def prepare_entries(entries: list[Entry], words: int, language: str | None = None) -> list[PreparedItem]:
    """`prepare_entry` over one poll's entries: one call to hand to a worker process."""
    return [prepare_entry(entry, words=words, language=language) for entry in entries]


def disambiguate_guids(entries: list[Entry], others: Iterable[tuple[int, int]] = ()) -> list[Entry]:
    """A guid repeated inside one feed for different URLs names different items: add the URL.
    A URL repeated for different guids identifies none of them: mark those entries `shared_url`.

    Applied to parsed entries, before they are compared with what is stored (whose guids it made).
    `others` are the `identity_key`s of the feed's other entries, left out of `entries` because
    they were handled in an earlier poll (news.feed_memo): they count as repeats too.
    """
    urls_by_guid: dict[int, set[int]] = {}
    for guid_key, url_key in others:
        urls_by_guid.setdefault(guid_key, set()).add(url_key)
    keys = [identity_key(entry) for entry in entries]
    for key in keys:
        if key is not None:
            urls_by_guid.setdefault(key[0], set()).add(key[1])
    # A URL repeated for different guids (every item linked to the home page) names none of them.
    guids_by_url: dict[int, set[int]] = {}
    for guid_key, url_key in [*others, *(key for key in keys if key is not None)]:
        guids_by_url.setdefault(url_key, set()).add(guid_key)
    for entry, key in zip(entries, keys, strict=True):
        if key is not None and len(urls_by_guid[key[0]]) > 1:
            entry.guid = f"{entry.guid}#{canonical_url_of(entry)}"
        entry.shared_url = entry.shared_url or (key is not None and len(guids_by_url[key[1]]) > 1)
    return entries


def identity_key(entry: Entry) -> tuple[int, int] | None:
    """64-bit keys of an entry's guid and canonical URL (None unless it has both), as compared by
    `disambiguate_guids`: short enough to remember for every item of every feed."""
    if not (entry.guid and entry.url):
        return None
    return _key64(entry.guid), _key64(canonical_url_of(entry) or "")


def _key64(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big"
    )
