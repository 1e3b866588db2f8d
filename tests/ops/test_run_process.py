"""`bantin run` as a real process against the Bot API stand-in (in a thread of the test process):
a second instance is refused, and SIGTERM in the middle of a broadcast loses and repeats nothing."""

from __future__ import annotations

import asyncio
import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, insert, select

from bot.standin import RateLimits, StandInThread
from storage.db import Database
from storage.models import InstanceLease, OutboxMessage
from tests.ops.conftest import TOKEN
from tests.ops.test_service_in_process import free_port

pytestmark = pytest.mark.slow

BANTIN = [sys.executable, "-m", "bot.cli.main"]
STOP_BOUND = 20  # seconds, as bot/operations.py
CHATS = list(range(20001, 20301))  # 300 chats


@pytest.fixture
def standin_thread():
    with StandInThread(token=TOKEN, limits=RateLimits.unlimited()) as thread:
        yield thread


@pytest.fixture
def service_config(tmp_path: Path, sqlite_url: str, standin_thread: StandInThread) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[telegram]
token = "{TOKEN}"
base_url = "{standin_thread.standin.base_url}"

[storage]
url = "{sqlite_url}"

[delivery]
messages_per_second = 60.0

[health]
port = {free_port()}
""",
        encoding="utf-8",
    )
    return path


def start(config: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
    return subprocess.Popen(
        [*BANTIN, "-c", str(config), "run"], stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env
    )


def wait_healthy(config: Path, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """A readiness probe on the child's /healthz (the child is another process: polling is the only way)."""
    port = int(config.read_text().rsplit("port = ", 1)[1].split()[0])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "bantin run exited early"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError("bantin run did not become healthy")


def stop(process: subprocess.Popen) -> tuple[int, float]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=STOP_BOUND + 10)
    return code, time.monotonic() - started


def db_query(url: str, statement):
    async def run():
        db = Database(url)
        try:
            async with db.session() as session:
                return (await session.execute(statement)).all()
        finally:
            await db.close()

    return asyncio.run(run())


def test_second_instance_is_refused(service_config: Path, sqlite_url: str, tmp_path: Path):
    log = tmp_path / "bantin.log"
    first = start(service_config, log)
    try:
        wait_healthy(service_config, first)
        second = subprocess.run(
            [*BANTIN, "-c", str(service_config), "run"], capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 2
        assert "already running" in second.stderr
        assert "stopped" not in second.stderr  # it never started
        assert first.poll() is None  # the first one is undisturbed
    finally:
        code, took = stop(first)
    assert code == 0 and took < STOP_BOUND
    assert db_query(sqlite_url, select(InstanceLease.name)) == []  # released on a clean stop
    output = log.read_text() + second.stdout + second.stderr
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("nothing listens at base_url", "cannot reach the Bot API at http://127.0.0.1:"),
        ("the stand-in knows another token", "Telegram rejected the bot token"),
        ("base_url lacks /bot", "Telegram rejected the bot token"),
    ],
)
def test_a_start_telegram_refuses_is_one_clear_line_without_a_traceback(
    case: str, says: str, service_config: Path, tmp_path: Path
):
    config = service_config.read_text()
    if case == "nothing listens at base_url":
        config = re.sub(r'base_url = ".*"', f'base_url = "http://127.0.0.1:{free_port()}/bot"', config)
    elif case == "base_url lacks /bot":
        config = re.sub(r'(base_url = ".*)/bot"', r'\1/"', config)
    else:
        config = config.replace(TOKEN, "987654321:ANOTHER-token-the-stand-in-does-not-know", 1)
    service_config.write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}

    done = subprocess.run(
        [*BANTIN, "-c", str(service_config), "run"], capture_output=True, text=True, timeout=60, env=env
    )

    output = done.stdout + done.stderr
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"bantin: {says}")
    hinted = done.stderr.strip().splitlines()[-1].endswith("should end in /bot (the token is appended to it)")
    assert hinted == (case == "base_url lacks /bot")
    assert "Traceback" not in output
    assert TOKEN.split(":")[1] not in output and "ANOTHER-token" not in output


