"""[[feeds]]: one configured source's settings, and why a list of them cannot be used."""

from __future__ import annotations

from dataclasses import dataclass

from news.config_ranges import FEED_INTERVAL, range_problem
from news.source_address import folded_source_name, source_name_problem, source_url_problem
from news.urls import canonical_url
from news.zone_names import zone_name_problem

FEED_KINDS = ("auto", "rss", "html")


@dataclass
class FeedConfig:
    name: str = ""
    url: str = ""
    kind: str = "auto"
    selector: str = ""
    full_text: bool = False
    interval: int = 0
    timezone: str = ""
    language: str = ""


def feeds_problem(feeds: list[FeedConfig]) -> tuple[str, str] | None:
    """The dotted key of the first entry's setting that cannot work, with why; None when all can."""
    names: dict[str, str] = {}  # the name as commands match it -> as written
    addresses: dict[str, int] = {}  # canonical URL -> the first feed's index
    for i, feed in enumerate(feeds):
        key = f"feeds[{i}]"
        if not feed.name.strip():
            return f"{key}.name", "every feed needs a name"
        if problem := source_name_problem(feed.name):
            return f"{key}.name", problem
        folded = folded_source_name(feed.name)
        if folded in names:
            first = names[folded]
            same = "" if first == feed.name else f" (the same as {first!r} but for case or spaces)"
            return f"{key}.name", f"duplicate feed name {feed.name!r}{same}"
        names[folded] = feed.name
        if problem := source_url_problem(feed.url, allow_file=True):
            return f"{key}.url", f"{problem}: must be an http://, https:// or file:// URL"
        first = addresses.setdefault(canonical_url(feed.url), i)
        if first != i:  # it would be polled twice, each story credited to either name
            return f"{key}.url", f"the same address as feeds[{first}] ({feeds[first].name!r})"
        if problem := _setting_problem(feed):
            return f"{key}.{problem[0]}", problem[1]
    return None


def _setting_problem(feed: FeedConfig) -> tuple[str, str] | None:
    if feed.kind not in FEED_KINDS:
        return "kind", f"must be one of {', '.join(FEED_KINDS)}"
    if feed.timezone and (problem := zone_name_problem(feed.timezone)):
        return "timezone", problem
    if problem := range_problem(feed.interval, FEED_INTERVAL):
        return "interval", f"{problem} (0: schedule.poll_interval)"
    return None
