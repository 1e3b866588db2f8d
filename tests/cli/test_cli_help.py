"""Every command has --help text with an example; --version works."""

from __future__ import annotations

import argparse

import pytest

from bot.cli.main import build_parser, main
from news import __version__


def _commands(parser: argparse.ArgumentParser, prefix=()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((prefix + (name,), sub))
                found.extend(_commands(sub, prefix + (name,)))
    return found


COMMANDS = _commands(build_parser())


def test_the_documented_commands_exist():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"db", "db upgrade", "config check"} <= names


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_with_an_example(path, parser):
    text = parser.format_help()
    assert parser.description and len(parser.description) > 10
    assert "Example:" in text
    assert f"bantin {path[0]}" in text.split("Example:", 1)[1]


def test_bantin_help_has_an_example(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    assert "bantin db upgrade" in capsys.readouterr().out.split("Example:", 1)[1]


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out
