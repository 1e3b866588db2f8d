"""What goes into one subscriber's digest: new stories from their sources, filtered, collapsed, rendered.

A story is new to a subscriber when its *first* sighting among their sources comes after their
cursor: a story they already got through source A is not sent again when source B carries it later,
nor after A is removed or left (its sightings and followers are kept for this:
storage.removed_sources). Only sightings made while the chat followed the source count: what A told
before the chat followed it never reached the chat. A chat that follows some sources is shown the
story as one of them tells it. Summaries are the stored ones; nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from news.config import Config
from news.i18n import pick_language, plural_translator, translator
from news.keywords import KeywordFilter, MatchText
from news.render import StoryView, digest_header, render_digest
from news.telegram_html import escape_html
from storage.digests import StoryWindow, SubscribedSources, Telling, WindowStory
from storage.models import Subscriber
from storage.schedules import timezone_of


class StoryKeys:
    """Title + summary as keywords match them, computed once per story (or per other source's telling
    of it) per compose run."""

    def __init__(self, window: StoryWindow) -> None:
        self.window = window
        self._keys: dict[tuple[int, str], MatchText] = {}

    def __call__(self, story_id: int, told: WindowStory | Telling | None = None) -> MatchText:
        told = told or self.window.stories[story_id]
        key = self._keys.get((story_id, told.url))
        if key is None:
            key = self._keys[story_id, told.url] = MatchText.of(f"{told.title} {told.summary}")
        return key


@dataclass(frozen=True)
class Follows:
    """The sources whose stories a chat gets (None: all), each with the sighting id its follow began
    after, and the sources it followed until they were removed or it left them, with where that
    follow began and ended: their sightings in between still tell what the chat already got."""

    current: Mapping[int, int] | None  # source -> since (its sightings up to it never reached the chat)
    removed: Mapping[int, tuple[int, int]] = field(default_factory=dict)  # source -> (since, until)

    def carries(self, source_id: int) -> bool:
        return self.current is None or source_id in self.current

    def reached(self, sighting_id: int, source_id: int) -> bool:
        """Whether this sighting could bring its story to the chat: it came while the chat followed
        its source (a source told it before the chat followed it: that never reached the chat)."""
        if self.current is None or sighting_id > self.current.get(source_id, sighting_id):
            return True
        since, until = self.removed.get(source_id, (0, -1))
        return since < sighting_id <= until

    @property
    def nothing(self) -> bool:
        return self.current is not None and not self.current


@dataclass(frozen=True)
class DigestContent:
    stories: list[StoryView]  # newest first, at most max_stories
    more: int  # matching stories left out ("and K more")
    cursor_to: int
    unmatched: int = 0  # new stories the keywords left out
    follows_none: bool = False  # no source followed (none chosen, or the only ones removed)

    @property
    def total(self) -> int:
        return len(self.stories) + self.more


def new_stories(
    window: StoryWindow,
    keys: StoryKeys,
    *,
    cursor: int,
    follows: Follows,
    keywords: KeywordFilter,
    max_stories: int,
    up_to: int | None = None,
) -> DigestContent:
    """The stories new since `cursor` among the sources the chat `follows`, one entry per story;
    with `up_to`, only those first seen by then (a slot's share when one check serves two slots)."""
    bound = window.up_to if up_to is None else min(up_to, window.up_to)
    chosen: list[StoryView] = []
    unmatched = 0
    for story_id, sightings in window.sightings.items():
        mine = [(ss, src) for ss, src in sightings if follows.carries(src)]
        first = _first_reaching(window, story_id, follows) if mine else None
        if first is None or not cursor < first <= bound:
            continue  # not from their sources, they had it already, or it is the next slot's
        story = window.stories.get(story_id)
        if story is None:
            continue
        told = _telling_for(window, story, mine, follows)
        if not keywords.passes(keys(story_id, told)):  # the text the chat is shown
            unmatched += 1
            continue
        names = list(dict.fromkeys(window.source_names.get(src, "") for _, src in mine))
        chosen.append(
            StoryView(
                told.title,
                told.url,
                names,
                story.published_at,
                told.summary,
                story.id,
                story.published_day,
            )
        )
    chosen.sort(key=lambda view: (view.published, view.story_id or 0), reverse=True)
    more = max(0, len(chosen) - max_stories)
    return DigestContent(chosen[:max_stories], more, bound, unmatched, follows.nothing)


def _first_reaching(window: StoryWindow, story_id: int, follows: Follows) -> int | None:
    """The first sighting of the story that could reach the chat, through a source it follows or
    followed (removed since, or left): the one that brought it (None: none could)."""
    sightings = (*window.sightings.get(story_id, ()), *window.removed_sightings.get(story_id, ()))
    return min((ss for ss, src in sightings if follows.reached(ss, src)), default=None)


def _telling_for(
    window: StoryWindow, story: WindowStory, mine: list[tuple[int, int]], follows: Follows
) -> WindowStory | Telling:
    """The story's own title, link and summary when the chat follows every source or the one the story
    was made from; else those of the item of the first source the chat follows that carried it."""
    tellings = window.tellings.get(story.id)
    if follows.current is None or not tellings:
        return story
    if any(told.url == story.url for src, told in tellings.items() if follows.carries(src)):
        return story
    for _, src in mine:  # oldest sighting first
        if src in tellings:
            return tellings[src]
    return story


def language_of(subscriber: Subscriber) -> str:
    return pick_language(subscriber.language, subscriber.telegram_language)


def digest_start(subscriber: Subscriber) -> int:
    """Where a digest on demand starts: the digest cursor, or, in a chat on alerts only, whichever
    is further, its own or its alerts' (no scheduled digest moves its digest cursor; the alerts
    already brought what is under theirs)."""
    if subscriber.mode == "instant":
        return max(subscriber.digest_cursor, subscriber.instant_cursor)
    return subscriber.digest_cursor


def max_stories_of(subscriber: Subscriber, config: Config) -> int:
    return subscriber.max_stories if subscriber.max_stories else config.digest.max_stories


def wants_no_news_notice(subscriber: Subscriber, config: Config) -> bool:
    return (
        subscriber.no_news_notice if subscriber.no_news_notice is not None else config.digest.no_news_notice
    )


def render_scheduled(
    subscriber: Subscriber, config: Config, content: DigestContent, at: datetime
) -> list[str]:
    tz = timezone_of(subscriber, config.schedule)
    return render_digest(content.stories, tz, language_of(subscriber), more=content.more, at=at)


def render_no_news(subscriber: Subscriber, config: Config, content: DigestContent, at: datetime) -> list[str]:
    """The line a subscriber who asked for one gets when no story went into their digest. It says
    why, as /digest does: no source followed, or keywords that left the new stories out."""
    lang = language_of(subscriber)
    header = digest_header(at, timezone_of(subscriber, config.schedule), lang)
    return [f"{header}\n{escape_html(_no_news_reason(content, lang))}"]


def _no_news_reason(content: DigestContent, lang: str) -> str:
    _ = translator(lang)
    unmatched = content.unmatched
    if content.follows_none:
        return _("You follow no source yet. Choose some with /sources.")
    if unmatched:
        ngettext = plural_translator(lang)
        return ngettext(
            "There is {count} new story since your last digest, but it does not match your keywords "
            "(/settings).",
            "There are {count} new stories since your last digest, but none matches your keywords "
            "(/settings).",
            unmatched,
        ).format(count=unmatched)
    return _("No new stories since the last digest.")


def render_instant(subscriber: Subscriber, config: Config, content: DigestContent) -> list[str]:
    lang = language_of(subscriber)
    _ = translator(lang)
    # TRANSLATORS: title of an instant alert that lists stories just published.
    title = _("New stories")
    tz = timezone_of(subscriber, config.schedule)
    return render_digest(
        content.stories, tz, lang, more=content.more, title_line=f"<b>{escape_html(title)}</b>"
    )


def source_filter(subscriber: Subscriber, subscriptions: SubscribedSources) -> Follows:
    if subscriber.all_sources:
        return Follows(None)
    removed = subscriptions.removed.get(subscriber.id, {})
    return Follows(subscriptions.current.get(subscriber.id, {}), removed)


def lowest_cursor(cursors: Sequence[int], floor: int) -> int:
    return min((max(c, floor) for c in cursors), default=floor)
