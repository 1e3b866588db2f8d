# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""A listing page's validators (ETag, Last-Modified) and the articles a poll left for later: stored,
they made the next poll a 304, and those articles waited until the listing itself changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobs.source_entries import ARTICLES_PER_POLL
from tests.jobs.pollkit import article_page, clock, fetcher, listing_page, poller  # noqa: F401 - fixtures

LATER = timedelta(hours=7)
HTML = "text/html; charset=utf-8"


def _serve_articles(
    server, count: int, *, failing: int = 0, status: int = 503, not_articles: int = 0
) -> list[tuple[str, str]]:
    """`count` article pages, the first `failing` answering `status` and the next `not_articles` a
    page with no article on it; the (href, headline) links of a listing."""
    links = []
    for n in range(count):
        path = f"/tin-tuc/duong-lang-xa-{n}-{3100 + n}.html"
        title = f"Xã số {n} khánh thành đường bê tông liên thôn"
        paragraphs = [
            f"Sáng ngày {n % 28 + 1}/10, Ủy ban nhân dân xã số {n} tổ chức lễ khánh thành tuyến đường bê "
            f"tông dài {n + 2} cây số nối các thôn của xã với trung tâm huyện.",
            f"Công trình có tổng vốn đầu tư {n * 3 + 5} tỷ đồng, trong đó nhân dân đóng góp {n + 1} tỷ đồng "
            "và hàng nghìn ngày công lao động; nhiều hộ tự nguyện hiến đất làm đường.",
            f"Phát biểu tại buổi lễ, Chủ tịch xã số {n} đề nghị người dân cùng giữ gìn tuyến đường, trồng "
            "cây xanh hai bên và không để xe quá tải đi qua.",
        ]
        if n < failing:
            server.serve(path, b"", HTML, status=status)
        elif n < failing + not_articles:
            server.serve(path, "<html><body><p>Thông báo: xem tệp đính kèm.</p></body></html>".encode(), HTML)
        else:
            server.serve(path, article_page(title, paragraphs).encode(), HTML)
        links.append((path, title))
    return links


@pytest.mark.parametrize(
    ("count", "failing", "status", "not_articles", "first", "second", "second_status"),
    [
        (ARTICLES_PER_POLL + 5, 0, 503, 0, ARTICLES_PER_POLL, 5, "new"),  # past what one poll fetches
        (4, 1, 503, 0, 3, 1, "new"),  # a page that could not be fetched this time (back for the next)
        (4, 1, 404, 0, 3, 0, "not modified"),  # a page that is gone: no reason to fetch the listing
        (4, 0, 503, 1, 3, 0, "not modified"),  # a page that is no article: nothing left to fetch
        (4, 0, 503, 0, 4, 0, "not modified"),
    ],
    ids=["more links than one poll takes", "an article unreachable", "an article gone", "no article", "all"],
)
async def test_a_listing_with_articles_left_for_later_is_fetched_whole_again(
    poller, count, failing, status, not_articles, first, second, second_status
):
    links = _serve_articles(poller.server, count, failing=failing, status=status, not_articles=not_articles)
    url = poller.server.serve("/tin-tuc.html", listing_page(links).encode(), HTML, etag='"ds-1"')
    await poller.add("cổng xã", url, kind="html")

    outcome = (await poller.cycle())["cổng xã"]
    assert (outcome.status, outcome.new) == ("new", first), outcome.error
    # The page that answered 503 is back; the one that answered 404 is still gone.
    _serve_articles(
        poller.server, count, failing=failing if status == 404 else 0, status=404, not_articles=not_articles
    )
    again = (await poller.cycle(after=LATER))["cổng xã"]
    assert (again.status, again.new) == (second_status, second), again.error