def test_sigterm_mid_broadcast_loses_nothing(
    service_config: Path, sqlite_url: str, standin_thread: StandInThread, tmp_path: Path
):
    standin = standin_thread.standin
    for chat_id in CHATS:
        standin_thread.call(standin.chats.add_chat, chat_id)

    async def queue_broadcast() -> None:
        db = Database(sqlite_url)
        async with db.transaction() as session:
            rows = [
                {
                    "chat_id": c,
                    "kind": "broadcast",
                    "ref_id": 1,
                    "text": "Thông báo bảo trì",
                    "parse_mode": None,
                }
                for c in CHATS
            ]
            await session.execute(insert(OutboxMessage), rows)
        await db.close()

    asyncio.run(queue_broadcast())

    def messages() -> list[int]:  # on the stand-in's loop
        return [r["chat_id"] for r in standin.sent if r["method"] == "sendMessage"]

    def sent_chats() -> list[int]:
        return standin_thread.call(messages)

    log = tmp_path / "bantin.log"
    first = start(service_config, log)
    try:
        standin_thread.run(standin.wait_for(lambda: len(messages()) >= 60, timeout=30), timeout=40)
    finally:
        code, took = stop(first)
    assert code == 0 and took < STOP_BOUND
    midway = len(sent_chats())
    print(f"SIGTERM after {midway} of {len(CHATS)} messages; stopped in {took:.2f} s")
    assert midway < len(CHATS), "the broadcast finished before SIGTERM: nothing was tested"
    statuses = dict(
        db_query(sqlite_url, select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    )
    assert "sending" not in statuses  # claimed rows went back to pending
    assert statuses.get("sent", 0) == midway

    second = start(service_config, log)
    try:
        standin_thread.run(standin.wait_for(lambda: len(messages()) >= len(CHATS), timeout=30), timeout=40)
        wait_healthy(service_config, second)
    finally:
        code, _took = stop(second)
    assert code == 0
    assert Counter(sent_chats()) == Counter(CHATS)  # every chat exactly once
    statuses = dict(
        db_query(sqlite_url, select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    )
    assert statuses == {"sent": len(CHATS)}
    assert TOKEN not in log.read_text()


@pytest.fixture
def hanging_feed() -> Iterator[tuple[str, threading.Event]]:
    """A feed URL whose answer never comes while the test runs, and an event set when it is asked."""
    asked, release = threading.Event(), threading.Event()

    class Hang(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            release.wait(60)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hang)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.rss", asked
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_sigterm_during_a_poll_stops_cleanly(
    service_config: Path, hanging_feed: tuple[str, threading.Event], tmp_path: Path
):
    """A source that answers slowly (within read_timeout, 30 s by default) held the stop: the JobQueue
    waited for the poll cycle, the 20 s bound passed and bantin exited 1."""
    url, asked = hanging_feed
    with service_config.open("a", encoding="utf-8") as config:
        config.write(f'\n[[feeds]]\nname = "chậm"\nurl = "{url}"\nkind = "rss"\n')
    log = tmp_path / "bantin.log"
    process = start(service_config, log)
    try:
        assert asked.wait(30), "the first poll cycle did not reach the feed"
    finally:
        code, took = stop(process)
    assert (code, "did not stop within" in log.read_text()) == (0, False), log.read_text()
    assert took < STOP_BOUND


@pytest.mark.parametrize(
    ("taken", "says"),
    [
        ("health", "cannot listen on 127.0.0.1:{port} for /healthz and /metrics: Address already in use"),
        ("webhook", "cannot listen on 127.0.0.1:{port} for the webhook: Address already in use"),
    ],
)
def test_a_port_already_in_use_is_named_in_one_line(taken: str, says: str, service_config: Path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        config = service_config.read_text()
        if taken == "health":
            config = re.sub(r"\[health\]\nport = \d+", f"[health]\nport = {port}", config)
        else:
            config = config.replace(
                "[storage]",
                'mode = "webhook"\n\n[telegram.webhook]\nurl = "http://127.0.0.1:8443/bantin"\n'
                f'listen = "127.0.0.1"\nport = {port}\nsecret_token = "a-secret-token-42"\n\n[storage]',
            )
        service_config.write_text(config)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}

        done = subprocess.run(
            [*BANTIN, "-c", str(service_config), "run"], capture_output=True, text=True, timeout=60, env=env
        )

    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "bantin: " + says.format(port=port) + (
        "; change [health] listen or port, or set [health] enabled = false"
        if taken == "health"
        else "; change [telegram.webhook] listen or port"
    )
    assert "Traceback" not in done.stdout + done.stderr
