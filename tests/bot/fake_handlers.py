"""Handler modules for wiring tests: an admin-only command, and a command that fails."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

COMMANDS = [("secretstats", "Secret statistics")]


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(update.effective_chat.id, "secret stats ok")


async def boom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise RuntimeError(f"failed calling https://api.telegram.org/bot{context.bot.token}/sendMessage")


def register(application: Application) -> None:
    application.add_handler(CommandHandler("secretstats", stats))
    application.add_handler(CommandHandler("boom", boom))
