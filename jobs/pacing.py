"""Our own pace for Telegram's flood limits: token buckets on an injectable clock.

Telegram's limits (about 30 messages/s per bot, about 1/s per private chat, 20/min per group) are
enforced on its side with 429 replies; a sender that stays just under them never sees one. Each
bucket holds at most `burst` tokens and refills at `rate` per second; a send takes one token from
every bucket that applies, and waits when one is empty.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from news.config import DeliveryConfig

Clock = Callable[[], float]

# Burst as a share of the cap: lets the dispatcher send a few at once after a hiccup (the event loop
# busy with a database write, a sleep that overshot) instead of losing that time for good.
BURST_SHARE = 0.02
MIN_BURST = 1.9  # under 2: a late wake-up keeps its 0.9 token, yet no extra message fits a window
# 429s for two different chats this close together mean the bot's overall limit, not one chat's.
GLOBAL_FLOOD_WINDOW = 1.0


def rate_and_burst(cap: float, window: float = 1.0) -> tuple[float, float]:
    """(rate per second, burst) such that no `window` seconds ever hold more than `cap * window`
    messages: a bucket lets through at most burst + rate * window, and a count is a whole number,
    so burst + rate * window < cap * window + 1 is enough. ~97% of the cap at 30/s, 98% at 1000/s."""
    per_window = cap * window
    burst = max(MIN_BURST, per_window * BURST_SHARE)
    allowed = per_window - burst + 0.9  # burst + allowed = per_window + 0.9 < per_window + 1
    return max(allowed, per_window / 2) / window, burst


class TokenBucket:
    __slots__ = ("rate", "burst", "tokens", "updated")

    def __init__(self, rate: float, burst: float, now: float, *, full: bool = True) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.tokens = burst if full else 1.0
        self.updated = now

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: one is)."""
        self._refill(now)
        # A hair of tolerance: float sums of refills may leave 0.9999999 where a token is due.
        return 0.0 if self.tokens >= 1.0 - 1e-9 else (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0


def is_group(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids; private chats positive ones."""
    return chat_id < 0


class Pacer:
    """All buckets of one sender: the global one (or the paid-broadcast one) and one per chat."""

    def __init__(self, delivery: DeliveryConfig, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.paid = delivery.allow_paid_broadcast
        cap = delivery.paid_messages_per_second if self.paid else delivery.messages_per_second
        self.cap = cap
        self.rate, burst = rate_and_burst(cap)
        now = clock()
        self.global_bucket = TokenBucket(self.rate, burst, now)
        self.chat_interval = delivery.per_chat_interval
        self.group_rate, self.group_burst = rate_and_burst(
            delivery.group_messages_per_minute / 60.0, window=60.0
        )
        self._last_private: dict[int, float] = {}
        self._groups: dict[int, TokenBucket] = {}
        self._held_until: dict[int, float] = {}  # chats Telegram answered 429 for
        self._recent_floods: dict[int, float] = {}  # chat -> when its last 429 came
        self.paused_until = 0.0
        self.held_until = 0.0

    def share(self, senders: int) -> None:
        """Pace at 1/`senders` of the cap: that many senders send for the same bot (`jobs.send_budget`).
        Each one's share is a whole number of messages a second (7 of 30 for 4 senders, not 7.5):
        counts are whole, so 7.5 would let each send 8 in some second, 32 together."""
        now = self.clock()
        bucket = self.global_bucket
        bucket._refill(now)  # what accrued so far accrued at the old rate
        bucket.rate, bucket.burst = rate_and_burst(max(1, math.floor(self.cap / max(1, senders))))
        bucket.tokens = min(bucket.tokens, bucket.burst)

    def hold(self, seconds: float) -> None:
        """Nothing goes out for `seconds` or until `release_hold` (a sender joining others)."""
        self.held_until = self.clock() + seconds

    def release_hold(self) -> None:
        self.held_until = 0.0

    def pause(self, seconds: float) -> None:
        """A global 429: nothing goes out until `seconds` from now."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    def flood_wait(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429 `retry_after` = `seconds` for a send to `chat_id`. It does not say which
        limit was hit: the chat waits; when another chat got a 429 within `GLOBAL_FLOOD_WINDOW`, the
        limit was the bot's, and everything waits. A busy group (or the bot's replies there) thus
        holds up that group only, not a digest to every other chat."""
        now = self.clock()
        self._held_until[chat_id] = max(self._held_until.get(chat_id, 0.0), now + seconds)
        horizon = now - GLOBAL_FLOOD_WINDOW
        self._recent_floods = {c: t for c, t in self._recent_floods.items() if t >= horizon}
        if any(chat != chat_id for chat in self._recent_floods):
            self.pause(seconds)
        self._recent_floods[chat_id] = now

    def chat_wait(self, chat_id: int, now: float) -> float:
        """Seconds before this chat may get its next message."""
        wait = max(0.0, self._held_until.get(chat_id, 0.0) - now)
        last = self._last_private.get(chat_id)
        if last is not None:
            wait = max(wait, last + self.chat_interval - now)
        if is_group(chat_id):
            bucket = self._groups.get(chat_id)
            if bucket is not None:
                wait = max(wait, bucket.wait(now))
        return wait

    def global_wait(self, now: float) -> float:
        return max(self.paused_until - now, self.held_until - now, self.global_bucket.wait(now))

    def take(self, chat_id: int, now: float) -> None:
        """Record a send to `chat_id` at `now` (after the waits said 0)."""
        self.global_bucket.take(now)
        self._last_private[chat_id] = now
        if is_group(chat_id):
            bucket = self._groups.get(chat_id)
            if bucket is None:
                bucket = self._groups[chat_id] = TokenBucket(self.group_rate, self.group_burst, now)
            bucket.take(now)

    def forget_idle(self, now: float, idle: float = 120.0) -> None:
        """Drop chats not written to for a while: memory stays bounded over 100,000 chats."""
        horizon = now - max(idle, self.chat_interval)
        self._last_private = {c: t for c, t in self._last_private.items() if t > horizon}
        self._held_until = {c: t for c, t in self._held_until.items() if t > now}
        refilled = now - 1.0 / self.group_rate  # a bucket untouched this long is full again
        self._groups = {c: b for c, b in self._groups.items() if b.updated > refilled}
