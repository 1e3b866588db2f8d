# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""A listing's links that lead to no article (a notice with only a PDF, a topic page) are
remembered for a while: they are not fetched again at every poll, and do not keep the poll's
window of article fetches from reaching new articles further down the listing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobs import source_entries
from tests.jobs.pollkit import (  # noqa: F401 - fixtures
    ARTICLES,
    PARAGRAPHS,
    article_page,
    clock,
    fetcher,
    listing_page,
    poller,
    serve_articles,
)

LISTING = "/chuyen-muc/tin-tuc.html"
# (path, headline) of pages the listing links that are no article: a notice whose text is a PDF
# link, and a topic page of headlines.
NOTICES = [
    ("/tin-tuc/thong-bao-ket-qua-tuyen-dung-vien-chuc-nam-2019-3001.html", "Thông báo kết quả tuyển dụng viên chức năm 2019"),
    ("/tin-tuc/thong-bao-lich-tiep-cong-dan-thang-muoi-nam-2019-3002.html", "Thông báo lịch tiếp công dân tháng Mười năm 2019"),
    ("/tin-tuc/chuyen-de-hoc-tap-va-lam-theo-tu-tuong-dao-duc-3003.html", "Chuyên đề học tập và làm theo tư tưởng, đạo đức"),
]  # fmt: skip
NEW_ARTICLE = (
    "/tin-tuc/khanh-thanh-cau-rach-mieu-hai-noi-hai-tinh-2043.html",
    "Khánh thành cầu Rạch Miễu 2 nối hai tỉnh",
)


def serve_notices(server) -> None:
    pdf_only = article_page(NOTICES[0][1], []).replace(
        "<p style", '<p><a href="/files/kq.pdf">Tải về</a></p><p style'
    )
    server.serve(NOTICES[0][0], pdf_only.encode(), content_type="text/html")
    server.serve(NOTICES[1][0], b"%PDF-1.4 not a page", content_type="application/pdf")
    topic = listing_page([(path, title) for path, (title, *_r) in ARTICLES.items()])
    server.serve(NOTICES[2][0], topic.encode(), content_type="text/html")


def serve(server, links: list[tuple[str, str]]) -> str:
    return server.serve(LISTING, listing_page(links).encode(), content_type="text/html")


def articles() -> list[tuple[str, str]]:
    return [(path, title) for path, (title, *_rest) in ARTICLES.items()]


def serve_new_article(server) -> None:
    page = article_page(NEW_ARTICLE[1], PARAGRAPHS["nong-thon"], date="20.09.2019")
    server.serve(NEW_ARTICLE[0], page.encode(), content_type="text/html")


def fetches(server, links: list[tuple[str, str]]) -> list[int]:
    return [len(server.requests_to(path)) for path, _title in links]


async def test_links_that_are_no_article_are_not_fetched_at_every_poll(poller):
    serve_articles(poller.server)
    serve_notices(poller.server)
    url = serve(poller.server, [*NOTICES, *articles()])
    await poller.add("cổng", url, kind="html")
    assert (await poller.cycle())["cổng"].new == 3
    assert fetches(poller.server, NOTICES) == [1, 1, 1]

    serve_new_article(poller.server)
    serve(poller.server, [NEW_ARTICLE, *NOTICES, *articles()])
    again = (await poller.cycle(after=timedelta(hours=7)))["cổng"]

    assert (again.status, again.new) == ("new", 1), again.error
    assert fetches(poller.server, NOTICES) == [1, 1, 1], "remembered: not fetched again"
    assert fetches(poller.server, [NEW_ARTICLE]) == [1]


async def test_remembered_links_are_fetched_again_once_the_memory_expires(poller):
    serve_articles(poller.server)
    serve_notices(poller.server)
    url = serve(poller.server, [*NOTICES, *articles()])
    await poller.add("cổng", url, kind="html")
    await poller.cycle()
    await poller.cycle(after=timedelta(hours=7))
    assert fetches(poller.server, NOTICES) == [1, 1, 1]

    later = (await poller.cycle(after=timedelta(days=2)))["cổng"]

    assert later.status != "error", later.error
    assert fetches(poller.server, NOTICES) == [2, 2, 2]


async def test_remembered_links_leave_the_poll_window_to_new_articles(poller, monkeypatch):
    # The window of article pages fetched per poll is smaller than the listing's non-articles:
    # without a memory the same notices filled it at every poll and the new article was never read.
    monkeypatch.setattr(source_entries, "ARTICLES_PER_POLL", 2)
    serve_articles(poller.server)
    serve_notices(poller.server)
    url = serve(poller.server, [*articles()[:2], *NOTICES])
    await poller.add("cổng", url, kind="html")
    assert (await poller.cycle())["cổng"].new == 2
    (await poller.cycle(after=timedelta(hours=1)))  # the notices past the first window
    serve_new_article(poller.server)
    serve(poller.server, [*articles()[:2], *NOTICES, NEW_ARTICLE])

    again = (await poller.cycle(after=timedelta(hours=2)))["cổng"]

    assert (again.status, again.new) == ("new", 1), again.error
    assert fetches(poller.server, NOTICES) == [1, 1, 1]


@pytest.mark.parametrize("limit", [1, 3])
async def test_a_listing_of_only_notices_and_known_articles_is_no_error(poller, monkeypatch, limit):
    monkeypatch.setattr(source_entries, "ARTICLES_PER_POLL", limit)
    serve_articles(poller.server)
    serve_notices(poller.server)
    url = serve(poller.server, [*articles(), *NOTICES])
    await poller.add("cổng", url, kind="html")
    for _ in range(6):  # one link more each poll at the smallest window: three for the notices
        outcome = (await poller.cycle(after=timedelta(hours=1)))["cổng"]
        assert outcome.status != "error", outcome.error
    assert fetches(poller.server, NOTICES) == [1, 1, 1]
