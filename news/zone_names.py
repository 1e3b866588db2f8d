"""Which names a setting may give as a time zone: the IANA zones people live by, not every file of
the zone directory that zoneinfo can open."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Files of the zone directory that zoneinfo opens but that name no place: `localtime` is whatever
# zone the host is set to (another machine, another digest hour), `posixrules` and `Factory` are
# tzdata internals. available_timezones() already leaves out the posix/ and right/ copies.
NOT_A_PLACE = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_A_PLACE


def zone_name_problem(name: str) -> str | None:
    """Why `name` is not a time zone a setting may name, or None."""
    if name in _known_zones():
        try:
            ZoneInfo(name)
            return None
        except (ZoneInfoNotFoundError, ValueError):  # listed but unreadable: a broken tzdata
            pass
    return f"unknown time zone {name!r}: give an IANA zone name such as Asia/Ho_Chi_Minh, UTC or Etc/GMT-7"
