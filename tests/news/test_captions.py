"""Photo captions and credits (news.captions): one table for summaries and for stored page bodies."""

from __future__ import annotations

import lxml.html
import pytest

from news.body_captions import join_photo_credits
from news.captions import credit_start, is_caption, is_photo_credit
from news.htmltree import parse_html
from news.text import html_to_text

# (text, a caption: ends with a photo credit, only a photo credit)
ROWS = [
    # a credit in brackets, with or without a colon
    ("Đại biểu tham quan gian hàng nông sản. (Ảnh: Hữu Phước)", True, False),
    ("Đại biểu tham quan gian hàng nông sản (ảnh Hữu Phước)", True, False),
    ("Nông dân thu hoạch lúa (Ảnh minh họa)", True, False),
    ("Cảnh sát khám nghiệm hiện trường (Ảnh chụp màn hình).", True, False),
    ("(Ảnh: TTXVN)", True, True),
    ("(Ảnh minh họa)", True, True),
    # after a dash or a table cell's bar
    ("Đại biểu tham quan gian hàng nông sản - Ảnh: Hữu Phước", True, False),
    ("| Lãnh đạo tỉnh thăm hỏi công nhân - Ảnh: V.H |", True, False),
    ("Công nhân lắp ráp linh kiện | Ảnh: VGP/Nhật Bắc", True, False),
    ("Bản đồ khu vực ngập lụt – Đồ họa: Minh Anh", True, False),
    # after the caption's sentence, initials and agencies included
    ("Quang cảnh hội nghị. Ảnh: T.L", True, False),
    ("Đồng chí Nguyễn Văn A phát biểu tại hội nghị. Ảnh: Minh Anh", True, False),
    ("Hành khách xếp hàng làm thủ tục tại sân bay. Ảnh: AFP.", True, False),
    ("Ngư dân kéo lưới trên biển. Nguồn ảnh: Báo Mẫu", True, False),
    ('Bà Lê Thị Hoa nói: "Cảm ơn các cháu." Ảnh: Thu Hà', True, False),
    # glued on by the extraction, no separator: only a capitalised label
    ("Hai bộ trưởng trò chuyện bên lề hội nghị hôm 4-11 Ảnh: Reuters", True, False),
    ("Bảo Bảo (Theo Báo Sức khỏe)Ảnh:Freepik", True, False),
    # a credit alone
    ("Ảnh: TTXVN", True, True),
    ("Ảnh: T.L", True, True),
    ("Ảnh:Freepik", True, True),
    ("Photo: AP", True, True),
    ("  Ảnh: Hoài Nam.  ", True, True),
    # a story's sentences that speak of photos
    ("Bão làm sập 12 nhà (ảnh hưởng nặng nhất là xã Bình An).", False, False),
    ("Chủ tịch tỉnh tặng quà gia đình bà Lê Thị Hoa (ảnh).", False, False),
    ("Chủ tịch tỉnh tặng quà gia đình bà Lê Thị Hoa (ảnh trên).", False, False),
    ("Đại biểu Trần Văn B (Quảng Bình - ảnh trên) chất vấn bộ trưởng.", False, False),
    ("Triển lãm ảnh: Biển đảo quê hương.", False, False),
    ("Triển lãm Ảnh: Biển đảo quê hương tươi đẹp.", False, False),
    ("Sản phẩm này có sức ảnh hưởng lớn đến thị trường.", False, False),
    ("Anh Long đăng loạt ảnh chụp cùng gia đình tại sân bay.", False, False),
    ("Bạn đọc có thể gửi bài viết, clip, ảnh về tòa soạn.", False, False),
    ("Ảnh hưởng của bão: 12 nhà bị sập, 300 ha lúa bị ngập.", False, False),
    ("Ảnh: Quang cảnh hội nghị. Đại biểu thảo luận về kế hoạch năm 2020 của tỉnh.", False, False),
    ("Tổng thống phát biểu tại cuộc họp báo. Đoạn ghi âm được công bố sau đó.", False, False),
]


