# ruff: noqa: F811 - the shared fixtures are imported by name and then requested as arguments
"""Sources with no feed through the poll path: an article page, a listing page whose article links
are found by a CSS selector or discovered, and feeds whose snippets get the full text of the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.jobs.pollkit import (  # noqa: F401 - fixtures
    ARTICLES,
    PARAGRAPHS,
    FeedItem,
    article_page,
    clock,
    fetcher,
    listing_page,
    poller,
    rss,
    serve_articles,
    serve_listing,
)

LATER = timedelta(hours=7)


async def test_party_portal_article_page_yields_title_date_author_body_and_read_count(poller):
    serve_articles(poller.server)
    path = next(iter(ARTICLES))
    await poller.add("cổng", poller.server.url(path), kind="html")

    outcome = (await poller.cycle())["cổng"]

    assert (outcome.status, outcome.new) == ("new", 1), outcome.error
    (item,) = await poller.items()
    assert item.title == "Tỉnh ủy tổng kết công tác xây dựng Đảng nhiệm kỳ 2015 - 2020"
    # `Ngày: 19.09.2019`, first seen years later: noon of that day in Vietnam
    assert item.published_at == datetime(2019, 9, 19, 5, 0, tzinfo=UTC)
    assert item.author == "Thanh Anh"
    assert item.read_count == 1044
    assert item.body.startswith("Sáng 18/9/2019") and item.body.count("\n\n") == 2
    assert "Số lần đọc" not in item.body and "Trang chủ" not in item.body
    assert item.summary
    again = (await poller.cycle(after=LATER))["cổng"]
    assert (again.new, again.duplicate) == (0, 1)


@pytest.mark.parametrize("kind", ["html", "auto"])
@pytest.mark.parametrize("selector", [None, "div.news-list a.title", "div.news-item"])
async def test_listing_page_without_feed_yields_its_articles(poller, kind, selector):
    url = serve_listing(poller.server)
    await poller.add("cổng", url, kind=kind, selector=selector)

    outcome = (await poller.cycle())["cổng"]

    assert (outcome.status, outcome.new) == ("new", 3), outcome.error
    items = {item.title: item for item in await poller.items()}
    assert set(items) == {title for title, *_ in ARTICLES.values()}
    views = {title: views for title, _text, _date, views in ARTICLES.values()}
    assert {title: item.read_count for title, item in items.items()} == views
    assert all(item.url.startswith(poller.server.url("/tin-tuc/")) for item in items.values())
    assert (await poller.source("cổng")).detected_kind == "html"
    for path in ("/gioi-thieu.html", "/lien-he.html", "/chuyen-muc/van-hoa.html"):
        assert poller.server.requests_to(path) == [], "navigation links are not followed"


async def test_a_selector_takes_only_the_links_it_matches(poller):
    url = serve_listing(poller.server)
    await poller.add("cổng", url, kind="html", selector="div.news-item:first-child a")
    outcome = (await poller.cycle())["cổng"]
    assert outcome.new == 1
    assert [i.title for i in await poller.items()] == [
        "Tỉnh ủy tổng kết công tác xây dựng Đảng nhiệm kỳ 2015 - 2020"
    ]


async def test_known_articles_of_a_listing_are_not_fetched_again(poller):
    url = serve_listing(poller.server)
    await poller.add("cổng", url, kind="html")
    await poller.cycle()
    new_path = "/tin-tuc/khanh-thanh-cau-rach-mieu-hai-noi-hai-tinh-2043.html"
    poller.server.serve(new_path, article_page("Khánh thành cầu Rạch Miễu 2 nối hai tỉnh", PARAGRAPHS["nong-thon"]).encode(),
                        content_type="text/html")  # fmt: skip
    serve_listing(poller.server, extra=[(new_path, "Khánh thành cầu Rạch Miễu 2 nối hai tỉnh")])

    again = (await poller.cycle(after=LATER))["cổng"]

    assert again.new == 1
    for path in ARTICLES:
        assert len(poller.server.requests_to(path)) == 1
    assert len(poller.server.requests_to(new_path)) == 1


async def test_listing_with_no_article_links_is_an_error(poller):
    page = listing_page([("/lien-he.html", "Liên hệ")]).encode()
    await poller.add("cổng", poller.server.serve("/index.html", page, content_type="text/html"), kind="html")
    outcome = (await poller.cycle())["cổng"]
    assert outcome.status == "error" and "no article links" in outcome.error


async def test_an_invalid_selector_is_an_error_on_the_source_not_a_crash(poller):
    url = serve_listing(poller.server)
    await poller.add("cổng", url, kind="html", selector="div[[")
    outcome = (await poller.cycle())["cổng"]
    assert outcome.status == "error"
    assert outcome.error.startswith("invalid CSS selector")


async def test_a_broken_article_link_skips_that_article_only(poller):
    url = serve_listing(
        poller.server,
        extra=[
            ("/tin-tuc/bai-viet-da-bi-go-bo-khoi-cong-2039.html", "Bài viết đã bị gỡ bỏ khỏi cổng thông tin")
        ],
    )
    await poller.add("cổng", url, kind="html")
    outcome = (await poller.cycle())["cổng"]
    assert (outcome.status, outcome.new) == ("new", 3)


def snippet_feed() -> bytes:
    items = [
        FeedItem(title, f"{path}", f"{PARAGRAPHS[text][0].split('. ')[0]}.", guid=path)
        for path, (title, text, *_rest) in ARTICLES.items()
    ]
    return rss(items).encode()


@pytest.mark.parametrize("full_text", [True, False])
async def test_full_text_fetches_the_page_of_each_snippet_entry(poller, full_text):
    serve_articles(poller.server)
    feed = snippet_feed().replace(b"<link>/", f"<link>{poller.server.url('/')}".encode())
    await poller.add("báo", poller.server.serve("/rss", feed), full_text=full_text)

    outcome = (await poller.cycle())["báo"]

    assert outcome.new == 3
    item = next(i for i in await poller.items() if i.title.startswith("Tỉnh ủy"))
    fetched = [len(poller.server.requests_to(path)) for path in ARTICLES]
    if full_text:
        assert item.body.count("\n\n") == 2 and "26.651 lượt đảng viên" in item.body
        assert (item.author, item.read_count) == ("Thanh Anh", 1044)
        assert fetched == [1, 1, 1]
    else:
        assert (
            item.body
            == "Sáng 18/9/2019, Ban Thường vụ Tỉnh ủy tổ chức hội nghị tổng kết công tác xây dựng Đảng và thi hành Điều lệ Đảng trong nhiệm kỳ."
        )
        assert fetched == [0, 0, 0]
    again = (await poller.cycle(after=LATER))["báo"]
    assert [len(poller.server.requests_to(path)) for path in ARTICLES] == fetched, "known entries: no refetch"
    assert (again.new, again.updated, again.duplicate) == (0, 0, 3)
    assert (await poller.items())[0].body == item.body, "the feed's teaser never replaces the full text"


async def test_full_text_keeps_the_feed_body_when_the_page_cannot_be_read(poller):
    items = [
        FeedItem(
            "Tin ngắn về giao thông", poller.server.url("/tin-tuc/khong-con-2001.html"), "Mở rộng quốc lộ."
        )
    ]
    await poller.add("báo", poller.server.serve("/rss", rss(items).encode()), full_text=True)
    outcome = (await poller.cycle())["báo"]
    assert outcome.new == 1
    assert (await poller.items())[0].body == "Mở rộng quốc lộ."


async def test_photo_captions_between_paragraphs_are_not_stored_in_the_body(poller):
    paragraphs = PARAGRAPHS["dang"]
    captions = [
        "Đồng chí Bí thư Tỉnh ủy phát biểu kết luận hội nghị. (Ảnh: Minh Anh)",
        "Quang cảnh hội nghị. Ảnh: T.L",
    ]
    prose = "Ban tổ chức trưng bày 120 bức ảnh tư liệu về lịch sử Đảng bộ tỉnh (ảnh trên)."
    page = article_page(
        "Tỉnh ủy tổng kết công tác xây dựng Đảng nhiệm kỳ 2015 - 2020",
        [paragraphs[0], captions[0], paragraphs[1], captions[1], prose, paragraphs[2]],
    )
    url = poller.server.serve("/tin-tuc/tong-ket-2042.html", page.encode(), content_type="text/html")
    await poller.add("cổng", url, kind="html")

    outcome = (await poller.cycle())["cổng"]

    assert (outcome.status, outcome.new) == ("new", 1), outcome.error
    (item,) = await poller.items()
    assert item.body.split("\n\n") == [paragraphs[0], paragraphs[1], prose, paragraphs[2]]
    assert item.author == "Thanh Anh"


async def test_known_articles_behind_redirecting_links_are_not_fetched_again(poller):
    # Portals link old or short addresses that redirect to the article's own address.
    serve_articles(poller.server)
    links = []
    for number, (path, (title, *_rest)) in enumerate(ARTICLES.items()):
        old = f"/tin/{2100 + number}.html"
        poller.server.redirect(old, poller.server.url(path))
        links.append((old, title))
    url = poller.server.serve(
        "/chuyen-muc/tin-tuc.html", listing_page(links).encode(), content_type="text/html"
    )
    await poller.add("cổng", url, kind="html")
    assert (await poller.cycle())["cổng"].new == 3

    again = (await poller.cycle(after=LATER))["cổng"]

    assert again.status != "error", again.error
    assert [len(poller.server.requests_to(old)) for old, _title in links] == [1, 1, 1]


async def test_a_listed_page_that_is_no_article_is_not_an_error_once_articles_are_known(poller):
    # A notice whose text is only a PDF link stays on the listing; it is skipped (and remembered).
    notice = "/tin-tuc/thong-bao-ket-qua-tuyen-dung-vien-chuc-nam-2019-2044.html"
    pdf_only = article_page("Thông báo kết quả tuyển dụng viên chức năm 2019", [])
    poller.server.serve(notice, pdf_only.replace("<p style", '<p><a href="/files/kq.pdf">Tải về</a></p><p style').encode(),
                        content_type="text/html")  # fmt: skip
    url = serve_listing(poller.server, extra=[(notice, "Thông báo kết quả tuyển dụng viên chức năm 2019")])
    await poller.add("cổng", url, kind="html")
    assert (await poller.cycle())["cổng"].new == 3

    again = (await poller.cycle(after=LATER))["cổng"]

    assert again.status != "error", again.error
    assert again.new == 0
