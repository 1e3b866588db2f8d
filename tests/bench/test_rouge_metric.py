"""Our ROUGE-1/2/L F1 and its tokenizer, checked on examples worked out by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "rouge.py"


@pytest.fixture(scope="module")
def rouge():
    spec = importlib.util.spec_from_file_location("bench_rouge", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tokenizer_keeps_vietnamese_syllables_and_drops_punctuation(rouge) -> None:
    assert rouge.tokenize("Hà Nội, 19.09.2019: Giá TĂNG 3,5%!") == [
        "hà", "nội", "19", "09", "2019", "giá", "tăng", "3", "5",
    ]  # fmt: skip


def test_tokenizer_composes_decomposed_text(rouge) -> None:
    assert rouge.tokenize("Nguye\u0302\u0303n") == ["nguyễn"]


@pytest.mark.parametrize(
    ("candidate", "reference", "expected"),
    [
        # the:2 (clipped 2), cat, on, mat -> 5 of 6 either way
        ("the cat sat on the mat", "the cat is on the mat", (5 / 6, 3 / 5, 5 / 6)),
        # precision 1, recall 1/2 -> F1 2/3; bigram a-b of 1 and 3; LCS "a b"
        ("a b", "a b c d", (2 / 3, 2 / 4, 2 / 3)),
        # clipping: "the" counts once; no bigram shared
        ("the the the", "the cat", (2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2), 0.0, 0.4)),
        # order matters only for ROUGE-2 and ROUGE-L: LCS of "a c b" and "a b c" is 2
        ("a c b", "a b c", (1.0, 0.0, 2 / 3)),
        ("Giá xăng tăng.", "giá xăng tăng", (1.0, 1.0, 1.0)),
        ("", "giá xăng", (0.0, 0.0, 0.0)),
        ("hôm nay", "giá xăng", (0.0, 0.0, 0.0)),
    ],
    ids=["classic", "recall-half", "clipping", "order", "case-and-punctuation", "empty", "disjoint"],
)
def test_rouge_scores_by_hand(
    rouge, candidate: str, reference: str, expected: tuple[float, float, float]
) -> None:
    assert rouge.rouge_scores(candidate, reference) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("a", "b", "length"),
    [("abcbdab", "bdcaba", 4), ("abc", "abc", 3), ("abc", "", 0), ("aaaa", "aa", 2)],
)
def test_lcs_length(rouge, a: str, b: str, length: int) -> None:
    assert rouge.lcs_length(list(a), list(b)) == length


def test_lead_and_lexrank_baselines_return_whole_sentences(rouge) -> None:
    article = "Câu một nói về cầu. Câu hai nói về cầu mới. Câu ba nói về đò. Câu bốn nói về cầu và đò."
    assert rouge.lead(2)(article, "") == "Câu một nói về cầu. Câu hai nói về cầu mới."
    dense, sparse = rouge.lexrank(2)(article, ""), rouge.lexrank(2, sparse=True)(article, "")
    assert dense == sparse
    assert len(rouge.article_sentences(dense)) == 2


def test_bench_skips_politely_without_corpora(rouge, monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setattr(rouge, "CORPORA", tmp_path / "absent")
    assert rouge.main([]) == 0
    out = capsys.readouterr().out
    assert out.count("skip ") == 2
    assert "nothing measured" in out


@pytest.mark.corpora
def test_bench_prints_the_table_on_real_corpora(rouge, capsys) -> None:
    if not rouge.CORPORA.exists():
        pytest.skip(f"corpora not found: {rouge.CORPORA}")
    assert rouge.main(["--limit", "10"]) == 0
    out = capsys.readouterr().out
    for row in ("bantin (50 words)", "bantin (90 words)", "Lead-1", "Lead-2", "Lead-3", "LexRank-3"):
        assert row in out
    assert "faster than LexRank-3" in out
