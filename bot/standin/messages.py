"""Bot API methods about messages: sendMessage, editMessageText/ReplyMarkup, deleteMessage, and friends."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.standin import errors
from bot.standin.chats import Chat, ChatRegistry, User
from bot.standin.errors import ApiError, bad_request
from bot.standin.limits import FloodControl
from bot.standin.params import Params
from bot.standin.telegram_html import ParsedText, parse_text

MAX_CALLBACK_DATA_BYTES = 64
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class MessageMethods:
    """Mixin for BotApiStandIn; relies on the attributes annotated here."""

    chats: ChatRegistry
    flood: FloodControl
    bot_user: User
    strict_html: bool
    callback_queries: dict[str, dict[str, Any]]
    callback_answers: list[dict[str, Any]]
    chat_actions: Counter[str]
    wall_clock: Callable[[], float]
    clock: Callable[[], float]

    def _record(self, record: dict[str, Any]) -> None:  # provided by the server
        raise NotImplementedError

    # -- methods -----------------------------------------------------------------------------------
    def api_sendMessage(self, params: Params) -> dict[str, Any]:
        chat = self.chats.writable(params.chat_ref())
        text = params.text("text")
        parse_mode = params.text("parse_mode") or None
        parsed = self._parsed(params, text, parse_mode)
        markup = self._reply_markup(params)
        reply_to = self._replied_message(params, chat)
        paid = params.flag("allow_paid_broadcast")
        retry_after = self.flood.acquire(chat.id, chat.is_private, paid)
        if retry_after is not None:
            raise errors.too_many_requests(retry_after)
        message = self._bot_message(chat, parsed, markup)
        thread = params.integer("message_thread_id")
        if thread is not None and chat.is_forum:
            message |= {"message_thread_id": thread, "is_topic_message": True}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        chat.messages[message["message_id"]] = message
        self._record(
            {
                "method": "sendMessage",
                "chat_id": chat.id,
                "message_id": message["message_id"],
                "text": text,
                "visible_text": parsed.text,
                "entities": parsed.entities,
                "parse_mode": parse_mode,
                "reply_markup": markup,
                "link_preview_options": self._link_preview_options(params),
                "allow_paid_broadcast": paid,
                "reply_to_message_id": reply_to["message_id"] if reply_to else None,
                "message_thread_id": thread,  # None: a forum's General topic
                "disable_notification": params.flag("disable_notification"),
                "time": self.clock(),
            }
        )
        return message

    def api_editMessageText(self, params: Params) -> dict[str, Any]:
        chat, message = self._editable(params)
        text = params.text("text")
        parse_mode = params.text("parse_mode") or None
        parsed = self._parsed(params, text, parse_mode)
        markup = self._reply_markup(params)
        if (
            parsed.text == message["text"]
            and parsed.entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise ApiError(400, errors.NOT_MODIFIED)
        edited = self._bot_message(
            chat, parsed, markup, message_id=message["message_id"], date=message["date"]
        )
        edited["edit_date"] = int(self.wall_clock())
        chat.messages[message["message_id"]] = edited
        self._record(
            {
                "method": "editMessageText",
                "chat_id": chat.id,
                "message_id": message["message_id"],
                "text": text,
                "visible_text": parsed.text,
                "entities": parsed.entities,
                "parse_mode": parse_mode,
                "reply_markup": markup,
                "link_preview_options": self._link_preview_options(params),
                "time": self.clock(),
            }
        )
        return edited

    def api_editMessageReplyMarkup(self, params: Params) -> dict[str, Any]:
        chat, message = self._editable(params)
        markup = self._reply_markup(params)
        if markup == message.get("reply_markup"):
            raise ApiError(400, errors.NOT_MODIFIED)
        edited = {key: value for key, value in message.items() if key != "reply_markup"}
        if markup:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(self.wall_clock())
        chat.messages[message["message_id"]] = edited
        self._record(
            {
                "method": "editMessageReplyMarkup",
                "chat_id": chat.id,
                "message_id": message["message_id"],
                "reply_markup": markup,
                "time": self.clock(),
            }
        )
        return edited

    def api_deleteMessage(self, params: Params) -> bool:
        chat = self.chats.resolve(params.chat_ref())
        message_id = params.integer("message_id")
        if message_id is None or chat.messages.pop(message_id, None) is None:
            raise ApiError(400, errors.MESSAGE_TO_DELETE_NOT_FOUND)
        self._record(
            {"method": "deleteMessage", "chat_id": chat.id, "message_id": message_id, "time": self.clock()}
        )
        return True

    def api_answerCallbackQuery(self, params: Params) -> bool:
        query_id = params.text("callback_query_id") or ""
        query = self.callback_queries.get(query_id)
        if query is None or query["answered"] or query.get("too_old"):
            raise ApiError(400, errors.QUERY_TOO_OLD)
        text = params.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": params.flag("show_alert"),
                "url": params.text("url"),
                "time": self.clock(),
            }
        )
        return True

    def api_sendChatAction(self, params: Params) -> bool:
        self.chats.writable(params.chat_ref())
        action = params.text("action") or ""
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions[action] += 1
        return True

    # -- helpers -----------------------------------------------------------------------------------
    def _parsed(self, params: Params, text: str | None, parse_mode: str | None) -> ParsedText:
        entities = params.nested("entities", what="message entities")
        if entities is not None and not _well_formed_entities(entities):
            raise bad_request("can't parse entities JSON object")
        return parse_text(text, parse_mode, entities if not parse_mode else None, strict=self.strict_html)

    def _bot_message(
        self,
        chat: Chat,
        parsed: ParsedText,
        markup: dict[str, Any] | None,
        *,
        message_id: int | None = None,
        date: int | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": message_id if message_id is not None else chat.next_message_id(),
            "from": self.bot_user.as_dict(),
            "chat": chat.as_dict(),
            "date": date if date is not None else int(self.wall_clock()),
            "text": parsed.text,
        }
        if parsed.entities:
            message["entities"] = parsed.entities
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _editable(self, params: Params) -> tuple[Chat, dict[str, Any]]:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the Bot API stand-in")
        chat = self.chats.resolve(params.chat_ref())
        message = chat.messages.get(params.integer("message_id") or 0)
        if message is None:
            raise ApiError(400, errors.MESSAGE_TO_EDIT_NOT_FOUND)
        if message.get("from", {}).get("id") != self.bot_user.id or "text" not in message:
            raise ApiError(400, errors.MESSAGE_CANT_BE_EDITED)
        return chat, message

    def _replied_message(self, params: Params, chat: Chat) -> dict[str, Any] | None:
        reply = params.nested("reply_parameters", what="reply parameters")
        message_id = (
            reply.get("message_id") if isinstance(reply, dict) else params.integer("reply_to_message_id")
        )
        if message_id is None:
            return None
        allow_without = (reply or {}).get("allow_sending_without_reply") or params.flag(
            "allow_sending_without_reply"
        )
        message = chat.messages.get(int(message_id))
        if message is None and not allow_without:
            raise ApiError(400, errors.REPLY_NOT_FOUND)
        return message

    def _link_preview_options(self, params: Params) -> dict[str, Any] | None:
        options = params.nested("link_preview_options", what="link preview options")
        if options is None and params.flag("disable_web_page_preview"):
            options = {"is_disabled": True}
        return options

    def _reply_markup(self, params: Params) -> dict[str, Any] | None:
        markup = params.nested("reply_markup", what="reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        keyboard = markup.get("inline_keyboard")
        if keyboard is None:
            if not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
                raise bad_request("can't parse reply keyboard markup JSON object")
            return markup
        if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in keyboard:
            for button in row:
                _check_inline_button(button)
        return markup


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t find field "text"')
    if not any(action in button for action in BUTTON_ACTIONS):
        raise bad_request("text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not str(url).lower().startswith(("http://", "https://", "tg://")):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _well_formed_entities(entities: Any) -> bool:
    return isinstance(entities, list) and all(
        isinstance(e, dict)
        and isinstance(e.get("type"), str)
        and isinstance(e.get("offset"), int)
        and isinstance(e.get("length"), int)
        for e in entities
    )
