"""What /settings says about the next digest at the edges of a schedule: after the admin changes the
`[schedule]` defaults and restarts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import build_application, running
from bot.services import Services
from bot.standin import BotApiStandIn
from news.config import Config
from storage.db import Database
from tests.bot.conftest import NOW, USER, BotUnderTest, without_scheduled_polls

OTHER = 1002


async def _run_bot(config: Config, standin: BotApiStandIn, script) -> None:
    services = Services(config, Database(config.storage.url), clock=lambda: NOW)
    application = build_application(config, services)
    without_scheduled_polls(application)
    async with running(application):
        await script(BotUnderTest(standin, services))


@pytest.mark.parametrize(
    ("defaults", "expected_line", "expected_utc"),
    [
        # 08:00 in Hồ Chí Minh City: the next of the new 20:00 is tonight, not the old 17:00
        ({"digest_times": ["20:00"]}, "Next digest: 20:00, 10 Mar", datetime(2025, 3, 10, 13, 0, tzinfo=UTC)),
        # 02:00 in Berlin: the next of 07:00, 17:00 is 07:00 there
        (
            {"timezone": "Europe/Berlin"},
            "Next digest: 07:00, 10 Mar",
            datetime(2025, 3, 10, 6, 0, tzinfo=UTC),
        ),
    ],
)
async def test_subscribers_on_the_default_schedule_follow_it_when_the_admin_changes_it(
    config: Config, standin: BotApiStandIn, defaults, expected_line, expected_utc
) -> None:
    other_before = None

    async def before(bot: BotUnderTest) -> None:
        nonlocal other_before
        await bot.chat(USER).reply_to("/settings lang en")
        await bot.chat(OTHER).reply_to("/settings times 09:00")  # their own times stay theirs
        other_before = (await bot.subscriber(OTHER)).next_digest_at

    await _run_bot(config, standin, before)
    for name, value in defaults.items():
        setattr(config.schedule, name, value)

    async def after(bot: BotUnderTest) -> None:
        reply = await bot.chat(USER).reply_to("/settings")
        assert expected_line in reply["visible_text"].splitlines()
        assert (await bot.subscriber(USER)).next_digest_at == expected_utc
        if "timezone" not in defaults:
            assert (await bot.subscriber(OTHER)).next_digest_at == other_before

    await _run_bot(config, standin, after)
