"""TCVN3 and VNI: conversion, detection, and round trips through independent encoders."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

from news.legacy import convert_legacy, detect_legacy_encoding, legacy_scores
from tests.news.legacy_encoders import TONES, as_vntimeh, encodable, encode_tcvn3, encode_vni

CORPORA = Path(__file__).resolve().parents[2] / "../shared/corpora"

SENTENCES = [
    "Huyện ủy họp bàn kế hoạch phát triển kinh tế xã hội năm 2019.",
    "Ủy ban nhân dân tỉnh Kiên Giang tổ chức hội nghị tổng kết công tác.",
    "Đồng chí Bí thư Tỉnh ủy phát biểu chỉ đạo tại buổi làm việc với người dân.",
    "Giá lúa tăng nhẹ, nông dân phấn khởi thu hoạch vụ hè thu sớm hơn mọi năm.",
    "Trường học được xây mới khang trang, học sinh vui vẻ đến lớp ngày khai giảng.",
    "Ông Nguyễn Văn Được, Chủ tịch Hội Nông dân xã, cho biết sẽ tiếp tục hỗ trợ.",
    "Những cơn mưa lớn kéo dài khiến nhiều tuyến đường ngập sâu, giao thông ách tắc.",
    "Quỹ khuyến học trao 120 suất học bổng, mỗi suất trị giá 2 triệu đồng.",
    "ĂN QUẢ NHỚ KẺ TRỒNG CÂY. Ưu tiên Ơn nghĩa Đền đáp Âm thầm Êm ả Ông bà",
]


@pytest.mark.parametrize(
    ("legacy", "encoding", "expected"),
    [
        ("HuyÖn ñy", "tcvn3", "Huyện ủy"),
        ("Uû ban nh©n d©n tØnh", "tcvn3", "Uỷ ban nhân dân tỉnh"),
        ("§¶ng bé x· Vĩnh Hßa", "tcvn3", "Đảng bộ xã Vĩnh Hòa"),
        ("ng\u00adêi d©n", "tcvn3", "người dân"),  # ư is the soft hyphen byte 0xAD
        ("¡n qu¶ nhí kÎ trång c©y", "tcvn3", "Ăn quả nhớ kẻ trồng cây"),
        ("Huyeän uûy", "vni", "Huyện ủy"),
        ("UÛy ban nhaân daân tænh", "vni", "Ủy ban nhân dân tỉnh"),
        ("Ñaûng boä xaõ", "vni", "Đảng bộ xã"),
        ("ngöôøi daân ñöôøng", "vni", "người dân đường"),
        ("HUYEÄN UÛY ÑOÀNG THAÙP", "vni", "HUYỆN ỦY ĐỒNG THÁP"),
        ("Kyø hoïp thöù möôøi", "vni", "Kỳ họp thứ mười"),
        ("Ngaøy 19.09.2019 - (Soá 7.743)", "vni", "Ngày 19.09.2019 - (Số 7.743)"),
        ("ì í æ ó ò î", "vni", "ì í ỉ ĩ ị ỵ"),
    ],
)
def test_convert_known_pairs(legacy: str, encoding: str, expected: str) -> None:
    assert convert_legacy(legacy, encoding) == expected


def test_convert_rejects_unknown_encoding() -> None:
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        convert_legacy("x", "viqr")


@pytest.mark.parametrize("sentence", SENTENCES)
def test_tcvn3_round_trip(sentence: str) -> None:
    text = encode_tcvn3(sentence).decode("cp1252")
    assert detect_legacy_encoding(text) == "tcvn3"
    assert convert_legacy(text, "tcvn3") == as_vntimeh(sentence)


@pytest.mark.parametrize("sentence", SENTENCES)
def test_vni_round_trip(sentence: str) -> None:
    text = encode_vni(sentence).decode("cp1252")
    assert detect_legacy_encoding(text) == "vni"
    assert convert_legacy(text, "vni") == sentence


def test_every_letter_round_trips() -> None:
    letters = [unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy" for tone in TONES]
    text = " ".join(f"t{letter}n" for letter in letters) + " đ Đ"
    assert convert_legacy(encode_vni(text).decode("cp1252"), "vni") == text
    assert convert_legacy(encode_vni(text.upper()).decode("cp1252"), "vni") == text.upper()
    assert convert_legacy(encode_tcvn3(text).decode("cp1252"), "tcvn3") == text
    assert convert_legacy(encode_tcvn3(text).decode("latin-1"), "tcvn3") == text


def test_tcvn3_toned_capitals_come_back_lower_case() -> None:
    text = encode_tcvn3("HUYỆN ỦY").decode("cp1252")
    assert convert_legacy(text, "tcvn3") == "HUYệN ủY"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Plain English text about the economy and the weather in Hanoi.",
        "Où est le goût d'antan? Il a mangé à la maison, déjà très fatigué après la journée; "
        "le café était naïf, la fenêtre ouverte sur l'été. Ça coûte cher, n'est-ce pas?",
        "Müller fährt über die Brücke; schöne Grüße aus Köln. Die Straße ist nass, "
        "aber das Wetter wird morgen besser, heißt es im Bericht.",
        "El niño y la señora caminan por la montaña; mañana habrá sesión en el país. "
        "¿Qué opinas? ¡Está muy bien! La acción continúa después.",
        "A capitalização do mercado não é uma questão simples; as informações são públicas.",
        "Xin chào các bạn! Ủy ban nhân dân tỉnh Khánh Hòa tổ chức hội nghị.",
        "Cà phê sữa đá là thức uống quen thuộc của người Việt.",
        "Photo ©AFP — « Bonjour », dit-il. 25°C, 50 µm, ½ tasse.",
        "Hòa",
    ],
)
def test_no_false_positive(text: str) -> None:
    assert detect_legacy_encoding(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "HuyÖn ñy ban",  # two words are enough when nothing contradicts them
        "Huyeän uûy ban",
    ],
)
def test_short_legacy_text_is_detected(text: str) -> None:
    assert detect_legacy_encoding(text) is not None


# Short titles, as an old provincial page's headings: VNI `Caûnh saùt` read in TCVN3 gives `Caỷnh saút`,
# which the syllable check took for Vietnamese, so the title was "converted" the wrong way.
TITLES = [
    "Cảnh sát giao thông",
    "Chủ tịch UBND tỉnh",
    "Thịnh vượng chung",
    "Thành phố xanh sạch đẹp",
    "Huỳnh Văn Nghệ",
    "Kế hoạch năm mới",
]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("title", TITLES)
def test_a_short_title_is_read_in_its_own_encoding(title: str, encoding: str) -> None:
    encoder = {"tcvn3": encode_tcvn3, "vni": encode_vni}[encoding]
    text = encoder(title).decode("cp1252")
    assert detect_legacy_encoding(text) == encoding
    expected = as_vntimeh(title) if encoding == "tcvn3" else title
    assert convert_legacy(text, encoding) == expected


def test_legacy_scores_explain_the_verdict() -> None:
    scores = legacy_scores(encode_vni(SENTENCES[0]).decode("cp1252"))
    assert scores["vni"] > scores["tcvn3"]
    assert scores["unicode_vietnamese"] == 0


def test_unicode_vietnamese_mixed_with_a_little_legacy_is_not_converted() -> None:
    text = SENTENCES[1] + " " + SENTENCES[2] + " " + encode_tcvn3("Huyện ủy").decode("cp1252")
    assert detect_legacy_encoding(text) is None


def _vietnews_articles(count: int) -> list[str]:
    path = CORPORA / "vietnews" / "dev-1000.jsonl"
    if not path.exists():
        pytest.skip(f"corpus not found at {path} (../shared/corpora is absent)")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["article"] for _, line in zip(range(count), lines, strict=False)]


@pytest.mark.corpora
@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_vietnews_articles_round_trip(encoding: str) -> None:
    encoder = {"tcvn3": encode_tcvn3, "vni": encode_vni}[encoding]
    for article in _vietnews_articles(200):
        original = encodable(article)
        text = encoder(original).decode("cp1252")
        assert detect_legacy_encoding(text) == encoding
        expected = as_vntimeh(original) if encoding == "tcvn3" else original
        assert convert_legacy(text, encoding) == expected
        assert detect_legacy_encoding(article) is None


_TAG = re.compile(r"<[^>]*>")


def _corpus_pages() -> list[Path]:
    if not CORPORA.exists():
        pytest.skip(f"corpora not found at {CORPORA} (../shared/corpora is absent)")
    folders = ("feedparser-tests", "vi-html", "vi-feeds", "extraction-eval")
    return [
        path
        for folder in folders
        for path in sorted((CORPORA / folder).rglob("*"))
        if path.suffix in (".html", ".htm", ".xml")
    ]


@pytest.mark.corpora
def test_no_corpus_page_is_taken_for_legacy() -> None:
    """Thousands of real pages in many languages, read right (UTF-8) and wrong (cp1252)."""
    pages = _corpus_pages()
    taken = [
        (path.name, reading)
        for path in pages
        for reading in ("utf-8", "cp1252")
        if detect_legacy_encoding(_TAG.sub(" ", path.read_bytes().decode(reading, errors="replace")))
    ]
    assert len(pages) > 1000
    assert taken == []
