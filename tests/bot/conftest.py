"""The real application (`build_application`) polling a Bot API stand-in over HTTP, and a way to talk to it.

`bot` starts the whole service on a migrated SQLite copy with the bundled sample sources; `chat`
plays a user: it sends text (commands carry their bot_command entity), presses buttons, and waits
on the stand-in's recorded events, never on sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.app import build_application, running
from bot.periodic import POLL_JOB
from bot.services import Services
from bot.standin import BotApiStandIn, RateLimits
from news.config import Config, bundled_sample_feeds, validate
from storage.db import Database
from storage.models import Source, Subscriber
from storage.subscribers import get_subscriber

ADMIN = 4242
USER = 1001
NOW = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # 08:00 in Hồ Chí Minh City
Record = dict[str, Any]


@dataclass
class BotUnderTest:
    standin: BotApiStandIn
    services: Services
    application: Application | None = None

    def forget_chat_memory(self, chat_id: int) -> None:
        """What a restart loses of a chat: PTB's chat_data is kept in memory only."""
        self.application.chat_data[chat_id].clear()

    async def subscriber(self, chat_id: int) -> Subscriber | None:
        async with self.services.db.session() as session:
            return await get_subscriber(session, chat_id)

    def chat(self, user_id: int = USER, **options: Any) -> ChatSession:
        return ChatSession(self.standin, user_id, options)


@dataclass
class ChatSession:
    """One user writing in one chat (private unless chat_id/chat_type say otherwise)."""

    standin: BotApiStandIn
    user_id: int
    options: dict[str, Any]

    @property
    def chat_id(self) -> int:
        return self.options.get("chat_id") or self.user_id

    def _records(self) -> list[Record]:
        return [r for r in self.standin.sent if r.get("chat_id") == self.chat_id]

    async def send(self, text: str, *, replies: int = 1, **overrides: Any) -> list[Record]:
        """Send `text`; return the next `replies` messages the bot sends to this chat."""
        before = len(self.standin.messages_for(self.chat_id))
        self.standin.user_sends(self.user_id, text, **{**self.options, **overrides})
        messages = await self.standin.wait_for_messages(self.chat_id, before + replies)
        return messages[before:]

    async def reply_to(self, text: str, **overrides: Any) -> Record:
        [reply] = await self.send(text, **overrides)
        return reply

    async def press(self, message: Record, data: str, **options: Any) -> tuple[Record | None, Record]:
        """Press a button that changes the chat; return (the callback answer, the edit or new message)."""
        answers, records = len(self.standin.callback_answers), len(self._records())
        self.standin.user_presses(self.user_id, message, data, **options)
        await self.standin.wait_for(lambda: len(self._records()) > records)
        answer = (
            self.standin.callback_answers[answers] if len(self.standin.callback_answers) > answers else None
        )
        return answer, self._records()[records]

    async def press_for_answer(
        self, message: Record, data: str, **options: Any
    ) -> tuple[Record, list[Record]]:
        """Press a button expected only to be answered; return (the answer, any change to the chat).

        /help follows the press: updates are handled one after another, so once its reply is there,
        the press was handled."""
        answers, records = len(self.standin.callback_answers), len(self._records())
        self.standin.user_presses(self.user_id, message, data, **options)
        await self.send("/help")
        changes = self._records()[records:-1]
        return self.standin.callback_answers[answers], changes

    def current(self, message: Record) -> dict[str, Any]:
        """The message as the chat shows it now (after edits)."""
        return self.standin.chats.get(self.chat_id).messages[message["message_id"]]


def buttons(message: Record) -> dict[str, str]:
    """Button text → callback data."""
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return {b["text"]: b.get("callback_data", "") for row in keyboard for b in row}


def button_data(message: Record, text_part: str) -> str:
    matches = [data for text, data in buttons(message).items() if text_part in text]
    assert len(matches) == 1, (text_part, buttons(message))
    return matches[0]


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn(limits=RateLimits.unlimited())
    await server.start()
    yield server
    await server.stop()


def standin_config(sqlite_url: str, standin: BotApiStandIn, feeds: list | None = None) -> Config:
    """The bot's config for a chat test: the stand-in's token and address, ADMIN, `feeds` (none when
    not given) and the test's SQLite database."""
    config = Config(feeds=feeds or [])
    config.telegram.token = standin.token
    config.telegram.base_url = standin.base_url
    config.telegram.admins = [ADMIN]
    config.storage.url = sqlite_url
    return validate(config)


@pytest.fixture
def config(sqlite_url: str, standin: BotApiStandIn) -> Config:
    return standin_config(sqlite_url, standin, feeds=bundled_sample_feeds())


def without_scheduled_polls(application: Application) -> None:
    """The service polls at start and then every minute; a chat test polls when it says so (/pollnow,
    or storing items itself), so that what it counts is what it did."""
    wired = application.post_init

    async def post_init(application: Application) -> None:
        await wired(application)
        for job in application.job_queue.get_jobs_by_name(POLL_JOB):
            job.schedule_removal()

    application.post_init = post_init


@pytest.fixture
async def bot(config: Config, standin: BotApiStandIn) -> AsyncIterator[BotUnderTest]:
    services = Services(config, Database(config.storage.url), clock=lambda: NOW)
    application = build_application(config, services)
    without_scheduled_polls(application)
    async with running(application):
        yield BotUnderTest(standin, services, application)


@pytest.fixture
def chat(bot: BotUnderTest) -> ChatSession:
    return bot.chat(USER)


@pytest.fixture
def admin(bot: BotUnderTest) -> ChatSession:
    """The private chat of the bot's admin ([telegram] admins)."""
    return bot.chat(ADMIN)


async def source_count(bot: BotUnderTest) -> int:
    async with bot.services.db.session() as session:
        return await session.scalar(select(func.count()).select_from(Source))
