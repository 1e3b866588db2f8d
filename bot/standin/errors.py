"""Bot API errors as Telegram words them: an exception the method code raises, turned into a reply."""

from __future__ import annotations

from typing import Any

# Descriptions copied in form from what Telegram answers (python-telegram-bot strips "Bad Request: ").
CHAT_NOT_FOUND = "Bad Request: chat not found"
MESSAGE_TOO_LONG = "Bad Request: message is too long"
MESSAGE_TEXT_EMPTY = "Bad Request: message text is empty"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "Bad Request: message to delete not found"
MESSAGE_CANT_BE_EDITED = "Bad Request: message can't be edited"
REPLY_NOT_FOUND = "Bad Request: message to be replied not found"
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
DEACTIVATED = "Forbidden: user is deactivated"
KICKED_GROUP = "Forbidden: bot was kicked from the group chat"
KICKED_SUPERGROUP = "Forbidden: bot was kicked from the supergroup chat"
NOT_CHANNEL_MEMBER = "Forbidden: bot is not a member of the channel chat"
UNAUTHORIZED = "Unauthorized"
NOT_FOUND = "Not Found"
INTERNAL = "Internal Server Error"
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"


class ApiError(Exception):
    """A Bot API error reply: `{"ok": false, "error_code": ..., "description": ..., "parameters": ...}`."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def migrated(new_chat_id: int) -> ApiError:
    return ApiError(400, MIGRATED, {"migrate_to_chat_id": new_chat_id})


def can_t_parse_entities(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {reason}")
