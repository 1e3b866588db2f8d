# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""The same story from several feeds through the poll path: one story with several sources."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.stories import latest_stories
from tests.jobs.pollkit import FeedItem, clock, fetcher, poller, rss  # noqa: F401 - fixtures

PUBLISHED = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
LINK = "https://baoa.example.vn/thoi-su/hoa-giai-o-co-so-huyen-thuy-tien-701.html"
TITLE = "Huyện Thủy Tiên: hòa giải thành công 412 vụ việc ở cơ sở"
LEAD = (
    "Ủy ban nhân dân huyện Thủy Tiên vừa tổng kết công tác hòa giải ở cơ sở năm 2026. "
    "Các tổ hòa giải đã giải quyết thành công 412 vụ việc, đạt tỷ lệ 87,5%, góp phần giữ gìn "
    "an ninh trật tự và sự hòa thuận trong khu dân cư."
)
# The same text the way an old CMS writes it: tone marks in the old place (hoà, Thuỷ, Uỷ).
OLD_STYLE = {"hòa": "hoà", "Thủy": "Thuỷ", "Ủy": "Uỷ"}


def old_style(text: str) -> str:
    for new, old in OLD_STYLE.items():
        text = text.replace(new, old)
    return text


OTHER = FeedItem(
    "Khánh thành cầu Rạch Miễu 2 nối hai tỉnh",
    "https://baoa.example.vn/giao-thong/cau-rach-mieu-2-702.html",
    "Cầu Rạch Miễu 2 dài hơn 17 km được khánh thành sau ba năm thi công, rút ngắn thời gian đi lại.",
    published=PUBLISHED,
)


async def test_same_article_with_tracking_parameters_and_old_tone_marks_is_one_story_two_sources(poller):
    a = FeedItem(TITLE, LINK, LEAD, published=PUBLISHED)
    b = FeedItem(old_style(TITLE), LINK + "?utm_source=zalo&utm_medium=social&zarsrc=30&fbclid=IwAR0x#binh-luan",
                 old_style(LEAD), published=PUBLISHED)  # fmt: skip
    await poller.add("Báo A", poller.server.serve("/a.rss", rss([a, OTHER]).encode()))
    await poller.add("Cổng B", poller.server.serve("/b.rss", rss([b]).encode()))

    outcomes = await poller.cycle()

    assert outcomes["Báo A"].new == 2
    assert (outcomes["Cổng B"].new, outcomes["Cổng B"].duplicate) == (0, 1)
    stories = await poller.stories()
    assert len(stories) == 2
    ((story, sources),) = [(s, n) for s, n in stories if s.title == TITLE]
    assert sorted(sources) == ["Báo A", "Cổng B"]
    assert story.url == LINK, "whichever source came first, readers get the clean address"
    assert len(await poller.items()) == 2


async def test_story_url_has_no_tracking_parameters_but_the_item_keeps_the_link_as_given(poller):
    tracked = LINK + "?utm_source=rss&fbclid=x#top"
    await poller.add("Cổng B", poller.server.serve("/b.rss", rss([FeedItem(TITLE, tracked, LEAD)]).encode()))
    await poller.cycle()
    ((story, _sources),) = await poller.stories()
    assert story.url == LINK
    assert [(i.url, i.canonical_url) for i in await poller.items()] == [(tracked, LINK)]


async def test_near_duplicate_from_another_feed_joins_the_story(poller):
    a = FeedItem(TITLE, LINK, LEAD, published=PUBLISHED)
    # Its own address, a source suffix on the title, a dateline and one more sentence in the lead.
    b = FeedItem(
        old_style(TITLE) + " - Cổng TTĐT huyện",
        "https://thuytien.example.gov.vn/tin-tuc/hoa-giai-co-so-2026-55.html?utm_campaign=rss",
        "(TTĐT) - " + old_style(LEAD) + " Hội nghị cũng khen thưởng 12 tổ hòa giải tiêu biểu.",
        published=PUBLISHED,
    )
    await poller.add("Báo A", poller.server.serve("/a.rss", rss([a, OTHER]).encode()))
    await poller.cycle()
    await poller.add("Cổng B", poller.server.serve("/b.rss", rss([b]).encode()))

    outcome = (await poller.cycle())["Cổng B"]

    assert (outcome.new, outcome.new_story_ids) == (1, []), "a new item, but no new story"
    stories = await poller.stories()
    assert len(stories) == 2
    ((story, sources),) = [(s, n) for s, n in stories if s.title == TITLE]
    assert sources == ["Báo A", "Cổng B"] and story.item_count == 2
    async with poller.db.session() as session:
        rows = await latest_stories(session, limit=10)
    assert [(r.title, r.sources) for r in rows if r.id == story.id] == [(TITLE, ("Báo A", "Cổng B"))]


async def test_different_stories_from_two_feeds_stay_apart(poller):
    a = FeedItem(TITLE, LINK, LEAD, published=PUBLISHED)
    await poller.add("Báo A", poller.server.serve("/a.rss", rss([a]).encode()))
    await poller.add("Cổng B", poller.server.serve("/b.rss", rss([OTHER]).encode()))
    outcomes = await poller.cycle()
    assert len(outcomes["Báo A"].new_story_ids) == 1 and len(outcomes["Cổng B"].new_story_ids) == 1
    assert [len(sources) for _story, sources in await poller.stories()] == [1, 1]
