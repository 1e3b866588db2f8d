"""Content fingerprints, story signatures, their storage form and LSH bands."""

from __future__ import annotations

import itertools
import json
import random
import re
import unicodedata
from pathlib import Path

import pytest

from news.fingerprint import (
    BANDS,
    LEAD_WORDS,
    SAME_STORY_MAX_DISTANCE,
    band_keys,
    content_fingerprint,
    fingerprint_and_signature,
    from_signed64,
    lead_syllables,
    same_story,
    says_too_little,
    signature_distance,
    story_shingles,
    story_signature,
    syllables,
    to_signed64,
)

CORPORA = Path(__file__).resolve().parents[2] / "../shared/corpora"

TITLE = "Kiên Giang tổng kết công tác xây dựng Đảng nhiệm kỳ Đại hội XII"
BODY = (
    "Sáng 18/9, Ban Thường vụ Tỉnh ủy Kiên Giang tổ chức hội nghị tổng kết chuyên đề về xây dựng "
    "Đảng và thi hành Điều lệ Đảng. Hội nghị ghi nhận công tác kiểm tra, giám sát được thực hiện "
    "thường xuyên, kiểm tra 7.743 lượt tổ chức đảng cấp dưới. Các đại biểu thống nhất phương hướng "
    "cho nhiệm kỳ mới, trong đó chú trọng chất lượng sinh hoạt chi bộ và công tác cán bộ."
)
OTHER_TITLE = "Giá lúa tại Đồng bằng sông Cửu Long tăng nhẹ sau đợt mưa lớn"
OTHER_BODY = (
    "Thương lái tại An Giang, Đồng Tháp cho biết giá lúa tươi tuần này nhích thêm 100 đồng mỗi kg. "
    "Nông dân lo lắng vì mưa kéo dài làm lúa đổ ngã, chi phí thu hoạch tăng. Ngành nông nghiệp "
    "khuyến cáo bà con theo dõi dự báo thời tiết và thu hoạch sớm những diện tích lúa đã chín."
)
OLD_STYLE = {"Tỉnh ủy": "Tỉnh uỷ", "hòa": "hoà"}


def old_style_tones(text: str) -> str:
    for new, old in OLD_STYLE.items():
        text = text.replace(new, old)
    return text


def test_content_fingerprint_is_a_sha256_hex():
    assert re.fullmatch(r"[0-9a-f]{64}", content_fingerprint(TITLE, BODY))


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (TITLE, old_style_tones(BODY)),
        (TITLE.upper(), BODY.lower()),
        (unicodedata.normalize("NFD", TITLE), unicodedata.normalize("NFD", BODY)),
        ("  " + TITLE.replace(" ", "\u00a0 ") + "\n", BODY.replace(". ", " .\n\n")),
        (TITLE + "!", BODY.replace(",", " ,")),
        (TITLE, BODY.replace("Tỉnh", "Tỉnh\u00ad")),  # a soft hyphen left by an HTML page
    ],
)
def test_content_fingerprint_ignores_form(title, body):
    assert content_fingerprint(title, body) == content_fingerprint(TITLE, BODY)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (TITLE, BODY.replace("7.743", "7.744")),
        (TITLE, BODY + " Thêm một câu."),
        ("Kiên Giang tổng kết", BODY),
        (TITLE, BODY.replace("tổng kết", "tổng kêt")),  # a tone changes the word
        ("", TITLE + " " + BODY),  # the title/body boundary counts
    ],
)
def test_content_fingerprint_sees_content_changes(title, body):
    assert content_fingerprint(title, body) != content_fingerprint(TITLE, BODY)


def test_story_shingles_are_syllable_bigrams_of_title_and_lead_window():
    shingles = story_shingles("Bão số 5", "Gió giật cấp 10 " + "mưa " * 100)
    assert {"bão số", "số 5", "gió giật", "cấp 10", "mưa mưa"} <= shingles
    assert "5 gió" not in shingles  # no shingle across the title/lead seam
    assert story_shingles("Bão", "") == {"bão"}
    assert story_shingles("", "") == set()


def test_story_shingles_read_only_the_first_lead_words():
    lead = " ".join(f"từ{i}" for i in range(200))
    assert story_shingles("", lead) == story_shingles("", " ".join(f"từ{i}" for i in range(LEAD_WORDS)))


