"""extract_article on portal-like pages written for these tests: what a provincial portal with no
feed serves besides ordinary articles (error pages served with HTTP 200, dates published and
updated, credit lines)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from news import site_rules
from news.articles import extract_article
from news.page import parse_page

VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "https://sotnmt.example.gov.vn/tin-tuc/nghiem-thu-du-an-nuoc-sach-nam-2019-3107.html"
HEADLINE = "Nghiệm thu dự án cấp nước sạch cho ba xã ven biển năm 2019"
PARAGRAPHS = (
    "Sáng 19/9, Sở Tài nguyên và Môi trường phối hợp với UBND huyện tổ chức nghiệm thu dự án cấp nước "
    "sạch cho 7.743 hộ dân ở ba xã ven biển, tổng vốn đầu tư 45,5 tỷ đồng.",
    "Theo báo cáo, hệ thống có công suất 2.400 m3 mỗi ngày đêm, đường ống dài 38,6 km. Người dân phấn "
    "khởi vì không còn phải mua nước ngọt với giá cao trong mùa khô.",
    "Phát biểu tại buổi nghiệm thu, đại diện Sở đề nghị đơn vị quản lý vận hành thường xuyên kiểm tra "
    "chất lượng nước, bảo đảm an toàn cho người sử dụng.",
)
SIDEBAR_TITLES = (
    "Tập huấn nghiệp vụ quan trắc môi trường cho cán bộ cấp huyện",
    "Ra quân thu gom rác thải nhựa ở các bãi biển trong tỉnh",
)


def portal_page(
    document_title: str, heading: str, dateline: str, paragraphs=PARAGRAPHS, tail: str = ""
) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    sidebar = "".join(
        f'<li><a href="/tin-tuc/tin-khac-{n}-30{n}.html">{t}</a></li>' for n, t in enumerate(SIDEBAR_TITLES)
    )
    return f"""<html><head><title>{document_title} - Cổng thông tin điện tử tỉnh Mẫu</title></head>
<body><div class="menu"><a href="/">Trang chủ</a> | <a href="/tin-tuc">Tin tức</a></div>
<div class="main"><h1>{heading}</h1><p class="date">{dateline}</p>{body}{tail}</div>
<div class="sidebar"><h3>Tin mới năm 2019</h3><ul>{sidebar}</ul></div></body></html>"""


NOT_FOUND_TEXT = (
    "Trang bạn yêu cầu không tồn tại hoặc đã bị gỡ bỏ. Vui lòng quay lại trang chủ hoặc dùng chức năng "
    "tìm kiếm để tìm thông tin cần thiết.",
    "Mọi góp ý về nội dung và giao diện của Cổng thông tin xin gửi về Ban biên tập qua hộp thư điện tử "
    "hoặc đường dây nóng của Sở. Xin cảm ơn quý bạn đọc đã quan tâm theo dõi.",
)


@pytest.mark.parametrize(
    ("title", "dateline"),
    [
        ("Không tìm thấy trang", ""),
        ("Không tìm thấy trang", "Cập nhật: 19/09/2019 08:30"),
        ("Lỗi 404 - Trang không tồn tại", ""),
        ("Bài viết không tồn tại hoặc đã bị xóa", "Ngày: 19.09.2019"),
        ("404 Not Found", ""),
        ("Page not found", ""),
    ],
)
def test_an_error_page_served_with_http_200_is_not_an_article(title, dateline):
    html = portal_page(title, title, dateline, paragraphs=NOT_FOUND_TEXT)
    assert extract_article(html, URL, VN) is None


@pytest.mark.parametrize(
    "headline",
    [
        HEADLINE,
        "Không tìm thấy thi thể ngư dân mất tích trên biển sau ba ngày",  # "không tìm thấy" in news
        "Nâng cấp Quốc lộ 404 đoạn qua huyện Mẫu trước mùa mưa",
        "Missing fishing boat still not found after three days",
    ],
)
def test_headlines_that_resemble_error_pages_are_still_articles(headline):
    entry = extract_article(portal_page(headline, headline, "Ngày: 19.09.2019"), URL, VN)
    assert entry is not None and entry.title == headline


@pytest.mark.parametrize(
    ("dateline", "published"),
    [
        ("Ngày đăng: 19/09/2019 08:30 | Cập nhật: 20/09/2019 10:15", datetime(2019, 9, 19, 8, 30, tzinfo=VN)),
        (
            "Cập nhật lúc 20/09/2019 10:15 - Đăng ngày 19/09/2019 08:30",
            datetime(2019, 9, 19, 8, 30, tzinfo=VN),
        ),
        ("19/09/2019 08:30 - Cập nhật: 20/09/2019 10:15", datetime(2019, 9, 19, 8, 30, tzinfo=VN)),
        (
            "Thứ năm, 19/9/2019 - 08:30 (GMT+7) | Cập nhật lúc 10:15 20/9/2019",
            datetime(2019, 9, 19, 8, 30, tzinfo=VN),
        ),
        (
            "Cập nhật: 20/09/2019 10:15<br>Ngày đăng: 19/09/2019 08:30",
            datetime(2019, 9, 19, 8, 30, tzinfo=VN),
        ),
        ("Updated: 20/09/2019 10:15 · Published: 19/09/2019 08:30", datetime(2019, 9, 19, 8, 30, tzinfo=VN)),
        # the update is the only date the page gives: better than none
        ("Cập nhật: 20/09/2019 10:15", datetime(2019, 9, 20, 10, 15, tzinfo=VN)),
    ],
)
def test_the_publication_date_wins_over_the_update_next_to_it(dateline, published):
    entry = extract_article(portal_page(HEADLINE, HEADLINE, dateline), URL, VN)
    assert entry is not None
    assert entry.published == published


def test_line_breaks_of_the_page_source_inside_a_paragraph_are_spaces():
    # Old CMSs and hand-edited pages wrap their HTML source; a browser shows each <p> as one line.
    paragraphs = "".join(
        "<p>" + p.replace(", ", ",\n            ").replace("đồng", "\n   đồng") + "</p>\n" for p in PARAGRAPHS
    )
    html = f"""<html><head><title>{HEADLINE} - Cổng thông tin điện tử tỉnh Mẫu</title></head><body>
