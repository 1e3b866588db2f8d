"""Bot API methods about the bot itself: getMe, updates and webhooks, commands, chat and member info."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.standin import errors
from bot.standin.chats import Chat, ChatRegistry, User
from bot.standin.errors import ApiError, bad_request
from bot.standin.params import Params
from bot.standin.updates import UpdateQueue, WebhookConfig, WebhookDelivery

COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
LANGUAGE_CODE = re.compile(r"(|[a-z]{2})")
MAX_COMMANDS = 100
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


class BotMethods:
    """Mixin for BotApiStandIn; relies on the attributes annotated here."""

    chats: ChatRegistry
    bot_user: User
    updates: UpdateQueue
    webhook: WebhookDelivery | None
    webhook_retry_delay: float
    webhook_timeout: float
    commands: dict[tuple[str, str], list[dict[str, str]]]

    def _wake_waiters(self) -> None:  # provided by the server
        raise NotImplementedError

    def api_getMe(self, params: Params) -> dict[str, Any]:
        return self.bot_user.as_dict() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def api_logOut(self, params: Params) -> bool:
        return True

    def api_close(self, params: Params) -> bool:
        return True

    # -- updates -----------------------------------------------------------------------------------
    async def api_getUpdates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, errors.CONFLICT_WEBHOOK)
        limit = min(max(params.integer("limit", 100) or 100, 1), 100)
        timeout = max(params.number("timeout", 0) or 0, 0)
        self.updates.set_allowed(params.nested("allowed_updates", what="allowed updates"))
        return await self.updates.poll(params.integer("offset"), limit, timeout)

    async def api_setWebhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if not url:
            return await self.api_deleteWebhook(params)
        if not url.lower().startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.nested("allowed_updates", what="allowed updates")
        if params.flag("drop_pending_updates"):
            self.updates.clear()
        self.updates.set_allowed(allowed)
        await self._stop_webhook()
        config = WebhookConfig(url, secret, params.integer("max_connections", 40) or 40, allowed)
        self.webhook = WebhookDelivery(
            self.updates,
            config,
            retry_delay=self.webhook_retry_delay,
            timeout=self.webhook_timeout,
            on_attempt=self._wake_waiters,
        )
        self.webhook.start()
        return True

    async def api_deleteWebhook(self, params: Params) -> bool:
        if params.flag("drop_pending_updates"):
            self.updates.clear()
        await self._stop_webhook()
        return True

    def api_getWebhookInfo(self, params: Params) -> dict[str, Any]:
        if self.webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self.updates.pending),
            }
        return self.webhook.info()

    async def _stop_webhook(self) -> None:
        if self.webhook is not None:
            webhook, self.webhook = self.webhook, None
            await webhook.stop()

    # -- commands ----------------------------------------------------------------------------------
    def api_setMyCommands(self, params: Params) -> bool:
        commands = params.nested("commands", what="commands")
        if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
            raise bad_request("can't parse commands JSON object")
        cleaned = []
        for entry in commands:
            if not isinstance(entry, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = str(entry.get("command", "")).strip().removeprefix("/")
            description = str(entry.get("description", "")).strip()
            if not COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.commands[self._command_key(params)] = cleaned
        return True

    def api_getMyCommands(self, params: Params) -> list[dict[str, str]]:
        return list(self.commands.get(self._command_key(params), []))

    def api_deleteMyCommands(self, params: Params) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The commands set for a scope (default scope if None) and language, as getMyCommands returns them."""
        return list(self.commands.get((_scope_key(scope), language_code), []))

    def _command_key(self, params: Params) -> tuple[str, str]:
        scope = params.nested("scope", what="BotCommandScope")
        if scope is not None and (not isinstance(scope, dict) or "type" not in scope):
            raise bad_request("can't parse BotCommandScope JSON object")
        language = params.text("language_code") or ""
        if not LANGUAGE_CODE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return _scope_key(scope), language

    # -- chats -------------------------------------------------------------------------------------
    def api_getChat(self, params: Params) -> dict[str, Any]:
        chat = self.chats.resolve(params.chat_ref())
        info = chat.as_dict() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        return info

    def api_getChatMember(self, params: Params) -> dict[str, Any]:
        chat = self.chats.resolve(params.chat_ref())
        user_id = params.integer("user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        return self._member(chat, user_id)

    def api_getChatAdministrators(self, params: Params) -> list[dict[str, Any]]:
        chat = self.chats.resolve(params.chat_ref())
        if chat.is_private:
            raise bad_request("there are no administrators in the private chat")
        ids = ([chat.owner_id] if chat.owner_id is not None else []) + sorted(
            chat.admin_ids - {chat.owner_id}
        )
        return [self._member(chat, user_id) for user_id in ids]

    def _member(self, chat: Chat, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_user.id:
            user = self.bot_user
        else:
            found = self.chats.users.get(user_id)
            if found is None:
                raise bad_request("user not found")
            user = found
        if chat.is_private:
            status = "member" if user_id in (chat.id, self.bot_user.id) else "left"
            if user_id == self.bot_user.id and chat.state == "blocked":
                status = "kicked"
            return {"user": user.as_dict(), "status": status} | (
                {"until_date": 0} if status == "kicked" else {}
            )
        if user_id == chat.owner_id:
            return {"user": user.as_dict(), "status": "creator", "is_anonymous": False}
        if user_id in chat.admin_ids:
            rights = dict.fromkeys(ADMIN_RIGHTS, True)
            return {
                "user": user.as_dict(),
                "status": "administrator",
                "can_be_edited": False,
                "is_anonymous": False,
            } | rights
        if user_id in chat.member_ids or user_id == self.bot_user.id:
            return {"user": user.as_dict(), "status": "member"}
        return {"user": user.as_dict(), "status": "left"}


def _scope_key(scope: dict[str, Any] | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)
