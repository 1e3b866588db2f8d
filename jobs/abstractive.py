"""Optional abstractive summaries from an OpenAI-compatible chat-completions endpoint.

Each item is asked about once: the answer is cached in `items.summary_llm` (and becomes its story's
summary when the story was made from that item, so digests and /latest show it). Requests are
counted per UTC day in `llm_usage` and stop at `[summaries] llm_daily_requests`. Whatever goes
wrong (no key, cap reached, timeout, HTTP error, malformed JSON, an unusable answer) is logged and
the item keeps its extractive summary: this never raises and never holds up polling for long.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import update

from jobs.db_turns import turn
from news.config import Config
from news.llm_prompt import build_messages, clean_answer, max_answer_words, prompt_language
from storage.db import Database
from storage.llm_usage import try_reserve_request
from storage.models import Item, Story

log = logging.getLogger("bantin.abstractive")

# New items summarized after one poll at most (the rest keep their extractive summary).
PER_POLL_LIMIT = 20
# Requests in flight at once: local model servers queue the rest anyway.
CONCURRENCY = 4
# Room for the answer in tokens: Vietnamese runs at 2-3 tokens per word.
TOKENS_PER_WORD = 4
TEMPERATURE = 0.2


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _Failure(Exception):
    """Why no abstractive summary came back; `stop` means later items would fail alike."""

    def __init__(self, reason: str, *, stop: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stop = stop


@dataclass(frozen=True)
class _ItemText:
    id: int
    title: str
    body: str
    summary: str
    summary_llm: str | None
    language: str | None
    story_id: int | None
    story_url: str  # the URL a story made from this item carries


class AbstractiveSummarizer:
    """Asks the configured endpoint for item summaries; does nothing unless base URL and model are set."""

    def __init__(
        self,
        config: Config,
        db: Database,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = _utcnow,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = config.summaries
        self.db = db
        self.transport = transport
        self.clock = clock
        self.environ = environ

    @property
    def enabled(self) -> bool:
        return bool(self.settings.llm_base_url.strip() and self.settings.llm_model.strip())

    @property
    def endpoint(self) -> str:
        return self.settings.llm_base_url.strip().rstrip("/") + "/chat/completions"

    async def summarize_item(self, item_id: int) -> str:
        """The item's abstractive summary (cached, else asked for and stored), else its extractive one."""
        async with self._client() as client:
            text, _ = await self._summarize(client, item_id)
        return text

    async def summarize_new_items(self, item_ids: list[int], limit: int = PER_POLL_LIMIT) -> int:
        """Summarize the first `limit` of `item_ids`; returns how many got a new abstractive summary."""
        if not self.enabled or not item_ids or limit <= 0:
            return 0
        stopped: list[str] = []
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(client: httpx.AsyncClient, item_id: int) -> bool:
            async with gate:
                if stopped:
                    return False
                try:
                    _, fresh = await self._summarize(client, item_id, raise_stop=True)
                except _Failure as failure:
                    stopped.append(failure.reason)
                    return False
                return fresh

        try:
            async with self._client() as client:
                results = await asyncio.gather(*(one(client, i) for i in item_ids[:limit]))
        except Exception:  # polling must go on whatever happens here
            log.exception("abstractive summaries failed")
            return 0
        if stopped:
            log.warning("abstractive summaries stopped for this poll: %s", stopped[0])
        return sum(results)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, timeout=self.settings.llm_timeout)

    async def _summarize(
        self, client: httpx.AsyncClient, item_id: int, *, raise_stop: bool = False
    ) -> tuple[str, bool]:
        """(summary to show, True when it was just made); falls back on any failure."""
        item = await self._load(item_id)
        if item is None:
            return "", False
        if item.summary_llm:
            return item.summary_llm, False
        if not self.enabled:
            return item.summary, False
        try:
            answer = await self._ask(client, item)
            await self._store(item, answer)
        except _Failure as failure:
            log.warning("no abstractive summary for item %s: %s", item_id, failure.reason)
            if failure.stop and raise_stop:
                raise
            return item.summary, False
        except Exception:
            log.exception("no abstractive summary for item %s", item_id)
            return item.summary, False
        return answer, True

    async def _load(self, item_id: int) -> _ItemText | None:
        async with self.db.session() as session:
            item = await session.get(Item, item_id)
            if item is None:
                return None
            return _ItemText(
                item.id,
                item.title,
                item.body,
                item.summary,
                item.summary_llm,
                item.language,
                item.story_id,
                item.canonical_url or item.url,
            )

    async def _ask(self, client: httpx.AsyncClient, item: _ItemText) -> str:
        headers = self._auth_headers()
        await self._reserve()
        words = self.settings.words
        payload = {
            "model": self.settings.llm_model,
            "messages": build_messages(item.title, item.body, item.language, words),
            "temperature": TEMPERATURE,
            "max_tokens": max_answer_words(words) * TOKENS_PER_WORD,
        }
        try:
            async with asyncio.timeout(self.settings.llm_timeout):  # the whole exchange, not each read
                response = await client.post(self.endpoint, json=payload, headers=headers)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise _Failure(f"timed out after {self.settings.llm_timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise _Failure(f"request failed: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise _Failure(f"HTTP {response.status_code}: {response.text[:200]!r}")
        content = _answer_content(response)
        lang = prompt_language(item.language, item.title, item.body)
        answer = clean_answer(content, words, lang)
        if answer is None:
            raise _Failure(f"unusable answer: {content[:200]!r}")
        return answer

    def _auth_headers(self) -> dict[str, str]:
        name = self.settings.llm_api_key_env.strip()
        if not name:  # a local server that wants no key
            return {}
        key = (self.environ if self.environ is not None else os.environ).get(name, "").strip()
        if not key:
            raise _Failure(f"no API key: ${name} is not set", stop=True)
        return {"Authorization": f"Bearer {key}"}

    async def _reserve(self) -> None:
        day = self.clock().astimezone(UTC).date().isoformat()
        cap = self.settings.llm_daily_requests
        async with turn(self.db), self.db.transaction() as session:
            granted = await try_reserve_request(session, day, cap)
        if not granted:
            raise _Failure(f"daily cap of {cap} requests reached for {day}", stop=True)

    async def _store(self, item: _ItemText, answer: str) -> None:
        async with turn(self.db), self.db.transaction() as session:
            await session.execute(update(Item).where(Item.id == item.id).values(summary_llm=answer))
            if item.story_id is not None:
                # Only the story this item started carries its summary (same rule as item updates).
                await session.execute(
                    update(Story)
                    .where(Story.id == item.story_id, Story.url == item.story_url)
                    .values(summary=answer)
                )


def _answer_content(response: httpx.Response) -> str:
    """choices[0].message.content of a chat-completions answer, or a failure saying what was wrong."""
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise _Failure(f"malformed answer: {response.text[:200]!r}") from exc
    if not isinstance(content, str):
        raise _Failure(f"malformed answer: content is {type(content).__name__}")
    return content
