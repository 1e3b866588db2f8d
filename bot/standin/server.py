"""A local stand-in for the Telegram Bot API over real HTTP, for tests, `bantin sandbox` and benchmarks.

Run it in the event loop of the code under test and point python-telegram-bot at it:

    standin = BotApiStandIn()
    await standin.start()
    app = ApplicationBuilder().token(standin.token).base_url(standin.base_url).build()
    standin.user_sends(1001, "/start")
    [reply] = await standin.wait_for_messages(1001, 1)
    await standin.stop()

Requests arrive as `POST /bot<TOKEN>/<method>` (form, multipart or JSON; GET with a query string
works too) and get Telegram's replies: `{"ok": true, "result": ...}` or an error with Telegram's
code, description and `parameters`. Method names are case-insensitive, as in Telegram.
Flood limits (sendMessage only; see limits.py), chat states and armed faults (`fail_next`) decide
what a send gets back; every accepted send, edit and delete is recorded in `sent`. Users act through
`user_sends`, `user_presses`, `user_blocks_bot`, ... (user_actions.py), which queue updates for
getUpdates or POST them to the webhook. From a synchronous test use `StandInThread` (thread.py);
for a benchmark whose client needs its own core, `python -m bot.standin` (__main__.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple
from urllib.parse import unquote

import tornado.httpserver
import tornado.httputil
import tornado.netutil

from bot.standin import errors
from bot.standin.bot_methods import BotMethods
from bot.standin.chats import ChatRegistry, User
from bot.standin.errors import ApiError
from bot.standin.faults import AFTER_HANDLING, Fault, FaultPlan, canonical_kind, supergroup_id_for
from bot.standin.limits import Clock, FloodControl, RateLimits
from bot.standin.messages import MessageMethods
from bot.standin.params import Params
from bot.standin.updates import UpdateQueue, WebhookDelivery
from bot.standin.user_actions import UserActions

DEFAULT_TOKEN = "123456789:STANDIN-test-token"
STATS_PATH = "/standin/stats"  # outside /bot..., so no Bot API method can clash with it
logger = logging.getLogger(__name__)
Record = dict[str, Any]


class BotApiStandIn(MessageMethods, BotMethods, UserActions):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        accept_any_token: bool = False,
        bot_username: str = "bantin_test_bot",
        bot_name: str = "Bản tin",
        limits: RateLimits | None = None,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        strict_html: bool = True,
        webhook_retry_delay: float = 1.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        """`clock` drives flood limits and record times; `wall_clock` gives message dates.

        `accept_any_token` answers any well-formed token (the bot is still the one in `token`)."""
        self.token = token
        self.accept_any_token = accept_any_token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        self.bot_user = User(bot_id, bot_name, username=bot_username, is_bot=True)
        self.clock = clock
        self.wall_clock = wall_clock
        self.strict_html = strict_html
        self.flood = FloodControl(limits, clock)
        self.chats = ChatRegistry()
        self.updates = UpdateQueue()
        self.faults = FaultPlan()
        self.webhook: WebhookDelivery | None = None
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: list[Record] = []
        self.chat_actions: Counter[str] = Counter()
        # What happened: accepted changes, and counts of requests and replies.
        self.sent: list[Record] = []
        self.requests: Counter[str] = Counter()  # by method as called
        self.replies: Counter[int] = Counter()  # by HTTP status
        self._messages: defaultdict[int, list[Record]] = defaultdict(list)
        self._listeners: list[Callable[[Record], None]] = []
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._methods = {
            name[4:].lower(): getattr(self, name)
            for name in dir(type(self))
            if name.startswith("api_") and callable(getattr(type(self), name))
        }
        self._server: tornado.httpserver.HTTPServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.host = "127.0.0.1"
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> BotApiStandIn:
        sockets = tornado.netutil.bind_sockets(port, host)
        self.host, self.port = host, sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(_HttpDelegate(self), xheaders=False)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        self.updates.end_polls()
        await asyncio.sleep(0)  # let an ended long poll write its (empty) answer before connections close
        if self.webhook is not None:
            webhook, self.webhook = self.webhook, None
            await webhook.stop()
        if self._server is not None:
            self._server.stop()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.close_all_connections()
            self._server = None

    async def __aenter__(self) -> BotApiStandIn:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's `base_url` takes (it appends the token)."""
        return f"http://{self.host}:{self.port}/bot"

    def url_for(self, method: str) -> str:
        """The full URL of a Bot API method, for raw HTTP requests."""
        return f"{self.base_url}{self.token}/{method}"

    # -- configuration -------------------------------------------------------------------------------
    def set_limits(self, limits: RateLimits) -> None:
        self.flood.configure(limits)

    def fail_next(
        self,
        chat_id: int | None,
        kind: int | str,
        count: int = 1,
        *,
        retry_after: int = 5,
        delay: float = 5.0,
        new_chat_id: int | None = None,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Make the next `count` requests about `chat_id` (None: any request) fail.

        Kinds: 429 (with `retry_after`), 403/"blocked", "deactivated", "kicked", 400/"chat_not_found",
        "migrate" (to `new_chat_id`, created as a supergroup), "markup" (can't parse entities), "too_long"
        (message is too long), 500, "drop" (connection closed, nothing
        done), "lost_reply" (done, then the connection is closed), "delay" (done, answered after `delay`
        seconds: a client read-timeout while the message did arrive). `methods` limits the fault to
        those Bot API methods."""
        fault = Fault(
            canonical_kind(kind),
            count,
            frozenset(m.lower() for m in methods) if methods is not None else None,
            retry_after,
            delay,
            new_chat_id,
        )
        if fault.kind == "migrate" and chat_id is not None:
            fault.new_chat_id = new_chat_id or supergroup_id_for(chat_id)
            old = self.chats.get(chat_id)
            self.chats.add_chat(fault.new_chat_id, "supergroup", title=old.title if old else None)
        self.faults.add(chat_id, fault)

    # -- what happened -------------------------------------------------------------------------------
    def messages_for(self, chat_id: int) -> list[Record]:
        """The sendMessage records for a chat, oldest first (edits and deletes are in `sent`)."""
        return list(self._messages.get(chat_id, ()))

    def stats(self) -> dict[str, Any]:
        """Counters for a benchmark in another process (`GET /standin/stats`)."""
        return {
            "requests": dict(self.requests),
            "replies": {str(status): n for status, n in self.replies.items()},
            "messages_sent": sum(len(records) for records in self._messages.values()),
            "too_many_requests": self.too_many_requests_sent,
            "pending_updates": len(self.updates.pending),
        }

    def message(self, chat_id: int, message_id: int) -> Record | None:
        """A message as it is now in the chat (after edits; None once deleted), in Bot API form."""
        chat = self.chats.get(chat_id)
        return chat.messages.get(message_id) if chat else None

    @property
    def too_many_requests_sent(self) -> int:
        return self.replies[429]

    def add_listener(self, listener: Callable[[Record], None]) -> None:
        """Call `listener(record)` for every accepted send, edit and delete (e.g. the sandbox terminal)."""
        self._listeners.append(listener)

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `condition()` holds; it is checked on every request, recorded change and webhook POST."""
        if condition():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (condition, future)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    async def wait_for_messages(self, chat_id: int, n: int = 1, timeout: float = 5.0) -> list[Record]:
        """The first `n` messages sent to `chat_id`, once there are that many (TimeoutError otherwise)."""
        try:
            await self.wait_for(lambda: len(self._messages.get(chat_id, ())) >= n, timeout)
        except TimeoutError:
            got = [m["visible_text"][:60] for m in self.messages_for(chat_id)]
            raise TimeoutError(
                f"{len(got)} of {n} messages to chat {chat_id} after {timeout}s: {got}"
            ) from None
        return self.messages_for(chat_id)[:n]

    def _record(self, record: Record) -> None:
        self.sent.append(record)
        if record["method"] == "sendMessage":
            self._messages[record["chat_id"]].append(record)
        for listener in self._listeners:
            try:
                listener(record)
            except Exception:  # a broken listener must not turn a send into an error reply
                logger.exception("Bot API stand-in listener failed")
        if self._waiters:
            self._wake_waiters()

    def _wake_waiters(self) -> None:
        for condition, future in list(self._waiters):
            if not future.done() and condition():
                future.set_result(None)

    # -- request handling ------------------------------------------------------------------------------
    async def handle(self, path: str, content_type: str, body: bytes) -> Reply:
        """Answer one HTTP request (path with its query string, Content-Type, body)."""
        path, _, query = path.partition("?")
        if not path.startswith("/bot"):
            if path == STATS_PATH:
                return Reply(200, _encode(self.stats()))
            return self._error(ApiError(404, errors.NOT_FOUND))
        token, _, method = unquote(path[4:]).partition("/")
        if ":" not in token:
            return self._error(ApiError(404, errors.NOT_FOUND))
        if token != self.token and not self.accept_any_token:
            return self._error(ApiError(401, errors.UNAUTHORIZED))
        self.requests[method] += 1
        if self._waiters:
            self._wake_waiters()
        handler = self._methods.get(method.lower())
        if handler is None:
            return self._error(ApiError(404, errors.NOT_FOUND))
        try:
            params = Params.from_http(content_type, body, query)
        except ApiError as exc:
            return self._error(exc)
        fault = None
        if self.faults:
            chat_ref = params.chat_ref()
            chat_id = chat_ref if isinstance(chat_ref, int) else None
            fault = self.faults.take(chat_id, method.lower())
            if fault is not None and fault.kind not in AFTER_HANDLING:
                error = fault.error(chat_id)
                return self._error(error, fault) if error else Reply(0, b"", fault)
        try:
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as exc:
            return self._error(exc, fault)
        self.replies[200] += 1
        return Reply(200, _encode({"ok": True, "result": result}), fault)

    def _error(self, error: ApiError, fault: Fault | None = None) -> Reply:
        self.replies[error.code] += 1
        return Reply(error.code, _encode(error.payload()), fault)


class Reply(NamedTuple):
    status: int
    body: bytes
    fault: Fault | None = None  # a connection-level fault still to apply (drop, lost_reply, delay)


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
REASONS |= {409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error"}


class _HttpDelegate(tornado.httputil.HTTPServerConnectionDelegate):
    """Tornado's connection-level interface: lighter than a web.Application for one JSON endpoint."""

    def __init__(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    def start_request(
        self, server_conn: object, request_conn: tornado.httputil.HTTPConnection
    ) -> tornado.httputil.HTTPMessageDelegate:
        return _Exchange(self.standin, request_conn)


class _Exchange(tornado.httputil.HTTPMessageDelegate):
    def __init__(self, standin: BotApiStandIn, connection: tornado.httputil.HTTPConnection) -> None:
        self.standin = standin
        self.connection = connection
        self.path = "/"
        self.content_type = ""
        self.chunks: list[bytes] = []

    def headers_received(
        self,
        start_line: tornado.httputil.RequestStartLine | tornado.httputil.ResponseStartLine,
        headers: tornado.httputil.HTTPHeaders,
    ) -> None:
        assert isinstance(start_line, tornado.httputil.RequestStartLine)
        self.path = start_line.path
        self.content_type = headers.get("Content-Type", "")

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def finish(self) -> None:
        task = asyncio.get_running_loop().create_task(self._respond())
        self.standin._tasks.add(task)
        task.add_done_callback(self.standin._tasks.discard)

    async def _respond(self) -> None:
        try:
            reply = await self.standin.handle(self.path, self.content_type, b"".join(self.chunks))
        except Exception:
            logger.exception("Bot API stand-in failed on %s", self.path)
            reply = Reply(500, _encode(ApiError(500, errors.INTERNAL).payload()))
        fault = reply.fault
        if fault is not None and fault.kind in ("drop", "lost_reply"):
            self.connection.detach().close()  # type: ignore[attr-defined]
            return
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.delay)
        headers = tornado.httputil.HTTPHeaders(
            {"Content-Type": "application/json", "Content-Length": str(len(reply.body))}
        )
        start = tornado.httputil.ResponseStartLine(
            "HTTP/1.1", reply.status, REASONS.get(reply.status, "Error")
        )
        self.connection.write_headers(start, headers, reply.body)
        self.connection.finish()
