"""Telegram's flood limits as token buckets: overall, per private chat, per group, paid broadcast.

A send takes one token from every bucket that applies, or none if any bucket is empty; then the
reply is 429 with `retry_after` in whole seconds (at least 1, as Telegram sends it). Like Telegram,
the refused bucket stays closed until that time has passed, so a client that retries early is
refused again. `retry_after_scale` shrinks time for tests: a reported `retry_after` of N means
N * scale real seconds, so a client that sleeps `retry_after * scale` is on time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class RateLimits:
    """Rates in messages per second, bursts in messages; `None` turns a limit off."""

    global_per_second: float | None = 30.0
    global_burst: float = 30.0
    private_per_second: float | None = 1.0
    private_burst: float = 3.0
    group_per_second: float | None = 20.0 / 60.0
    group_burst: float = 20.0
    paid_per_second: float | None = 1000.0
    paid_burst: float = 1000.0
    retry_after_scale: float = 1.0

    @classmethod
    def unlimited(cls) -> RateLimits:
        return cls(None, 1, None, 1, None, 1, None, 1)

    def scaled(self, factor: float) -> RateLimits:
        """Every rate multiplied by `factor` (bursts unchanged): run a 30/s scenario 10x faster."""

        def times(rate: float | None) -> float | None:
            return None if rate is None else rate * factor

        return RateLimits(
            times(self.global_per_second),
            self.global_burst,
            times(self.private_per_second),
            self.private_burst,
            times(self.group_per_second),
            self.group_burst,
            times(self.paid_per_second),
            self.paid_burst,
            self.retry_after_scale / factor,
        )


class TokenBucket:
    __slots__ = ("rate", "burst", "tokens", "updated", "closed_until")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = now
        self.closed_until = 0.0

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 when one is)."""
        if now < self.closed_until:
            return self.closed_until - now
        self.refill(now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class FloodControl:
    """Decides whether a send may go now; counts the refusals."""

    def __init__(self, limits: RateLimits | None = None, clock: Clock = time.monotonic) -> None:
        self.limits = limits or RateLimits()
        self.clock = clock
        self.refused = 0
        self._global: TokenBucket | None = None
        self._paid: TokenBucket | None = None
        self._per_chat: dict[int, TokenBucket] = {}

    def configure(self, limits: RateLimits) -> None:
        """New limits start from full buckets."""
        self.limits = limits
        self._global = self._paid = None
        self._per_chat.clear()

    def acquire(self, chat_id: int, chat_is_private: bool, paid: bool) -> int | None:
        """Take a token for a send to `chat_id`; return None if sent, else the `retry_after` to report."""
        now = self.clock()
        buckets = [b for b in (self._overall(paid, now), self._chat(chat_id, chat_is_private, now)) if b]
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait <= 0.0:
            for bucket in buckets:
                bucket.tokens -= 1.0
            return None
        scale = self.limits.retry_after_scale
        retry_after = max(1, math.ceil(wait / scale - 1e-9))
        for bucket in buckets:
            # An early retry is refused again, but does not push the announced time further out.
            if now >= bucket.closed_until and bucket.wait(now) > 0.0:
                bucket.closed_until = now + retry_after * scale
        self.refused += 1
        return retry_after

    def _overall(self, paid: bool, now: float) -> TokenBucket | None:
        limits = self.limits
        if paid:
            if limits.paid_per_second is None:
                return None
            if self._paid is None:
                self._paid = TokenBucket(limits.paid_per_second, limits.paid_burst, now)
            return self._paid
        if limits.global_per_second is None:
            return None
        if self._global is None:
            self._global = TokenBucket(limits.global_per_second, limits.global_burst, now)
        return self._global

    def _chat(self, chat_id: int, chat_is_private: bool, now: float) -> TokenBucket | None:
        bucket = self._per_chat.get(chat_id)
        if bucket is None:
            limits = self.limits
            rate, burst = (
                (limits.private_per_second, limits.private_burst)
                if chat_is_private
                else (limits.group_per_second, limits.group_burst)
            )
            if rate is None:
                return None
            bucket = self._per_chat[chat_id] = TokenBucket(rate, burst, now)
        return bucket
