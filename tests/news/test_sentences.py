"""Sentence splitting, case by case (texts written for these tests)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import pytest

from news.sentences import iter_line_sentences, split_sentences
from news.story_lines import body_lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Tỉnh họp tổng kết công tác năm\nNgày: 19.09.2019\nSáng nay, tỉnh tổ chức hội nghị. Hội nghị kết thúc lúc 11 giờ.",
            [
                "Tỉnh họp tổng kết công tác năm",
                "Ngày: 19.09.2019",
                "Sáng nay, tỉnh tổ chức hội nghị.",
                "Hội nghị kết thúc lúc 11 giờ.",
            ],
            id="title-line-date-line-and-sentences",
        ),
        pytest.param(
            "Đã kiểm tra 7.743 lượt tổ chức. Kết quả tốt.",
            ["Đã kiểm tra 7.743 lượt tổ chức.", "Kết quả tốt."],
            id="thousands-separator",
        ),
        pytest.param(
            "Ngày 19.09.2019 trời mưa. Đường ngập.",
            ["Ngày 19.09.2019 trời mưa.", "Đường ngập."],
            id="dotted-date",
        ),
        pytest.param(
            "Giá tăng 3,5%. Lương tăng 7,2%.",
            ["Giá tăng 3,5%.", "Lương tăng 7,2%."],
            id="decimal-comma-percent",
        ),
        pytest.param("Ông sống ở TP. Hồ Chí Minh.", ["Ông sống ở TP. Hồ Chí Minh."], id="TP"),
        pytest.param("Nhà ở Q. Bình Thạnh.", ["Nhà ở Q. Bình Thạnh."], id="Q"),
        pytest.param("Trụ sở tại P. Tân Định.", ["Trụ sở tại P. Tân Định."], id="P"),
        pytest.param("Chợ ở TX. Hà Tiên mở cửa.", ["Chợ ở TX. Hà Tiên mở cửa."], id="TX"),
        pytest.param("Trường ở TT. Dương Đông.", ["Trường ở TT. Dương Đông."], id="TT"),
        pytest.param("Cầu ở H. Châu Thành.", ["Cầu ở H. Châu Thành."], id="H"),
        pytest.param("Đường về X. Bình An.", ["Đường về X. Bình An."], id="X"),
        pytest.param("Xem Tr. 5 của báo.", ["Xem Tr. 5 của báo."], id="Tr"),
        pytest.param("GS. Lê Văn Minh phát biểu.", ["GS. Lê Văn Minh phát biểu."], id="GS"),
        pytest.param("PGS.TS. Trần Thu Hà trình bày.", ["PGS.TS. Trần Thu Hà trình bày."], id="PGS.TS-chain"),
        pytest.param("TS. Phạm An nói.", ["TS. Phạm An nói."], id="TS"),
        pytest.param("ThS. Vũ Lan dạy toán.", ["ThS. Vũ Lan dạy toán."], id="ThS"),
        pytest.param("BS. Đỗ Hùng khám bệnh.", ["BS. Đỗ Hùng khám bệnh."], id="BS"),
        pytest.param("BSCK. Hồ Nam mổ.", ["BSCK. Hồ Nam mổ."], id="BSCK"),
        pytest.param("KS. Mai Đức thiết kế.", ["KS. Mai Đức thiết kế."], id="KS"),
        pytest.param("LS. Ngô Tâm bào chữa.", ["LS. Ngô Tâm bào chữa."], id="LS"),
        pytest.param("Sách của NXB. Trẻ in.", ["Sách của NXB. Trẻ in."], id="NXB"),
        pytest.param("Đ/c. Nguyễn Văn An phát biểu.", ["Đ/c. Nguyễn Văn An phát biểu."], id="dong-chi"),
        pytest.param(
            "Có các đ/c. Lê Hoa và Trần Minh.", ["Có các đ/c. Lê Hoa và Trần Minh."], id="dong-chi-lowercase"
        ),
        pytest.param("Xe chạy 40 km/h. Sau đó dừng.", ["Xe chạy 40 km/h.", "Sau đó dừng."], id="km/h-ends"),
        pytest.param("Xe chạy 40 km/h.Sau đó dừng.", ["Xe chạy 40 km/h.", "Sau đó dừng."], id="km/h-glued"),
        pytest.param("Đ/c.Lê Hoa phát biểu.", ["Đ/c.Lê Hoa phát biểu."], id="dong-chi-glued"),
        pytest.param("Mua gạo, muối, v.v. và rau.", ["Mua gạo, muối, v.v. và rau."], id="v.v."),
        pytest.param("Có 3 loại, v.v. 5 loại khác.", ["Có 3 loại, v.v. 5 loại khác."], id="v.v.-then-digit"),
        # `v.v.` (etc.) often ends a sentence: before a capital it does.
        pytest.param("Mua gạo, muối v.v. Sau đó về.", ["Mua gạo, muối v.v.", "Sau đó về."], id="v.v.-final"),
        pytest.param("Ông sống ở tp. Huế.", ["Ông sống ở tp. Huế."], id="case-insensitive"),
        pytest.param("ThS.BS. Lý Hoa trực.", ["ThS.BS. Lý Hoa trực."], id="ThS.BS-chain"),
        pytest.param("GS.TSKH. Đặng Minh nói.", ["GS.TSKH. Đặng Minh nói."], id="GS.TSKH-chain"),
        pytest.param("TSKH. Đặng Minh nói.", ["TSKH. Đặng Minh nói."], id="TSKH"),
        pytest.param("BS.CKI. Hà Vy khám.", ["BS.CKI. Hà Vy khám."], id="BS.CKI-chain"),
        pytest.param("BSCKI. Hà Vy khám.", ["BSCKI. Hà Vy khám."], id="BSCKI"),
        pytest.param("KTS. Lâm Phong vẽ.", ["KTS. Lâm Phong vẽ."], id="KTS"),
        pytest.param("ThS. GVC. Lê Hoa giảng.", ["ThS. GVC. Lê Hoa giảng."], id="ThS-GVC"),
        pytest.param(
            "NSND. Lê Hoa hát. Khán giả vỗ tay.", ["NSND. Lê Hoa hát.", "Khán giả vỗ tay."], id="NSND"
        ),
        pytest.param("NSƯT. Minh Phương múa.", ["NSƯT. Minh Phương múa."], id="NSƯT"),
        pytest.param("TTƯT.BS. Lý Hoa trực.", ["TTƯT.BS. Lý Hoa trực."], id="TTƯT.BS-chain"),
        pytest.param(
            "Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."], id="Mr-Dr"
        ),
        pytest.param("He moved to the U.S. Army base.", ["He moved to the U.S. Army base."], id="U.S."),
        pytest.param("Fruit, e.g. Apples, is sold.", ["Fruit, e.g. Apples, is sold."], id="e.g."),
        pytest.param(
            "Anh Kh., 30 tuổi, bị thương.", ["Anh Kh., 30 tuổi, bị thương."], id="initial-then-comma"
        ),
        pytest.param("Ông T.X. L. Sau đó ông về.", ["Ông T.X. L.", "Sau đó ông về."], id="initials-chain"),
        pytest.param("Bà H. nhận tiền rồi đi.", ["Bà H. nhận tiền rồi đi."], id="initial-then-lowercase"),
        pytest.param("Bà H. 45 tuổi đã về.", ["Bà H. 45 tuổi đã về."], id="initial-then-digit"),
        pytest.param(
            "Anh Kh.; chị Lan. Họ đi.", ["Anh Kh.; chị Lan.", "Họ đi."], id="initial-then-semicolon"
        ),
        pytest.param(
            "(Ảnh: anh Kh.) Mọi người vui.", ["(Ảnh: anh Kh.)", "Mọi người vui."], id="initial-then-bracket"
        ),
        pytest.param(
            "Gặp bà H. Tuy nhiên bà đi.", ["Gặp bà H.", "Tuy nhiên bà đi."], id="initial-ends-sentence"
        ),
        pytest.param("Gặp ông Trần V. Nam ở chợ.", ["Gặp ông Trần V. Nam ở chợ."], id="middle-initial"),
        pytest.param("Cô Nguyễn T. T. Hà dạy văn.", ["Cô Nguyễn T. T. Hà dạy văn."], id="middle-initials"),
        pytest.param(
            "Ông George W. Bush đến thăm.", ["Ông George W. Bush đến thăm."], id="english-middle-initial"
        ),
        pytest.param(
            "Ông Phạm Văn T. (SN 1973) bị bắt.",
            ["Ông Phạm Văn T. (SN 1973) bị bắt."],
            id="initial-then-brackets",
        ),
        pytest.param(
            "Họ gọi ông N. Q. D. Tối đó ông về.",
            ["Họ gọi ông N. Q. D.", "Tối đó ông về."],
            id="spaced-initials-then-sentence",
        ),
        pytest.param(
            "Gặp bà Nguyễn Thị H. Sau đó bà đi.",
            ["Gặp bà Nguyễn Thị H.", "Sau đó bà đi."],
            id="name-initial-ends-sentence",
        ),
        pytest.param(
            "Anh ký với H. Tuy nhiên H. không đến.",
            ["Anh ký với H.", "Tuy nhiên H. không đến."],
            id="H-before-a-sentence-opener",
        ),
        pytest.param(
            "Công an H. Châu Thành vào cuộc.", ["Công an H. Châu Thành vào cuộc."], id="H-is-a-district"
        ),
        pytest.param(
            "Ông làm ở xã Trung An. Đồng thời ông dạy học.",
            ["Ông làm ở xã Trung An.", "Đồng thời ông dạy học."],
            id="two-letter-syllable-is-no-initial",
        ),
        pytest.param(
            "Cảng lớn ở Đông Nam Á. Thỏa thuận có hiệu lực.",
            ["Cảng lớn ở Đông Nam Á.", "Thỏa thuận có hiệu lực."],
            id="a-word-of-one-letter-is-no-initial",
        ),
        pytest.param(
            "Ông nói: “Tôi đồng ý.” Sau đó ông về.",
            ["Ông nói: “Tôi đồng ý.”", "Sau đó ông về."],
            id="closing-quote",
        ),
        pytest.param(
            "Họ đến (hôm qua.) Hôm nay về.", ["Họ đến (hôm qua.)", "Hôm nay về."], id="closing-bracket"
        ),
        pytest.param("Thật sao?! Đúng vậy!", ["Thật sao?!", "Đúng vậy!"], id="question-exclamation"),
        pytest.param("Họ chờ… Rồi họ đi.", ["Họ chờ…", "Rồi họ đi."], id="ellipsis-before-capital"),
        pytest.param("Họ chờ... Rồi họ đi.", ["Họ chờ...", "Rồi họ đi."], id="dots-before-capital"),
        pytest.param("Họ chờ… rồi đi.", ["Họ chờ… rồi đi."], id="ellipsis-before-lowercase"),
        pytest.param(
            "Họ trực thuộc…Thường trực chủ trì.", ["Họ trực thuộc…Thường trực chủ trì."], id="ellipsis-glued"
        ),
        pytest.param(
            "Năm nay tăng mạnh.Hội nghị bế mạc.",
            ["Năm nay tăng mạnh.", "Hội nghị bế mạc."],
            id="missing-space",
        ),
        pytest.param("Ông nói xong. rồi đi.", ["Ông nói xong. rồi đi."], id="never-before-lowercase"),
        pytest.param(
            "Ông nói: “Họ đã họp.”Sau đó ông về.",
            ["Ông nói: “Họ đã họp.”", "Sau đó ông về."],
            id="missing-space-after-closing-quote",
        ),
        pytest.param(
            "Họ vẫn chờ (chưa có tin gì.)Hôm sau có tin.",
            ["Họ vẫn chờ (chưa có tin gì.)", "Hôm sau có tin."],
            id="missing-space-after-closing-bracket",
        ),
        pytest.param(
            "Tỉnh họp ngày 5/3.Sau đó tỉnh công bố.",
            ["Tỉnh họp ngày 5/3.", "Sau đó tỉnh công bố."],
            id="missing-space-after-date",
        ),
        pytest.param(
            "Cầu khánh thành năm 2019.Hai năm sau cầu hỏng.",
            ["Cầu khánh thành năm 2019.", "Hai năm sau cầu hỏng."],
            id="missing-space-after-year",
        ),
        pytest.param("Có 7.743 hộ.", ["Có 7.743 hộ."], id="thousands-are-no-end"),
        pytest.param("Xem tại baokiengiang.vn nhé.", ["Xem tại baokiengiang.vn nhé."], id="domain-is-no-end"),
        pytest.param("Ở TP.HCM và TP.Huế mưa.", ["Ở TP.HCM và TP.Huế mưa."], id="TP-glued"),
        pytest.param(
            "Bàn hai việc:1.Sửa đường.", ["Bàn hai việc:1.Sửa đường."], id="one-digit-glued-is-no-end"
        ),
        pytest.param(
            'Anh ấy hát."Hay quá" ai cũng khen.',
            ['Anh ấy hát."Hay quá" ai cũng khen.'],
            id="straight-quote-glued",
        ),
        pytest.param(
            "1. Rà soát hồ sơ đất đai.\n2. Báo cáo trước tháng 6.",
            ["1. Rà soát hồ sơ đất đai.", "2. Báo cáo trước tháng 6."],
            id="numbered-list-lines",
        ),
        pytest.param(
            "Hội nghị bàn hai việc: 1. Sửa đường. 2. Xây chợ.",
            ["Hội nghị bàn hai việc: 1. Sửa đường.", "2. Xây chợ."],
            id="numbered-list-after-colon",
        ),
        pytest.param(
            "II. Nhiệm vụ năm tới. Tỉnh chọn ba việc.",
            ["II. Nhiệm vụ năm tới.", "Tỉnh chọn ba việc."],
            id="roman-list-number",
        ),
        pytest.param(
            "Tỷ số là 2:1. Đội nhà thắng.", ["Tỷ số là 2:1.", "Đội nhà thắng."], id="number-after-colon-ends"
        ),
        pytest.param(
            "Tổ đứng thứ 3. Tổ bạn thứ 4.", ["Tổ đứng thứ 3.", "Tổ bạn thứ 4."], id="number-ends-sentence"
        ),
        pytest.param(
            "Họp lúc 8 giờ 30 p. Sau đó nghỉ.",
            ["Họp lúc 8 giờ 30 p.", "Sau đó nghỉ."],
            id="p-for-minutes-ends",
        ),
        pytest.param(
            "Xe đến lúc 7 h. Khách lên xe.", ["Xe đến lúc 7 h.", "Khách lên xe."], id="h-for-hours-ends"
        ),
        pytest.param(
            "Nghỉ 15 p. 10 p sau họp tiếp.", ["Nghỉ 15 p. 10 p sau họp tiếp."], id="p-for-minutes-then-digit"
        ),
        pytest.param("Nhà ở khu 5 P. Tân Định.", ["Nhà ở khu 5 P. Tân Định."], id="P-after-number-is-a-ward"),
        pytest.param("", [], id="empty"),
        pytest.param("Không có dấu chấm", ["Không có dấu chấm"], id="no-terminator"),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


# Academic, medical and military titles written before a name, alone or chained with `.`, `-` or `–`:
# none of them ends the sentence (each text is "<title> Lê Hoa nói. Sau đó về.").
_TITLES = [
    "PGS.TS.",
    "PGS-TS.",
    "PGS–TS.",
    "GS.TS.",
    "GS-TSKH.",
    "ThS.",
    "Ths.",
    "ThS-BS.",
    "ThS.BS.",
    "TS-BS.",
    "TS.BS.",
    "BS.",
    "BSCKII.",
    "BS.CKII.",
    "BS-CKII.",
    "BSCK1.",
    "BS.CK2.",
    "BSNT.",
    "DS.",
    "DS.CKI.",
    "ThS.DS.",
    "ĐD.",
    "KTV.",
    "NCS.",
    "NGƯT.PGS.TS.",
    "TTND-GS-TS.",
    "Đại tá, TS.",
    "Thượng tướng, PGS.TS.",
    "Thiếu tướng",
    "Đại tá",
    "Thượng tá",
    "Trung tướng",
    "Đ/c",
]


@pytest.mark.parametrize("title", _TITLES)
def test_a_title_before_a_name_ends_no_sentence(title: str) -> None:
    assert split_sentences(f"{title} Lê Hoa nói. Sau đó về.") == [f"{title} Lê Hoa nói.", "Sau đó về."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a hyphenated word whose parts are no titles still ends a sentence
        pytest.param("Ông gặp Kim Jong-un. Sau đó về.", ["Ông gặp Kim Jong-un.", "Sau đó về."], id="name"),
        pytest.param("Sở GD-ĐT. Hôm nay họp.", ["Sở GD-ĐT.", "Hôm nay họp."], id="department"),
        pytest.param("Trận đấu 2-1. Sau đó về.", ["Trận đấu 2-1.", "Sau đó về."], id="score"),
    ],
)
def test_a_hyphenated_word_that_is_no_title_chain_ends_a_sentence(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Ông nói: “Chúng ta phải làm. Không thể chờ.” Sau đó ông về.",
            ["Ông nói: “Chúng ta phải làm. Không thể chờ.”", "Sau đó ông về."],
            id="curly-quotes",
        ),
        pytest.param(
            "“Nước lên nhanh. Chúng tôi phải dời nhà”, bà Lan kể. Hôm sau trời tạnh.",
            ["“Nước lên nhanh. Chúng tôi phải dời nhà”, bà Lan kể.", "Hôm sau trời tạnh."],
            id="quote-then-attribution",
        ),
        pytest.param(
            'Bà kể: "Trời mưa. Nước lên nhanh", rồi đi. Họ về.',
            ['Bà kể: "Trời mưa. Nước lên nhanh", rồi đi.', "Họ về."],
            id="straight-quotes",
        ),
        pytest.param(
            'Gọi là "vua lúa" nhé. Ông nói: "Mùa này được. Mùa sau chưa biết." Hết.',
            ['Gọi là "vua lúa" nhé.', 'Ông nói: "Mùa này được. Mùa sau chưa biết."', "Hết."],
            id="a-closed-quote-before-the-open-one",
        ),
        pytest.param(
            "Ông nói: “Chúng ta phải làm. Không thể chờ. Sau đó ông về.",
            ["Ông nói: “Chúng ta phải làm.", "Không thể chờ.", "Sau đó ông về."],
            id="unclosed-quote",
        ),
    ],
)
def test_a_quotation_is_not_split(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_a_long_quotation_is_split() -> None:
    said = "Năm nay mưa nhiều hơn mọi năm."  # seven words
    text = f"Ông nói: “{' '.join([said] * 8)}” Hết."
    assert len(split_sentences(text)) == 9


def test_split_keeps_every_character_of_a_line_but_outer_spaces() -> None:
    text = "Một câu. Hai câu!  Ba câu?"
    assert " ".join(split_sentences(text)).replace(" ", "") == text.replace(" ", "")


def test_no_break_space_counts_as_a_space() -> None:
    assert split_sentences("Ở TP.\u00a0Huế mưa. Trời lạnh.") == ["Ở TP. Huế mưa.", "Trời lạnh."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Trời mưa to. Đường ngập.", ["Trời mưa to.", "Đường ngập."], id="lowercase-word"),
        pytest.param(
            "Khánh thành năm 2019. Sau đó mở rộng.", ["Khánh thành năm 2019.", "Sau đó mở rộng."], id="number"
        ),
        pytest.param(
            "Ông sống ở tp. Hồ Chí Minh.", ["Ông sống ở tp. Hồ Chí Minh."], id="lowercase-abbreviation"
        ),
        pytest.param(
            "Bà đến từ huyện x. Tân Phú.", ["Bà đến từ huyện x. Tân Phú."], id="one-letter-abbreviation"
        ),
        pytest.param("Giá tăng mạnh. sau đó giảm.", ["Giá tăng mạnh. sau đó giảm."], id="lowercase-follower"),
    ],
)
def test_common_period_endings(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


# Some pages space the dots of an ellipsis (`. . .`): each dot came out as a sentence of its own, and a
# summary could be a lone `.`.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Họ chờ . . . Rồi lặng lẽ ra về.", ["Họ chờ . . .", "Rồi lặng lẽ ra về."]),
        ("Họ chờ. . . Rồi lặng lẽ ra về.", ["Họ chờ. . .", "Rồi lặng lẽ ra về."]),
        ("Họ chờ . . . rồi lặng lẽ ra về.", ["Họ chờ . . . rồi lặng lẽ ra về."]),
        (
            "Mưa, gió, sấm chớp . . . Đường phố vắng tanh.",
            ["Mưa, gió, sấm chớp . . .", "Đường phố vắng tanh."],
        ),
        (
            'Bà nói: "Tôi chờ . . . Tôi vẫn chờ." Rồi bà khóc.',
            ['Bà nói: "Tôi chờ . . . Tôi vẫn chờ."', "Rồi bà khóc."],
        ),
        ("Cuối cùng . . .", ["Cuối cùng . . ."]),
    ],
)
def test_a_spaced_ellipsis_is_one_end(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_iter_line_sentences_splits_cleaned_lines_like_split_sentences() -> None:
    text = "Dòng một. Câu hai của dòng một.\nNgày: 1/2/2020\nDòng ba ở TP. Huế. Hết."
    assert list(iter_line_sentences(body_lines(text))) == [
        sentence for line in body_lines(text) for sentence in split_sentences(line)
    ]


def test_iter_line_sentences_reads_no_more_lines_than_asked() -> None:
    def lines() -> Iterator[str]:
        yield "Câu một. Câu hai."
        raise AssertionError("the second line was read")

    assert list(islice(iter_line_sentences(lines()), 2)) == ["Câu một.", "Câu hai."]
