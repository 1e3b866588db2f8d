"""The chats and users the stand-in knows, their state towards the bot, and the messages in each chat."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.standin import errors
from bot.standin.errors import ApiError

# What a send to a chat in this state gets back (Telegram's exact texts).
ACTIVE, BLOCKED, DEACTIVATED, KICKED, MIGRATED = "active", "blocked", "deactivated", "kicked", "migrated"
CHAT_TYPES = ("private", "group", "supergroup", "channel")


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def as_dict(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    state: str = ACTIVE
    migrated_to: int | None = None
    is_forum: bool = False  # a supergroup with topics
    owner_id: int | None = None
    admin_ids: set[int] = field(default_factory=set)
    member_ids: set[int] = field(default_factory=set)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # message_id -> Message as sent
    last_message_id: int = 0

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def as_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                chat[key] = value
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def check_can_receive(self) -> None:
        """Raise what Telegram answers when the bot writes to a chat it cannot write to."""
        if self.state == ACTIVE:
            return
        if self.state == BLOCKED:
            raise ApiError(403, errors.BLOCKED)
        if self.state == DEACTIVATED:
            raise ApiError(403, errors.DEACTIVATED)
        if self.state == MIGRATED and self.migrated_to is not None:
            raise errors.migrated(self.migrated_to)
        if self.state == KICKED:
            texts = {"group": errors.KICKED_GROUP, "supergroup": errors.KICKED_SUPERGROUP}
            raise ApiError(403, texts.get(self.type, errors.NOT_CHANNEL_MEMBER))
        raise ApiError(400, errors.CHAT_NOT_FOUND)


class ChatRegistry:
    def __init__(self) -> None:
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, User] = {}
        self._by_username: dict[str, int] = {}

    def add_user(self, user_id: int, **details: Any) -> User:
        user = self.users.get(user_id)
        if user is None:
            details.setdefault("first_name", f"User {user_id}")
            user = self.users[user_id] = User(user_id, **details)
        else:
            for key, value in details.items():
                if value is not None:
                    setattr(user, key, value)
        return user

    def add_chat(self, chat_id: int, chat_type: str = "private", **details: Any) -> Chat:
        """Create or update a chat; a private chat takes its names from the user with the same id."""
        if chat_type not in CHAT_TYPES:
            raise ValueError(f"chat type must be one of {CHAT_TYPES}, not {chat_type!r}")
        if chat_type == "private" and chat_id <= 0 or chat_type != "private" and chat_id >= 0:
            raise ValueError(
                f"a {chat_type} chat id must be {'positive' if chat_type == 'private' else 'negative'}"
            )
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                user = self.add_user(chat_id)
                details = {
                    "first_name": user.first_name,
                    "username": user.username,
                    "last_name": user.last_name,
                } | {k: v for k, v in details.items() if v is not None}
            elif not details.get("title"):
                details["title"] = f"{chat_type.title()} {chat_id}"
            chat = self.chats[chat_id] = Chat(chat_id, chat_type, **details)
        else:
            for key, value in details.items():
                if value is not None:
                    setattr(chat, key, value)
        if chat.username:
            self._by_username[chat.username.lower()] = chat_id
        return chat

    def get(self, chat_id: int) -> Chat | None:
        return self.chats.get(chat_id)

    def resolve(self, chat_ref: int | str | None) -> Chat:
        """The chat a `chat_id` parameter names (an id or `@username`), or Telegram's error."""
        if chat_ref is None or chat_ref == "":
            raise errors.bad_request("chat_id is empty")
        chat: Chat | None = None
        if isinstance(chat_ref, str) and chat_ref.startswith("@"):
            chat_id = self._by_username.get(chat_ref[1:].lower())
            chat = self.chats.get(chat_id) if chat_id is not None else None
        else:
            try:
                chat = self.chats.get(int(chat_ref))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise ApiError(400, errors.CHAT_NOT_FOUND)
        return chat

    def writable(self, chat_ref: int | str | None) -> Chat:
        chat = self.resolve(chat_ref)
        chat.check_can_receive()
        return chat
