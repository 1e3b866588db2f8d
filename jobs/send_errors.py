"""What can go wrong sending one message, in the sender's own terms (no Telegram library here).

`bot/api_sender.py` reads the Bot API's answers as these; `jobs/deliver.py` decides what each means
for the outbox row, the subscriber and the pace of everything else.
"""

from __future__ import annotations


class SendError(Exception):
    """Base of every outcome other than "sent"."""


class FloodWait(SendError):
    """429: wait `retry_after` seconds before sending anything; not the message's fault."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"flood control: retry after {retry_after}s")
        self.retry_after = retry_after


class ChatGone(SendError):
    """The chat cannot receive: blocked, deactivated, kicked, not found. The subscriber goes inactive."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatMoved(SendError):
    """A group became a supergroup with a new id: follow it and send again."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class BadMarkup(SendError):
    """Telegram refused the HTML ("can't parse entities"): a bug of ours; send as plain text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class Rejected(SendError):
    """Telegram refused this message for good (too long, empty...): retrying cannot help."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class TransientError(SendError):
    """Network trouble or a server error: retry later. `ambiguous` means the message may have been
    delivered anyway (the request went out, the answer did not come back: a read timeout)."""

    def __init__(self, description: str, ambiguous: bool = False) -> None:
        super().__init__(description)
        self.description = description
        self.ambiguous = ambiguous
