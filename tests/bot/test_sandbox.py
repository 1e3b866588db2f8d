"""`bantin sandbox` as the README runs it on a fresh machine: a subprocess in an empty directory,
commands in, Vietnamese replies out, exit 0 — no token, no network, the database made on the way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from bot.sandbox.terminal import Terminal, styled_text

pytestmark = pytest.mark.slow

SCRIPT = """\
# a comment, then the commands a new user would try
/start
Chọn nguồn tin
[1]
/settings times 06:30 18:00
/settings lang
:quit
/help
"""


def run_sandbox(cwd: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "sandbox", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_sandbox_reads_commands_from_stdin_and_answers_in_vietnamese(tmp_path: Path) -> None:
    result = run_sandbox(tmp_path, stdin=SCRIPT)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("bantin sandbox — the whole bot, offline.")
    assert "you › /start" in out
    assert "bantin › Chào mừng bạn đến với Bản tin!" in out
    assert "[1] ✅ Tất cả nguồn tin   [2] 📋 Chọn nguồn tin" in out
    assert "bantin (edited) › Nguồn tin" in out  # the label press opened the list
    assert "bantin (notice) › Bạn đã theo dõi Báo Sông Xanh." in out  # [1] followed the first source
    assert "bantin › ✅ Đã lưu." in out
    assert "Cách dùng: /settings ngôn ngữ vi hoặc /settings ngôn ngữ en" in out
    assert "Những việc tôi có thể làm" not in out  # :quit ended the script before /help
    assert (tmp_path / "data" / "bantin.db").exists()
    assert "Traceback" not in result.stderr


def test_sandbox_script_file_in_english(tmp_path: Path) -> None:
    script = tmp_path / "commands.txt"
    script.write_text("/start\n/sources\n[9]\n/settings\n", encoding="utf-8")

    result = run_sandbox(tmp_path, "--script", str(script), "--lang", "en", stdin="")

    assert result.returncode == 0, result.stderr
    assert "bantin › Welcome to Bản tin!" in result.stdout
    assert "(no such button on screen)" in result.stdout
    assert "🕖 Digest times: 07:00, 17:00 (Asia/Ho_Chi_Minh)" in result.stdout


def test_terminal_shows_links_and_numbers_buttons() -> None:
    console = Console(record=True, width=200, soft_wrap=True)
    terminal = Terminal(console, chat_id=7)
    text = "Tin mới 🌾 Lúa lên giá"
    record = {
        "method": "sendMessage",
        "chat_id": 7,
        "message_id": 3,
        "visible_text": text,
        # the emoji counts two UTF-16 units: the link must still cover "Lúa lên giá"
        "entities": [
            {"type": "bold", "offset": 0, "length": 7},
            {"type": "text_link", "offset": 11, "length": 11, "url": "https://x.vn/a"},
        ],
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "✅ Tất cả", "callback_data": "1s:all:0"}, {"text": "Mở", "url": "https://x.vn"}]
            ]
        },
    }

    terminal.on_record(record)

    shown = console.export_text()
    assert "bantin › Tin mới 🌾 Lúa lên giá <https://x.vn/a>" in shown
    assert "[1] ✅ Tất cả   [2] Mở <https://x.vn>" in shown
    assert terminal.find_button("[1]")[1].data == "1s:all:0"
    assert terminal.find_button("tat ca")[1].data == "1s:all:0"  # label, accents and emoji optional
    assert terminal.find_button("[3]") is None
    assert terminal.find_button("/start") is None
    assert styled_text(text, record["entities"]).spans[0].end == 7