@pytest.mark.parametrize(("text", "caption", "credit_only"), ROWS)
def test_photo_captions_and_credits(text: str, caption: bool, credit_only: bool) -> None:
    assert is_caption(text) is caption
    assert is_photo_credit(text) is credit_only


@pytest.mark.parametrize(
    ("text", "before_credit"),
    [
        ("Quang cảnh hội nghị. Ảnh: T.L", "Quang cảnh hội nghị."),
        ("LÊ MINH. Ảnh: DUY LINH", "LÊ MINH."),
        ("Nông dân thu hoạch lúa (Ảnh minh họa)", "Nông dân thu hoạch lúa"),
        ("Khách đông - Ảnh: Hữu Phước", "Khách đông"),
        ("Ảnh: TTXVN", ""),
    ],
)
def test_the_text_before_the_credit(text: str, before_credit: str) -> None:
    start = credit_start(text)
    assert start is not None
    assert text[:start].rstrip(" -–—|") == before_credit


def test_a_long_line_is_judged_by_its_end_only() -> None:
    paragraph = "Hội nghị diễn ra trong hai ngày với sự tham dự của 300 đại biểu. " * 50
    assert not is_caption(paragraph)
    assert is_caption(paragraph + "Quang cảnh hội nghị. Ảnh: T.L")


PHOTO = '<p><img src="/anh/1.jpg" alt=""></p>'
STORY = "<p>Xã Phú An có 1.200 hộ dân. Phần lớn sống bằng nghề trồng lúa và nuôi tôm.</p>"


@pytest.mark.parametrize(
    ("html", "lines"),
    [
        # a description under the photo, its credit in the next block: one caption line
        (
            f"{STORY}{PHOTO}<p><em>Bà con dự lễ khởi công.</em></p><p><em>Ảnh: Hồng Nhung</em></p>",
            [STORY[3:-4], "Bà con dự lễ khởi công. Ảnh: Hồng Nhung"],
        ),
        (
            f'{STORY}<p><img src="/anh/1.jpg"><br>Bà con dự lễ khởi công</p><p>(Ảnh: Hồng Nhung)</p>',
            [STORY[3:-4], "Bà con dự lễ khởi công (Ảnh: Hồng Nhung)"],
        ),
        (
            f'{STORY}<figure><img src="/anh/1.jpg"><figcaption><p>Bà con dự lễ.</p><p>Ảnh: H.N</p>'
            "</figcaption></figure>",
            [STORY[3:-4], "Bà con dự lễ. Ảnh: H.N"],
        ),
        (
            f'{STORY}<table><tr><td><img src="/anh/1.jpg"></td></tr><tr><td>Bà con dự lễ.</td></tr>'
            "<tr><td>Ảnh: H.N</td></tr></table>",
            [STORY[3:-4], "Bà con dự lễ. Ảnh: H.N"],
        ),
        # a credit alone after the story's paragraph, or under a photo with no description: apart
        (f"{STORY}{PHOTO}<p>Ảnh: Hồng Nhung</p>", [STORY[3:-4], "Ảnh: Hồng Nhung"]),
        (
            f"{STORY}<p>Sáng nay, xã khởi công cây cầu mới.</p><p>Ảnh: Hồng Nhung</p>",
            [STORY[3:-4], "Sáng nay, xã khởi công cây cầu mới.", "Ảnh: Hồng Nhung"],
        ),
        # under a photo, but two sentences, or the byline: no description
        (
            f"{STORY}{PHOTO}{STORY}<p>Ảnh: Hồng Nhung</p>",
            [STORY[3:-4]] * 2 + ["Ảnh: Hồng Nhung"],
        ),
        (
            f"{STORY}{PHOTO}<p><b>Hồng Nhung</b></p><p>Ảnh: Minh Khoa</p>",
            [STORY[3:-4], "Hồng Nhung", "Ảnh: Minh Khoa"],
        ),
    ],
)
def test_a_description_and_its_credit_on_two_blocks_become_one_caption(html: str, lines: list[str]) -> None:
    root = parse_html(f"<html><body><div>{html}</div></body></html>")
    body = root.find("body")
    join_photo_credits(body)
    assert html_to_text(lxml.html.tostring(body, encoding="unicode")).split("\n\n") == lines
