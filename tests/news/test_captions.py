"""Photo captions and credits (news.captions): one table for summaries and for stored page bodies."""

from __future__ import annotations

import pytest

from news.captions import credit_start, is_caption, is_photo_credit

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
