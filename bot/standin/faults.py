"""Faults a test arms for the next requests about a chat: error replies, dropped connections, slow replies."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.standin import errors
from bot.standin.errors import ApiError

# Canonical kinds and the spellings a test may use for them.
KIND_ALIASES = {
    "429": "429",
    "retry_after": "429",
    "flood": "429",
    "403": "403",
    "blocked": "403",
    "deactivated": "deactivated",
    "kicked": "kicked",
    "400": "400",
    "chat_not_found": "400",
    "migrate": "migrate",
    "markup": "markup",  # 400 can't parse entities, whatever the text
    "too_long": "too_long",  # 400 message is too long, whatever the text
    "500": "500",
    "drop": "drop",  # connection closed before the request is handled
    "lost_reply": "lost_reply",  # request handled (message sent), then the connection is closed
    "delay": "delay",  # request handled, reply held back `delay` seconds
}
# Kinds that let the request run before doing their harm.
AFTER_HANDLING = frozenset({"lost_reply", "delay"})


@dataclass
class Fault:
    kind: str
    remaining: int
    methods: frozenset[str] | None = None  # lower-case method names; None matches any
    retry_after: int = 5
    delay: float = 5.0
    new_chat_id: int | None = None

    def error(self, chat_id: int | None) -> ApiError | None:
        """The error reply this fault makes, or None for the connection-level kinds."""
        if self.kind == "429":
            return errors.too_many_requests(self.retry_after)
        if self.kind == "403":
            return ApiError(403, errors.BLOCKED)
        if self.kind == "deactivated":
            return ApiError(403, errors.DEACTIVATED)
        if self.kind == "kicked":
            return ApiError(403, errors.KICKED_GROUP)
        if self.kind == "400":
            return ApiError(400, errors.CHAT_NOT_FOUND)
        if self.kind == "migrate":
            return errors.migrated(self.new_chat_id or supergroup_id_for(chat_id or 0))
        if self.kind == "markup":
            return errors.can_t_parse_entities('unsupported start tag "x" at byte offset 0')
        if self.kind == "too_long":
            return ApiError(400, errors.MESSAGE_TOO_LONG)
        if self.kind == "500":
            return ApiError(500, errors.INTERNAL)
        return None


def supergroup_id_for(chat_id: int) -> int:
    """The id a group gets when Telegram upgrades it: -100 followed by its digits."""
    return int(f"-100{abs(chat_id)}")


def canonical_kind(kind: int | str) -> str:
    try:
        return KIND_ALIASES[str(kind).lower()]
    except KeyError:
        raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(set(KIND_ALIASES))}") from None


class FaultPlan:
    def __init__(self) -> None:
        self._by_chat: dict[int | None, deque[Fault]] = {}
        self.fired = 0

    def add(self, chat_id: int | None, fault: Fault) -> None:
        self._by_chat.setdefault(chat_id, deque()).append(fault)

    def clear(self) -> None:
        self._by_chat.clear()

    def __bool__(self) -> bool:
        return bool(self._by_chat)

    def take(self, chat_id: int | None, method: str) -> Fault | None:
        """The fault for this request, if one is armed (faults for the chat before chat-less ones)."""
        for key in (chat_id, None) if chat_id is not None else (None,):
            queue = self._by_chat.get(key)
            if not queue:
                continue
            for fault in queue:
                if fault.methods is None or method in fault.methods:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        queue.remove(fault)
                        if not queue:
                            del self._by_chat[key]
                    self.fired += 1
                    return fault
        return None
