"""What the handlers and jobs of a running bantin share, kept in `application.bot_data["services"]`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jobs.offload import INLINE, Offload
from news.config import Config
from storage.db import Database

if TYPE_CHECKING:
    from jobs.fetch import Fetcher


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    config: Config
    db: Database
    fetcher: Fetcher | None = None
    offload: Offload = INLINE
    clock: Callable[[], datetime] = utcnow
    # Set by the wiring: wake the outbox sender now (after a digest or broadcast was queued),
    # and run a poll of due sources now (/pollnow).
    wake_sender: Callable[[], None] = lambda: None
    poll_now: Callable[[], Awaitable[Any]] | None = None
    # Health bookkeeping read by /healthz (bot/health.py) and /stats. `started_at` is set when the
    # application starts, so a fresh start is not unhealthy before its first poll ends;
    # `last_poll_ok_at` is the end of the last poll cycle that showed the poller working
    # (bot/periodic.py note_poll_cycle), from the latest outcome of each source still polled, by name.
    started_at: datetime | None = None
    last_poll_ok_at: datetime | None = None
    source_fetch_ok: dict[str, bool] = field(default_factory=dict)
    scheduler_heartbeat_at: datetime | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.config.telegram.admins


def services_of(context) -> Services:
    """The Services from a PTB CallbackContext (or an Application)."""
    app = getattr(context, "application", context)
    return app.bot_data["services"]
