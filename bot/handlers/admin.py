"""Admin commands: /addfeed, /removefeed, /feeds, /stats, /broadcast, /pollnow and /register.

Only the configured admins (`[telegram] admins`) may use them. The gate (bot/gates.py) refuses
everyone else before any handler runs; each handler checks again, so a wiring mistake cannot open
them. A refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time
from functools import wraps

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot.handlers import admin_views as views
from bot.handlers.context import (
    Context,
    command_argument,
    find_subscriber,
    language_for,
    send,
    services,
    shown,
)
from bot.handlers.feed_probe import ProbeError, chat_fetcher, check_url, probe_source
from bot.handlers.settings_view import zone_label
from bot.handlers.sources_view import no_such_source
from jobs.digest import DIGEST_MODES, queue_broadcast
from jobs.source_removal import remove_source_telling_followers
from news.i18n import N_, plural_translator, translator
from news.source_address import name_from_address
from news.telegram_html import escape_html
from storage.schedules import digest_times_of
from storage.sources import (
    MAX_NAME_CHARS,
    SourceExists,
    SourceSpec,
    SourceUrlExists,
    add_source,
    list_sources,
    matching_sources,
    schedule_now,
)
from storage.stats import bot_stats
from storage.subscribers import get_or_create_subscriber, reactivate, set_mode, subscribe_all

COMMANDS: list[tuple[str, str]] = [
    ("addfeed", N_("Add a source: a feed or a news page")),
    ("removefeed", N_("Remove a source")),
    ("feeds", N_("Sources and their health")),
    ("stats", N_("Subscribers, items, deliveries")),
    ("broadcast", N_("Send a message to every subscriber")),
    ("pollnow", N_("Poll every source now")),
    ("register", N_("Send digests to this group, or to a channel")),
]

Handler = Callable[[Update, Context, str], Awaitable[None]]


def admin_only(handler: Handler) -> Callable[[Update, Context], Awaitable[None]]:
    """Run `handler(update, context, lang)` for an admin; anyone else gets a polite refusal."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        subscriber = await find_subscriber(context, update.effective_chat.id)
        lang = language_for(update, subscriber)
        user = update.effective_user
        if user is None or not services(context).is_admin(user.id):
            _ = translator(lang)
            await send(update, context, _("That command is for the bot's administrators."))
            return
        await handler(update, context, lang)

    return guarded


def _zone(context: Context) -> str:
    return services(context).config.schedule.timezone


def _raw_argument(update: Update) -> str:
    """The text after the command as typed, line breaks kept (command_argument folds them)."""
    message = update.effective_message
    parts = (message.text or "").split(None, 1) if message else []
    return parts[1].strip() if len(parts) > 1 else ""


async def _send_all(update: Update, context: Context, messages: list[str]) -> None:
    for message in messages:
        await send(update, context, message)


# ---- sources ---------------------------------------------------------------------------------------


def _default_name(probe_title: str | None, url: str) -> str:
    name = " ".join((probe_title or "").split()) or name_from_address(url)
    return name[:MAX_NAME_CHARS]


