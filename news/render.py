"""What subscribers read: stories, digests, /latest pages and search results as Telegram HTML.

Everything that came from a source or a user (titles, source names, summaries, queries) is escaped
here; the translated strings are ours. Times are shown in the subscriber's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from news.i18n import DEFAULT_LANGUAGE, normalize_language, plural_translator, translator
from news.telegram_html import TELEGRAM_MESSAGE_LIMIT, escape_html, link, split_message, visible_length

SOURCE_SEPARATOR = " · "
QUERY_DISPLAY_LIMIT = 100

# CLDR patterns per language: "19/09 08:30" reads naturally in Vietnamese, "19 Sep 08:30" in English.
_STORY_TIME_PATTERN = {"vi": "dd/MM HH:mm", "en": "d MMM HH:mm"}
_STORY_DAY_PATTERN = {"vi": "dd/MM", "en": "d MMM"}
_DAY_PATTERN = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


@dataclass(frozen=True, slots=True)
class StoryView:
    """One story as shown to a subscriber. `sources` lists source names, the first one the story's
    own; `published` is aware, or naive meaning UTC (as SQLite hands it back). `published_day`,
    when the source gave a day and no time of day, is shown instead of `published`, which then
    only orders the story among others."""

    title: str
    url: str
    sources: list[str]
    published: datetime
    summary: str = ""
    story_id: int | None = None
    published_day: date | None = None


def _zone(tz: tzinfo | str) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _language(lang: str) -> str:
    return normalize_language(lang) or DEFAULT_LANGUAGE


def _local(moment: datetime, tz: tzinfo | str) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(_zone(tz))


def format_story_time(moment: datetime, tz: tzinfo | str, lang: str) -> str:
    """`19/09 08:30` (vi) or `19 Sep 08:30` (en), in the subscriber's zone."""
    lang = _language(lang)
    return format_datetime(_local(moment, tz), _STORY_TIME_PATTERN[lang], locale=lang)


def _story_when(story: StoryView, tz: tzinfo | str, lang: str) -> str:
    """The story's time, or its day as the source wrote it (`19/09`) when it gave no time: the
    day's start shown in the subscriber's zone would be a made-up hour, and west of the source
    the day before."""
    if story.published_day is not None:
        lang = _language(lang)
        return format_date(story.published_day, _STORY_DAY_PATTERN[lang], locale=lang)
    return format_story_time(story.published, tz, lang)


def _sources_html(sources: Sequence[str]) -> str:
    return SOURCE_SEPARATOR.join(escape_html(name) for name in sources if name)


def _summary_line(story: StoryView) -> str:
    summary = story.summary.strip()
    return f"\n{escape_html(summary)}" if summary else ""


def render_story(story: StoryView, tz: tzinfo | str, lang: str) -> str:
    """A story on its own: title link, source name(s) and local time, then the summary."""
    meta = SOURCE_SEPARATOR.join(
        part for part in (_sources_html(story.sources), _story_when(story, tz, lang)) if part
    )
    return f"<b>{link(story.url, story.title)}</b>\n<i>{meta}</i>{_summary_line(story)}"


def _render_compact_story(story: StoryView, tz: tzinfo | str, lang: str) -> str:
    """A story without its summary, for a page that would otherwise not fit in one message."""
    return render_story(replace(story, summary=""), tz, lang)


def _render_digest_item(story: StoryView, tz: tzinfo | str, lang: str) -> str:
    """A story inside its source's group: the group names the first source, so only others show."""
    _ = translator(lang)
    meta = _story_when(story, tz, lang)
    also = _sources_html(story.sources[1:])
    if also:
        meta += SOURCE_SEPARATOR + _("also in {sources}").format(sources=also)
    return f"• <b>{link(story.url, story.title)}</b>\n<i>{meta}</i>{_summary_line(story)}"


def _newest_first(stories: Sequence[StoryView]) -> list[StoryView]:
    def key(story: StoryView) -> tuple[datetime, int]:
        return (_local(story.published, UTC), story.story_id or 0)

    return sorted(stories, key=key, reverse=True)


def _group_by_first_source(stories: Sequence[StoryView]) -> list[tuple[str, list[StoryView]]]:
    groups: dict[str, list[StoryView]] = {}
    for story in _newest_first(stories):
        groups.setdefault(story.sources[0] if story.sources else "", []).append(story)
    # Dicts keep insertion order and stories were inserted newest first, so the group holding the
    # newest story comes first.
    return list(groups.items())


