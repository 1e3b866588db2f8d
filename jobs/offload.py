"""`Offload`: runs a poll's CPU-bound pure steps (parsing a document, preparing its entries) in
worker processes.

Parsing and summarising fifty entries holds the interpreter for tens of milliseconds; in the
service's own process that is time the bot does not answer, and under the GIL a second core
stays idle however many sources are fetched at once. Workers come from a "forkserver": forking
the service itself, with its database and HTTP threads, could copy a lock some thread holds.

A worker that dies (killed, out of memory) breaks the whole pool: the step it was running is
done again in this process, and the next step starts a fresh pool, so a poll never fails for it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

log = logging.getLogger("bantin.poll")

T = TypeVar("T")


class Offload:
    """Runs `fn(*args)` in one of `workers` processes, or right here when `workers` is 0.

    `fn` and its arguments and result cross a pipe: a module-level function of plain data."""

    def __init__(self, workers: int) -> None:
        if workers < 0:
            raise ValueError("workers must be 0 or more")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, fn: Callable[..., T], /, *args: object) -> T:
        if self.workers == 0:
            return fn(*args)
        pool = self._pool or self._start()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, partial(fn, *args))
        except BrokenProcessPool:
            if self._pool is pool:
                log.warning("a parsing worker died; the pool starts again")
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            return fn(*args)

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["news.prepare", "news.feeds", "news.articles"])
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self._pool

    @property
    def started(self) -> bool:
        """Worker processes are running (they start at the first `run`)."""
        return self._pool is not None

    def close(self) -> None:
        """Stop the workers (steps in flight finish first). The next `run` would start new ones."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


INLINE = Offload(0)