@pytest.mark.parametrize(
    ("body", "lead"),
    [
        (BODY, BODY.split(". ")[0]),  # the first sentence, not the rest of the article
        ("Kiên Giang, 18/9/2019\n" + BODY, BODY.split(". ")[0]),  # a date line is no lead
        ("Ảnh: Thanh Hà. " + BODY, BODY.split(". ")[0]),  # nor a photo credit
        ("Thông báo. Xem tệp đính kèm.", "Thông báo. Xem tệp đính kèm."),  # no long sentence: the start
    ],
)
def test_the_lead_is_the_first_sentence_of_ten_syllables_or_more(body, lead):
    assert lead_syllables(body) == syllables(lead)[:LEAD_WORDS]


def test_story_signature_is_stable_across_runs():
    # Stored signatures depend on this value: after a change, stories stored before it are not
    # joined by new items for STORY_WINDOW (3 days), unless a migration recomputes them.
    assert story_signature(TITLE, BODY) == story_signature(TITLE, BODY) == 0x9C7F899613E28BC4


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (TITLE, BODY),
        (OTHER_TITLE, OTHER_BODY),
        ("", BODY),
        (TITLE, ""),
        ("Bão", " ".join(f"từ{i}" for i in range(200))),
        ("", ""),
    ],
)
def test_fingerprint_and_signature_equal_the_separate_functions(title, body):
    assert fingerprint_and_signature(title, body) == (
        content_fingerprint(title, body),
        story_signature(title, body),
    )


WATER_NOTICE = (
    "Công ty cấp nước thông báo tạm ngừng cấp nước khu vực phường Ba từ tám giờ đến mười sáu giờ ngày mai."
)


@pytest.mark.parametrize(
    ("title", "body", "too_little"),
    [
        ("Thông báo", "", True),
        ("THÔNG BÁO!", "Xem nội dung trong tệp đính kèm.", True),
        ("Lịch công tác tuần", "", True),
        ("Tin vắn", " ".join(WATER_NOTICE.split()[:19]), True),
        ("Tin vắn", " ".join(WATER_NOTICE.split()[:20]), False),  # twenty syllables of lead tell news apart
        ("Xăng tăng giá từ chiều nay", "", False),  # six syllables make a headline
        (TITLE, "", False),
    ],
)
def test_boilerplate_says_too_little(title, body, too_little):
    assert says_too_little(syllables(title), syllables(body)) is too_little


def test_boilerplate_is_told_apart_by_its_address_and_joins_no_story():
    first, second = (
        fingerprint_and_signature("Thông báo", "", "a/1"),
        fingerprint_and_signature("Thông báo", "", "a/2"),
    )
    assert first[0] != second[0]
    assert first[1] == second[1] == 0
    assert fingerprint_and_signature(TITLE, BODY, "a/1") == fingerprint_and_signature(TITLE, BODY, "b/9")


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Lịch công tác tuần của Ban Thường vụ Tỉnh ủy", "Xem tệp đính kèm"),
        ("Thông báo kết luận của Thường trực Hội đồng nhân dân tỉnh", ""),
        ("Xăng tăng giá từ chiều nay", " ".join(WATER_NOTICE.split()[:19])),
    ],
)
def test_a_thin_body_under_a_headline_is_told_apart_by_its_address_and_joins_by_the_title(title, body):
    # Next week's notice under the same title is another item; the same headline from another
    # portal still tells the same story.
    first, second = (
        fingerprint_and_signature(title, body, "a/1"),
        fingerprint_and_signature(title, body, "a/2"),
    )
    assert first[0] != second[0]
    assert first[1] == second[1] != 0


@pytest.mark.parametrize("size", [1, 3, 20, 200])
def test_story_signature_of_shingle_sets_of_any_size_spreads_bits(size):
    # One-permutation hashing leaves bins empty for small sets; densification must still fill
    # all 64 bits from the set, not leave them 0.
    signatures = [
        story_signature("", " ".join(f"từ{seed}x{i}" for i in range(size + 1))) for seed in range(40)
    ]
    ones = sum(signature.bit_count() for signature in signatures) / len(signatures)
    assert 20 < ones < 44


