"""find_article_links: article links of a listing page, by CSS selector or discovered."""

from __future__ import annotations

from pathlib import Path

import pytest

from news.listing import find_article_links

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
LISTING_URL = "https://tinhuymau.example.vn/chuyen-muc/tin-tuc.html"
SITE = "https://tinhuymau.example.vn"
ARTICLES = [
    f"{SITE}/tin-tuc/tinh-uy-tong-ket-cong-tac-xay-dung-dang-2042.html",
    f"{SITE}/tin-tuc/hoi-nghi-ban-chap-hanh-lan-thu-muoi-ba-2041.html",  # utm_source dropped
    f"{SITE}/tin-tuc/trien-khai-nghi-quyet-ve-cong-tac-dan-van-2040.html",
    "https://www.tinhuymau.example.vn/tin-tuc/ra-mat-mo-hinh-dan-van-kheo-o-xa-dao-2039.html",
    f"{SITE}/Default.aspx?ArticleID=2038&tabid=55",
    f"{SITE}/tin-tuc/2037.html",
]


@pytest.fixture
def listing_html() -> str:
    return (PAGES / "portal_listing.html").read_text(encoding="utf-8")


def test_discovers_the_six_articles_in_page_order_without_navigation(listing_html):
    assert find_article_links(listing_html, LISTING_URL, None) == ARTICLES


def test_limit_keeps_the_first_links(listing_html):
    assert find_article_links(listing_html, LISTING_URL, None, limit=2) == ARTICLES[:2]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("div.list-news h3 a", ARTICLES),
        ("div.list-news h3", ARTICLES),  # links inside the matched elements
        ("div.paging", [f"{SITE}/chuyen-muc/tin-tuc.html?page=2", f"{SITE}/chuyen-muc/tin-tuc/trang-2.html"]),
        ("div.nothing-here", []),
    ],
)
def test_selector_takes_exactly_what_it_matches(listing_html, selector, expected):
    assert find_article_links(listing_html, LISTING_URL, selector) == expected


def test_invalid_selector_is_a_value_error(listing_html):
    with pytest.raises(ValueError, match="selector"):
        find_article_links(listing_html, LISTING_URL, "div[[")


