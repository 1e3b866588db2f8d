"""A Bot API stand-in enforcing Telegram's limits, scaled up for speed, and a sender pointed at it."""

from __future__ import annotations

import pytest

from bot.api_sender import BotApiSender
from bot.standin import BotApiStandIn, RateLimits
from jobs.deliver import drain_outbox
from news.config import DeliveryConfig
from storage.db import Database

SCALE = 10  # 300 messages/s overall, 10/s per private chat, 200/min per group


def scaled_delivery(scale: float = SCALE, **overrides) -> DeliveryConfig:
    return DeliveryConfig(
        messages_per_second=30 * scale,
        paid_messages_per_second=1000 * scale,
        per_chat_interval=1 / scale,
        group_messages_per_minute=int(20 * scale),
        **overrides,
    )


@pytest.fixture
async def standin():
    async with BotApiStandIn(limits=RateLimits().scaled(SCALE)) as server:
        yield server


@pytest.fixture
async def api_sender(standin):
    sender = BotApiSender.for_token(standin.token, standin.base_url, timeout=5.0)
    yield sender
    await sender.aclose()


@pytest.fixture
def drain(api_sender):
    """Send everything in the outbox through the stand-in; returns the sender's tally."""

    async def run(db: Database, **options):
        options.setdefault("retry_after_scale", 1 / SCALE)
        options.setdefault("retry_base", 0.05)
        # As at 30/s: sends in flight plus our burst stay under the stand-in's burst of 30, which
        # the 10x scaling leaves unscaled.
        options.setdefault("concurrency", 16)
        delivery = options.pop("delivery", scaled_delivery())
        return await drain_outbox(db, api_sender, delivery, **options)

    return run
