"""What the outbox sender sends through and as: the `Sender` protocol, sends in flight, a worker's name."""

from __future__ import annotations

import os
import socket
import uuid
from typing import Protocol

from news.config import DeliveryConfig


class Sender(Protocol):
    """One sendMessage. Returns Telegram's message id; raises `jobs.send_errors` exceptions."""

    async def send(
        self, chat_id: int, text: str, parse_mode: str | None, disable_preview: bool, paid: bool
    ) -> int: ...


def default_concurrency(delivery: DeliveryConfig) -> int:
    """Sends in flight at most. Requests held up on the way arrive together when the hold-up ends, so
    in-flight plus our burst must stay under Telegram's own burst (~30 at 30/s); 16 still allows
    0.5 s of latency at 30/s. Paid broadcast (1000/s, burst 1000) needs more in flight to cover
    the round trip (~30 ms here). Each send in flight holds one connection of the sender
    (`bot.api_sender`); against the local stand-in 4, 8, 16 and 30 all reached 0.95-0.98 of 1000/s
    at the same CPU cost, so the round trip, not CPU, sets this number."""
    if delivery.allow_paid_broadcast:
        return int(min(32, max(16, delivery.paid_messages_per_second * 0.03)))  # ~30 ms round trips
    return 16


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
