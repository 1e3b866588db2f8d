"""The lines around an article's body: date lines under the headline and closing bylines."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from news import page_lines, site_rules
from news.articles import extract_article

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ARTICLE_URL = "https://tinhmau.example.vn/tin-tuc/tinh-mau-to-chuc-hoi-nghi-tong-ket-nam-3001.html"
HEADLINE = "Tỉnh Mẫu tổ chức hội nghị tổng kết công tác cải cách hành chính"
PARAGRAPHS = [
    "Các sở, ngành đã rà soát 215 thủ tục hành chính, cắt giảm thời gian giải quyết hồ sơ cho người dân.",
    "Toàn tỉnh cung cấp 1.250 dịch vụ công trực tuyến mức độ 3 và 4, tỷ lệ hồ sơ đúng hạn đạt 98,5%.",
    "Phát biểu chỉ đạo, đồng chí Chủ tịch UBND tỉnh yêu cầu tiếp tục đẩy mạnh chuyển đổi số trong năm tới.",
]


def article_html(lines: list[str]) -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in lines)
    return (
        f"<html><head><title>{HEADLINE} - Cổng thông tin tỉnh Mẫu</title></head><body>"
        f'<div class="menu"><a href="/">Trang chủ</a></div><div class="main"><h2>{HEADLINE}</h2>'
        f"<p>19/09/2019 08:30</p>{paragraphs}</div></body></html>"
    )


@pytest.mark.parametrize(
    ("line", "date_line"),
    [
        ("19/09/2019 08:30 GMT+7", True),
        ("Thứ năm, 19/9/2019 - 08:30", True),
        ("Thứ Năm, ngày 19 tháng 9 năm 2019", True),
        ("Cập nhật lúc 08:30 ngày 19/9/2019", True),
        ("Ngọc Hà | 15:20 04/06/2024", True),  # a byline sharing the date's line
        ("Đăng bởi Ngọc Hà lúc 15:20 04/06/2024", True),
        ("Thursday, September 19, 2019", True),
        # a short first sentence that merely holds a date is the story's
        ("Ngày 19/9/2019, tỉnh tổ chức hội nghị.", False),
        ("Sáng 19/9/2019, tỉnh họp bàn kinh tế.", False),
        ("Hôm nay 19/9/2019 trời mưa to.", False),
        ("Ngày 19/9/2019, Tỉnh ủy họp phiên thường kỳ.", False),
        ("Ngày 19 tháng 9 năm 2019, tỉnh khai mạc hội chợ.", False),
        ("Năm 2024", False),
    ],
)
def test_date_lines_under_a_headline(line, date_line):
    assert page_lines.is_date_line(line) is date_line


@pytest.mark.parametrize(
    "first",
    ["Ngày 19/9/2019, tỉnh tổ chức hội nghị.", "Sáng 19/9/2019, tỉnh họp bàn kinh tế."],
)
def test_a_short_first_sentence_with_a_date_stays_in_the_body(first):
    entry = extract_article(article_html([first, *PARAGRAPHS]), ARTICLE_URL, VN)
    assert entry is not None
    assert entry.body.startswith(first), entry.body[:120]


@pytest.mark.parametrize(
    ("closing", "author"),
    [
        ("(Thanh Anh)", "Thanh Anh"),
        ("-Thanh Anh-", "Thanh Anh"),
        ("- Thanh Anh -", "Thanh Anh"),
        ("– Thanh Anh –", "Thanh Anh"),
        ("[Thanh Anh]", "Thanh Anh"),
        ("( Nguyễn Văn Bình )", "Nguyễn Văn Bình"),
        ("(Thanh Anh - Minh Hà)", "Thanh Anh - Minh Hà"),
        ("-LÊ MINH-", "LÊ MINH"),
        ("Thanh Anh", "Thanh Anh"),
        ("(Theo TTXVN)", "TTXVN"),
        # a parenthesised place or sentence closing the article names no author
        ("(Hà Nội)", None),
        ("Hà Nội", None),
        ("(TP.HCM)", None),
        ("(Tỉnh Kiên Giang)", None),
        ("- Đà Nẵng -", None),
        ("(Ảnh minh họa)", None),
        ("(Bài viết có sử dụng tư liệu của tỉnh)", None),
        ("(Hội nghị kết thúc lúc 11 giờ.)", None),
        ("()", None),
        ("--", None),
    ],
)
def test_closing_bylines(closing, author):
    body, found = site_rules.split_body_and_author([*PARAGRAPHS, closing])
    assert found == author
    assert body[: len(PARAGRAPHS)] == PARAGRAPHS
    if author:
        assert body == PARAGRAPHS


def test_a_byline_in_parentheses_is_the_article_author():
    entry = extract_article(article_html([*PARAGRAPHS, "(Thanh Anh)"]), ARTICLE_URL, VN)
    assert entry is not None
    assert entry.author == "Thanh Anh"
    assert "Thanh Anh" not in entry.body


def portal_page(headline_markup: str) -> str:
    """A portal page whose document title is the section's name, its headline a heading over a date line."""
    paragraphs = "".join(f"<p>{line}</p>" for line in PARAGRAPHS)
    return (
        "<html><head><title>Tin tức - Sự kiện</title></head><body>"
        f'<div class="menu"><a href="/">Trang chủ</a></div><div class="main">{headline_markup}'
        f"<div>Ngày: 19.09.2019</div>{paragraphs}<p>Thanh Anh</p><p>Số lần đọc:1044</p></div></body></html>"
    )