@admin_only
async def addfeed(update: Update, context: Context, lang: str) -> None:
    _ = translator(lang)
    ngettext = plural_translator(lang)
    url, _space, name = command_argument(update).partition(" ")
    if not url:
        await send(update, context, escape_html(_("Usage: /addfeed URL [NAME]")))
        return
    svc = services(context)
    try:
        check_url(url)
        async with chat_fetcher(svc.config, svc.fetcher) as fetcher:
            probe = await probe_source(fetcher, url, svc.config.tz)
    except ProbeError as exc:
        reason = _(str(exc)) if str(exc) else ""  # gettext("") would be the catalog's header
        text = _("Could not add {url}: {reason}").format(url=shown(url), reason=escape_html(reason))
        await send(update, context, text)
        return
    name = name.strip()[:MAX_NAME_CHARS] or _default_name(probe.title, url)
    spec = SourceSpec(name=name, url=url, kind=probe.kind)
    try:
        async with svc.db.transaction() as session:
            await add_source(session, spec, svc.clock(), origin="chat")
    except SourceUrlExists as exc:
        text = _("The source {name} polls that address already.")
        await send(update, context, text.format(name=f"<b>{escape_html(exc.existing)}</b>"))
        return
    except SourceExists as exc:
        text = _("A source named {name} exists already. Add it under another name: /addfeed URL NAME")
        await send(update, context, text.format(name=f"<b>{escape_html(exc.existing)}</b>"))
        return
    if probe.kind == "rss":
        found = ngettext(
            "a feed, “{title}”, with {count} entry", "a feed, “{title}”, with {count} entries", probe.entries
        ).format(title=escape_html(probe.title or name), count=probe.entries)
    elif probe.links:
        found = ngettext(
            "a news page with {count} article link", "a news page with {count} article links", probe.links
        ).format(count=probe.links)
    else:
        found = _("a single article page")
    text = _("Added {name}: {found}. It will be polled within a minute; check it with /feeds.")
    await send(update, context, text.format(name=f"<b>{escape_html(name)}</b>", found=found))


@admin_only
async def removefeed(update: Update, context: Context, lang: str) -> None:
    _ = translator(lang)
    query = command_argument(update)
    if not query:
        await send(update, context, escape_html(_("Usage: /removefeed NAME or NUMBER (see /feeds)")))
        return
    async with services(context).db.transaction() as session:
        matches = await matching_sources(session, query, enabled_only=False)
        source = matches[0] if len(matches) == 1 else None
        if source is not None:
            name, from_config = source.name, source.origin == "config"
            told = await remove_source_telling_followers(
                session, source.name, services(context).clock(), services(context).config.schedule
            )
    if len(matches) > 1:  # better to ask than to remove the wrong one
        await send(update, context, no_such_source(query, matches, lang))
        return
    if source is None:
        await send(
            update, context, _("There is no source “{query}”. The list: /feeds").format(query=shown(query))
        )
        return
    services(context).source_fetch_ok.pop(name, None)  # its last fetch no longer says the poller works
    if told:
        services(context).wake_sender()
    text = _("Removed {name} and its items.").format(name=f"<b>{escape_html(name)}</b>")
    if from_config:
        text += "\n" + _("It is in the config file: delete it there too, or it comes back at the next start.")
    await send(update, context, text)


@admin_only
async def feeds(update: Update, context: Context, lang: str) -> None:
    subscriber = await find_subscriber(context, update.effective_chat.id)
    zone = (subscriber.timezone if subscriber else None) or _zone(context)  # times as the admin reads them
    async with services(context).db.session() as session:
        sources = await list_sources(session)
    await _send_all(update, context, views.feeds_messages(sources, zone, lang))


# ---- health and messages ---------------------------------------------------------------------------


def _start_of_today(now: datetime, zone) -> datetime:
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone)


@admin_only
async def stats(update: Update, context: Context, lang: str) -> None:
    svc = services(context)
    async with svc.db.session() as session:
        figures = await bot_stats(session, since=_start_of_today(svc.clock(), svc.config.tz))
    await send(update, context, views.stats_text(figures, lang))


@admin_only
async def broadcast(update: Update, context: Context, lang: str) -> None:
    _ = translator(lang)
    ngettext = plural_translator(lang)
    text = _raw_argument(update)
    if not text:
        await send(update, context, escape_html(_("Usage: /broadcast TEXT")))
        return
    svc = services(context)
    _id, recipients = await queue_broadcast(
        svc.db, escape_html(text), update.effective_user.id, now=svc.clock()
    )
    svc.wake_sender()
    reply = ngettext(
        "Broadcast queued for {count} subscriber.", "Broadcast queued for {count} subscribers.", recipients
    )
    await send(update, context, reply.format(count=recipients))