def digest_header(at: datetime, tz: tzinfo | str, lang: str) -> str:
    """`Bản tin 07:00 — 19/09/2019` / `Digest 07:00 — 19 Sep 2019`, bold."""
    lang = _language(lang)
    _ = translator(lang)
    local = _local(at, tz)
    # TRANSLATORS: header of a scheduled digest; {time} is like 07:00, {date} like 19/09/2019.
    title = _("Digest {time} — {date}").format(
        time=format_datetime(local, "HH:mm", locale=lang),
        date=format_datetime(local, _DAY_PATTERN[lang], locale=lang),
    )
    return f"<b>{title}</b>"


def render_digest(
    stories: Sequence[StoryView],
    tz: tzinfo | str,
    lang: str,
    *,
    more: int = 0,
    at: datetime | None = None,
    title_line: str | None = None,
    limit: int = TELEGRAM_MESSAGE_LIMIT,
) -> list[str]:
    """A digest as the messages to send, each at most `limit` visible characters, split between items.

    Stories are grouped by their first source (the group with the newest story first), newest first
    within a group. The header says the digest's time `at` (default: now) unless `title_line` (HTML,
    already escaped) replaces it; `more` > 0 adds "and K more — /latest". No stories and nothing
    more gives no messages.
    """
    if not stories and more <= 0:
        return []
    lang = _language(lang)
    header = title_line if title_line is not None else digest_header(at or datetime.now(UTC), tz, lang)
    blocks = [header]
    for source, group in _group_by_first_source(stories):
        items = [_render_digest_item(story, tz, lang) for story in group]
        # The source's name travels with its first item so a message never ends on a bare name.
        items[0] = f"<b>{escape_html(source)}</b>\n{items[0]}" if source else items[0]
        blocks.extend(items)
    if more > 0:
        ngettext = plural_translator(lang)
        footer = ngettext("and {count} more story — /latest", "and {count} more stories — /latest", more)
        blocks.append(f"<i>{footer.format(count=more)}</i>")
    return split_message(blocks, limit=limit)


def _page_label(lang: str, page: int, pages: int) -> str:
    _ = translator(lang)
    return _("page {page}/{pages}").format(page=page, pages=pages) if pages > 1 else ""


def _one_message(header: str, full: list[str], compact: list[str], limit: int) -> str:
    """Join header and items into one message; drop summaries if that is too long, and as a last
    resort keep only the items that fit."""
    for items in (full, compact):
        text = "\n\n".join([header, *items])
        if visible_length(text) <= limit:
            return text
    return split_message([header, *compact], limit=limit)[0]


def render_latest(
    stories: Sequence[StoryView],
    tz: tzinfo | str,
    lang: str,
    page: int = 1,
    pages: int = 1,
    *,
    limit: int = TELEGRAM_MESSAGE_LIMIT,
) -> str:
    """One page of /latest, stories in the order given (the caller's query orders them), one message."""
    lang = _language(lang)
    _ = translator(lang)
    if not stories:
        return _("No stories yet.")
    label = _page_label(lang, page, pages)
    title = _("Latest stories")
    header = f"<b>{title}</b>" + (f" — {label}" if label else "")
    full = [render_story(story, tz, lang) for story in stories]
    compact = [_render_compact_story(story, tz, lang) for story in stories]
    return _one_message(header, full, compact, limit)


def shortened_query(query: str) -> str:
    """A query as it is shown back: spaces collapsed, at most QUERY_DISPLAY_LIMIT characters."""
    query = " ".join(query.split())
    if len(query) > QUERY_DISPLAY_LIMIT:
        query = query[: QUERY_DISPLAY_LIMIT - 1] + "…"
    return query


def _shown_query(query: str) -> str:
    return escape_html(shortened_query(query))


def render_search_results(
    query: str,
    stories: Sequence[StoryView],
    tz: tzinfo | str,
    lang: str,
    *,
    total: int | None = None,
    page: int = 1,
    pages: int = 1,
    limit: int = TELEGRAM_MESSAGE_LIMIT,
) -> str:
    """One page of /search results for `query` (ranked by the caller, kept in that order), one message.
    `total` is the number of matches over all pages (default: the stories given)."""
    lang = _language(lang)
    _ = translator(lang)
    ngettext = plural_translator(lang)
    shown = _shown_query(query)
    if not stories:
        return _("No stories found for “{query}”.").format(query=shown)
    count = len(stories) if total is None else total
    title = ngettext("{count} result for “{query}”", "{count} results for “{query}”", count)
    label = _page_label(lang, page, pages)
    header = f"<b>{title.format(count=count, query=shown)}</b>" + (f" — {label}" if label else "")
    full = [render_story(story, tz, lang) for story in stories]
    compact = [_render_compact_story(story, tz, lang) for story in stories]
    return _one_message(header, full, compact, limit)
