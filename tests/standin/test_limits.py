"""Flood limits as token buckets on a fake clock: bursts, refill, closed windows, paid broadcast, scaling."""

from __future__ import annotations

import pytest

from bot.standin.limits import FloodControl, RateLimits


def sends(flood: FloodControl, n: int, chat_id: int, *, private: bool = True, paid: bool = False) -> list:
    return [flood.acquire(chat_id, private, paid) for _ in range(n)]


def test_global_burst_then_refusal_with_whole_seconds(clock):
    flood = FloodControl(RateLimits(private_per_second=None), clock)

    accepted = [flood.acquire(chat, True, False) for chat in range(30)]
    refused = flood.acquire(99, True, False)

    assert accepted == [None] * 30
    assert refused == 1
    assert flood.refused == 1


def test_refused_bucket_stays_closed_until_retry_after_passes(clock):
    flood = FloodControl(RateLimits(global_per_second=None), clock)
    sends(flood, 3, chat_id=7)
    assert flood.acquire(7, True, False) == 1

    clock.advance(0.99)  # a token is back, but the window Telegram announced is not over
    assert flood.acquire(7, True, False) == 1
    clock.advance(0.02)
    assert flood.acquire(7, True, False) is None


@pytest.mark.parametrize(
    ("private", "allowed_at_once", "retry_after"),
    [(True, 3, 1), (False, 20, 3)],  # private: 1/s burst 3; group: 20/min burst 20 (one every 3 s)
)
def test_per_chat_limits(clock, private, allowed_at_once, retry_after):
    flood = FloodControl(RateLimits(global_per_second=None), clock)
    chat_id = 5 if private else -5

    results = sends(flood, allowed_at_once + 1, chat_id, private=private)

    assert results == [None] * allowed_at_once + [retry_after]
    assert flood.acquire(chat_id + (1 if private else -1), private, False) is None  # other chats unaffected


def test_paid_broadcast_uses_its_own_thousand_per_second_bucket(clock):
    flood = FloodControl(RateLimits(private_per_second=None), clock)

    paid = [flood.acquire(chat, True, True) for chat in range(1000)]
    free = [flood.acquire(chat, True, False) for chat in range(30)]

    assert paid == [None] * 1000
    assert free == [None] * 30
    assert flood.acquire(5000, True, True) == 1


def test_client_paced_at_the_limit_is_never_refused(clock):
    flood = FloodControl(RateLimits(private_per_second=None), clock)
    results = []
    for chat in range(300):
        results.append(flood.acquire(chat, True, False))
        clock.advance(1 / 30)

    assert set(results) == {None}


def test_client_honouring_retry_after_gets_at_most_the_limit(clock):
    flood = FloodControl(RateLimits(private_per_second=None), clock)
    accepted, end = 0, clock.now + 10
    while clock.now < end:  # offers 100 msg/s, sleeps retry_after when refused
        retry_after = flood.acquire(accepted, True, False)
        if retry_after is None:
            accepted += 1
            clock.advance(0.01)
        else:
            clock.advance(retry_after)

    assert 200 <= accepted <= 30 * 10 + 30


def test_retry_after_scale_shrinks_waits(clock):
    flood = FloodControl(RateLimits(global_per_second=None, retry_after_scale=0.01), clock)
    sends(flood, 3, chat_id=7)

    retry_after = flood.acquire(7, True, False)

    assert retry_after == 100  # a 1 s wait reported in units of 10 ms
    clock.advance(retry_after * 0.01)
    assert flood.acquire(7, True, False) is None


def test_scaled_limits_run_faster_with_matching_retry_after(clock):
    flood = FloodControl(RateLimits().scaled(10), clock)
    sends(flood, 3, chat_id=7)

    retry_after = flood.acquire(7, True, False)

    assert retry_after == 1
    clock.advance(retry_after * flood.limits.retry_after_scale)
    assert flood.acquire(7, True, False) is None


def test_unlimited_never_refuses(clock):
    flood = FloodControl(RateLimits.unlimited(), clock)

    assert set(sends(flood, 5000, chat_id=7)) == {None}
