"""A fetched web page (a source with no feed) → one article entry, or the article links of a listing."""

from __future__ import annotations

from datetime import tzinfo

from news.articles import extract_article
from news.charset import UndecodableError, decode_document
from news.entries import ParsedSource
from news.listing import find_article_links


def parse_page(
    body: bytes,
    content_type: str | None,
    url: str,
    default_tz: tzinfo,
    selector: str | None = None,
    limit: int = 50,
) -> ParsedSource:
    """kind "html": an article page gives one entry; any other page gives its article links.

    `selector` (a CSS selector configured for the source) picks the listing's links; without
    it they are discovered. An undecodable body yields an empty result with a warning.
    """
    try:
        document = decode_document(body, content_type)
    except UndecodableError as error:
        return ParsedSource(kind="html", warnings=[f"undecodable page: {error}"])
    warnings = [f"legacy Vietnamese encoding converted: {document.legacy}"] if document.legacy else []
    article = extract_article(document.text, url, default_tz)
    if article is not None:
        return ParsedSource(kind="html", title=article.title, entries=[article], warnings=warnings)
    links = find_article_links(document.text, url, selector, limit)
    return ParsedSource(kind="html", article_links=links, warnings=warnings)
