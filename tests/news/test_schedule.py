"""Digest slots in the subscriber's zone, catch-up slots, quiet hours, DST."""

from datetime import UTC, datetime, timedelta

import pytest

from news.schedule import (
    in_quiet_hours,
    latest_slot,
    next_slot,
    parse_hhmm,
    quiet_hours_end,
    slots_on,
    slots_to_serve,
)

HCM = "Asia/Ho_Chi_Minh"  # UTC+7, no DST
NY = "America/New_York"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "times, tz, after, expected",
    [
        (["07:00", "17:00"], HCM, utc(2024, 5, 1, 23, 0), utc(2024, 5, 2, 0, 0)),  # 06:00 local -> 07:00
        (
            ["07:00", "17:00"],
            HCM,
            utc(2024, 5, 2, 0, 0),
            utc(2024, 5, 2, 10, 0),
        ),  # exactly at a slot: the next
        (["17:00", "07:00"], HCM, utc(2024, 5, 2, 10, 30), utc(2024, 5, 3, 0, 0)),  # order of times is free
        (["07:00"], HCM, utc(2024, 12, 31, 1, 0), utc(2025, 1, 1, 0, 0)),  # over the year's end
        (["02:30"], NY, utc(2024, 3, 10, 5, 0), utc(2024, 3, 10, 7, 30)),  # spring-forward gap: 03:30 EDT
        (["01:30"], NY, utc(2024, 11, 3, 4, 0), utc(2024, 11, 3, 5, 30)),  # fall-back: first 01:30 (EDT)
        (["01:30"], NY, utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30)),  # no second slot that day
        ([], HCM, utc(2024, 5, 1), None),
    ],
)
def test_next_slot(times, tz, after, expected):
    assert next_slot(times, tz, after) == expected


@pytest.mark.parametrize(
    "times, at, expected",
    [
        (["07:00", "17:00"], utc(2024, 5, 2, 9, 0), utc(2024, 5, 2, 0, 0)),  # 16:00 local: this morning's
        (["07:00", "17:00"], utc(2024, 5, 2, 10, 0), utc(2024, 5, 2, 10, 0)),  # at the slot: that one
        (["07:00", "17:00"], utc(2024, 5, 5, 3, 0), utc(2024, 5, 5, 0, 0)),  # days down: only the latest
        (["07:00"], utc(2024, 5, 2, 23, 0), utc(2024, 5, 2, 0, 0)),  # 06:00 local: yesterday's
    ],
)
def test_latest_slot_is_the_one_catch_up_sends(times, at, expected):
    assert latest_slot(times, HCM, at) == expected


TEN_MINUTES = timedelta(minutes=10)


@pytest.mark.parametrize(
    "times, due, now, expected",
    [
        # One check saw 23:59 and 00:00 come: two digests.
        (["23:59", "00:00"], utc(2024, 5, 1, 16, 59), utc(2024, 5, 1, 17, 1), [(16, 59), (17, 0)]),
        (["07:00", "07:01"], utc(2024, 5, 2, 0, 0), utc(2024, 5, 2, 0, 4), [(0, 0), (0, 1)]),
        (["07:00", "17:00"], utc(2024, 5, 2, 0, 0), utc(2024, 5, 2, 0, 1), [(0, 0)]),  # the usual case
        # Down for days: one catch-up, the newest slot.
        (["07:00", "17:00"], utc(2024, 5, 2, 0, 0), utc(2024, 5, 5, 3, 0), [(0, 0)]),
        # Down since yesterday, back just after 07:00 and 07:01: those came just now, both go.
        (["07:00", "07:01", "17:00"], utc(2024, 5, 1, 10, 0), utc(2024, 5, 2, 0, 3), [(0, 0), (0, 1)]),
        # The due slot is no longer one of the times (changed just after it came): it still goes.
        (["07:05"], utc(2024, 5, 2, 0, 0), utc(2024, 5, 2, 0, 6), [(0, 0), (0, 5)]),
        (["08:00"], utc(2024, 5, 2, 0, 0), utc(2024, 5, 2, 0, 30), [(0, 0)]),
    ],
)
def test_slots_to_serve_give_each_time_that_just_came_its_digest(times, due, now, expected):
    """Times in Ho Chi Minh City (UTC+7); `expected` as (hour, minute) in UTC."""
    slots = slots_to_serve(times, HCM, due, now, TEN_MINUTES)
    assert [(slot.hour, slot.minute) for slot in slots] == expected


def test_slots_on_a_day_collapse_times_that_dst_maps_to_one_instant():
    # 02:30 does not exist on 10 March in New York and lands on 03:30, the same instant as 03:30.
    assert slots_on(datetime(2024, 3, 10).date(), ["02:30", "03:30"], NY) == [utc(2024, 3, 10, 7, 30)]


@pytest.mark.parametrize(
    "local_hhmm, start, end, quiet",
    [
        ("23:00", "22:00", "07:00", True),
        ("06:59", "22:00", "07:00", True),
        ("07:00", "22:00", "07:00", False),
        ("12:00", "22:00", "07:00", False),
        ("13:00", "12:00", "14:00", True),
        ("14:00", "12:00", "14:00", False),
        ("13:00", None, "14:00", False),
        ("13:00", "13:00", "13:00", False),
    ],
)
def test_quiet_hours(local_hhmm, start, end, quiet):
    t = parse_hhmm(local_hhmm)
    at = datetime(2024, 5, 2, t.hour, t.minute, tzinfo=UTC)  # UTC as the subscriber's zone
    assert in_quiet_hours(at, "UTC", start, end) is quiet


def test_quiet_hours_end_is_the_next_end_time():
    at = utc(2024, 5, 2, 16, 0)  # 23:00 in Ho Chi Minh City
    assert quiet_hours_end(at, HCM, "22:00", "07:00") == utc(2024, 5, 3, 0, 0)
    assert quiet_hours_end(utc(2024, 5, 2, 5, 0), HCM, "22:00", "07:00") is None


@pytest.mark.parametrize("bad", ["7", "07:0", "ab:cd", "", "0700"])
def test_parse_hhmm_rejects_malformed(bad):
    with pytest.raises(ValueError):
        parse_hhmm(bad)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        next_slot(["07:00"], HCM, datetime(2024, 5, 1))