@pytest.mark.parametrize(
    ("href", "text", "found"),
    [
        (
            "/xa-hoi/nguoi-dan-xa-dao-don-dien-luoi-quoc-gia-991.html",
            "Người dân xã đảo đón điện lưới quốc gia",
            True,
        ),
        ("/xa-hoi/nguoi-dan-xa-dao-don-dien-luoi-quoc-gia-991.html", "", True),  # image link, telling URL
        ("/xa-hoi.html", "Xã hội", False),
        ("/tag/dien-luoi-quoc-gia-ve-xa-dao-nam-nay.html", "Điện lưới quốc gia về xã đảo năm nay", False),
        ("/tim-kiem?q=dien-luoi", "Tìm kiếm tin tức về điện lưới quốc gia", False),
        ("/dang-nhap", "Đăng nhập để bình luận bài viết này nhé", False),
        (
            "https://other.example.com/bai-viet-hay-ve-dien-luoi-quoc-gia-991.html",
            "Bài viết hay về điện lưới quốc gia ở nơi khác",
            False,
        ),
        (
            "https://kinhte.tinhuymau.example.vn/gia-lua-tang-nhe-o-cac-huyen-992.html",
            "Giá lúa tăng nhẹ ở các huyện trong tỉnh",
            True,
        ),
        ("/anh/dien-luoi-quoc-gia-ve-xa-dao-991.jpg", "Ảnh điện lưới quốc gia về xã đảo", False),
        ("javascript:void(0)", "Mở cửa sổ chia sẻ bài viết này", False),
        # ids of a menu tab, a category or a file are not an article's id (DotNetNuke, SharePoint)
        ("/Default.aspx?tabid=120", "Văn hóa - Thể thao - Du lịch", False),
        ("/Pages/tin-tuc.aspx?CategoryID=12", "Kinh tế - Xã hội - Văn hóa - Thể thao", False),
        ("/tin-tuc.aspx?CatID=12", "Kinh tế - Xã hội - Văn hóa - Thể thao", False),
        ("/DownloadFile.aspx?FileID=1234", "Tải về Quyết định số 1234/QĐ-UBND phê duyệt kế hoạch", False),
        ("/Default.aspx?tabid=55&ArticleID=2038", "UBND tỉnh họp bàn phát triển kinh tế biển", True),
        ("/News.aspx?CatID=3&NewsID=456", "Tỉnh công bố quy hoạch du lịch đến năm 2030", True),
        ("/Pages/tin-tuc.aspx?ItemID=12345", "Tỉnh công bố quy hoạch du lịch đến năm 2030", True),
        # DotNetNuke's friendly addresses carry the ids as path segments
        ("/tin-tuc/tabid/55/ArticleID/2038/Default.aspx", "UBND tỉnh họp bàn phát triển kinh tế biển", True),
        (
            "/tabid/55/ArticleId/2038/language/vi-VN/Default.aspx",
            "UBND tỉnh họp bàn kinh tế biển năm nay",
            True,
        ),
        ("/tin-tuc/tabid/56/Default.aspx", "Văn hóa - Thể thao - Du lịch", False),
        ("/tabid/56/CategoryID/12/Default.aspx", "Văn hóa - Thể thao - Du lịch", False),
        # the print version of an article is the same story at another address
        ("/Pages/print.aspx?ItemID=12345", "In bài: Tỉnh công bố quy hoạch du lịch đến năm 2030", False),
        (
            "/print/tin-tuc/quy-hoach-du-lich-den-nam-2030-1234.html",
            "In bài viết quy hoạch du lịch đến 2030",
            False,
        ),
        (
            "/tin-tuc/quy-hoach-du-lich-den-nam-2030-1234.html?print=1",
            "In bài viết quy hoạch du lịch năm 2030",
            False,
        ),
        (
            "/tin-tuc/quy-hoach-du-lich-den-nam-2030-1234.html?mode=print",
            "In bài viết quy hoạch du lịch năm 2030",
            False,
        ),
        (
            "/tin-tuc/ban-in-quy-hoach-du-lich-den-nam-2030-1234.html",
            "Quy hoạch du lịch đến năm 2030 được công bố",
            True,
        ),
        # a search result page (SharePoint portals: `SearchResult.aspx?k=…`) is no article
        ("/Pages/SearchResult.aspx?k=kinh%20te&id=123", "Kết quả tìm kiếm cho từ khóa kinh tế", False),
        ("/Pages/SearchResults.aspx?k=du%20lich", "Kết quả tìm kiếm cho từ khóa du lịch", False),
        ("/", "Về trang chủ của cổng thông tin điện tử", False),
        # share and send-by-email pages carry the article's id but are no article
        (
            "/share.aspx?url=/tin/abc-1234.html&id=1234",
            "Chia sẻ bài viết này lên mạng xã hội Facebook",
            False,
        ),
        ("/SendMail.aspx?ItemID=12345", "Gửi bài viết này qua thư điện tử cho bạn bè", False),
        ("/tin-tuc/gui-email.aspx?NewsID=456", "Gửi bài viết này qua thư điện tử cho bạn bè", False),
    ],
)
def test_discovery_heuristics(href, text, found):
    html = f'<html><body><a href="{href}">{text}</a></body></html>'
    links = find_article_links(html, LISTING_URL, None)
    assert bool(links) is found


def test_base_element_overrides_the_page_url():
    html = '<html><head><base href="https://tinhuymau.example.vn/tin/"></head><body><a href="a.html">x</a></body></html>'
    assert find_article_links(html, LISTING_URL, "a") == [f"{SITE}/tin/a.html"]


