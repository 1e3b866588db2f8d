"""Our token buckets on a fake clock: the global cap, one message a second per chat, 20/min per group."""

import pytest

from jobs.pacing import Pacer, TokenBucket
from news.config import DeliveryConfig


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def drive(pacer: Pacer, clock: FakeClock, chats: list[int], seconds: float) -> list[tuple[float, int]]:
    """Send to `chats` round-robin as fast as the pacer allows for `seconds` of fake time."""
    sent: list[tuple[float, int]] = []
    end = clock.now + seconds
    i = 0
    while clock.now < end:
        chat = chats[i % len(chats)]
        wait = max(pacer.global_wait(clock.now), pacer.chat_wait(chat, clock.now))
        if wait > 0:
            clock.now += wait
            continue
        pacer.take(chat, clock.now)
        sent.append((clock.now, chat))
        i += 1
    return sent


def max_in_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.parametrize(
    "config, cap",
    [
        (DeliveryConfig(messages_per_second=30), 30),
        (
            DeliveryConfig(messages_per_second=30, allow_paid_broadcast=True, paid_messages_per_second=1000),
            1000,
        ),
    ],
)
def test_global_rate_stays_just_under_the_cap(config, cap):
    clock = FakeClock()
    pacer = Pacer(config, clock)
    sent = drive(pacer, clock, list(range(1, 5001)), seconds=10)
    times = [t for t, _ in sent]
    rate = len(sent) / 10
    assert cap * 0.96 <= rate <= cap
    # No one-second window ever holds more than the cap, burst included.
    assert max_in_window(times, 1.0) <= cap


def test_a_private_chat_gets_at_most_one_message_per_interval():
    clock = FakeClock()
    pacer = Pacer(DeliveryConfig(messages_per_second=30, per_chat_interval=1.0), clock)
    sent = drive(pacer, clock, [42], seconds=10)
    times = [t for t, _ in sent]
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:], strict=False))
    assert len(sent) == 10


def test_a_group_gets_at_most_twenty_messages_a_minute():
    clock = FakeClock()
    pacer = Pacer(DeliveryConfig(messages_per_second=30, group_messages_per_minute=20), clock)
    sent = drive(pacer, clock, [-1001], seconds=180)
    times = [t for t, _ in sent]
    assert max_in_window(times, 60.0) <= 20
    assert len(sent) >= 57  # and not much slower: 19/min after the first burst token


def test_a_pause_holds_everything_back():
    clock = FakeClock()
    pacer = Pacer(DeliveryConfig(messages_per_second=30), clock)
    pacer.pause(5.0)
    assert pacer.global_wait(clock.now) == pytest.approx(5.0)
    clock.now += 5.0
    assert pacer.global_wait(clock.now) == 0.0


def test_bucket_refills_at_its_rate_up_to_its_burst():
    bucket = TokenBucket(rate=10, burst=2, now=0.0)
    bucket.take(0.0)
    bucket.take(0.0)
    assert bucket.wait(0.0) == pytest.approx(0.1)
    assert bucket.wait(100.0) == 0.0
    assert bucket.tokens == 2


def test_forgetting_idle_chats_keeps_memory_bounded():
    clock = FakeClock()
    pacer = Pacer(DeliveryConfig(), clock)
    for chat in range(1, 1001):
        pacer.take(chat, clock.now)
    clock.now += 600
    pacer.forget_idle(clock.now)
    assert pacer._last_private == {}


@pytest.mark.parametrize(
    "floods, everything_waits",
    [
        ([(0.0, 42)], 0.0),  # one chat's 429: that chat's limit, the other chats go on
        ([(0.0, 42), (5.0, 43)], 0.0),  # far apart: each was its own chat's limit
        ([(0.0, 42), (0.5, 42)], 0.0),  # the same chat twice is still that chat's limit
        ([(0.0, 42), (0.5, 43)], 30.0),  # two chats within a second: the bot's own limit
        ([(0.0, -1001), (0.2, 42)], 30.0),  # a group's and a private chat's alike
    ],
)
def test_a_429_holds_its_chat_and_429s_from_two_chats_at_once_hold_everything(floods, everything_waits):
    clock = FakeClock()
    pacer = Pacer(DeliveryConfig(messages_per_second=30), clock)
    start = clock.now
    for at, chat in floods:
        clock.now = start + at
        pacer.flood_wait(chat, 30.0)

    _, last_chat = floods[-1]
    assert pacer.chat_wait(last_chat, clock.now) == pytest.approx(30.0)
    assert pacer.global_wait(clock.now) == pytest.approx(everything_waits)
    assert pacer.chat_wait(7, clock.now) == 0.0  # a chat Telegram said nothing about
    clock.now += 30.0
    assert pacer.chat_wait(last_chat, clock.now) == pacer.global_wait(clock.now) == 0.0


