"""`bantin summarize`: print the extractive summary of an article read from a file or stdin."""

from __future__ import annotations

import argparse
import sys

from news.story_lines import is_boilerplate
from news.summarize import DEFAULT_WORDS, LANGUAGES, summarize

# A first line is taken for the title when it is short, has no final period and more lines follow.
TITLE_MAX_WORDS = 30
_SENTENCE_END = (".", "!", "?", "…", ":", ";", ",")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "summarize",
        help="print the summary of an article (a file, or - for stdin)",
        description=(
            "Print an extractive summary of an article: its best sentences, in article order,\n"
            "within a word budget. A short first line with no final period, followed by more\n"
            "lines, is taken as the title. Needs no config and no database."
        ),
        epilog="Example:\n  bantin summarize --words 40 article.txt\n  cat article.txt | bantin summarize --lang vi -",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="a UTF-8 text file, or - to read stdin")
    parser.add_argument(
        "--words",
        type=_positive,
        default=DEFAULT_WORDS,
        metavar="N",
        help=f"word budget (default {DEFAULT_WORDS})",
    )
    parser.add_argument(
        "--lang", choices=(*LANGUAGES, "auto"), default="auto", help="language of the text (default: detect)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = _read(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"bantin summarize: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    title, body = split_title(text)
    summary = summarize(body, title=title, words=args.words, lang=args.lang)
    if not summary:
        print("bantin summarize: no text to summarize", file=sys.stderr)
        return 1
    print(summary)
    return 0


def split_title(text: str) -> tuple[str | None, str]:
    """(title, body): the first line is a title when it looks like one and more text follows."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) >= 2 and _looks_like_title(lines[0]):
        return lines[0], "\n".join(lines[1:])
    return None, text


def _looks_like_title(line: str) -> bool:
    short = len(line.split()) <= TITLE_MAX_WORDS
    return short and not line.endswith(_SENTENCE_END) and not is_boilerplate(line)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    with open(name, encoding="utf-8-sig") as file:
        return file.read()


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number of words, got {value}")
    return number