@admin_only
async def pollnow(update: Update, context: Context, lang: str) -> None:
    _ = translator(lang)
    svc = services(context)
    if svc.poll_now is None:
        await send(update, context, _("Polling does not run in this process."))
        return
    async with svc.db.transaction() as session:
        await schedule_now(session, svc.clock())
    outcomes = await svc.poll_now()
    await _send_all(update, context, views.poll_messages(outcomes or [], lang))


# ---- groups and channels ---------------------------------------------------------------------------


async def _subscribe_chat_to_all(context: Context, chat_id: int, chat_type: str, title: str | None) -> str:
    """The chat becomes an active subscriber of every source; returns its digest times and zone
    (`07:00, 17:00 (Asia/Ho_Chi_Minh)`): a time without its zone reads as the reader's own."""
    svc = services(context)
    now = svc.clock()
    async with svc.db.transaction() as session:
        subscriber, _created = await get_or_create_subscriber(
            session, chat_id, chat_type=chat_type, now=now, schedule=svc.config.schedule, title=title
        )
        reactivate(subscriber, svc.config.schedule, now)
        if subscriber.mode not in DIGEST_MODES:
            # The reply promises the digest: a chat that had turned it off gets it again, and one on
            # instant alerts gets both.
            mode = "both" if subscriber.mode == "instant" else "digest"
            set_mode(subscriber, mode, svc.config.schedule, now)
        await subscribe_all(session, subscriber, now)
        zone = zone_label(subscriber.timezone or svc.config.schedule.timezone)
        return ", ".join(digest_times_of(subscriber, svc.config.schedule)) + f" ({escape_html(zone)})"


def _channel_ref(text: str) -> int | str | None:
    if text.startswith("@") and 5 <= len(text) <= 33 and text[1:].replace("_", "").isalnum():
        return text
    if text.startswith("-100") and text[1:].isdecimal() and len(text) <= 20:  # `²` is a digit, not decimal
        return int(text)
    return None


@admin_only
async def register_chat(update: Update, context: Context, lang: str) -> None:
    _ = translator(lang)
    chat = update.effective_chat
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        times = await _subscribe_chat_to_all(context, chat.id, chat.type, chat.title)
        await send(
            update,
            context,
            _("This group now gets the digest of all sources at {times}.").format(times=times),
        )
        return
    ref = _channel_ref(command_argument(update))
    if chat.type != ChatType.PRIVATE or ref is None:
        usage = _("Usage: /register in a group, or /register @channel (or its -100… id) in a private chat")
        await send(update, context, escape_html(usage))
        return
    try:
        target = await context.bot.get_chat(ref)
        member = await context.bot.get_chat_member(target.id, context.bot.id)
    except TelegramError:
        text = _("I cannot see that channel. Add me to it as an administrator, then try again.")
        await send(update, context, text)
        return
    if target.type != ChatType.CHANNEL:
        await send(update, context, _("That chat is not a channel. In a group, send /register there."))
        return
    can_post = (
        member.status == ChatMemberStatus.ADMINISTRATOR
        and getattr(member, "can_post_messages", True) is not False
    )
    if not can_post:
        await send(
            update,
            context,
            _("I am not an administrator of that channel who may post. Promote me, then try again."),
        )
        return
    times = await _subscribe_chat_to_all(context, target.id, ChatType.CHANNEL, target.title)
    text = _("The channel {title} now gets the digest of all sources at {times}.")
    await send(
        update,
        context,
        text.format(title=f"<b>{escape_html(target.title or str(target.id))}</b>", times=times),
    )


def register(application: Application) -> None:
    for command, callback in (
        ("addfeed", addfeed),
        ("removefeed", removefeed),
        ("feeds", feeds),
        ("stats", stats),
        ("broadcast", broadcast),
        ("pollnow", pollnow),
        ("register", register_chat),
    ):
        application.add_handler(CommandHandler(command, callback))