<div class="news-detail"><h1 class="news-title">{HEADLINE}</h1><div class="date">Ngày: 19.09.2019</div>
<div class="news-content">
    {paragraphs}<p>Dòng một của đoạn cuối<br>dòng hai sau thẻ xuống dòng.</p>
</div></div></body></html>"""
    entry = extract_article(html, URL, VN)
    assert entry is not None
    assert entry.body.split("\n\n")[:3] == list(PARAGRAPHS)
    assert "7.743 hộ dân" in entry.body


@pytest.mark.parametrize("ellipsis", ["...", "…", " ..."])
def test_a_cut_teaser_that_the_body_repeats_whole_is_left_out(ellipsis):
    teaser = PARAGRAPHS[0][:90].rstrip() + ellipsis
    entry = extract_article(
        portal_page(HEADLINE, HEADLINE, "Ngày: 19.09.2019", (teaser, *PARAGRAPHS)), URL, VN
    )
    assert entry is not None
    assert entry.body.split("\n\n") == list(PARAGRAPHS)


def test_a_lead_ending_in_an_ellipsis_that_the_body_does_not_repeat_stays():
    lead = "Người dân ba xã ven biển đã chờ nước sạch suốt nhiều năm..."
    entry = extract_article(portal_page(HEADLINE, HEADLINE, "Ngày: 19.09.2019", (lead, *PARAGRAPHS)), URL, VN)
    assert entry is not None
    assert entry.body.split("\n\n") == [lead, *PARAGRAPHS]


LISTING_URL = "https://sotnmt.example.gov.vn/tin-tuc/index.html"
OTHER_HEADLINES = (
    "Khai mạc hội chợ nông sản an toàn các tỉnh miền Tây",
    "Hội nghị giao ban khối thi đua các tỉnh ven biển năm 2019",
    *SIDEBAR_TITLES,
)


def section_page(featured: str, banner: str = "<h1>Tin tức - Sự kiện</h1>") -> str:
    """A section's listing: its name as title and banner, a featured story, then dated headlines."""
    items = "".join(
        f'<div class="item"><h3><a href="/tin-tuc/tin-{n}-20{n}.html">{h}</a></h3><span>(18/09/2019)</span></div>'
        for n, h in enumerate(OTHER_HEADLINES)
    )
    return f"""<html><head><title>Tin tức - Sự kiện - Cổng thông tin điện tử tỉnh Mẫu</title></head><body>
<div class="menu"><a href="/">Trang chủ</a></div>{banner}{featured}{items}</body></html>"""


FEATURED_TEASER = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])


