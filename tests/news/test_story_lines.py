"""Which lines of a body are the story's: boilerplate, time stamps, captions and a closing credit
left out (texts written for these tests)."""

from __future__ import annotations

import pytest

from news.page_lines import is_date_line
from news.story_lines import body_lines, is_boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "Ngày: 19.09.2019",
        "Số lần đọc: 1044",
        "Số lần đọc:1044",
        "Lượt xem: 350",
        "Nguồn: Báo Nông thôn",
        "(Theo Thông tấn xã)",
        "(Theo VnExpress).",
        "Thứ Ba, 04/06/2024 - 07:15",
        "Chủ nhật, ngày 9/6/2024 08:05 SA",
        "07:15 04/06/2024 (GMT+7)",
        "Thứ 3, 07:15, 04-06-2024",
        "04.06.2024",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Ngày 19/9, tỉnh tổ chức hội nghị.",
        "Theo điều tra ban đầu, ông A đã rời nhà lúc 5 giờ.",
        "Nguồn vốn được giải ngân sớm.",
        "Ngày 4/6/2024, tỉnh khai mạc hội chợ.",
        "Thứ Ba tuần sau là hạn chót.",
        "Ngày 04/06/2024.",
        "Năm 2024",
    ],
)
def test_story_lines_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Đại biểu tham quan gian hàng. (Ảnh: Hữu Phước)\nHội chợ mở cửa đến hết tuần.",
            ["Hội chợ mở cửa đến hết tuần."],
            id="caption-line-dropped",
        ),
        pytest.param(
            "Đại biểu tham quan gian hàng. (Ảnh: Hữu Phước)",
            ["Đại biểu tham quan gian hàng. (Ảnh: Hữu Phước)"],
            id="caption-alone-kept",
        ),
        pytest.param(
            "Hội chợ mở cửa đến hết tuần. Có 200 gian hàng. Khách đông - Ảnh: Hữu Phước\nVé vào cửa miễn phí.",
            [
                "Hội chợ mở cửa đến hết tuần. Có 200 gian hàng. Khách đông - Ảnh: Hữu Phước",
                "Vé vào cửa miễn phí.",
            ],
            id="paragraph-ending-with-a-credit-kept",
        ),
    ],
)
def test_body_lines_drop_caption_lines(text: str, expected: list[str]) -> None:
    assert body_lines(text) == expected


@pytest.fixture
def provincial_page_text() -> str:
    return (
        "Huyện khánh thành cầu mới\n"
        "Ngày: 02.03.2021\n"
        "Sáng 1/3, huyện khánh thành cầu Bình An dài 120 m. Cầu nối hai xã.\n"
        "\n"
        "Lãnh đạo huyện cảm ơn nhân dân đã hiến đất.\n"
        "(Theo Báo tỉnh)\n"
        "Minh Châu\n"
        "Số lần đọc: 532\n"
    )


def test_body_lines_drop_date_source_author_and_read_count(provincial_page_text: str) -> None:
    assert body_lines(provincial_page_text) == [
        "Huyện khánh thành cầu mới",
        "Sáng 1/3, huyện khánh thành cầu Bình An dài 120 m. Cầu nối hai xã.",
        "Lãnh đạo huyện cảm ơn nhân dân đã hiến đất.",
    ]


@pytest.mark.parametrize(
    ("last_line", "dropped"),
    [
        ("Thanh Anh", True),
        ("PV", True),
        ("Theo TTXVN", True),
        ("Nguyễn Văn Bình (TTXVN)", True),
        ("Hội nghị bế mạc lúc 11 giờ.", False),
        ("người dân rất vui mừng và phấn khởi khi cầu mới thông xe", False),
    ],
)
def test_body_lines_trailing_author_line(last_line: str, dropped: bool) -> None:
    lines = body_lines(f"Câu thứ nhất của bài.\n{last_line}")
    assert (lines == ["Câu thứ nhất của bài."]) is dropped


def test_a_single_line_is_never_taken_for_an_author() -> None:
    assert body_lines("Thanh Anh") == ["Thanh Anh"]


# Two rules for "a line that is only a date" stay apart, each for its caller. `is_boilerplate` (its bare
# time stamps) runs on every line and sentence a summary may use: only weekdays, dates, times and zones.
# `news.page_lines.is_date_line` reads the few lines under a page's headline, where a byline or a written
# month shares the date's line: a few words around any date. Either rule in the other's place goes wrong.
@pytest.mark.parametrize(
    ("line", "time_stamp", "date_line"),
    [
        ("Thứ Ba, 04/06/2024 - 07:15", True, True),
        ("07:15 04/06/2024 (GMT+7)", True, True),
        # under a headline, a date line; as a summary's sentence, no boilerplate the summary must skip
        ("Thứ Năm, ngày 6 tháng 6 năm 2024", False, True),
        ("Ngọc Hà | 15:20 04/06/2024", False, True),
        # a story's sentence: neither rule drops it
        ("Ngày 4/6/2024, tỉnh khai mạc hội chợ.", False, False),
        ("Năm 2024", False, False),
    ],
)
def test_time_stamps_and_date_lines_are_two_rules(line: str, time_stamp: bool, date_line: bool) -> None:
    assert (is_boilerplate(line), is_date_line(line)) == (time_stamp, date_line)
