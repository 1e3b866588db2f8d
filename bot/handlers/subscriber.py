"""/start, /help, /sources, /subscribe, /unsubscribe, /stop: what a chat follows (their buttons: subscriber_buttons)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.handlers.callbacks import pack, pattern
from bot.handlers.context import (
    Context,
    can_change_settings,
    command_argument,
    ensure_subscriber,
    find_subscriber,
    language_for,
    refuse_non_admin,
    send,
    send_lines,
    services,
)
from bot.handlers.settings_view import mode_label, next_digest_line, zone_label
from bot.handlers.sources_view import (
    AREA,
    no_such_source,
    source_numbers,
    sources_view,
)
from bot.handlers.subscriber_buttons import follow_source, on_button
from bot.services import Services
from news.i18n import N_, plural_translator, translator
from news.telegram_html import escape_html
from news.tones import search_key
from storage.models import Subscriber
from storage.outbox import cancel_chat
from storage.schedules import digest_times_of
from storage.sources import find_source, matching_sources
from storage.subscribers import (
    deactivate,
    enabled_source_ids,
    reactivate,
    subscribed_source_ids,
    unsubscribe,
    unsubscribe_all,
)

COMMANDS: list[tuple[str, str]] = [
    ("start", N_("Welcome, and choose what to follow")),
    ("help", N_("Everything I can do")),
    ("sources", N_("The news sources, with buttons to follow them")),
    ("subscribe", N_("Follow a source, or all of them")),
    ("unsubscribe", N_("Stop following a source, or all of them")),
    ("stop", N_("Stop all messages, and delete your data if you wish")),
]
ALL_WORDS = frozenset({"all", "tat ca", "het", "*"})


# ---- /start and /help ------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    svc = services(context)
    may_change = await can_change_settings(update, context)
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        if may_change:
            reactivate(subscriber, svc.config.schedule, svc.clock())
        total = len(await enabled_source_ids(session))
        followed = len(await subscribed_source_ids(session, subscriber))
        times = ", ".join(digest_times_of(subscriber, svc.config.schedule))
        zone = subscriber.timezone or svc.config.schedule.timezone
        lang = language_for(update, subscriber)
        upcoming = next_digest_line(subscriber, svc.config, lang) if followed else None
        every = subscriber.all_sources
        mode = subscriber.mode
    _ = translator(lang)
    ngettext = plural_translator(lang)
    title = _("Welcome to Bản tin!")
    if mode in ("digest", "both"):
        about = ngettext(
            "I gather news from {count} source and send you a digest at {times} ({timezone}).",
            "I gather news from {count} sources and send you a digest at {times} ({timezone}).",
            total,
        ).format(count=total, times=times, timezone=escape_html(zone_label(zone)))
    else:  # no digest: "a digest at 07:00" would promise what this chat turned off
        about = ngettext("I gather news from {count} source.", "I gather news from {count} sources.", total)
        about = about.format(count=total) + "\n" + _("What you get: {mode}").format(mode=mode_label(mode, _))
    if every:
        status = _("You follow all sources.")
    elif followed:
        status = ngettext("You follow {count} source.", "You follow {count} sources.", followed).format(
            count=followed
        )
    else:
        status = _("You follow no source yet: pick below.")
    lines = [
        f"<b>{title}</b>",
        about,
        status,
        *([upcoming] if upcoming else []),
        _("Send /help to see everything I can do."),
    ]
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✅ " + _("All sources"), callback_data=pack(AREA, "all", 0)),
                InlineKeyboardButton("📋 " + _("Choose sources"), callback_data=pack(AREA, "list", 0)),
            ],
            [
                InlineKeyboardButton("🕖 " + _("Digest times"), callback_data=pack("c", "v", "t")),
                InlineKeyboardButton("⚙️ " + _("Settings"), callback_data=pack("c", "v", "m")),
            ],
        ]
    )
    await send(update, context, "\n".join(lines), markup)


def _menu_lines(entries: list[tuple[str, str]], lang: str) -> list[str]:
    _ = translator(lang)
    return [f"/{command} — {escape_html(_(description))}" for command, description in entries]


def _admin_help(entries: list[tuple[str, str]], private: bool, lang: str) -> list[str]:
    """The admin commands for an admin's private chat; in a group, only where to find them: the
    group's members need not read (nor try) them, nor learn what the bot's admins can do."""
    _ = translator(lang)
    if not private:
        return [_("The bot's admin commands are in /help in a private chat with me.")]
    admin_title = _("For admins")
    return [f"<b>{admin_title}</b>", *_menu_lines(entries, lang)]


async def help_command(update: Update, context: Context) -> None:
    lang = language_for(update, await find_subscriber(context, update.effective_chat.id))
    _ = translator(lang)
    menu = context.bot_data.get("command_menu")
    public = menu.public if menu else COMMANDS
    title = _("What I can do")
    lines = [f"<b>{title}</b>", *_menu_lines(public, lang)]
    user = update.effective_user
    if menu and menu.admin and user and services(context).is_admin(user.id):
        lines += ["", *_admin_help(menu.admin, update.effective_chat.type == ChatType.PRIVATE, lang)]
    lines += ["", _("In a group, only its administrators can change what the group follows.")]
    await send(update, context, "\n".join(lines))


# ---- /sources, /subscribe, /unsubscribe ------------------------------------------------------------


async def sources_command(update: Update, context: Context) -> None:
    subscriber = await find_subscriber(context, update.effective_chat.id)
    lang = language_for(update, subscriber)
    async with services(context).db.session() as session:
        text, markup = await sources_view(session, subscriber, lang)
    await send(update, context, text, markup)


async def _change_one(
    session: AsyncSession,
    subscriber: Subscriber,
    query: str,
    *,
    follow: bool,
    svc: Services,
    lang: str,
) -> tuple[str, bool]:
    """Follow or leave the one source `query` names: (the reply line, whether it is followed now)."""
    _ = translator(lang)
    now = svc.clock()
    matches = await matching_sources(session, query, enabled_only=follow)
    source = matches[0] if len(matches) == 1 else None
    if source is None:
        return no_such_source(query, matches, lang), False
    name = f"<b>{escape_html(source.name)}</b>"
    if follow:
        followed_now = await follow_source(session, subscriber, source.id, svc.config.schedule, now)
        text = _("You now follow {source}.") if followed_now else _("You already follow {source}.")
        return text.format(source=name), followed_now
    removed = await unsubscribe(session, subscriber, source.id, now)
    text = _("You no longer follow {source}.") if removed else _("You were not following {source}.")
    return text.format(source=name), False


async def _change_subscription(update: Update, context: Context, *, follow: bool) -> None:
    svc = services(context)
    query = command_argument(update)
    lang = language_for(update, await find_subscriber(context, update.effective_chat.id))
    _ = translator(lang)
    if not query:
        usage = (
            _("Usage: /subscribe NUMBER or NAME of a source, or /subscribe all")
            if follow
            else _("Usage: /unsubscribe NUMBER or NAME of a source, or /unsubscribe all")
        )
        await send(update, context, f"{escape_html(usage)}\n" + _("The sources and their numbers: /sources"))
        return
    if not await can_change_settings(update, context):
        await refuse_non_admin(update, context, lang)
        return
    now = svc.clock()
    followed_now = False
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        if search_key(query) in ALL_WORDS:
            if follow:
                followed_now = await follow_source(session, subscriber, None, svc.config.schedule, now)
                lines = [_("You now follow all sources, including new ones.")]
            else:
                await unsubscribe_all(session, subscriber, now)
                lines = [_("You no longer follow any source. Choose again with /sources.")]
        else:
            # `/subscribe 3 5` as the /sources list numbers them; a name that is only numbers wins.
            exact = await find_source(session, query)
            lines = []
            for one in [query] if exact is not None else source_numbers(query) or [query]:
                line, followed = await _change_one(
                    session, subscriber, one, follow=follow, svc=svc, lang=lang
                )
                lines.append(line)
                followed_now = followed_now or followed
        upcoming = next_digest_line(subscriber, svc.config, lang) if followed_now else None
    await send_lines(update, context, [*lines, *([upcoming] if upcoming else [])])


async def subscribe_command(update: Update, context: Context) -> None:
    await _change_subscription(update, context, follow=True)


async def unsubscribe_command(update: Update, context: Context) -> None:
    await _change_subscription(update, context, follow=False)


# ---- /stop -----------------------------------------------------------------------------------------


async def stop_command(update: Update, context: Context) -> None:
    svc = services(context)
    subscriber = await find_subscriber(context, update.effective_chat.id)
    lang = language_for(update, subscriber)
    _ = translator(lang)
    if subscriber is None:
        await send(update, context, _("You are not subscribed. Send /start to begin."))
        return
    if not await can_change_settings(update, context):
        await refuse_non_admin(update, context, lang)
        return
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        await unsubscribe_all(session, subscriber, svc.clock())
        deactivate(subscriber, "stopped with /stop", svc.clock())
        # "Nothing more" includes what is already queued (a digest waiting for a retry, a broadcast).
        await cancel_chat(session, subscriber.chat_id, "cancelled: stopped with /stop")
    text = "\n".join(
        [
            _("Done: I will send you nothing more. Send /start whenever you want to come back."),
            _("Your settings are kept. To delete them too, press the button below."),
        ]
    )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("🗑 " + _("Delete my data"), callback_data=pack(AREA, "del"))]]
    )
    await send(update, context, text, markup)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("sources", sources_command))
    application.add_handler(CommandHandler("subscribe", subscribe_command))
    application.add_handler(CommandHandler("unsubscribe", unsubscribe_command))
    application.add_handler(CommandHandler("stop", stop_command))
    application.add_handler(CallbackQueryHandler(on_button, pattern=pattern(AREA)))
