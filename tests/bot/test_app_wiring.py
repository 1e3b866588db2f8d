"""The wiring: lifecycle, schema check, configured sources, jobs by name, command menus, the admin gate,
the error handler, and `bantin run` without a token."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

import bot.app as app_module
from bot.app import build_application, command_menu, running
from bot.cli.main import main
from bot.periodic import (
    DIGEST_JOB,
    POLL_JOB,
    PRUNE_OUTBOX_JOB,
    prune_outbox,
    run_digests,
    run_poll,
    schedule_jobs,
)
from bot.services import Services
from bot.standin import BotApiStandIn
from news.config import Config
from storage.db import Database
from storage.models import OutboxMessage, Source, Subscriber
from storage.schema import SchemaOutOfDate
from tests.bot import fake_handlers
from tests.bot.conftest import ADMIN, NOW, USER, BotUnderTest, ChatSession


async def test_configured_sources_are_synced_at_start(bot: BotUnderTest) -> None:
    async with bot.services.db.session() as session:
        names = (await session.scalars(select(Source.name).order_by(Source.name))).all()

    assert names == ["Báo Sông Xanh", "Cổng TTĐT tỉnh Sông Xanh", "Green River Times"]


@pytest.mark.parametrize(
    ("language_code", "start_description"),
    [
        ("vi", "Bắt đầu và chọn tin muốn theo dõi"),
        ("en", "Welcome, and choose what to follow"),
        ("", "Bắt đầu và chọn tin muốn theo dõi"),
    ],
)
async def test_command_menu_is_set_per_language(
    bot: BotUnderTest, language_code: str, start_description: str
) -> None:
    commands = {c["command"]: c["description"] for c in bot.standin.commands_for(language_code=language_code)}

    assert commands["start"] == start_description
    assert {"start", "help", "sources", "subscribe", "unsubscribe", "stop", "settings"} <= set(commands)


async def test_jobs_are_scheduled_once_by_name(standin: BotApiStandIn, config: Config) -> None:
    services = Services(config, Database(config.storage.url), clock=lambda: NOW)
    application = build_application(config, services)

    schedule_jobs(application)
    schedule_jobs(application)  # starting the wiring again replaces the jobs, never duplicates them

    jobs = (POLL_JOB, DIGEST_JOB, PRUNE_OUTBOX_JOB)
    assert [len(application.job_queue.get_jobs_by_name(name)) for name in jobs] == [1, 1, 1]
    await services.db.close()


@pytest.mark.parametrize(
    ("status", "age", "kept"),
    [
        ("sent", timedelta(days=15), False),
        ("failed", timedelta(days=20), False),
        ("cancelled", timedelta(days=15), False),
        ("sent", timedelta(days=13), True),
        ("pending", timedelta(days=30), True),  # never sent yet: only the sender ends it
        ("sending", timedelta(days=30), True),
    ],
)
async def test_the_outbox_forgets_finished_rows_after_two_weeks(
    bot: BotUnderTest, status: str, age: timedelta, kept: bool
) -> None:
    async with bot.services.db.transaction() as session:
        session.add(
            OutboxMessage(
                chat_id=USER,
                kind="broadcast",
                ref_id=1,
                text="x",
                status=status,
                created_at=NOW - age,
                next_attempt_at=datetime(2100, 1, 1, tzinfo=UTC),  # out of the running sender's way
            )  # fmt: skip
        )

    removed = await prune_outbox(bot.services)

    async with bot.services.db.session() as session:
        left = await session.scalar(select(func.count(OutboxMessage.id)))
    assert (removed, left) == ((0, 1) if kept else (1, 0))


async def test_a_due_digest_is_composed_by_the_job_and_delivered_by_the_sender(
    bot: BotUnderTest, chat: ChatSession
) -> None:
    await chat.reply_to("/subscribe all")
    await run_poll(bot.services)  # waits for the poll the job started, if it still runs
    async with bot.services.db.transaction() as session:
        # due since the 07:00 slot (next_digest_at only ever holds a slot)
        await session.execute(update(Subscriber).values(next_digest_at=NOW - timedelta(hours=1)))
    before = len(bot.standin.messages_for(USER))

    queued = await run_digests(bot.services)
    [digest, *_rest] = (await bot.standin.wait_for_messages(USER, before + queued))[before:]

    assert queued >= 1
    assert digest["visible_text"].startswith("Bản tin 07:00 — 10/03/2025")  # the slot just passed
    assert (await bot.subscriber(USER)).next_digest_at == datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


async def test_an_out_of_date_schema_stops_the_start(
    tmp_path, standin: BotApiStandIn, config: Config
) -> None:
    config.storage.url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    services = Services(config, Database(config.storage.url))
    application = build_application(config, services)

    with pytest.raises(SchemaOutOfDate, match="bantin db upgrade"):
        async with running(application):
            pass


async def test_auto_upgrade_migrates_an_empty_database(
    tmp_path, standin: BotApiStandIn, config: Config
) -> None:
    config.storage.url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    config.storage.auto_upgrade = True
    services = Services(config, Database(config.storage.url))

    async with running(build_application(config, services)):
        reply = await ChatSession(standin, USER, {}).reply_to("/sources")

    assert "Green River Times" in reply["visible_text"]


def test_admin_module_commands_form_the_admin_menu() -> None:
    class Module:
        def __init__(self, name: str, commands: list[tuple[str, str]]) -> None:
            self.__name__, self.COMMANDS = name, commands

    menu = command_menu(
        [Module("bot.handlers.subscriber", [("start", "s")]), Module("bot.handlers.admin", [("stats", "t")])]
    )

    assert (menu.public, menu.admin) == ([("start", "s")], [("stats", "t")])


@pytest.fixture
async def bot_with_admin_commands(
    monkeypatch, config: Config, standin: BotApiStandIn
) -> AsyncIterator[BotUnderTest]:
    """The application with a fake admin module (its commands are admin-only) and a failing command."""
    monkeypatch.setattr(app_module, "HANDLER_MODULES", (*app_module.HANDLER_MODULES, fake_handlers.__name__))
    monkeypatch.setattr(app_module, "ADMIN_MODULES", app_module.ADMIN_MODULES | {fake_handlers.__name__})
    standin.add_private_chat(ADMIN)
    services = Services(config, Database(config.storage.url), clock=lambda: NOW)
    async with running(build_application(config, services)):
        yield BotUnderTest(standin, services)


async def test_admin_commands_are_gated(bot_with_admin_commands: BotUnderTest) -> None:
    member, admin = bot_with_admin_commands.chat(USER), bot_with_admin_commands.chat(ADMIN)

    refused = await member.reply_to("/secretstats")
    allowed = await admin.reply_to("/secretstats")

    assert refused["visible_text"] == "Lệnh này chỉ dành cho quản trị viên của bot."
    assert allowed["visible_text"] == "secret stats ok"
    admin_menu = bot_with_admin_commands.standin.commands_for({"type": "chat", "chat_id": ADMIN}, "vi")
    assert "secretstats" in {c["command"] for c in admin_menu}
    public_menu = bot_with_admin_commands.standin.commands_for(language_code="vi")
    assert "secretstats" not in {c["command"] for c in public_menu}


async def test_help_shows_admin_commands_to_admins_only(bot_with_admin_commands: BotUnderTest) -> None:
    member_help = await bot_with_admin_commands.chat(USER).reply_to("/help")
    admin_help = await bot_with_admin_commands.chat(ADMIN).reply_to("/help")

    assert "/secretstats" not in member_help["visible_text"]
    assert "Dành cho quản trị viên\n" in admin_help["visible_text"]
    assert "/secretstats — Secret statistics" in admin_help["visible_text"].split("Dành cho quản trị viên")[1]


async def test_errors_are_logged_and_reported_without_the_token(
    bot_with_admin_commands: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    standin = bot_with_admin_commands.standin
    caplog.set_level(logging.ERROR, logger="bantin.bot")

    sorry = await bot_with_admin_commands.chat(USER).reply_to("/boom")
    [notice] = await standin.wait_for_messages(ADMIN, 1)

    assert sorry["visible_text"] == "Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại sau ít phút."
    assert notice["visible_text"].startswith("⚠️ Bot gặp lỗi\nupdate ")  # no English inside the sentence
    assert f"in chat {USER}\nRuntimeError: " in notice["visible_text"]
    assert standin.token not in notice["text"]
    assert "RuntimeError" in caplog.text and standin.token not in caplog.text


@pytest.mark.parametrize(
    ("admins_command", "language_code", "header"),
    [
        ("/settings lang en", "vi", "⚠️ The bot ran into an error"),  # the chat's own choice
        ("/settings lang vi", "en", "⚠️ Bot gặp lỗi"),
        ("/start", "en", "⚠️ The bot ran into an error"),  # no choice: the Telegram language it wrote in
        ("/start", "vi", "⚠️ Bot gặp lỗi"),
    ],
)
async def test_an_error_notice_is_in_the_admins_language(
    bot_with_admin_commands: BotUnderTest, admins_command: str, language_code: str, header: str
) -> None:
    standin = bot_with_admin_commands.standin
    await bot_with_admin_commands.chat(ADMIN).reply_to(admins_command, language_code=language_code)
    before = len(standin.messages_for(ADMIN))

    await bot_with_admin_commands.chat(USER).reply_to("/boom")
    notice = (await standin.wait_for_messages(ADMIN, before + 1))[before]

    assert notice["visible_text"].startswith(header + "\nupdate ")


def test_run_without_a_token_points_to_the_sandbox(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BANTIN_TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("BANTIN_CONFIG", raising=False)

    code = main(["run"])

    assert code == 2
    err = capsys.readouterr().err
    assert "BANTIN_TELEGRAM_TOKEN" in err and "bantin sandbox" in err
