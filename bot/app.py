"""The one wiring module: the python-telegram-bot Application with its handlers, jobs and lifecycle.

`build_application` assembles; `post_init` opens what the bot needs (schema check, configured
sources, the fetcher, jobs, the outbox sender, the command menus), `post_stop` stops the sender
while the bot can still send, `post_shutdown` closes the fetcher and the database. `running()` runs
the same lifecycle inside an event loop you own (the sandbox, tests); `run_polling` does it for
`bantin run`.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import ModuleType
from zoneinfo import ZoneInfo

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.error_handler import mask_secrets, on_error
from bot.gates import install_fallbacks, install_gate
from bot.periodic import run_poll, schedule_jobs, start_sender, stop_sender
from bot.services import Services, services_of
from bot.webhook_limits import bound_webhook_requests
from bot.webhook_server import use_bantin_webhook_handler
from jobs.offload import INLINE, Offload
from jobs.poll import make_fetcher
from news.config import Config
from news.i18n import DEFAULT_LANGUAGE, SUPPORTED, translator
from storage import schema
from storage.schedules import follow_default_schedule
from storage.sources import sync_config_sources

log = logging.getLogger("bantin.bot")

HANDLER_MODULES = (
    "bot.handlers.subscriber",
    "bot.handlers.settings",
    "bot.handlers.news",
    "bot.handlers.admin",
    "bot.handlers.membership",
)
ADMIN_MODULES = frozenset({"bot.handlers.admin"})  # their commands are for the configured admins


@dataclass(frozen=True)
class CommandMenu:
    """(command, English description msgid) for everyone, and for admins only."""

    public: list[tuple[str, str]] = field(default_factory=list)
    admin: list[tuple[str, str]] = field(default_factory=list)


def load_handler_modules() -> list[ModuleType]:
    """The handler modules that exist (one still being written is simply skipped)."""
    modules = []
    for name in HANDLER_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def command_menu(modules: list[ModuleType]) -> CommandMenu:
    menu = CommandMenu()
    for module in modules:
        target = menu.admin if module.__name__ in ADMIN_MODULES else menu.public
        target.extend(getattr(module, "COMMANDS", []))
    return menu


def build_application(
    config: Config,
    services: Services,
    *,
    base_url: str | None = None,
    application_class: type[Application] = Application,
) -> Application:
    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        tzinfo=ZoneInfo(config.schedule.timezone),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    application = (
        ApplicationBuilder()
        .application_class(application_class)
        .token(config.telegram.token)
        .base_url(base_url or config.telegram.base_url)
        .defaults(defaults)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    modules = load_handler_modules()
    menu = command_menu(modules)
    application.bot_data["command_menu"] = menu
    install_gate(application, frozenset(command for command, _msgid in menu.admin))
    for module in modules:
        module.register(application)
    install_fallbacks(application)
    if config.telegram.mode == "webhook":
        bound_webhook_requests()
        use_bantin_webhook_handler()
    application.add_error_handler(on_error)
    return application


# ---- lifecycle -------------------------------------------------------------------------------------


async def prepare_database(svc: Services) -> None:
    """Refuse an out-of-date schema, or upgrade it when the config says so (Alembic runs its own loop,
    hence the thread); then bring the configured sources and the default schedule's slots in line
    with the config."""
    if svc.config.storage.auto_upgrade:
        await asyncio.to_thread(schema.upgrade, svc.config.storage.url)
    await schema.ensure_up_to_date(svc.db.engine)
    async with svc.db.transaction() as session:
        for note in await sync_config_sources(session, svc.config.feeds, svc.clock()):
            log.warning("%s", note)
        await follow_default_schedule(session, svc.config.schedule, svc.clock())


async def post_init(application: Application) -> None:
    svc = services_of(application)
    svc.started_at = svc.clock()  # before /healthz is served: the poll's grace period starts here
    await prepare_database(svc)
    operations = svc.extras.get("operations")  # bantin run only: lease, health, metrics (bot/operations.py)
    if operations is not None:
        await operations.start(application)
    if svc.fetcher is None:
        svc.fetcher = make_fetcher(svc.config)
    if svc.offload is INLINE:
        svc.offload = Offload(svc.config.fetch.parse_workers)  # workers start at the first poll
    svc.poll_now = lambda: run_poll(svc)
    schedule_jobs(application)
    await start_sender(application)
    await set_command_menus(application)


async def post_stop(application: Application) -> None:
    await stop_sender(application)


async def post_shutdown(application: Application) -> None:
    svc = services_of(application)
    await stop_sender(application)
    if svc.fetcher is not None:
        await svc.fetcher.aclose()
        svc.fetcher = None
    await asyncio.to_thread(svc.offload.close)
    operations = svc.extras.get("operations")
    if operations is not None:
        await operations.stop(application)
    await svc.db.close()


def _bot_commands(entries: list[tuple[str, str]], lang: str) -> list[BotCommand]:
    _ = translator(lang)
    return [BotCommand(command, _(description)) for command, description in entries]


async def set_command_menus(application: Application) -> None:
    """The command menu in each language (and the default one), with the admin commands added in
    each admin's own chat. A failure here is logged: the bot works without a menu."""
    svc = services_of(application)
    menu: CommandMenu = application.bot_data["command_menu"]
    bot = application.bot
    try:
        for lang in SUPPORTED:
            await bot.set_my_commands(_bot_commands(menu.public, lang), language_code=lang)
        await bot.set_my_commands(_bot_commands(menu.public, DEFAULT_LANGUAGE))
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", mask_secrets(str(exc), svc))
        return
    if not menu.admin:
        return
    for admin in svc.config.telegram.admins:
        scope = BotCommandScopeChat(admin)
        try:
            for lang in SUPPORTED:
                commands = _bot_commands(menu.public + menu.admin, lang)
                await bot.set_my_commands(commands, scope=scope, language_code=lang)
            await bot.set_my_commands(_bot_commands(menu.public + menu.admin, DEFAULT_LANGUAGE), scope=scope)
        except TelegramError as exc:  # e.g. an admin who has not started the bot yet
            log.info("no admin command menu for %s: %s", admin, mask_secrets(str(exc), svc))


@asynccontextmanager
async def running(application: Application, *, poll_updates: bool = True) -> AsyncIterator[Application]:
    """Run the application in the current event loop, in the order `run_polling` uses."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        if poll_updates and application.updater is not None:
            await application.updater.start_polling(poll_interval=0, allowed_updates=Update.ALL_TYPES)
        await application.start()
        yield application
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
