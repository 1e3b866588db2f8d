"""Keywords against a story's text: whole words; typed without marks they match any marks, typed with
marks they match those marks; case, Unicode forms and old-style tone placement never matter."""

import unicodedata

import pytest

from news.keywords import Keyword, KeywordFilter, MatchText


@pytest.mark.parametrize(
    "keyword, text, found",
    [
        ("dieu le dang", "Sửa đổi Điều lệ Đảng", True),
        ("Điều lệ Đảng", "sửa đổi điều lệ đảng", True),
        ("Đảng", "Giá lúa đang tăng", False),
        ("bão", "Theo báo Nhân Dân", False),
        ("bao", "Theo báo Nhân Dân", True),
        ("báo", "BÁO NHÂN DÂN", True),
        ("dang", "Dangerous goods", False),  # a whole word only
        ("hoà bình", "Giữ vững hòa bình", True),  # old and new tone placement
        ("hòa bình", "Giữ vững hoà bình", True),
        (unicodedata.normalize("NFD", "Đà Nẵng"), "Mưa lớn ở Đà Nẵng", True),  # decomposed typing
        ("Đà Nẵng", unicodedata.normalize("NFD", "Mưa lớn ở Đà Nẵng"), True),
        ("ｄａ ｎａｎｇ", "Mưa lớn ở Đà Nẵng", True),  # full-width letters
        ("covid-19", "Ca mắc COVID 19 giảm", True),
        # A phrase with some words marked: the marked ones must match, at any of the places it occurs.
        ("bão so 3", "Báo số 3 đưa tin bão số 3", True),
        ("bão so 3", "Báo số 3 đưa tin", False),
        ("giá vang", "Giá vàng tăng", True),
        ("giá vang", "Gia vàng tăng", False),
        ("café", "Giá cafe tăng", False),
        ("cafe", "Giá café tăng", True),
    ],
)
def test_keyword_found_in_text(keyword, text, found):
    assert Keyword.of(keyword).found_in(MatchText.of(text)) is found


@pytest.mark.parametrize(
    "include, exclude, passes",
    [
        ([], [], True),
        (["bão"], [], True),
        (["lũ"], [], False),
        (["lũ", "bão"], [], True),
        ([], ["quảng cáo"], True),
        ([], ["số 3"], False),
        (["bão"], ["so 3"], False),
        (["  ", "!!"], [], True),  # nothing a word: no filter
    ],
)
def test_keyword_filter(include, exclude, passes):
    text = MatchText.of("Bão số 3 vào đất liền")
    assert KeywordFilter.of(include, exclude).passes(text) is passes


@pytest.mark.parametrize(
    "keyword, text, found",
    [
        # A letter prefix joined to a number is found glued or apart, as /search finds it.
        ("u23", "U.23 Việt Nam vào bán kết", True),
        ("u23", "Đội U-23 Việt Nam tập luyện", True),
        ("u23", "Đội U 23 Việt Nam tập luyện", True),
        ("u23", "Đội U23 Việt Nam tập luyện", True),
        ("U.23", "Đội U23 Việt Nam tập luyện", True),
        ("u-23", "U.23 Việt Nam vào bán kết", True),
        ("u23 việt nam", "U.23 Việt Nam vào bán kết", True),
        ("covid19", "Ca mắc COVID-19 giảm", True),
        # Only that prefix and that number, as whole words.
        ("u23", "Đội U22 Việt Nam", False),
        ("u23", "Đội tuyển Việt Nam thắng 23 trận", False),
        ("u23", "Mã số XU 23", False),
        ("u2", "U.23 Việt Nam vào bán kết", False),
    ],
)
def test_a_prefix_joined_to_a_number_matches_glued_or_apart(keyword, text, found):
    assert Keyword.of(keyword).found_in(MatchText.of(text)) is found
