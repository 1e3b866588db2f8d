"""A Bot API stand-in enforcing Telegram's limits, scaled up for speed, and a bot pointed at it."""

from __future__ import annotations

import pytest

from bot.sender import PtbSender, build_bot
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
async def bot(standin):
    async with build_bot(standin.token, standin.base_url, timeout=5.0) as tg_bot:
        yield tg_bot


@pytest.fixture
def drain(bot):
    """Send everything in the outbox through the stand-in; returns the sender's tally."""

    async def run(db: Database, **options):
        options.setdefault("retry_after_scale", 1 / SCALE)
        options.setdefault("retry_base", 0.05)
        # As at 30/s: sends in flight plus our burst stay under the stand-in's burst of 30, which
        # the 10x scaling leaves unscaled.
        options.setdefault("concurrency", 16)
        delivery = options.pop("delivery", scaled_delivery())
        return await drain_outbox(db, PtbSender(bot), delivery, **options)

    return run