def test_empty_page_has_no_links():
    assert find_article_links("", LISTING_URL, None) == []


@pytest.mark.parametrize(
    "hrefs",
    [
        ["/tin-tuc/quy-hoach-du-lich-den-nam-2030/", "/tin-tuc/quy-hoach-du-lich-den-nam-2030"],
        ["/tin-tuc/quy-hoach-du-lich-den-nam-2030", "/tin-tuc/quy-hoach-du-lich-den-nam-2030/"],
        ["/tin-tuc/quy-hoach-du-lich-1234.html", "/tin-tuc/quy-hoach-du-lich-1234.html?utm_source=zalo#top"],
        [
            "/tin-tuc/quy-hoach-du-lich-1234.html",
            "https://tinhuymau.example.vn:443/tin-tuc/./quy-hoach-du-lich-1234.html",
        ],
    ],
)
@pytest.mark.parametrize("selector", [None, "a"])
def test_one_article_linked_twice_is_one_link_in_its_first_spelling(hrefs, selector):
    headline = "Tỉnh công bố quy hoạch phát triển du lịch đến năm 2030"
    html = "".join(f'<p><a href="{href}">{headline}</a></p>' for href in hrefs)
    links = find_article_links(f"<html><body>{html}</body></html>", LISTING_URL, selector)
    assert links == [find_article_links(f'<a href="{hrefs[0]}">{headline}</a>', LISTING_URL, selector)[0]]


_HEADLINE = "Tỉnh tổ chức hội nghị tổng kết công tác năm nay"


@pytest.mark.parametrize(
    ("path", "is_id"),
    [
        # real article ids: a number at the end of the address's last segment, or the whole of it
        ("/tin-tuc/hop-bao-1234.html", True),
        ("/tin-tuc/hop-bao-991.html", True),
        ("/tin-tuc/hop-bao-4672302.html", True),
        ("/tin-tuc/hop-bao-20190919083012345.htm", True),
        ("/tin-tuc/hop-bao-post123456.html", True),
        ("/tin-tuc/hop-bao-d123456.html", True),
        ("/tin-tuc/hop-bao-123456.vov", True),
        ("/tin-tuc/hop-bao_123456", True),
        ("/tin-tuc/123456/", True),
        ("/tin-tuc/12345-hop-bao.html", True),  # Joomla: the id first
        ("/tin-tuc/12345-tinh-to-chuc-hoi-nghi-tong-ket.html", True),
        ("/tin-tuc/nam-2030-dat-500-ty-dong-4672302.html", True),
        # years and amounts are no ids
        ("/tin-tuc/2019/", False),
        ("/tin-tuc/nam-2019", False),
        ("/tin-tuc/2019-2025", False),
        ("/dai-hoi-2020-2025.html", False),
        ("/tin-tuc/thu-500-ty-dong", False),
        ("/tin-tuc/500-ty-dong", False),
        ("/tin-tuc/von-1500-trieu-usd", False),
        ("/tin-tuc/ky-niem-130-nam", False),
        ("/tin-tuc/trong-300-ha-lua", False),
    ],
)
def test_numbers_in_an_address_that_are_article_ids(path, is_id):
    # A short slug behind a headline counts only with an id; a long one behind an image only with an id too.
    headline = f'<html><body><a href="{path}">{_HEADLINE}</a></body></html>'
    assert bool(find_article_links(headline, LISTING_URL, None)) is is_id
    long_path = path.replace("/tin-tuc/", "/tin-tuc/tinh-to-chuc-hoi-nghi-tong-ket-cong-tac-")
    if long_path != path and not path.startswith("/tin-tuc/1"):  # an opening id stays first
        image = f'<html><body><a href="{long_path}"><img src="/a.jpg"></a></body></html>'
        assert bool(find_article_links(image, LISTING_URL, None)) is is_id