def test_story_signature_of_empty_text_is_zero():
    assert story_signature("", "") == 0
    assert story_signature(" … ", "—") == 0


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        (old_style_tones(TITLE), unicodedata.normalize("NFD", old_style_tones(BODY)).upper()),
        (TITLE + " - Báo Kiên Giang", BODY),
        (TITLE, "(TTXVN) - " + BODY),
        (TITLE, BODY.replace("thường xuyên", "liên tục")),
    ],
)
def test_edited_copies_are_the_same_story(title, lead):
    distance = signature_distance(story_signature(title, lead), story_signature(TITLE, BODY))
    assert distance <= SAME_STORY_MAX_DISTANCE
    assert same_story(story_signature(title, lead), story_signature(TITLE, BODY))


def test_different_stories_are_far_apart():
    a, b = story_signature(TITLE, BODY), story_signature(OTHER_TITLE, OTHER_BODY)
    assert signature_distance(a, b) > 2 * SAME_STORY_MAX_DISTANCE
    assert not same_story(a, b)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        (0, 0, 0),
        (0, 1, 1),
        (0b1011, 0b0110, 3),
        (0, (1 << 64) - 1, 64),
        (-1, (1 << 64) - 1, 0),  # signed and unsigned spellings of one signature
        (to_signed64(1 << 63), 1 << 63, 0),
    ],
)
def test_signature_distance(a, b, distance):
    assert signature_distance(a, b) == signature_distance(b, a) == distance


@pytest.mark.parametrize(("distance", "same"), [(0, True), (7, True), (8, False), (32, False)])
def test_same_story_threshold(distance, same):
    assert same_story(0, (1 << distance) - 1, threshold=7) is same


@pytest.mark.parametrize(
    ("unsigned", "signed"),
    [
        (0, 0),
        (1, 1),
        ((1 << 63) - 1, (1 << 63) - 1),
        (1 << 63, -(1 << 63)),
        ((1 << 64) - 1, -1),
    ],
)
def test_signed64_round_trip(unsigned, signed):
    assert to_signed64(unsigned) == signed
    assert from_signed64(signed) == unsigned
    assert -(1 << 63) <= to_signed64(unsigned) < 1 << 63


def test_band_keys_split_sixty_four_bits_into_tagged_bands():
    signature = 0x0123_4567_89AB_CDEF
    assert band_keys(signature, bands=4) == [
        0xCDEF,
        (1 << 16) | 0x89AB,
        (2 << 16) | 0x4567,
        (3 << 16) | 0x0123,
    ]
    assert len(band_keys(signature)) == BANDS == SAME_STORY_MAX_DISTANCE + 1


@pytest.mark.parametrize("bands", [2, 4, 5, 6, 8, 11, 32])
def test_band_keys_never_collide_across_bands_and_fit_a_bigint(bands):
    rng = random.Random(bands)
    for _ in range(200):
        keys = band_keys(rng.getrandbits(64), bands)
        assert len(keys) == bands
        assert [key >> -(-64 // bands) for key in keys] == list(range(bands))
        assert all(0 <= key < 1 << 63 for key in keys)


@pytest.mark.parametrize("bands", [4, 6, 8])
def test_pigeonhole_within_bands_minus_one_bits_some_band_is_equal(bands):
    rng = random.Random(bands)
    for _ in range(300):
        signature = rng.getrandbits(64)
        flipped = signature
        for bit in rng.sample(range(64), bands - 1):
            flipped ^= 1 << bit
        assert set(band_keys(signature, bands)) & set(band_keys(flipped, bands))


def test_flipping_one_bit_in_every_band_defeats_the_index():
    # The other side of the pigeonhole: distance == bands can miss; hence BANDS = threshold + 1.
    flipped = sum(1 << (16 * band) for band in range(4))
    assert not set(band_keys(0, 4)) & set(band_keys(flipped, 4))


@pytest.mark.parametrize("bands", [0, 1, 33])
def test_band_keys_rejects_bad_band_counts(bands):
    with pytest.raises(ValueError):
        band_keys(0, bands)


@pytest.mark.corpora
def test_real_articles_tone_variants_match_and_different_articles_do_not():
    path = CORPORA / "vietnews" / "dev-1000.jsonl"
    if not path.is_file():
        pytest.skip(f"corpus absent: {path} (see ../shared/corpora/README.md)")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:150]]
    signatures = [story_signature(row["title"], row["article"]) for row in rows]
    for row, signature in zip(rows, signatures, strict=True):
        variant = unicodedata.normalize("NFD", old_style_tones(row["article"]))
        assert story_signature(row["title"].upper(), variant) == signature
    distances = [signature_distance(a, b) for a, b in itertools.combinations(signatures, 2)]
    assert min(distances) > SAME_STORY_MAX_DISTANCE