@pytest.mark.parametrize(
    "featured",
    [
        f'<h2><a href="/tin-tuc/nghiem-thu-3107.html">{HEADLINE}</a></h2><p>Ngày: 19.09.2019</p>{FEATURED_TEASER}'
        '<a href="/tin-tuc/nghiem-thu-3107.html">Xem tiếp</a>',
        f'<h2 class="title"><a href="/tin-tuc/nghiem-thu-3107.html">{HEADLINE}</a></h2>'
        f"<p>19/09/2019 08:30</p>{FEATURED_TEASER}",
    ],
)
@pytest.mark.parametrize("banner", ["<h1>Tin tức - Sự kiện</h1>", ""])
def test_a_section_listing_with_a_featured_teaser_is_not_an_article(featured, banner):
    html = section_page(featured, banner)
    assert extract_article(html, LISTING_URL, VN) is None
    links = parse_page(html.encode(), "text/html; charset=utf-8", LISTING_URL, VN).article_links
    assert len(links) == 1 + len(OTHER_HEADLINES)


@pytest.mark.parametrize(
    "headline_markup",
    [
        f"<h2>{HEADLINE}</h2>",
        f'<h2><a href="{URL}">{HEADLINE}</a></h2>',  # a CMS that links the headline to its own page
    ],
)
def test_an_article_under_a_section_title_with_dated_headlines_around_it_is_an_article(headline_markup):
    article = f"{headline_markup}<p>Ngày: 19.09.2019</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    entry = extract_article(section_page(article), URL, VN)
    assert entry is not None
    assert entry.title == HEADLINE
    assert entry.body.split("\n\n")[0] == PARAGRAPHS[0]


@pytest.mark.parametrize(
    "dateline",
    ["", '<time datetime="2019-09-19">hôm nay</time>', "Thứ năm, 19 Tháng Chín 2019"],
)
def test_a_date_guessed_from_the_address_or_markup_is_a_day_not_midnight(dateline):
    # htmldate (trafilatura's date finder) gives a day; storage places a day-only date by the
    # time it was first seen rather than at midnight
    url = "https://sotnmt.example.gov.vn/2019/09/19/nghiem-thu-du-an-nuoc-sach.html"
    entry = extract_article(portal_page(HEADLINE, HEADLINE, dateline), url, VN)
    assert entry is not None
    assert (entry.published, entry.published_day) == (datetime(2019, 9, 19, tzinfo=VN), date(2019, 9, 19))


LINE = "Hội nghị đã thông qua nghị quyết về phát triển kinh tế biển trong giai đoạn tới."


@pytest.mark.parametrize(
    ("lines", "body", "author"),
    [
        # the end of a series' last part, and the promise of the next one, are neither story nor author
        ([LINE, LINE, "Hết"], [LINE, LINE], None),
        ([LINE, LINE, "HẾT"], [LINE, LINE], None),
        ([LINE, LINE, "(Hết)", "Thanh Anh"], [LINE, LINE], "Thanh Anh"),
        ([LINE, LINE, "-Hết-", "Thanh Anh"], [LINE, LINE], "Thanh Anh"),
        ([LINE, LINE, "Thanh Anh", "(Hết)"], [LINE, LINE], "Thanh Anh"),
        ([LINE, LINE, "(Còn nữa)", "Thanh Anh"], [LINE, LINE], "Thanh Anh"),
        ([LINE, LINE, "Còn Nữa"], [LINE, LINE], None),
    ],
)
def test_series_markers_are_not_story_nor_author(lines, body, author):
    assert site_rules.split_body_and_author(lines) == (body, author)


@pytest.mark.parametrize(
    "toolbar",
    [
        "[In bài] [Gửi email] [Về đầu trang]",
        "In bài | Gửi bài viết | Quay lại",
        "Chia sẻ · In bài · Về đầu trang",
        "« Quay lại / Lên đầu trang »",
    ],
)
def test_a_line_of_several_page_tools_is_furniture(toolbar):
    assert site_rules.split_body_and_author([LINE, LINE, "Thanh Anh", toolbar]) == ([LINE, LINE], "Thanh Anh")
    sentence = f"{LINE} Bạn đọc có thể chia sẻ bài viết này."
    assert site_rules.split_body_and_author([sentence, toolbar]) == ([sentence], None)


@pytest.mark.parametrize(
    ("closing", "author"),
    [
        ("Thanh Anh - Số lần đọc: 1044", "Thanh Anh"),
        ("Tác giả: Thanh Anh | Lượt xem: 1.044", "Thanh Anh"),
        ("Số lần đọc: 1044", None),
        ("Lượt xem: 1.044 | Bình luận", None),
    ],
)
def test_a_byline_sharing_its_line_with_the_read_counter_names_the_author(closing, author):
    assert site_rules.split_body_and_author([LINE, LINE, closing]) == ([LINE, LINE], author)
