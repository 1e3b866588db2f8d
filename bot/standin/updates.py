"""Pending updates and the two ways Telegram hands them out: long polling (getUpdates) and a webhook."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bot.standin import errors
from bot.standin.errors import ApiError

# Telegram's default when allowed_updates was never given (or given as an empty list).
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Updates waiting for confirmation; an update is confirmed by a getUpdates with a higher offset."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.pending: deque[dict[str, Any]] = deque()
        self.next_update_id = first_update_id
        self.allowed: frozenset[str] | None = None  # None: all but OPT_IN_UPDATE_TYPES
        self.dropped_by_filter = 0
        self._poller: asyncio.Future[str] | None = None
        self._listeners: list[asyncio.Event] = []

    def is_allowed(self, update_type: str) -> bool:
        if self.allowed is None:
            return update_type not in OPT_IN_UPDATE_TYPES
        return update_type in self.allowed

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is not None:
            self.allowed = frozenset(allowed) or None

    def push(self, update_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue `{update_type: payload}` with the next update_id (unless allowed_updates filters it)."""
        update = {"update_id": self.next_update_id, update_type: payload}
        self.next_update_id += 1
        if not self.is_allowed(update_type):
            self.dropped_by_filter += 1
            return update
        self.pending.append(update)
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("update")
        for event in self._listeners:
            event.set()
        return update

    def confirm(self, offset: int) -> None:
        if offset < 0:
            # -N: keep only the last N updates, forget the rest
            while len(self.pending) > -offset:
                self.pending.popleft()
            return
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()

    def clear(self) -> None:
        self.pending.clear()

    def peek(self, limit: int) -> list[dict[str, Any]]:
        if len(self.pending) <= limit:
            return list(self.pending)
        return [self.pending[i] for i in range(limit)]

    async def poll(self, offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
        """getUpdates: a newer call ends a waiting one with 409, like Telegram does."""
        if offset is not None:
            self.confirm(offset)
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("conflict")
        batch = self.peek(limit)
        if batch or timeout <= 0:
            return batch
        poller = self._poller = asyncio.get_running_loop().create_future()
        try:
            outcome = await asyncio.wait_for(poller, timeout)
        except TimeoutError:
            outcome = "timeout"
        finally:
            if self._poller is poller:
                self._poller = None
        if outcome == "conflict":
            raise ApiError(409, errors.CONFLICT_OTHER_POLL)
        return self.peek(limit)

    def end_polls(self) -> None:
        """Answer a waiting getUpdates now (empty), e.g. when the server stops."""
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("stop")

    def listen(self) -> asyncio.Event:
        event = asyncio.Event()
        if self.pending:
            event.set()
        self._listeners.append(event)
        return event

    def unlisten(self, event: asyncio.Event) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(event)


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None


class WebhookDelivery:
    """POSTs pending updates one at a time, in order; a failed POST is retried after `retry_delay`."""

    def __init__(
        self,
        queue: UpdateQueue,
        config: WebhookConfig,
        *,
        retry_delay: float,
        timeout: float,
        on_attempt: Callable[[], None] | None = None,
    ) -> None:
        self.on_attempt = on_attempt  # told after every POST, delivered or not
        self.queue = queue
        self.config = config
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.delivered = 0
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="standin-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.config.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue.pending),
            "max_connections": self.config.max_connections,
            "ip_address": "127.0.0.1",
        }
        if self.config.allowed_updates is not None:
            info["allowed_updates"] = self.config.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def _run(self) -> None:
        headers = {"Content-Type": "application/json"}
        if self.config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.config.secret_token
        event = self.queue.listen()
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                while True:
                    await event.wait()
                    event.clear()
                    while self.queue.pending:
                        update = self.queue.pending[0]
                        delivered = await self._post(client, update, headers)
                        if delivered:
                            if self.queue.pending and self.queue.pending[0] is update:
                                self.queue.pending.popleft()
                            self.delivered += 1
                        if self.on_attempt is not None:
                            self.on_attempt()
                        if not delivered:
                            await asyncio.sleep(self.retry_delay)
        finally:
            self.queue.unlisten(event)

    async def _post(self, client: httpx.AsyncClient, update: dict[str, Any], headers: dict[str, str]) -> bool:
        try:
            response = await client.post(self.config.url, json=update, headers=headers)
        except httpx.HTTPError as exc:
            self._failed(str(exc) or type(exc).__name__)
            return False
        if 200 <= response.status_code < 300:
            return True
        self._failed(f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}")
        return False

    def _failed(self, message: str) -> None:
        self.last_error_date = int(time.time())
        self.last_error_message = message
