# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""Abstractive summaries against a stand-in chat-completions endpoint over real HTTP, on SQLite and
PostgreSQL: cached per item, prompt in the item's language, key from the environment, a daily cap,
and the extractive summary kept on every failure (texts written for these tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jobs.abstractive import AbstractiveSummarizer
from news.config import Config
from storage.db import Database
from storage.llm_usage import requests_on
from storage.models import Item, LlmUsage, Source, Story
from tests.jobs.llm_standin import LlmStandin
from tests.jobs.pollkit import FeedItem, clock, fetcher, poller, rss  # noqa: F401 - fixtures

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
TODAY = "2026-11-27"
KEY_VAR = "TEST_BANTIN_LLM_KEY"
KEY = "sk-local-test-123"

VI = {
    "title": "Kiên Lương khánh thành nhà máy nước sạch cho ba xã ven biển",
    "body": (
        "Sáng 12/4, UBND huyện Kiên Lương khánh thành nhà máy nước sạch công suất 3.000 m3 mỗi ngày. "
        "Nhà máy được xây trong 18 tháng với tổng vốn 45 tỷ đồng và phục vụ 5.000 hộ dân. "
        "Trước đây người dân phải mua nước ngọt chở bằng ghe với giá 150.000 đồng mỗi khối."
    ),
    "summary": "Sáng 12/4, UBND huyện Kiên Lương khánh thành nhà máy nước sạch công suất 3.000 m3 mỗi ngày.",
    "language": "vi",
}
EN = {
    "title": "Council approves a bridge over the Red River",
    "body": (
        "The city council approved a new bridge over the Red River on Monday, ending a decade of debate. "
        "The bridge will cost $40 million and open in 2027. The ferry service will stop once it opens."
    ),
    "summary": "The city council approved a new bridge over the Red River on Monday.",
    "language": "en",
}
VI_ANSWER = (
    "Huyện Kiên Lương đưa vào dùng nhà máy nước sạch 45 tỷ đồng, cấp nước cho 5.000 hộ dân ba xã ven biển."
)
EN_ANSWER = "The council approved a $40 million Red River bridge that opens in 2027 and replaces the ferry."


def llm_config(standin: LlmStandin, **summaries: object) -> Config:
    config = Config()
    config.summaries.words = 40
    config.summaries.llm_base_url = standin.base_url
    config.summaries.llm_model = "tom-tat-test"
    config.summaries.llm_api_key_env = KEY_VAR
    config.summaries.llm_timeout = 5.0
    config.summaries.llm_daily_requests = 100
    for key, value in summaries.items():
        setattr(config.summaries, key, value)
    return config


@pytest.fixture
async def standin():
    async with LlmStandin(answer=VI_ANSWER) as server:
        yield server


def summarizer(config: Config, db: Database, *, key: str | None = KEY, now: datetime = NOW):
    environ = {KEY_VAR: key} if key is not None else {}
    return AbstractiveSummarizer(config, db, clock=lambda: now, environ=environ)


async def add_item(db: Database, text: dict, *, n: int = 1, story_from: Item | None = None) -> Item:
    """An item with its own story (or joining the story of `story_from`), as ingest leaves it."""
    async with db.transaction() as session:
        source = await session.scalar(select(Source).where(Source.name == "Tin tỉnh"))
        if source is None:
            source = Source(name="Tin tỉnh", url="https://tinh.example.vn/rss")
            session.add(source)
            await session.flush()
        url = f"https://tinh.example.vn/tin/{n}.html"
        if story_from is None:
            story = Story(
                title=text["title"], url=url, summary=text["summary"], signature=n, published_at=NOW
            )
            session.add(story)
            await session.flush()
            story_id = story.id
        else:
            story_id = story_from.story_id
        item = Item(
            source_id=source.id,
            story_id=story_id,
            guid=url,
            url=url,
            canonical_url=url,
            title=text["title"],
            body=text["body"],
            summary=text["summary"],
            language=text["language"],
            published_at=NOW,
            content_fingerprint=f"fp-{n}",
            signature=n,
        )
        session.add(item)
    return item


async def stored(db: Database, item: Item) -> tuple[str | None, str]:
    """(the item's summary_llm, its story's summary)."""
    async with db.session() as session:
        row = await session.get(Item, item.id)
        story = await session.get(Story, row.story_id)
        return row.summary_llm, story.summary


async def test_answer_is_stored_shown_by_the_story_and_cached(fresh_db, standin):
    item = await add_item(fresh_db, VI)
    llm = summarizer(llm_config(standin), fresh_db)

    assert await llm.summarize_item(item.id) == VI_ANSWER
    assert await stored(fresh_db, item) == (VI_ANSWER, VI_ANSWER)
    assert await llm.summarize_item(item.id) == VI_ANSWER
    assert len(standin.requests) == 1  # the second call was answered from the cache
    request = standin.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "tom-tat-test"
    async with fresh_db.session() as session:
        assert await requests_on(session, TODAY) == 1


@pytest.mark.parametrize(
    ("text", "answer", "system_says", "user_starts"),
    [
        (VI, VI_ANSWER, "bằng tiếng Việt, tối đa 40 từ", "Tiêu đề: Kiên Lương"),
        (EN, EN_ANSWER, "in English, in at most 40 words", "Title: Council approves"),
    ],
)
async def test_prompt_is_in_the_items_language(fresh_db, standin, text, answer, system_says, user_starts):
    standin.answer = answer
    item = await add_item(fresh_db, text)

    assert await summarizer(llm_config(standin), fresh_db).summarize_item(item.id) == answer
    system, user = standin.requests[0].messages
    assert system["role"] == "system" and system_says in system["content"]
    assert user["role"] == "user" and user["content"].startswith(user_starts)
    assert text["body"][:60] in user["content"]


async def test_api_key_comes_from_the_named_environment_variable(fresh_db, standin, monkeypatch):
    monkeypatch.setenv("MY_ENDPOINT_KEY", "sk-from-env")
    item = await add_item(fresh_db, VI)
    config = llm_config(standin, llm_api_key_env="MY_ENDPOINT_KEY")

    await AbstractiveSummarizer(config, fresh_db, clock=lambda: NOW).summarize_item(item.id)
    assert standin.requests[0].headers["authorization"] == "Bearer sk-from-env"


async def test_empty_key_variable_name_sends_no_authorization(fresh_db, standin):
    item = await add_item(fresh_db, VI)
    llm = summarizer(llm_config(standin, llm_api_key_env=""), fresh_db, key=None)

    assert await llm.summarize_item(item.id) == VI_ANSWER
    assert "authorization" not in standin.requests[0].headers


@pytest.mark.parametrize(
    ("mode", "answer", "raw", "settings"),
    [
        pytest.param("hang", "", "", {"llm_timeout": 0.3}, id="timeout"),
        pytest.param("drip", VI_ANSWER, "", {"llm_timeout": 0.3}, id="slow-drip-past-the-timeout"),
        pytest.param("error", "", "", {}, id="http-500"),
        pytest.param("garbage", "", "not json {", {}, id="garbage-json"),
        pytest.param("garbage", "", '{"choices": []}', {}, id="no-choices"),
        pytest.param("garbage", "", '{"choices": [{"message": {"content": null}}]}', {}, id="null-content"),
        pytest.param("answer", "", "", {}, id="empty-answer"),
        pytest.param("answer", "rất dài " * 80, "", {}, id="over-long-answer"),
        pytest.param("answer", EN_ANSWER, "", {}, id="wrong-language"),
        pytest.param("answer", "Xin lỗi, tôi không thể tóm tắt bài này.", "", {}, id="refusal"),
    ],
)
async def test_any_failure_keeps_the_extractive_summary(fresh_db, standin, mode, answer, raw, settings):
    standin.mode, standin.answer, standin.raw = mode, answer, raw
    item = await add_item(fresh_db, VI)

    assert (
        await summarizer(llm_config(standin, **settings), fresh_db).summarize_item(item.id) == VI["summary"]
    )
    assert len(standin.requests) == 1
    assert await stored(fresh_db, item) == (None, VI["summary"])


async def test_failed_request_is_not_cached_and_counts_against_the_cap(fresh_db, standin):
    item = await add_item(fresh_db, VI)
    llm = summarizer(llm_config(standin), fresh_db)
    standin.mode = "error"
    assert await llm.summarize_item(item.id) == VI["summary"]

    standin.mode = "answer"
    assert await llm.summarize_item(item.id) == VI_ANSWER
    assert len(standin.requests) == 2
    async with fresh_db.session() as session:
        assert await requests_on(session, TODAY) == 2


async def test_daily_cap_reached_makes_no_request_until_the_next_utc_day(fresh_db, standin):
    item = await add_item(fresh_db, VI)
    async with fresh_db.transaction() as session:
        session.add(LlmUsage(day=TODAY, requests=3))
    config = llm_config(standin, llm_daily_requests=3)

    assert await summarizer(config, fresh_db).summarize_item(item.id) == VI["summary"]
    assert standin.requests == []
    assert await stored(fresh_db, item) == (None, VI["summary"])

    tomorrow = NOW + timedelta(days=1)
    assert await summarizer(config, fresh_db, now=tomorrow).summarize_item(item.id) == VI_ANSWER
    assert len(standin.requests) == 1


async def test_missing_key_makes_no_request(fresh_db, standin):
    item = await add_item(fresh_db, VI)

    assert await summarizer(llm_config(standin), fresh_db, key=None).summarize_item(item.id) == VI["summary"]
    assert standin.requests == []
    async with fresh_db.session() as session:
        assert await requests_on(session, TODAY) == 0


@pytest.mark.parametrize("unset", ["llm_base_url", "llm_model"])
async def test_disabled_without_base_url_or_model_does_nothing(fresh_db, standin, unset):
    item = await add_item(fresh_db, VI)
    llm = summarizer(llm_config(standin, **{unset: ""}), fresh_db)

    assert not llm.enabled
    assert await llm.summarize_item(item.id) == VI["summary"]
    assert await llm.summarize_new_items([item.id], 10) == 0
    assert standin.requests == []
    assert await stored(fresh_db, item) == (None, VI["summary"])


async def test_story_made_from_another_item_keeps_its_summary(fresh_db, standin):
    first = await add_item(fresh_db, EN, n=1)
    joined = await add_item(fresh_db, VI, n=2, story_from=first)

    assert await summarizer(llm_config(standin), fresh_db).summarize_item(joined.id) == VI_ANSWER
    assert await stored(fresh_db, joined) == (VI_ANSWER, EN["summary"])


async def test_new_items_are_summarized_up_to_the_limit(fresh_db, standin):
    items = [await add_item(fresh_db, VI, n=n) for n in range(1, 4)]
    llm = summarizer(llm_config(standin), fresh_db)

    assert await llm.summarize_new_items([i.id for i in items], limit=2) == 2
    assert len(standin.requests) == 2
    assert [(await stored(fresh_db, i))[0] for i in items] == [VI_ANSWER, VI_ANSWER, None]


async def test_a_batch_stops_at_the_cap(fresh_db, standin):
    items = [await add_item(fresh_db, VI, n=n) for n in range(1, 6)]
    llm = summarizer(llm_config(standin, llm_daily_requests=2), fresh_db)

    assert await llm.summarize_new_items([i.id for i in items], limit=10) == 2
    assert len(standin.requests) == 2


async def test_a_batch_survives_an_unknown_item(fresh_db, standin):
    item = await add_item(fresh_db, VI)
    llm = summarizer(llm_config(standin), fresh_db)

    assert await llm.summarize_new_items([987654, item.id], limit=10) == 1
    assert await llm.summarize_item(987654) == ""


@pytest.mark.parametrize(("mode", "shown"), [("answer", VI_ANSWER), ("error", None)])
async def test_poll_path_summarizes_what_it_stored(poller, standin, monkeypatch, mode, shown):
    monkeypatch.setenv(KEY_VAR, KEY)
    poller.config.summaries = llm_config(standin).summaries
    standin.mode = mode
    entry = FeedItem(VI["title"], "https://tinh.example.vn/tin/nuoc-sach-1.html", VI["body"], published=NOW)
    await poller.add("Tin tỉnh", poller.server.serve("/tin.rss", rss([entry]).encode()))

    outcome = (await poller.cycle())["Tin tỉnh"]

    assert outcome.status == "new" and len(outcome.new_item_ids) == 1
    assert len(standin.requests) == 1
    (item,) = await poller.items()
    ((story, _sources),) = await poller.stories()
    assert item.summary_llm == shown
    assert story.summary == (shown or item.summary)
    await poller.cycle(after=timedelta(hours=1))  # nothing new: nothing asked
    assert len(standin.requests) == 1
