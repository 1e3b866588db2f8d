"""The cheap Vietnamese/English detector (texts written for these tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from news.language import detect_language

CORPORA = Path(__file__).resolve().parents[2] / "../shared/corpora"


def corpora_file(relative: str) -> Path:
    path = CORPORA / relative
    if not path.exists():
        pytest.skip(f"corpora not found: {path} (../shared/corpora is absent from a plain clone)")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Sáng nay, tỉnh tổ chức hội nghị tổng kết công tác năm.", "vi", id="vietnamese"),
        pytest.param("Giá xăng tăng", "vi", id="short-vietnamese-title"),
        pytest.param("Toi di hoc va cua nha la cac ban cua toi", "vi", id="vietnamese-without-tone-marks"),
        pytest.param("The council approved the new bridge on Monday.", "en", id="english"),
        pytest.param(
            "Nguyễn Văn An met the minister in Hà Nội on Monday.", "en", id="english-with-vietnamese-names"
        ),
        pytest.param("The café is open and the crème brûlée is good.", "en", id="english-with-accents"),
        pytest.param(
            "Ông Smith và bà Jones đã đến Hà Nội để dự hội nghị.", "vi", id="vietnamese-with-english-names"
        ),
        pytest.param("", "vi", id="empty-defaults-to-vietnamese"),
        pytest.param("2024 — 100%", "vi", id="no-letters-defaults-to-vietnamese"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.corpora
@pytest.mark.parametrize(
    ("relative", "expected"), [("vietnews/dev-1000.jsonl", "vi"), ("cnndm/frank-250.jsonl", "en")]
)
def test_detect_language_on_real_articles(relative: str, expected: str) -> None:
    with corpora_file(relative).open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    wrong = [r["id"] for r in records if detect_language(r["article"]) != expected]
    assert wrong == []
