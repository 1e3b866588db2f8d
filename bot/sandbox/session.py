"""`bantin sandbox`: the whole service against a Bot API stand-in in the same event loop, with a chat
in the terminal. No token, no network: the bundled sample sources are polled from the package, the
database is a local SQLite file migrated on start.

The bot runs exactly as `bantin run` does (polling getUpdates, the JobQueue, the outbox sender); the
terminal plays one Telegram user who is also the bot's admin. After each line the session waits
until the bot has handled the update and the outbox holds nothing due for the chat, so a script's
transcript reads in order.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from rich.console import Console
from telegram import Update
from telegram.ext import Application

from bot.app import build_application, running
from bot.periodic import run_poll
from bot.sandbox.terminal import Terminal
from bot.services import Services
from bot.standin import BotApiStandIn, RateLimits
from news.config import Config
from storage.db import Database
from storage.outbox import status_counts
from storage.stories import count_stories

SANDBOX_USER = 1001
HANDLE_TIMEOUT = 30.0
OUTBOX_SETTLE_TIMEOUT = 10.0
OUTBOX_CHECK_EVERY = 0.05
BANNER = """\
bantin sandbox — the whole bot, offline. A stand-in for Telegram runs inside this process; you are
user {user} (also the bot's admin). Sample sources: {sources}. Database: {database}.
Type commands as in Telegram (/start, /help, /latest, /settings …). Press a button by typing its
number, e.g. [1], or its label. Sandbox commands: :poll (poll sources now), :lang vi|en (your
Telegram language), :quit."""


class TrackedApplication(Application):
    """An Application that says when it has finished with each update (the terminal waits for it)."""

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            tracker: UpdateTracker | None = self.bot_data.get("update_tracker")
            if tracker is not None and isinstance(update, Update):
                tracker.done(update.update_id)


class UpdateTracker:
    def __init__(self) -> None:
        self.handled: set[int] = set()
        self.changed = asyncio.Event()

    def done(self, update_id: int) -> None:
        self.handled.add(update_id)
        self.changed.set()

    async def wait(self, update_id: int) -> None:
        while update_id not in self.handled:
            self.changed.clear()
            await self.changed.wait()


@dataclass
class SandboxOptions:
    language: str = "vi"
    echo: bool = False  # print what the user typed (scripts: the transcript shows both sides)


async def stdin_lines(prompt: str, ready: threading.Event) -> AsyncIterator[str]:
    """Lines typed at the terminal, read by a daemon thread (so Ctrl-C or EOF never waits on it)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        while True:
            ready.wait()
            ready.clear()
            try:
                line = input(prompt)
            except (EOFError, KeyboardInterrupt):
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return
            loop.call_soon_threadsafe(queue.put_nowait, line)

    threading.Thread(target=read, name="sandbox-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


async def script_lines(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line.rstrip("\n")


class Sandbox:
    def __init__(self, config: Config, console: Console, options: SandboxOptions) -> None:
        self.config, self.console, self.options = config, console, options
        self.standin = BotApiStandIn(limits=RateLimits.unlimited(), bot_username="bantin_sandbox_bot")
        self.terminal = Terminal(console, SANDBOX_USER)
        self.tracker = UpdateTracker()
        self.services: Services | None = None

    async def run(self, lines: AsyncIterator[str], ready: threading.Event | None = None) -> int:
        await self.standin.start()
        self.config.telegram.token = self.standin.token
        self.config.telegram.admins = sorted({*self.config.telegram.admins, SANDBOX_USER})
        self.config.storage.auto_upgrade = True
        self.standin.add_listener(self.terminal.on_record)
        self.services = Services(self.config, Database(self.config.storage.url))
        application = build_application(
            self.config, self.services, base_url=self.standin.base_url, application_class=TrackedApplication
        )
        application.bot_data["update_tracker"] = self.tracker
        try:
            async with running(application):
                self._banner()
                await self._poll()
                if ready is not None:
                    ready.set()
                async for line in lines:
                    if not await self._handle(line.strip()):
                        break
                    if ready is not None:
                        ready.set()
        finally:
            await self.standin.stop()
        return 0

    def _banner(self) -> None:
        names = ", ".join(feed.name for feed in self.config.feeds) or "none"
        self.terminal.note(
            BANNER.format(user=SANDBOX_USER, sources=names, database=_shown_url(self.config.storage.url))
        )
        self.console.print()

    async def _poll(self) -> None:
        assert self.services is not None
        await run_poll(self.services)
        async with self.services.db.session() as session:
            stories = await count_stories(session)
        self.terminal.note(f"(sources polled: {stories} stories in the database)")
        self.console.print()

    async def _handle(self, line: str) -> bool:
        """Act on one input line; False to end the session."""
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            return await self._sandbox_command(line)
        if self.options.echo:
            self.terminal.echo(line)
        pressed = self.terminal.find_button(line) if not line.startswith("/") else None
        if pressed is not None:
            message, button = pressed
            if button.data is None:
                self.terminal.note(f"(that button opens {button.url})")
                return True
            update = self.standin.user_presses(SANDBOX_USER, message, button.data, check_button=False)
        elif line.startswith("[") and line.endswith("]"):
            self.terminal.note("(no such button on screen)")
            return True
        else:
            update = self.standin.user_sends(
                SANDBOX_USER, line, language_code=self.options.language, first_name="Bạn"
            )
        await asyncio.wait_for(self.tracker.wait(update["update_id"]), HANDLE_TIMEOUT)
        await self._settle_outbox()
        self.terminal.show_answers(self.standin.callback_answers)
        return True

    async def _sandbox_command(self, line: str) -> bool:
        word, _space, rest = line[1:].partition(" ")
        if word in ("quit", "q", "exit"):
            return False
        if word == "poll":
            await self._poll()
            await self._settle_outbox()
        elif word == "lang" and rest.strip() in ("vi", "en"):
            self.options.language = rest.strip()
            self.terminal.note(f"(your Telegram language is now {self.options.language})")
        else:
            self.terminal.note("(sandbox commands: :poll, :lang vi|en, :quit)")
        return True

    async def _settle_outbox(self) -> None:
        """Wait (briefly) until nothing is pending or being sent, so queued replies print in order."""
        assert self.services is not None
        deadline = time.monotonic() + OUTBOX_SETTLE_TIMEOUT
        while time.monotonic() < deadline:
            async with self.services.db.session() as session:
                counts = await status_counts(session)
            if not counts.get("pending") and not counts.get("sending"):
                return
            await asyncio.sleep(OUTBOX_CHECK_EVERY)


def _shown_url(url: str) -> str:
    return url.split("///", 1)[-1] if url.startswith("sqlite") else url.split("@")[-1]


def interactive() -> bool:
    return sys.stdin.isatty()