def deliver_parts(pacer: Pacer, clock: FakeClock, parts: dict[int, int]) -> list[tuple[float, int]]:
    """Send every chat's parts in order, as the outbox does: a chat's next part is queued once the
    previous one went out; the earliest ready row goes first, whenever the pacer lets it."""
    queue = [(clock.now, chat) for chat in parts]
    left = dict(parts)
    sent: list[tuple[float, int]] = []
    while queue:
        queue.sort()
        ready, chat = queue[0]
        clock.now = max(clock.now, ready)
        wait = max(pacer.global_wait(clock.now), pacer.chat_wait(chat, clock.now))
        if wait > 0:
            queue[0] = (clock.now + pacer.chat_wait(chat, clock.now), chat)
            clock.now += pacer.global_wait(clock.now)
            continue
        queue.pop(0)
        pacer.take(chat, clock.now)
        sent.append((clock.now, chat))
        left[chat] -= 1
        if left[chat]:
            queue.append((clock.now, chat))
    return sent


def test_a_three_part_digest_to_200_chats_keeps_every_limit_and_the_pace():
    clock = FakeClock()
    pacer = Pacer(DeliveryConfig(), clock)
    groups = [-1000 - i for i in range(10)]
    chats = list(range(1, 191)) + groups
    start = clock.now

    sent = deliver_parts(pacer, clock, dict.fromkeys(chats, 3))

    assert len(sent) == 600
    assert max_in_window([t for t, _ in sent], 1.0) <= 30
    for chat in chats:
        times = [t for t, c in sent if c == chat]
        assert all(b - a >= 1.0 for a, b in zip(times, times[1:], strict=False)), chat
        assert max_in_window(times, 60.0) <= 20
    assert clock.now - start <= 600 / 29 + 1  # not slower than the pacer's 29/s


def drive_together(pacers: list[Pacer], clock: FakeClock, seconds: float) -> list[float]:
    """Several senders of one bot, each sending as fast as its own pacer allows (to chats of its own),
    on one fake clock; returns when each message went out."""
    sent: list[float] = []
    end = clock.now + seconds
    next_chat = [i * 100_000 + 1 for i in range(len(pacers))]
    while clock.now < end:
        waits = [pacer.global_wait(clock.now) for pacer in pacers]
        ready = [i for i, wait in enumerate(waits) if wait <= 0]
        if not ready:
            clock.now += min(waits)
            continue
        for i in ready:
            pacers[i].take(next_chat[i], clock.now)
            next_chat[i] += 1
            sent.append(clock.now)
    return sent


@pytest.mark.parametrize(
    "config, cap, senders",
    [
        (DeliveryConfig(messages_per_second=30), 30, 2),
        (DeliveryConfig(messages_per_second=30), 30, 3),
        (DeliveryConfig(messages_per_second=30), 30, 4),
        (
            DeliveryConfig(messages_per_second=30, allow_paid_broadcast=True, paid_messages_per_second=1000),
            1000,
            2,
        ),
    ],
)
def test_senders_sharing_the_bot_stay_under_the_cap_together(config, cap, senders):
    clock = FakeClock()
    pacers = [Pacer(config, clock) for _ in range(senders)]
    for pacer in pacers:
        pacer.share(senders)

    times = drive_together(pacers, clock, seconds=10)

    assert cap * 0.8 <= len(times) / 10 <= cap  # 4 senders: 6 of their 7 a second each
    assert max_in_window(times, 1.0) <= cap


def test_a_sender_left_alone_goes_back_to_the_full_pace():
    clock = FakeClock()
    pacer = Pacer(DeliveryConfig(messages_per_second=30), clock)
    pacer.share(2)
    halved = len(drive(pacer, clock, list(range(1, 5001)), seconds=10))
    pacer.share(1)
    full = len(drive(pacer, clock, list(range(5001, 10001)), seconds=10))
    assert 13 * 10 <= halved <= 15 * 10 + 2 and 28 * 10 <= full <= 30 * 10
