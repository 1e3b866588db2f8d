"""A stand-in for an OpenAI-compatible chat-completions endpoint on 127.0.0.1 (tornado, in the test's
event loop). It records every request and answers as told: a summary, slowly (until the test ends),
with an HTTP error, or with garbage."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import tornado.httpserver
import tornado.netutil
import tornado.web


@dataclass(frozen=True)
class ChatRequest:
    path: str
    headers: dict[str, str]  # lower-case names
    body: dict

    @property
    def messages(self) -> list[dict]:
        return self.body["messages"]


@dataclass
class LlmStandin:
    # "answer" (reply with `answer`), "hang" (never answer), "drip" (`drip_bytes` spaces, one every
    # `drip_interval` seconds, then `answer`), "error" (HTTP `status`), "garbage" (`raw`)
    mode: str = "answer"
    answer: str = ""
    status: int = 500
    raw: str = "not json {"
    drip_interval: float = 0.05
    drip_bytes: int = 40
    requests: list[ChatRequest] = field(default_factory=list)
    port: int = 0
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _server: tornado.httpserver.HTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> LlmStandin:
        app = tornado.web.Application([(r"/v1/chat/completions", _ChatHandler, {"standin": self})])
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._release.set()  # let hanging handlers finish
        assert self._server is not None
        self._server.stop()
        await self._server.close_all_connections()


def completion(content: object) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
    }


class _ChatHandler(tornado.web.RequestHandler):
    def initialize(self, standin: LlmStandin) -> None:
        self.standin = standin

    async def post(self) -> None:
        standin = self.standin
        headers = {k.lower(): v for k, v in self.request.headers.get_all()}
        standin.requests.append(ChatRequest(self.request.path, headers, json.loads(self.request.body)))
        if standin.mode == "hang":
            await standin._release.wait()
            return
        if standin.mode == "drip":
            self.set_header("Content-Type", "application/json")
            for _ in range(standin.drip_bytes):
                self.write(b" ")  # JSON allows leading whitespace: every read gets a byte in time
                await self.flush()
                await asyncio.sleep(standin.drip_interval)
            self.finish(json.dumps(completion(standin.answer)))
            return
        if standin.mode == "error":
            self.set_status(standin.status)
            self.finish({"error": {"message": "the model is overloaded"}})
            return
        if standin.mode == "garbage":
            self.set_header("Content-Type", "application/json")
            self.finish(standin.raw)
            return
        self.finish(completion(standin.answer))