# A teaser (a feed's one-sentence description) and the full article that begins with it.
BRIDGE_TITLE = "Cần Thơ khánh thành cầu Bình Thủy 2 nối hai quận ven sông Hậu"
BRIDGE_LEAD = (
    "Sáng 12/3, UBND thành phố Cần Thơ khánh thành cầu Bình Thủy 2 dài 420 m, rút ngắn thời gian "
    "đi lại giữa quận Bình Thủy và quận Ninh Kiều còn khoảng mười phút."
)
BRIDGE_REST = (
    "Công trình có tổng vốn đầu tư 380 tỷ đồng, khởi công từ tháng 5 năm trước và về đích sớm hơn "
    "kế hoạch hai tháng. Theo Sở Giao thông vận tải, mỗi ngày có khoảng mười hai nghìn lượt xe qua "
    "khu vực này. Người dân hai bên bờ sông phấn khởi vì không còn phải chờ phà vào giờ cao điểm."
)
BRIDGE_FULL = f"{BRIDGE_LEAD} {BRIDGE_REST}"
# Another story told with the same template: same city, same verb, same opening.
SCHOOL_TITLE = "Cần Thơ khánh thành trường tiểu học mới ở quận Ô Môn"
SCHOOL_BODY = (
    "Sáng 12/3, UBND thành phố Cần Thơ khánh thành trường tiểu học Thới An với 24 phòng học, đón "
    "khoảng chín trăm học sinh của phường Thới An và phường Phước Thới. Trường được xây trên nền "
    "trường cũ xuống cấp, tổng vốn đầu tư 60 tỷ đồng từ ngân sách thành phố. Thầy cô và phụ huynh "
    "mong trường sớm có thêm sân chơi và thư viện cho các em."
)


@pytest.mark.parametrize(
    ("teaser", "full", "same"),
    [
        ((BRIDGE_TITLE, BRIDGE_LEAD), (BRIDGE_TITLE, BRIDGE_FULL), True),
        ((BRIDGE_TITLE, BRIDGE_LEAD), (BRIDGE_TITLE, f"(TTXVN) - {BRIDGE_FULL}"), True),
        ((BRIDGE_TITLE, BRIDGE_LEAD), (BRIDGE_TITLE, f"Cần Thơ, 12/3/2025\n{BRIDGE_FULL}"), True),
        ((BRIDGE_TITLE, BRIDGE_LEAD), (f"{BRIDGE_TITLE} - Báo Cần Thơ", BRIDGE_FULL), True),
        ((BRIDGE_TITLE, f"{BRIDGE_LEAD} Công trình có tổng vốn..."), (BRIDGE_TITLE, BRIDGE_FULL), True),
        ((BRIDGE_TITLE, BRIDGE_LEAD), (SCHOOL_TITLE, SCHOOL_BODY), False),
        ((SCHOOL_TITLE, SCHOOL_BODY.split(". ")[0]), (BRIDGE_TITLE, BRIDGE_FULL), False),
        ((BRIDGE_TITLE, BRIDGE_FULL), (SCHOOL_TITLE, SCHOOL_BODY), False),
    ],
)
def test_a_teaser_and_its_full_article_are_one_story_and_a_templated_other_story_is_not(teaser, full, same):
    distance = signature_distance(story_signature(*teaser), story_signature(*full))
    if same:
        assert distance <= SAME_STORY_MAX_DISTANCE
    else:
        # different stories stay well beyond the threshold, not just over it
        assert distance > 2 * SAME_STORY_MAX_DISTANCE