@pytest.mark.parametrize("tag", ["h1", "h2", "h3"])
def test_a_headline_heading_under_a_section_title_is_the_article_title(tag):
    entry = extract_article(portal_page(f"<{tag}>{HEADLINE}</{tag}>"), ARTICLE_URL, VN)
    assert entry is not None
    assert (entry.title, entry.author, entry.read_count) == (HEADLINE, "Thanh Anh", 1044)
    assert entry.body.startswith(PARAGRAPHS[0])


@pytest.mark.parametrize("tag", ["h2", "h3"])
def test_linked_dated_headlines_under_a_section_title_are_a_listing(tag):
    rows = "".join(
        f'<{tag}><a href="/tin-tuc/bai-{n}-300{n}.html">{HEADLINE} lần thứ {n}</a></{tag}>'
        f"<div>Ngày: 1{n}.09.2019</div><p>{PARAGRAPHS[n]}</p>"
        for n in range(3)
    )
    html = f"<html><head><title>Tin tức - Sự kiện</title></head><body><div>{rows}</div></body></html>"
    assert extract_article(html, ARTICLE_URL, VN) is None


@pytest.mark.parametrize(
    ("closing", "author"),
    [
        # a compiling or translating note after the name is not part of it
        ("Thanh Tùng (T/h)", "Thanh Tùng"),
        ("Thanh Tùng (TH)", "Thanh Tùng"),
        ("Thanh Tùng (tổng hợp)", "Thanh Tùng"),
        ("Hà Anh (lược dịch)", "Hà Anh"),
        ("Hà Anh (biên dịch)", "Hà Anh"),
        ("Hà Anh (Theo Reuters)", "Hà Anh"),
        ("Hà Anh (theo AFP)", "Hà Anh"),
        # an agency after the name says where the reporter works: kept
        ("Nguyễn Văn Bình (TTXVN)", "Nguyễn Văn Bình (TTXVN)"),
        ("(Thanh Tùng)", "Thanh Tùng"),
    ],
)
def test_a_note_after_the_byline_is_not_the_name(closing, author):
    assert site_rules.split_body_and_author([*PARAGRAPHS, closing]) == (PARAGRAPHS, author)


@pytest.mark.parametrize(
    ("meta_author", "author"),
    [
        ("LÂM THẢO Ảnh DUY LINH", "LÂM THẢO"),  # as trafilatura reads `LÂM THẢO. Ảnh: DUY LINH`
        ("LÂM THẢO. Ảnh: DUY LINH", "LÂM THẢO"),
        ("Minh Anh - Ảnh: Hoài Nam", "Minh Anh"),
        ("Minh Anh, Video: Hoài Nam", "Minh Anh"),
        ("Ngọc Ánh", "Ngọc Ánh"),
    ],
)
def test_a_photo_credit_in_the_metadata_author_is_not_the_name(meta_author, author):
    html = article_html(PARAGRAPHS).replace("</head>", f'<meta name="author" content="{meta_author}"></head>')
    entry = extract_article(html, ARTICLE_URL, VN)
    assert entry is not None
    assert entry.author == author


@pytest.mark.parametrize(
    "dateline",
    [
        "Thứ tư, 19/02/2020 | 06:42 GMT+7",
        "Minh Khôi | 28/01/2020 11:12",
        "19/09/2019 08:30",
    ],
)
def test_a_date_line_opening_the_body_without_the_headline_above_it_is_left_out(dateline):
    # The headline sits outside the block the text is taken from (a header above the article).
    paragraphs = "".join(f"<p>{line}</p>" for line in PARAGRAPHS)
    html = (
        f"<html><head><title>{HEADLINE} - Báo Mẫu</title></head><body>"
        f'<header><h1 class="title">{HEADLINE}</h1></header>'
        f'<article class="content"><p class="time">{dateline}</p>{paragraphs}</article></body></html>'
    )
    entry = extract_article(html, ARTICLE_URL, VN)
    assert entry is not None
    assert entry.body.startswith(PARAGRAPHS[0]), entry.body[:100]


@pytest.mark.parametrize(("line", "dropped"), [("| |", True), ("|", True), ("* * *", True), ("./.", True), ("…", True),
                                               ("2.500", False), ("A", False), ("Hết", True)])  # fmt: skip
def test_lines_without_a_letter_or_digit_are_not_body_text(line, dropped):
    body, _author = site_rules.split_body_and_author([PARAGRAPHS[0], line, *PARAGRAPHS[1:]])
    assert (line not in body) is dropped


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Số lần đọc:1044", 1044),
        # the number before its label, as a line or between separators of a byline
        ("1.044 lượt xem", 1044),
        ("1044 lượt đọc", 1044),
        ("Thanh Anh | 19/09/2019 | 1.044 lượt xem", 1044),
        ("(2.310 lượt xem)", 2310),
        ("587 lần đọc", 587),
        ("Views: 1044", 1044),
        ("Lượt views: 1044", 1044),
        # in a sentence it is the story's figure, not the page's counter
        ("Video thu hút 10.000 lượt xem chỉ sau một ngày đăng tải.", None),
        ("Đã kiểm tra 7.743 lượt tổ chức đảng", None),
        ("19/09/2019 lượt xem", None),
        ("Review 5 sản phẩm", None),
    ],
)
def test_read_counters(text, count):
    assert page_lines.find_read_count(text) == count
