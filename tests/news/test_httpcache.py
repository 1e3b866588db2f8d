"""HTTP-cache decisions for polling, case by case."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from news.httpcache import (
    DEFAULT_BACKOFF_CAP,
    backoff_delay,
    next_check_delay,
    request_validators,
    should_store_validators,
)

NOW = datetime(2019, 9, 19, 1, 30, tzinfo=UTC)
HTTP_NOW = "Thu, 19 Sep 2019 01:30:00 GMT"
INTERVAL = 600.0
CAP = 86_400.0


@pytest.mark.parametrize(
    ("etag", "last_modified", "expected"),
    [
        (None, None, {}),
        ('"abc"', None, {"If-None-Match": '"abc"'}),
        (None, HTTP_NOW, {"If-Modified-Since": HTTP_NOW}),
        # both known: both sent; the server gives If-None-Match precedence
        ('"abc"', HTTP_NOW, {"If-None-Match": '"abc"', "If-Modified-Since": HTTP_NOW}),
        ('W/"5d8-1a2b"', None, {"If-None-Match": 'W/"5d8-1a2b"'}),  # weak ETag verbatim
        ('  "abc" \t', None, {"If-None-Match": '"abc"'}),
        ("", "   ", {}),
        ('"abc"\r\nX-Evil: 1', HTTP_NOW, {"If-Modified-Since": HTTP_NOW}),  # no header injection
    ],
)
def test_request_validators(etag, last_modified, expected):
    assert request_validators(etag, last_modified) == expected


@pytest.mark.parametrize(
    ("status", "parsed_ok", "store"),
    [
        (200, True, True),
        (200, False, False),  # a body that did not parse must be fetched again next time
        (304, True, False),  # nothing new came
        (304, False, False),
        (203, True, True),
        (204, True, False),
        (206, True, False),
        (404, True, False),
        (500, False, False),
    ],
)
def test_should_store_validators(status, parsed_ok, store):
    assert should_store_validators(status, parsed_ok) is store


def http_date(dt: datetime) -> str:
    return dt.strftime("%a, %d %b %Y %H:%M:%S GMT")


@pytest.mark.parametrize(
    ("headers", "ttl_seconds", "expected"),
    [
        ({}, None, INTERVAL),
        # Cache-Control
        ({"Cache-Control": "public, max-age=3600"}, None, 3600.0),
        ({"cache-control": "MAX-AGE=3600"}, None, 3600.0),
        ({"Cache-Control": 'max-age="1800"'}, None, 1800.0),
        ({"Cache-Control": "max-age=60"}, None, INTERVAL),  # never sooner than the interval
        ({"Cache-Control": "max-age=0"}, None, INTERVAL),
        ({"Cache-Control": "no-cache"}, None, INTERVAL),
        ({"Cache-Control": "no-store, max-age=0"}, None, INTERVAL),
        ({"Cache-Control": "s-maxage=7200"}, None, INTERVAL),  # for shared caches, not for us
        ({"Cache-Control": "s-maxage=7200, max-age=1200"}, None, 1200.0),
        ({"Cache-Control": "max-age=3600", "Age": "3000"}, None, INTERVAL),  # only 600 s left
        ({"Cache-Control": "max-age=3600", "Age": "600"}, None, 3000.0),
        ({"Cache-Control": "max-age=3600", "Age": "soon"}, None, 3600.0),
        ({"Cache-Control": "max-age=-5"}, None, INTERVAL),
        ({"Cache-Control": "max-age=1.5e9"}, None, INTERVAL),
        ({"Cache-Control": "max-age=abc, private"}, None, INTERVAL),
        ({"Cache-Control": "max-age=99999999999999999999999"}, None, CAP),
        # Expires, relative to Date when present
        ({"Expires": http_date(NOW + timedelta(hours=2))}, None, 7200.0),
        (
            {"Expires": http_date(NOW + timedelta(hours=2)), "Date": http_date(NOW + timedelta(hours=1))},
            None,
            3600.0,
        ),
        ({"Expires": http_date(NOW + timedelta(hours=2)), "Date": "yesterday"}, None, 7200.0),
        ({"Expires": "0"}, None, INTERVAL),
        ({"Expires": "-1"}, None, INTERVAL),
        ({"Expires": http_date(NOW - timedelta(days=1))}, None, INTERVAL),
        ({"Expires": "Fri, 01 Jan 2100 00:00:00 GMT"}, None, CAP),
        # Retry-After: seconds or an HTTP date
        ({"Retry-After": "1200"}, None, 1200.0),
        ({"Retry-After": http_date(NOW + timedelta(minutes=30))}, None, 1800.0),
        ({"Retry-After": "-30"}, None, INTERVAL),
        ({"Retry-After": "later please"}, None, INTERVAL),
        ({"Retry-After": "99999999"}, None, CAP),
        # RSS <ttl>
        ({}, 3600, 3600.0),
        ({}, 60, INTERVAL),
        ({}, 0, INTERVAL),
        ({}, -60, INTERVAL),
        ({}, 10**9, CAP),
        # the longest wins
        ({"Cache-Control": "max-age=900", "Retry-After": "2400"}, 1800, 2400.0),
        ({"Cache-Control": "max-age=5000", "Retry-After": "2400"}, 1800, 5000.0),
    ],
)
def test_next_check_delay(headers, ttl_seconds, expected):
    assert next_check_delay(INTERVAL, headers, ttl_seconds, NOW, CAP) == expected


def test_cap_never_lowers_the_sources_own_interval():
    assert next_check_delay(2 * CAP, {"Cache-Control": "max-age=60"}, None, NOW, CAP) == 2 * CAP


def test_naive_now_is_taken_as_utc():
    headers = {"Expires": http_date(NOW + timedelta(hours=2))}
    assert next_check_delay(INTERVAL, headers, None, NOW.replace(tzinfo=None), CAP) == 7200.0


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        (0, 0.0),
        (-1, 0.0),
        (1, 60.0),
        (2, 120.0),
        (3, 240.0),
        (8, 7680.0),
        (9, 15360.0),
        (10, DEFAULT_BACKOFF_CAP),  # 30720 s > 6 h
        (10_000, DEFAULT_BACKOFF_CAP),
    ],
)
def test_backoff_delay_doubles_up_to_six_hours(errors, expected):
    assert backoff_delay(errors, base=60.0) == expected


def test_backoff_delay_custom_cap():
    assert backoff_delay(5, base=60.0, cap=300.0) == 300.0


def test_backoff_delay_is_deterministic_without_a_random_source():
    assert {backoff_delay(4, base=60.0) for _ in range(5)} == {480.0}


def test_backoff_jitter_spreads_over_the_upper_half():
    source = random.Random(7)
    delays = [backoff_delay(4, base=60.0, random=source.random) for _ in range(200)]
    assert all(240.0 <= d < 480.0 for d in delays)
    assert len(set(delays)) > 100


@pytest.mark.parametrize(("draw", "expected"), [(0.0, 240.0), (0.5, 360.0)])
def test_backoff_jitter_uses_the_injected_draw(draw, expected):
    assert backoff_delay(4, base=60.0, random=lambda: draw) == expected
