"""bantin's handler for the webhook requests, in place of python-telegram-bot's own.

python-telegram-bot's `TelegramHandler` answered a body that is no JSON with 500 (which Telegram
redelivers for hours), compared the secret token with `!=`, refused "application/json;
charset=utf-8" and served a path with a "." as a pattern. The subclass keeps its order (the secret,
then the body; 200 once the update is queued), with each of these answered as a real service
answers it; every answer, 404 on another path included, is JSON and does not name the software.

The library builds its web app itself in `Updater.start_webhook`, from the class its updater module
names `WebhookAppClass`, with no parameter to choose another: `use_bantin_webhook_handler` replaces
that name, for the process (the webhook server is the process's only one).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import reprlib
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from telegram.ext import _updater as ptb_updater
from telegram.ext._utils.webhookhandler import TelegramHandler, WebhookAppClass
from tornado import httputil

log = logging.getLogger("bantin.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

_SHORT = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHORT.maxstring = _SHORT.maxother = 80
_SHORT.maxlist = _SHORT.maxdict = 4


class BadBody(Exception):
    """The request's body is no update; the message says why, for the log."""


def parsed_json(body: bytes) -> Any:
    """The JSON document of a body in UTF-8 (what the Bot API sends). A document nested deeper than
    the parser recurses, or with a number of more digits than Python reads, is as bad as broken JSON."""
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadBody(f"not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise BadBody(f"not JSON ({exc.msg} at {exc.pos})") from None
    except (ValueError, RecursionError) as exc:
        raise BadBody(f"not JSON ({type(exc).__name__})") from None


def secret_matches(given: list[str], secret: str) -> bool:
    """Whether a request's secret-token headers are the one secret. Compared in constant time: with
    `!=` the time of the answer tells how many first characters are right. Two of them are refused
    (tornado would join them with a comma)."""
    if len(given) != 1:
        return False
    return hmac.compare_digest(given[0].encode(), secret.encode())


def is_json_in_utf8(content_types: list[str]) -> bool:
    """Whether a request's Content-Type headers say JSON in UTF-8. The library took the exact string
    "application/json" only; a proxy (or Telegram) may name the charset, in any case."""
    if len(content_types) != 1:
        return False
    media_type, *parameters = content_types[0].split(";")
    if media_type.strip().lower() != "application/json":
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def is_uncoded(content_encodings: list[str]) -> bool:
    """Whether a request's Content-Encoding headers leave its body as it is. Telegram never compresses
    an update; a gzip body was read as JSON that was not there."""
    codings = [coding.strip().lower() for value in content_encodings for coding in value.split(",")]
    return all(coding == "identity" for coding in codings)


class JsonAnswers(tornado.web.RequestHandler):
    """Answers in JSON, refusals included (tornado's own is an HTML page), that do not name the
    server's software and version (which known flaws to try, for a stranger)."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", 'application/json; charset="utf-8"')
        self.clear_header("Server")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A refusal worded as the Bot API words its errors."""
        error = kwargs["exc_info"][1] if "exc_info" in kwargs else None
        reason = getattr(error, "reason", None) or httputil.responses.get(status_code, "Unknown")
        self.finish({"ok": False, "error_code": status_code, "description": reason})


class NotTheWebhook(JsonAnswers):
    """Any other path: 404, as tornado answers it, in JSON."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(HTTPStatus.NOT_FOUND)


@tornado.web.stream_request_body  # so that `prepare` runs on the headers, before the body is read
class BantinTelegramHandler(JsonAnswers, TelegramHandler):
    def prepare(self) -> None:
        """A request its headers refuse is answered before its body is read (up to 1 MB otherwise,
        for anyone who can reach the port), and its connection closed."""
        self._validate_post()
        self._body = bytearray()

    def data_received(self, chunk: bytes) -> None:
        self._body += chunk  # at most the HTTPServer's max_body_size (bot/webhook_limits.py)

    def _validate_post(self) -> None:
        """The library's checks: the secret first, compared in constant time (403), then the body's
        coding (none: 415) and type (415), which may name its charset, as long as it is UTF-8."""
        if self.secret_token is not None:
            if not secret_matches(self.request.headers.get_list(SECRET_HEADER), self.secret_token):
                log.debug("webhook request without the secret token: refused (403)")
                raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN, reason="Request had the wrong secret token")
        if not is_uncoded(self.request.headers.get_list("Content-Encoding")):
            raise tornado.web.HTTPError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE, reason="Content-Encoding not supported"
            )
        if not is_json_in_utf8(self.request.headers.get_list("Content-Type")):
            raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, reason="Expected application/json")

    async def post(self) -> None:
        try:
            update = self._update_of(parsed_json(bytes(self._body)))
        except BadBody as exc:
            log.warning("webhook request refused (400), its body is %s", exc)
            raise tornado.web.HTTPError(
                HTTPStatus.BAD_REQUEST, reason="Update could not be processed"
            ) from None
        self.set_status(HTTPStatus.OK)
        if isinstance(self.bot, ExtBot):  # arbitrary callback data, as the library does
            self.bot.insert_callback_data(update)
        await self.update_queue.put(update)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == HTTPStatus.METHOD_NOT_ALLOWED:  # RFC 9110 requires the methods that are
            self.set_header("Allow", ", ".join(self.SUPPORTED_METHODS))
        if status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE:  # and the codings that would do (15.5.16)
            self.set_header("Accept-Encoding", "identity")
        super().write_error(status_code, **kwargs)

    def _update_of(self, data: Any) -> Update:
        try:
            update = Update.de_json(data, self.bot)
        except Exception as exc:  # whatever a JSON value that is no update makes the library raise
            why = f"{type(exc).__name__}: {str(exc)[:120]}"
            raise BadBody(f"JSON that is no update ({why}): {_SHORT.repr(data)}") from None
        return update


class BantinWebhookApp(WebhookAppClass):
    def __init__(self, webhook_path: str, bot: Any, update_queue: Any, secret_token: str | None = None):
        # The library's __init__ with bantin's handler, and the path escaped: the library made it a
        # regular expression as it was, so its "." matched any character.
        self.shared_objects = {"bot": bot, "update_queue": update_queue, "secret_token": secret_token}
        handlers = [(rf"{re.escape(webhook_path)}/?", BantinTelegramHandler, self.shared_objects)]
        tornado.web.Application.__init__(self, handlers, default_handler_class=NotTheWebhook)


def use_bantin_webhook_handler() -> None:
    if not hasattr(ptb_updater, "WebhookAppClass"):  # a library version that builds its app otherwise
        raise RuntimeError("python-telegram-bot has no Updater WebhookAppClass to replace")
    ptb_updater.WebhookAppClass = BantinWebhookApp
