"""The stand-in on its own event loop in a background thread, for synchronous code and other processes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from bot.standin.server import BotApiStandIn

T = TypeVar("T")


class StandInThread:
    """Runs a BotApiStandIn in a daemon thread; `call` runs a function on its loop and returns the result.

        with StandInThread() as thread:
            thread.call(thread.standin.user_sends, 1001, "/start")
            httpx.post(thread.standin.url_for("getUpdates"))

    State is only safe to touch through `call` (or `run` for coroutines) while the thread runs."""

    def __init__(self, standin: BotApiStandIn | None = None, **standin_options: Any) -> None:
        self.standin = standin or BotApiStandIn(**standin_options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0) -> StandInThread:
        ready = threading.Event()
        failure: list[BaseException] = []

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopped = asyncio.Event()
            try:
                await self.standin.start(host, port)
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            await self._stopped.wait()
            await self.standin.stop()

        self._thread = threading.Thread(
            target=asyncio.run, args=(main(),), name="bot-api-standin", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("the Bot API stand-in did not start")
        if failure:
            raise failure[0]
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stopped is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout)
        self._loop = self._thread = self._stopped = None

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `function(*args, **kwargs)` on the stand-in's loop and return its result."""
        return self.run(_as_coroutine(function, args, kwargs))

    def run(self, coroutine: Any, timeout: float | None = 30.0) -> Any:
        """Run a coroutine (e.g. `standin.wait_for_messages(...)`) on the stand-in's loop."""
        if self._loop is None:
            raise RuntimeError("StandInThread is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def __enter__(self) -> StandInThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


async def _as_coroutine(function: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    return function(*args, **kwargs)
