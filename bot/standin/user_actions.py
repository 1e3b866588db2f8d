"""What users and chats do to the bot, turned into updates: messages, button presses, blocks, groups.

Each action changes the stand-in's state like Telegram would and returns the update it queued
(for getUpdates, or for the webhook when one is set).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from bot.standin.chats import ACTIVE, BLOCKED, DEACTIVATED, KICKED, MIGRATED, Chat, ChatRegistry, User
from bot.standin.faults import supergroup_id_for
from bot.standin.telegram_html import utf16_len
from bot.standin.updates import UpdateQueue

# Telegram recognises a command as `/name` or `/name@botusername` at the start of the text.
BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_query_ids = itertools.count(1)


class UserActions:
    """Mixin for BotApiStandIn; relies on the attributes annotated here."""

    chats: ChatRegistry
    updates: UpdateQueue
    bot_user: User
    callback_queries: dict[str, dict[str, Any]]
    wall_clock: Callable[[], float]

    # -- private chats -----------------------------------------------------------------------------
    def add_private_chat(self, user_id: int, **user_details: Any) -> Chat:
        """Register a user who has started the bot, without an update (e.g. 10,000 subscribers)."""
        self.chats.add_user(user_id, **user_details)
        return self.chats.add_chat(user_id, "private")

    def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        title: str | None = None,
        reply_to: dict[str, Any] | None = None,
        message_thread_id: int | None = None,
        forwarded_from: int | None = None,
    ) -> dict[str, Any]:
        """A user writes `text` in a private chat (created on first contact) or in a group chat; with
        `message_thread_id`, in that topic of a supergroup (which becomes a forum); with
        `forwarded_from`, the text is a message of that user forwarded here (it gets `forward_origin`).

        A new user's language is `language_code` or "vi"; a known user's changes only when given.
        Text starting with a command (`/name` or `/name@bot`) gets its `bot_command` entity."""
        if chat_type == "channel":
            if chat_id is None:
                raise ValueError("a channel post needs chat_id")
            return self.channel_post(chat_id, text, title=title)
        if language_code is None and user_id not in self.chats.users:
            language_code = "vi"
        user = self.chats.add_user(
            user_id,
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        if chat_type == "private":
            chat = self.chats.add_chat(user_id, "private", first_name=first_name, username=username)
            if chat.state == DEACTIVATED:
                raise ValueError(f"user {user_id} is deactivated and cannot write")
            if chat.state == BLOCKED:
                self.user_unblocks_bot(user_id)  # writing to a blocked bot restarts it, as in Telegram
        else:
            if chat_id is None:
                raise ValueError("a group message needs chat_id")
            chat = self.chats.add_chat(chat_id, chat_type, title=title)
            if chat.state == MIGRATED:
                raise ValueError(f"chat {chat_id} became supergroup {chat.migrated_to}; write there")
            chat.member_ids.add(user_id)
            if message_thread_id is not None:
                chat.is_forum = True
        message = self._user_message(chat, user, text)
        if message_thread_id is not None:
            message |= {"message_thread_id": message_thread_id, "is_topic_message": True}
        if forwarded_from is not None:
            message["forward_origin"] = self._forward_origin(forwarded_from)
        if reply_to is not None:
            message["reply_to_message"] = chat.messages.get(reply_to["message_id"], reply_to)
        return self.updates.push("message", message)

    def user_edits(self, user_id: int, message: dict[str, Any], new_text: str) -> dict[str, Any]:
        """A user edits a message they sent earlier (an `edited_message` update)."""
        chat_id, message_id = _message_ref(message)
        chat = self._known_chat(chat_id)
        original = chat.messages.get(message_id)
        if original is None or original.get("from", {}).get("id") != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat_id}")
        edited = {key: value for key, value in original.items() if key != "entities"}
        edited.update(text=new_text, edit_date=int(self.wall_clock()))
        edited.update(_command_entities(new_text))
        chat.messages[message_id] = edited
        return self.updates.push("edited_message", edited)

    def user_presses(
        self,
        user_id: int,
        message: dict[str, Any],
        data: str,
        *,
        check_button: bool = True,
        too_old: bool = False,
    ) -> dict[str, Any]:
        """A user presses an inline button with `data` under a message the bot sent; `too_old`: the
        press waited too long to be answered (queued while the bot restarted), so answering it fails
        as Telegram's does."""
        chat_id, message_id = _message_ref(message)
        chat = self._known_chat(chat_id)
        current = chat.messages.get(message_id)
        if current is None:
            raise ValueError(f"message {message_id} is not in chat {chat_id} (deleted?)")
        if check_button and data not in _callback_data(current):
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        user = self.chats.add_user(user_id)
        query_id = str(next(_query_ids))
        self.callback_queries[query_id] = {
            "user_id": user_id,
            "data": data,
            "answered": False,
            "too_old": too_old,
        }
        query = {
            "id": query_id,
            "from": user.as_dict(),
            "message": current,
            "chat_instance": str(abs(hash((chat.id, self.bot_user.id)))),
            "data": data,
        }
        return self.updates.push("callback_query", query)

    def user_blocks_bot(self, user_id: int) -> dict[str, Any]:
        chat = self.chats.add_chat(user_id, "private")
        chat.state = BLOCKED
        return self._my_chat_member(chat, user_id, "member", "kicked")

    def user_unblocks_bot(self, user_id: int) -> dict[str, Any]:
        chat = self.chats.add_chat(user_id, "private")
        chat.state = ACTIVE
        return self._my_chat_member(chat, user_id, "kicked", "member")

    def user_deactivates(self, user_id: int) -> None:
        """The account is deleted: sends get `Forbidden: user is deactivated`; Telegram sends no update."""
        self.chats.add_chat(user_id, "private").state = DEACTIVATED

    # -- groups and channels -----------------------------------------------------------------------
    def bot_added_to_group(
        self,
        chat_id: int,
        by_user_id: int,
        *,
        title: str | None = None,
        chat_type: str = "group",
        as_admin: bool = False,
    ) -> dict[str, Any]:
        """A user adds the bot to a group; the first user to add it is taken as the group's owner."""
        self.chats.add_user(by_user_id)
        chat = self.chats.add_chat(chat_id, chat_type, title=title)
        chat.state = ACTIVE
        if chat.owner_id is None:
            chat.owner_id = by_user_id
        chat.member_ids.add(by_user_id)
        if as_admin:
            chat.admin_ids.add(self.bot_user.id)
        return self._my_chat_member(chat, by_user_id, "left", "administrator" if as_admin else "member")

    def bot_removed_from_group(self, chat_id: int, by_user_id: int) -> dict[str, Any]:
        chat = self._known_chat(chat_id)
        chat.state = KICKED
        was = "administrator" if self.bot_user.id in chat.admin_ids else "member"
        return self._my_chat_member(chat, by_user_id, was, "kicked" if chat.type != "group" else "left")

    def set_admins(
        self, chat_id: int, admin_ids: set[int] | list[int], *, owner_id: int | None = None
    ) -> None:
        """Who getChatAdministrators / getChatMember report as the group's owner and administrators."""
        chat = self._known_chat(chat_id)
        for user_id in [*admin_ids, *([owner_id] if owner_id is not None else [])]:
            self.chats.add_user(user_id)
        chat.admin_ids = set(admin_ids)
        if owner_id is not None:
            chat.owner_id = owner_id

    def group_migrates(self, old_id: int, new_id: int | None = None) -> list[dict[str, Any]]:
        """A group becomes a supergroup: sends to the old id get 400 with migrate_to_chat_id.

        Returns the two service-message updates Telegram sends: `migrate_to_chat_id` in the old
        chat, then `migrate_from_chat_id` in the new one."""
        old = self._known_chat(old_id)
        new_id = new_id if new_id is not None else supergroup_id_for(old_id)
        new = self.chats.add_chat(new_id, "supergroup", title=old.title)
        new.owner_id, new.admin_ids, new.member_ids = old.owner_id, set(old.admin_ids), set(old.member_ids)
        old.state, old.migrated_to = MIGRATED, new_id
        actor = self.chats.users.get(old.owner_id) if old.owner_id is not None else None
        base = {"from": actor.as_dict()} if actor else {}
        date = int(self.wall_clock())
        to_message = base | {"message_id": old.next_message_id(), "chat": old.as_dict(), "date": date}
        from_message = base | {"message_id": new.next_message_id(), "chat": new.as_dict(), "date": date}
        to_message["migrate_to_chat_id"] = new_id
        from_message["migrate_from_chat_id"] = old_id
        return [self.updates.push("message", to_message), self.updates.push("message", from_message)]

    def channel_post(
        self, chat_id: int, text: str, *, title: str | None = None, username: str | None = None
    ) -> dict[str, Any]:
        chat = self.chats.add_chat(chat_id, "channel", title=title, username=username)
        message = {
            "message_id": chat.next_message_id(),
            "sender_chat": chat.as_dict(),
            "chat": chat.as_dict(),
            "date": int(self.wall_clock()),
            "text": text,
        } | _command_entities(text)
        chat.messages[message["message_id"]] = message
        return self.updates.push("channel_post", message)

    # -- helpers -----------------------------------------------------------------------------------
    def _known_chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ValueError(f"no chat {chat_id} in the stand-in")
        return chat

    def _user_message(self, chat: Chat, user: User, text: str) -> dict[str, Any]:
        message = {
            "message_id": chat.next_message_id(),
            "from": user.as_dict(),
            "chat": chat.as_dict(),
            "date": int(self.wall_clock()),
            "text": text,
        } | _command_entities(text)
        chat.messages[message["message_id"]] = message
        return message

    def _forward_origin(self, user_id: int) -> dict[str, Any]:
        """Where a forwarded message first came from: a user's message, sent a day before."""
        author = self.chats.add_user(user_id)
        return {"type": "user", "sender_user": author.as_dict(), "date": int(self.wall_clock()) - 86400}

    def _my_chat_member(self, chat: Chat, actor_id: int, old_status: str, new_status: str) -> dict[str, Any]:
        actor = self.chats.add_user(actor_id)

        def member(status: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"user": self.bot_user.as_dict(), "status": status}
            if status == "kicked":
                entry["until_date"] = 0
            if status == "administrator":
                entry |= {"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True}
                entry |= dict.fromkeys(
                    (
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_promote_members",
                    )
                    + ("can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories")
                    + ("can_delete_stories",),
                    False,
                )
            return entry

        payload = {
            "chat": chat.as_dict(),
            "from": actor.as_dict(),
            "date": int(self.wall_clock()),
            "old_chat_member": member(old_status),
            "new_chat_member": member(new_status),
        }
        return self.updates.push("my_chat_member", payload)


def _command_entities(text: str) -> dict[str, Any]:
    match = BOT_COMMAND.match(text)
    if match is None:
        return {}
    return {"entities": [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]}


def _message_ref(message: dict[str, Any]) -> tuple[int, int]:
    """(chat_id, message_id) from a recorded send (`chat_id` key) or a Message dict (`chat` key)."""
    chat_id = message["chat_id"] if "chat_id" in message else message["chat"]["id"]
    return int(chat_id), int(message["message_id"])


def _callback_data(message: dict[str, Any]) -> set[str]:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return {button["callback_data"] for row in keyboard for button in row if "callback_data" in button}
