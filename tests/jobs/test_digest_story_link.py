# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""A story two sources carried, as each chat's digest shows it: the title and link of an item from a
source the chat follows, not those of a source it chose not to follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.digest import compose_due_digests
from news.config import Config
from tests.delivery.world import add_subscribers, outbox_rows
from tests.jobs.pollkit import START, FeedItem, clock, fetcher, poller, rss  # noqa: F401 - fixtures

PUBLISHED = datetime(2026, 11, 27, 0, 15, tzinfo=UTC)
LEAD = (
    "Sở Giáo dục và Đào tạo tỉnh Mẫu cho biết năm học mới có thêm 36 phòng học được xây dựng ở các "
    "xã vùng cao. Hơn 2.400 học sinh được nhận sách giáo khoa miễn phí trước ngày khai giảng."
)
FIRST = FeedItem(
    "Tỉnh Mẫu sẵn sàng cho năm học mới", "https://baoa.example.vn/giao-duc/nam-hoc-moi-811.html", LEAD,
    published=PUBLISHED,
)  # fmt: skip
SECOND = FeedItem(
    "Tỉnh Mẫu đã sẵn sàng cho năm học mới",
    "https://congb.example.gov.vn/tin-tuc/nam-hoc-moi-vung-cao-93.html",
    "(TTĐT) - " + LEAD + " Ngành giáo dục cũng bổ sung 120 giáo viên cho các trường.",
    published=PUBLISHED,
)


async def _two_sources_one_story(poller) -> dict[str, int]:
    sources = {
        "Báo A": await poller.add("Báo A", poller.server.serve("/a.rss", rss([FIRST]).encode())),
        "Cổng B": await poller.add("Cổng B", poller.server.serve("/b.rss", rss([SECOND]).encode())),
    }
    await poller.cycle()
    [(story, carried_by)] = await poller.stories()
    assert (story.url, carried_by) == (FIRST.link, ["Báo A", "Cổng B"])
    return {name: source.id for name, source in sources.items()}


@pytest.mark.parametrize(
    ("follows", "shown"),
    [
        (["Cổng B"], SECOND),  # the story's own link is Báo A's, which this chat does not follow
        (["Báo A"], FIRST),
        (["Báo A", "Cổng B"], FIRST),
        (None, FIRST),  # every source: the story's own
    ],
)
async def test_a_story_shows_the_title_and_link_of_a_source_the_chat_follows(poller, follows, shown):
    sources = await _two_sources_one_story(poller)
    chosen = None if follows is None else [sources[name] for name in follows]
    await add_subscribers(poller.db, 1, sources=chosen, next_digest_at=START)

    await compose_due_digests(poller.db, Config(), START + timedelta(minutes=5))

    [row] = await outbox_rows(poller.db)
    other = SECOND if shown is FIRST else FIRST
    assert f'href="{shown.link}"' in row.text and shown.title in row.text
    assert other.link not in row.text and other.title not in row.text


@pytest.mark.parametrize(
    ("include", "exclude", "sent"),
    [
        (["đã sẵn sàng"], [], True),  # only in Cổng B's title, the one this chat sees
        ([], ["đã sẵn sàng"], False),
    ],
)
async def test_keywords_match_the_title_the_chat_is_shown(poller, include, exclude, sent):
    sources = await _two_sources_one_story(poller)
    await add_subscribers(
        poller.db,
        1,
        sources=[sources["Cổng B"]],
        next_digest_at=START,
        include_keywords=include,
        exclude_keywords=exclude,
        no_news_notice=False,
    )

    await compose_due_digests(poller.db, Config(), START + timedelta(minutes=5))

    assert any(SECOND.link in row.text for row in await outbox_rows(poller.db)) is sent
