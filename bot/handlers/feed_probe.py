"""Fetch a URL an admin typed once and say what it is: a feed (title, entries) or a news page (links).

Only http(s) URLs: a chat must never make the bot read its own disk, whatever the fetcher allows;
and only public addresses unless the config allows others: nor probe the server's own network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import tzinfo

from jobs.fetch import Fetcher, FetchError
from jobs.poll import make_fetcher
from news.articles import extract_article
from news.charset import UndecodableError, decode_document
from news.config import Config
from news.detect import detect_kind
from news.feeds import FeedParseError, parse_feed
from news.htmltree import parse_html
from news.i18n import N_
from news.listing import find_article_links
from news.source_address import source_url_problem


class ProbeError(Exception):
    """The URL cannot become a source; the message is short and meant for the admin (an N_ msgid when
    it is ours, translated where it is shown; a fetch or parse error's own text otherwise)."""


@dataclass(frozen=True)
class Probe:
    url: str  # where the document was (after redirects)
    kind: str  # rss | html
    title: str | None
    entries: int  # feed entries, or 1 for a page that is itself an article
    links: int  # article links found on a page


def check_url(url: str) -> str:
    """The URL if it is one an admin may add from a chat, else ProbeError (no file:// here)."""
    problem = source_url_problem(url, allow_file=False)
    if problem is not None:
        raise ProbeError(problem)
    return url


@asynccontextmanager
async def chat_fetcher(config: Config, shared: Fetcher | None) -> AsyncIterator[Fetcher]:
    """The fetcher a chat's probe uses: the poller's (`shared`) when [fetch] allow_private_addresses,
    else one of its own that connects to public addresses only (redirects and host names included)."""
    allowed = config.fetch.allow_private_addresses
    if allowed and shared is not None:
        yield shared
        return
    async with make_fetcher(config, allow_file_urls=False, public_addresses_only=not allowed) as fetcher:
        yield fetcher


def _page_title(html: str) -> str | None:
    root = parse_html(html)
    if root is None:
        return None
    title = " ".join(" ".join(root.xpath("//title//text()")).split())
    return title or None


async def probe_source(fetcher: Fetcher, url: str, tz: tzinfo) -> Probe:
    check_url(url)
    try:
        result = await fetcher.fetch(url)
    except FetchError as exc:
        raise ProbeError(exc.reason) from exc
    body = result.body or b""
    if not body.strip():
        raise ProbeError(N_("the address answered with an empty page"))
    try:
        if detect_kind(body, result.content_type) == "rss":
            parsed = parse_feed(body, result.content_type, result.final_url, tz)
            return Probe(result.final_url, "rss", parsed.title, len(parsed.entries), 0)
        html = decode_document(body, result.content_type).text
    except (FeedParseError, UndecodableError) as exc:
        raise ProbeError(str(exc) or type(exc).__name__) from exc
    # The same order as polling: a page that is an article is one entry, else its article links.
    if extract_article(html, result.final_url, tz) is not None:
        return Probe(result.final_url, "html", _page_title(html), 1, 0)
    links = find_article_links(html, result.final_url, None)
    if not links:
        raise ProbeError(N_("no feed, no article and no article links found on the page"))
    return Probe(result.final_url, "html", _page_title(html), 0, len(links))
