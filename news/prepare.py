"""Turn a parsed entry into what storage keeps: identity keys, fingerprints, summary, search text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    body: str
    summary: str
    language: str
    read_count: int | None
    fingerprint: str
    signature: int
    search_text: str


def prepare_entry(entry: Entry, *, words: int, language: str | None = None) -> PreparedItem:
    canon = canonical_url(entry.url) if entry.url else None
    fingerprint, signature = fingerprint_and_signature(entry.title, entry.body)
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
        body=entry.body,
        summary=summary,
        language=lang,
        read_count=entry.read_count,
        fingerprint=fingerprint,
        signature=to_signed64(signature),
        search_text=search_key(f"{entry.title}\n{summary}\n{entry.body[:SEARCH_BODY_CHARS]}"),
    )


def disambiguate_guids(items: list[PreparedItem]) -> list[PreparedItem]:
    """A guid repeated inside one feed with different URLs names different items: add the URL."""
    urls_by_guid: dict[str, set[str | None]] = {}
    for item in items:
        urls_by_guid.setdefault(item.guid, set()).add(item.canonical_url)
    for item in items:
        if len(urls_by_guid[item.guid]) > 1 and item.canonical_url:
            item.guid = f"{item.guid}#{item.canonical_url}"[:2000]
    return items
