"""extract_article / parse_page: article pages → one Entry; home and listing pages → not an article."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from news import page_lines, site_rules
from news.articles import extract_article
from news.dates import WrittenDate
from news.page import parse_page
from news.page_meta import strip_site_suffix
from tests.news.vietnamese_encodings import windows_1258

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
ARTICLE_URL = "https://tinhuymau.example.vn/tin-tuc/tinh-uy-tong-ket-cong-tac-xay-dung-dang-2042.html"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@pytest.fixture
def portal_entry():
    entry = extract_article(page("portal_article.html"), ARTICLE_URL, VN)
    assert entry is not None
    return entry


def test_portal_article_title_without_site_suffix(portal_entry):
    assert portal_entry.title == "Tỉnh ủy tổng kết công tác xây dựng Đảng nhiệm kỳ 2015 - 2020"
    assert portal_entry.url == ARTICLE_URL


def test_portal_article_date_is_the_one_under_the_title_not_the_sidebar(portal_entry):
    assert portal_entry.published == datetime(2019, 9, 18, 17, 0, tzinfo=UTC)  # 19.09.2019 00:00 +07
    assert portal_entry.published_day == date(2019, 9, 19)  # the page gives no time of day


def test_portal_article_read_count_and_author(portal_entry):
    assert portal_entry.read_count == 1044
    assert portal_entry.author == "Thanh Anh"


def test_portal_article_body_keeps_numbers_and_drops_page_furniture(portal_entry):
    body = portal_entry.body
    assert body.startswith("Sáng 18/9/2019, Ban Thường vụ Tỉnh ủy")
    assert "7.743 lượt tổ chức đảng cấp dưới và 26.651 lượt đảng viên" in body
    assert body.endswith("nhiệm kỳ 2020 - 2025.")
    assert body.count("\n\n") == 3  # four paragraphs
    for furniture in ("Thanh Anh", "Số lần đọc", "Ngày:", "In bài viết", "Các tin khác", "Trang chủ"):
        assert furniture not in body


def test_unknown_table_layout_article_through_generic_extraction():
    entry = extract_article(
        page("unknown_layout_article.html"), "https://huyenmau.example.vn/tin/truong-hoc-moi-12.html", VN
    )
    assert entry is not None
    assert entry.title == "Huyện đảo khánh thành trường học mới"
    assert entry.published == datetime(2019, 9, 19, 1, 30, tzinfo=UTC)  # "Thứ năm, 19/9/2019 - 08:30"
    assert entry.published_day is None
    assert entry.read_count == 2310  # "Lượt xem: 2.310", not a date
    assert entry.author == "Báo Mẫu"  # "Theo Báo Mẫu"
    assert entry.body.startswith("Sáng 19/9, huyện đảo long trọng")
    assert entry.body.endswith("mỗi suất trị giá 1.500.000 đồng.")
    assert "Lễ ra quân" not in entry.body and "Lượt xem" not in entry.body


def test_article_with_structured_metadata():
    url = "https://baomau.example.vn/kinh-te/cang-ca-moi-di-vao-hoat-dong-555.html"
    entry = extract_article(page("news_article_meta.html"), url, VN)
    assert entry is not None
    assert entry.title == "Cảng cá mới đi vào hoạt động"
    assert entry.published == datetime(2019, 9, 19, 0, 45, tzinfo=UTC)
    assert entry.author == "Lê Hoa"
    assert entry.language == "vi"
    assert entry.read_count is None
    assert entry.body.startswith("Cảng cá có sức chứa 500 tàu")
    assert "Đọc nhiều" not in entry.body


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("portal_listing.html", "https://tinhuymau.example.vn/chuyen-muc/tin-tuc.html"),
        ("portal_article.html", "https://tinhuymau.example.vn/"),  # the site's root is a home page
    ],
)
def test_pages_that_are_not_articles(name, url):
    assert extract_article(page(name), url, VN) is None


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "<p>Ngắn quá.</p>"])
def test_empty_or_tiny_pages_are_not_articles(html):
    assert extract_article(html, ARTICLE_URL, VN) is None


def test_parse_page_article_gives_one_entry():
    source = parse_page(
        page("portal_article.html").encode("utf-8"), "text/html; charset=utf-8", ARTICLE_URL, VN
    )
    assert source.kind == "html"
    assert [e.title for e in source.entries] == [
        "Tỉnh ủy tổng kết công tác xây dựng Đảng nhiệm kỳ 2015 - 2020"
    ]
    assert source.article_links == []


def test_parse_page_listing_gives_links():
    url = "https://tinhuymau.example.vn/chuyen-muc/tin-tuc.html"
    source = parse_page(page("portal_listing.html").encode("utf-8"), "text/html", url, VN)
    assert source.entries == []
    assert len(source.article_links) == 6
    assert (
        parse_page(
            page("portal_listing.html").encode(), "text/html", url, VN, selector="h3 a", limit=2
        ).article_links
        == source.article_links[:2]
    )


def test_parse_page_windows_1258_article():
    html = page("portal_article.html").replace('<meta charset="utf-8">', '<meta charset="windows-1258">')
    source = parse_page(windows_1258(html), "text/html", ARTICLE_URL, VN)
    assert source.entries[0].title == "Tỉnh ủy tổng kết công tác xây dựng Đảng nhiệm kỳ 2015 - 2020"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Số lần đọc:1044", 1044),
        ("Lượt xem: 1.044", 1044),
        ("Lượt đọc: 2.310", 2310),
        ("lượt xem 12", 12),
        ("Số lượt xem: 1,234,567", 1234567),
        ("Ngày: 19.09.2019 | Lượt xem: 350", 350),
        ("Lượt xem: 19.09.2019", None),  # a date, not a count
        ("Ngày: 19.09.2019", None),
        ("Đã kiểm tra 7.743 lượt tổ chức đảng", None),
        # counts shortened to thousands, with a decimal comma or point
        ("Lượt xem: 1,2K", 1200),
        ("Lượt xem: 1.2K", 1200),
        ("Lượt xem: 12K", 12000),
        ("Lượt xem: 3 k", 3000),
    ],
)
def test_read_count(text, count):
    assert page_lines.find_read_count(text) == count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a day alone keeps the day as written: it has no time to show
        ("Ngày: 19.09.2019", WrittenDate(datetime(2019, 9, 19, tzinfo=VN), date(2019, 9, 19))),
        ("Ngày đăng: 19/09/2019 08:30", WrittenDate(datetime(2019, 9, 19, 8, 30, tzinfo=VN))),
        ("Cập nhật lúc 08:30 ngày 19/09/2019", WrittenDate(datetime(2019, 9, 19, 8, 30, tzinfo=VN))),
        (
            "Số lần đọc:1044\nNgày: 19.09.2019",
            WrittenDate(datetime(2019, 9, 19, tzinfo=VN), date(2019, 9, 19)),
        ),
        ("Ngày 22/10, bác sĩ cho biết", None),  # prose, not a date line
        ("Số lần đọc:1044", None),
    ],
)
def test_labelled_date(text, expected):
    assert page_lines.find_labelled_date(text, VN) == expected


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("Thanh Anh", "Thanh Anh"),
        ("Nguyễn Văn Bình - Trần Thu Hà", "Nguyễn Văn Bình - Trần Thu Hà"),
        ("Theo TTXVN", "TTXVN"),
        ("(Theo Báo Mẫu)", "Báo Mẫu"),
        ("Nguồn: Cổng thông tin tỉnh", "Cổng thông tin tỉnh"),
        ("Tin, ảnh: Minh Anh", "Minh Anh"),  # a news brief's credit, like "Bài, ảnh:"
        ("Tin và ảnh: Minh Anh", "Minh Anh"),
        ("Tin - ảnh: Minh Anh", "Minh Anh"),
        ("Bài: Minh Anh", "Minh Anh"),  # the writer of the story, photos by someone else
        ("Tin: Minh Anh", "Minh Anh"),
        ("Bài viết: Minh Anh", "Minh Anh"),
        ("Bài học kinh nghiệm", None),
        ("Hội nghị kết thúc lúc 11 giờ.", None),
        ("Ảnh: Bệnh viện cung cấp", None),
        ("các đại biểu thảo luận", None),
        ("Đây là một dòng rất dài có nhiều chữ viết hoa Không Phải Tên Tác Giả Nào Cả", None),
    ],
)
def test_author_line(line, author):
    assert page_lines.author_from_line(line) == author


@pytest.mark.parametrize(
    ("title", "site_name", "url", "expected"),
    [
        ("Cảng cá mới - Báo Mẫu Online", "Báo Mẫu Online", "https://baomau.example.vn/x", "Cảng cá mới"),
        ("Công nhân lo Tết - VnExpress", "", "https://vnexpress.net/x", "Công nhân lo Tết"),
        (
            "Hội nghị 2015 - 2020 | Cổng thông tin điện tử tỉnh",
            "",
            "https://a.example.vn/x",
            "Hội nghị 2015 - 2020",
        ),
        ("Hà Nội - Hải Phòng thông tuyến", "", "https://a.example.vn/x", "Hà Nội - Hải Phòng thông tuyến"),
    ],
)
def test_site_suffix_is_stripped_from_titles(title, site_name, url, expected):
    assert strip_site_suffix(title, site_name, url) == expected


BODY_LINE = "Hội nghị đã thông qua nghị quyết về phát triển kinh tế biển trong giai đoạn tới."


@pytest.mark.parametrize(
    ("lines", "body", "author"),
    [
        ([BODY_LINE, BODY_LINE, "Thanh Anh"], [BODY_LINE, BODY_LINE], "Thanh Anh"),
        ([BODY_LINE, BODY_LINE, "Theo TTXVN"], [BODY_LINE, BODY_LINE], "TTXVN"),
        # the reporter's name, then the publication the story comes from: both close the article
        ([BODY_LINE, BODY_LINE, "Thanh Anh", "Nguồn: Báo Mẫu"], [BODY_LINE, BODY_LINE], "Thanh Anh"),
        ([BODY_LINE, BODY_LINE, "Thanh Anh", "(Theo Báo Mẫu)"], [BODY_LINE, BODY_LINE], "Thanh Anh"),
        # a plain name before a plain name is not two credits
        ([BODY_LINE, "Hà Nội", "Thanh Anh"], [BODY_LINE, "Hà Nội"], "Thanh Anh"),
        ([BODY_LINE, "Nguồn: Báo Mẫu"], [BODY_LINE], "Báo Mẫu"),
        # the photographer's credit after the byline closes the article too; it names no author
        ([BODY_LINE, BODY_LINE, "Minh Anh", "(Ảnh: Minh Anh)"], [BODY_LINE, BODY_LINE], "Minh Anh"),
        ([BODY_LINE, BODY_LINE, "Thanh Anh", "Ảnh: Hoài Nam"], [BODY_LINE, BODY_LINE], "Thanh Anh"),
        ([BODY_LINE, BODY_LINE, "Ảnh: TTXVN"], [BODY_LINE, BODY_LINE], None),
    ],
)
def test_closing_credit_lines(lines, body, author):
    assert site_rules.split_body_and_author(lines) == (body, author)


OTHER_LINE = "Đến nay toàn tỉnh đã có 85 xã đạt chuẩn nông thôn mới, vượt kế hoạch đề ra."


@pytest.mark.parametrize(
    ("lines", "body", "author"),
    [
        # a caption between paragraphs is no body text, whatever form its credit takes
        pytest.param(
            [
                BODY_LINE,
                "Đồng chí Nguyễn Văn A phát biểu tại hội nghị. (Ảnh: Minh Anh)",
                OTHER_LINE,
                "Thanh Anh",
            ],
            [BODY_LINE, OTHER_LINE],
            "Thanh Anh",
            id="credit in brackets",
        ),
        pytest.param(
            [BODY_LINE, "Quang cảnh hội nghị. Ảnh: T.L", OTHER_LINE],
            [BODY_LINE, OTHER_LINE],
            None,
            id="credit after the sentence",
        ),
        pytest.param(
            [BODY_LINE, "| Lãnh đạo tỉnh thăm công nhân - Ảnh: V.H |", OTHER_LINE],
            [BODY_LINE, OTHER_LINE],
            None,
            id="table cell",
        ),
        pytest.param([BODY_LINE, "Ảnh: TTXVN", OTHER_LINE], [BODY_LINE, OTHER_LINE], None, id="credit alone"),
        pytest.param(
            ["(Ảnh minh họa)", BODY_LINE, OTHER_LINE], [BODY_LINE, OTHER_LINE], None, id="first line"
        ),
        # a credit alone after a paragraph of the story (a photo with no description) takes only itself
        pytest.param(
            [BODY_LINE, f"{OTHER_LINE} {OTHER_LINE}", "Ảnh: Hồng Nhung", OTHER_LINE],
            [BODY_LINE, f"{OTHER_LINE} {OTHER_LINE}", OTHER_LINE],
            None,
            id="paragraph, then a credit",
        ),
        pytest.param(
            [BODY_LINE, "Minh Anh", "Ảnh: Hồng Nhung", OTHER_LINE],
            [BODY_LINE, "Minh Anh", OTHER_LINE],
            None,
            id="name, then a credit",
        ),
        # a paragraph that ends with a credit keeps its sentences
        pytest.param(
            [BODY_LINE, f"{OTHER_LINE} {OTHER_LINE} Khách tham quan đông - Ảnh: Hữu Phước", OTHER_LINE],
            [BODY_LINE, f"{OTHER_LINE} {OTHER_LINE} Khách tham quan đông - Ảnh: Hữu Phước", OTHER_LINE],
            None,
            id="paragraph ending with a credit",
        ),
        # the story's sentences that speak of photos stay
        pytest.param(
            [BODY_LINE, "Ông Trần Văn B (ảnh) là người hiến đất nhiều nhất xã.", "Triển lãm ảnh: Biển đảo."],
            [BODY_LINE, "Ông Trần Văn B (ảnh) là người hiến đất nhiều nhất xã.", "Triển lãm ảnh: Biển đảo."],
            None,
            id="prose about photos",
        ),
        # the byline shares its line with the photo credit, or credits the photos itself
        pytest.param(
            [BODY_LINE, OTHER_LINE, "LÊ MINH. Ảnh: DUY LINH"],
            [BODY_LINE, OTHER_LINE],
            "LÊ MINH",
            id="byline and photo credit",
        ),
        pytest.param(
            [BODY_LINE, OTHER_LINE, "Bài và ảnh: Minh Anh"],
            [BODY_LINE, OTHER_LINE],
            "Minh Anh",
            id="text and photos by",
        ),
        # a photo story: its captions are its text
        pytest.param(
            [
                "Mùa lúa chín.",
                "Nông dân gặt lúa trên cánh đồng. Ảnh: Hữu Phước",
                "Lúa phơi trên sân. Ảnh: T.L",
            ],
            [
                "Mùa lúa chín.",
                "Nông dân gặt lúa trên cánh đồng. Ảnh: Hữu Phước",
                "Lúa phơi trên sân. Ảnh: T.L",
            ],
            None,
            id="photo story",
        ),
    ],
)
def test_photo_captions_are_not_body_text(lines, body, author):
    assert site_rules.split_body_and_author(lines) == (body, author)


HEADED_ARTICLE = """<html><head><title>Tỉnh Mẫu đẩy mạnh chuyển đổi số trong cải cách hành chính - Cổng thông tin
điện tử tỉnh Mẫu</title></head><body><div id="menu"><a href="/">Trang chủ</a> | <a href="/tin-tuc">Tin tức</a></div>
<div class="main">{header}
<p>Sáng 19/9, UBND tỉnh Mẫu tổ chức hội nghị sơ kết công tác cải cách hành chính chín tháng đầu năm
và triển khai nhiệm vụ những tháng cuối năm 2019.</p>
<p>Theo báo cáo, toàn tỉnh đã cung cấp 1.250 dịch vụ công trực tuyến mức độ 3 và 4, tỷ lệ hồ sơ giải
quyết đúng hạn đạt 98,5%. Nhiều địa phương đã ứng dụng phần mềm một cửa điện tử liên thông.</p>
<p>Phát biểu chỉ đạo, đồng chí Chủ tịch UBND tỉnh yêu cầu các sở, ngành tiếp tục rà soát thủ tục hành
chính, cắt giảm thời gian giải quyết hồ sơ cho người dân và doanh nghiệp.</p>
<p><strong>Minh Anh</strong></p></div><div id="footer">Bản quyền thuộc UBND tỉnh Mẫu.</div></body></html>"""
HEADLINE = "Tỉnh Mẫu đẩy mạnh chuyển đổi số trong cải cách hành chính"


@pytest.mark.parametrize(
    "header",
    [
        f"<h2>{HEADLINE}</h2>",
        # the section, the headline and its date sit in the block the body is taken from
        f'<p class="cate">Kinh tế - Xã hội</p><h2>{HEADLINE}</h2><p class="time">19/09/2019 08:30 GMT+7</p>',
        f"<p>Trang chủ &gt; Tin tức &gt; Kinh tế</p><h2>{HEADLINE}</h2><p>Thứ năm, 19/9/2019 - 08:30 (GMT+7)</p>",
        f"<h2>{HEADLINE}</h2><p>Thứ Năm, ngày 19 tháng 9 năm 2019</p>",
    ],
)
def test_body_starts_after_the_headline_and_its_date(header):
    entry = extract_article(HEADED_ARTICLE.format(header=header), ARTICLE_URL, VN)
    assert entry is not None
    assert entry.title == HEADLINE
    assert entry.body.startswith("Sáng 19/9, UBND tỉnh Mẫu"), entry.body[:200]
    assert entry.author == "Minh Anh"


@pytest.mark.parametrize(
    ("document_title", "banner"),
    [
        # the portal names itself in <title> and in a banner heading on every page
        ("Cổng thông tin điện tử tỉnh Mẫu", "<h1>Cổng thông tin điện tử tỉnh Mẫu</h1>"),
        ("Tin tức - Sự kiện", ""),  # the section's name
        ("UBND TỈNH MẪU", ""),
    ],
)
def test_headline_under_a_generic_document_title_is_the_dated_heading(document_title, banner):
    header = f'<p class="cate">Kinh tế - Xã hội</p><h2>{HEADLINE}</h2><p class="time">19/09/2019 08:30</p>'
    html = HEADED_ARTICLE.format(header=header).replace("<body>", f"<body>{banner}", 1)
    html = html.replace(html[html.index("<title>") : html.index("</title>")], f"<title>{document_title}")
    entry = extract_article(html, ARTICLE_URL, VN)
    assert entry is not None
    assert entry.title == HEADLINE
    assert entry.published == datetime(2019, 9, 19, 1, 30, tzinfo=UTC)
    assert entry.body.startswith("Sáng 19/9, UBND tỉnh Mẫu")


def test_dated_headlines_of_a_listing_under_a_generic_title_are_not_an_article():
    teaser = (
        "Hội nghị đã thông qua nghị quyết về phát triển kinh tế biển trong giai đoạn tới, với nhiều mục tiêu."
    )
    titles = [
        HEADLINE,
        "Hội nghị xúc tiến đầu tư thu hút nhiều doanh nghiệp",
        "Lễ hội văn hóa các dân tộc khai mạc",
    ]
    items = "".join(
        f'<h2><a href="/tin-tuc/tin-{n}-120{n}.html">{title}</a></h2><p>1{n}/09/2019 08:30</p><p>{teaser}</p>'
        for n, title in enumerate(titles)
    )
    html = f"<html><head><title>Tin tức - Sự kiện</title></head><body><div>{items}</div></body></html>"
    assert extract_article(html, "https://mau.example.gov.vn/tin-tuc/", VN) is None


def test_photo_captions_of_a_page_are_not_body_text():
    url = "https://huyenmau.example.vn/tin-tuc/khoi-cong-cau-kenh-xang-318.html"
    entry = extract_article(page("portal_article_photos.html"), url, VN)
    assert entry is not None
    assert entry.author == "Hồng Nhung"
    assert entry.body.startswith("Sáng 11/3, UBND huyện Mẫu tổ chức lễ khởi công")
    assert entry.body.endswith("hiến đất làm đường dẫn lên cầu.")
    for caption in ("dự lễ khởi công cây cầu mới", "Phối cảnh cây cầu", "Ảnh:"):
        assert caption not in entry.body
    assert entry.body.count("\n\n") == 2  # three paragraphs
