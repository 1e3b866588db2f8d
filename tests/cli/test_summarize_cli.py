"""`bantin summarize`: title detection, budget, stdin, errors (texts written for these tests)."""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import summarize as summarize_cmd
from news.summarize import ELLIPSIS

REPO = Path(__file__).resolve().parents[2]

ARTICLE = (
    "Huyện khánh thành cầu Bình An\n"
    "Ngày: 02.03.2021\n"
    "Sáng 1/3, huyện khánh thành cầu Bình An dài 120 m nối hai xã ven sông. "
    "Cầu Bình An được xây trong 10 tháng với vốn 12 tỷ đồng. "
    "Trước đây người dân phải qua sông bằng đò. "
    "Buổi lễ có văn nghệ.\n"
    "Minh Châu\n"
    "Số lần đọc: 532\n"
)


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="bantin")
    summarize_cmd.register(root.add_subparsers(dest="command"))
    return root


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def run(parser: argparse.ArgumentParser, *argv: str) -> int:
    args = parser.parse_args(["summarize", *argv])
    return args.handler(args)


def test_summarizes_a_file(parser, article_file, capsys) -> None:
    assert run(parser, str(article_file)) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sáng 1/3, huyện khánh thành cầu Bình An")
    assert out.endswith("\n")
    for furniture in ("Ngày:", "Minh Châu", "Số lần đọc"):
        assert furniture not in out


@pytest.mark.parametrize("budget", [5, 12, 20, 30])
def test_words_option_bounds_the_summary(parser, article_file, capsys, budget: int) -> None:
    assert run(parser, "--words", str(budget), str(article_file)) == 0
    assert 0 < len(capsys.readouterr().out.split()) <= budget


def test_title_line_is_not_repeated_in_the_summary(parser, tmp_path, capsys) -> None:
    path = tmp_path / "a.txt"
    # The body's first sentence repeats the title: with the title recognised, it is dropped.
    path.write_text(
        "Huyện khánh thành cầu Bình An\nHuyện khánh thành cầu Bình An. Cầu dài 120 m nối hai xã ven sông.\n",
        encoding="utf-8",
    )
    assert run(parser, str(path)) == 0
    assert capsys.readouterr().out == "Cầu dài 120 m nối hai xã ven sông.\n"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Huyện khánh thành cầu Bình An\nCâu một. Câu hai.", "Huyện khánh thành cầu Bình An"),
        ("Một câu hoàn chỉnh có dấu chấm.\nCâu hai.", None),
        ("Chỉ một dòng không có dấu chấm", None),
        ("Ngày: 02.03.2021\nCâu một.", None),
        (" ".join(["từ"] * 40) + "\nCâu hai.", None),
    ],
    ids=["title", "first-line-is-a-sentence", "single-line", "boilerplate-first", "too-long"],
)
def test_split_title(text: str, title: str | None) -> None:
    assert summarize_cmd.split_title(text)[0] == title


def test_reads_stdin(parser, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(ARTICLE))
    assert run(parser, "--words", "20", "-") == 0
    assert "cầu Bình An" in capsys.readouterr().out


def test_english_with_lang_option(parser, tmp_path, capsys) -> None:
    path = tmp_path / "en.txt"
    path.write_text(
        "The council approved a new bridge over the river on Monday after ten years of debate. "
        "It will cost $40 million.",
        encoding="utf-8",
    )
    assert run(parser, "--lang", "en", "--words", "8", str(path)) == 0
    out = capsys.readouterr().out.strip()
    assert out == "The council approved a new bridge over the" + ELLIPSIS


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("\n\n", "no text to summarize"), (b"\xff\xfe\xfa bad", "cannot read")],
    ids=["missing-file", "empty-file", "not-utf8"],
)
def test_errors_exit_1_with_a_message(parser, tmp_path, capsys, content, message: str) -> None:
    path = tmp_path / "input.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    assert run(parser, str(path)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


@pytest.mark.parametrize("bad", ["0", "-3", "many"])
def test_words_must_be_a_positive_number(parser, article_file, bad: str) -> None:
    with pytest.raises(SystemExit):
        parser.parse_args(["summarize", "--words", bad, str(article_file)])


def _bantin_executable() -> str | None:
    venv = REPO / ".venv" / "bin" / "bantin"
    return str(venv) if venv.exists() else shutil.which("bantin")


def test_real_bantin_summarize_command(article_file) -> None:
    executable = _bantin_executable()
    if executable is None:
        pytest.skip("the bantin console script is not installed")
    result = subprocess.run(
        [executable, "summarize", "--words", "30", str(article_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Sáng 1/3, huyện khánh thành cầu Bình An")
    assert len(result.stdout.split()) <= 30
