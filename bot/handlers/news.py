"""/latest, /search and /digest: reading the news on demand, with prev/next buttons on the pages."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.handlers import news_pages as pages
from bot.handlers.callbacks import Callback, answer_press, answer_stale, pattern, unpack
from bot.handlers.context import (
    Context,
    can_change_settings,
    command_argument,
    edit_or_send,
    ensure_subscriber,
    find_subscriber,
    language_for,
    refuse_non_admin,
    send,
    services,
)
from bot.handlers.sources_view import no_such_source
from jobs.digest import compose_digest_for
from news.i18n import N_, plural_translator, translator
from news.telegram_html import escape_html
from storage.models import Source
from storage.sources import get_source_by_id, matching_sources
from storage.subscribers import subscribed_source_ids

COMMANDS: list[tuple[str, str]] = [
    ("latest", N_("The newest stories")),
    ("search", N_("Search the news (diacritics optional)")),
    ("digest", N_("My digest now: what is new since the last one")),
]


async def _reader(update: Update, context: Context) -> tuple[str, str]:
    """(language, time zone) of the chat asking."""
    subscriber = await find_subscriber(context, update.effective_chat.id)
    zone = (subscriber.timezone if subscriber else None) or services(context).config.schedule.timezone
    return language_for(update, subscriber), zone


def _latest_usage(lang: str) -> str:
    _ = translator(lang)
    usage = _("Usage: /latest [N] [SOURCE] — the N newest stories (at most {max}), of one source if named")
    return escape_html(usage.format(max=pages.LATEST_MAX_SIZE))


def _parse_latest(argument: str) -> tuple[int | None, str]:
    """`5 bao song xanh` → (5, "bao song xanh"); no leading number → (the default size, everything)."""
    first, _space, rest = argument.partition(" ")
    if first.isdecimal():  # not isdigit(): `²` is a digit int() cannot read
        size = int(first) if len(first) <= 3 else None
        return (size if size and 1 <= size <= pages.LATEST_MAX_SIZE else None), rest.strip()
    return pages.LATEST_SIZE, argument


async def latest_command(update: Update, context: Context) -> None:
    lang, zone = await _reader(update, context)
    _ = translator(lang)
    size, source_query = _parse_latest(command_argument(update))
    if size is None:
        await send(update, context, _latest_usage(lang))
        return
    async with services(context).db.session() as session:
        source: Source | None = None
        if source_query:
            matches = await matching_sources(session, source_query, enabled_only=False)
            if len(matches) != 1:
                missing = no_such_source(source_query, matches, lang)
                await send(update, context, f"{missing}\n{_latest_usage(lang)}")
                return
            source = matches[0]
        source_id = source.id if source else None
        page = await pages.latest_page(session, size=size, source_id=source_id)
    text = pages.latest_text(page, zone, lang)
    await send(update, context, text, pages.latest_markup(page, size, source_id, lang))


async def search_command(update: Update, context: Context) -> None:
    lang, zone = await _reader(update, context)
    _ = translator(lang)
    query = command_argument(update)
    if not query:
        await send(update, context, escape_html(_("Usage: /search WORDS — diacritics are optional")))
        return
    async with services(context).db.session() as session:
        page = await pages.search_page(session, query)
    markup = pages.search_markup(query, page, lang, context.chat_data)
    await send(update, context, pages.search_text(query, page, zone, lang), markup)


async def digest_command(update: Update, context: Context) -> None:
    """Compose the chat's digest now; the outbox sender delivers it like a scheduled one."""
    svc = services(context)
    subscriber = await find_subscriber(context, update.effective_chat.id)
    lang = language_for(update, subscriber)
    _ = translator(lang)
    if subscriber is not None and not subscriber.active:
        await send(update, context, _("You are not subscribed. Send /start to begin."))
        return
    if not await can_change_settings(update, context):
        await refuse_non_admin(update, context, lang)  # it moves the group's digest cursor
        return
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        follows = subscriber.all_sources or bool(await subscribed_source_ids(session, subscriber))
        subscriber_id = subscriber.id
    if not follows:
        await send(update, context, _("You follow no source yet. Choose some with /sources."))
        return
    result = await compose_digest_for(svc.db, svc.config, subscriber_id, svc.clock())
    if not result.parts and result.unmatched:  # "nothing new" would hide the news the keywords left out
        ngettext = plural_translator(lang)
        text = ngettext(
            "There is {count} new story since your last digest, but it does not match your keywords "
            "(/settings).",
            "There are {count} new stories since your last digest, but none matches your keywords "
            "(/settings).",
            result.unmatched,
        )
        await send(update, context, text.format(count=result.unmatched))
        return
    if not result.parts:
        await send(update, context, _("Nothing new since your last digest."))
        return
    svc.wake_sender()


# ---- buttons ---------------------------------------------------------------------------------------


async def _turn_latest_page(update: Update, context: Context, data: Callback, lang: str, zone: str) -> bool:
    request = pages.read_latest(data)
    if request is None:
        return False
    async with services(context).db.session() as session:
        if request.source_id is not None and await get_source_by_id(session, request.source_id) is None:
            return False
        page = await pages.latest_page(
            session, size=request.size, page=request.page, source_id=request.source_id
        )
    if request.page >= page.pages:
        return False
    await answer_press(update.callback_query)
    markup = pages.latest_markup(page, request.size, request.source_id, lang)
    await edit_or_send(update.callback_query, context, pages.latest_text(page, zone, lang), markup)
    return True


async def _turn_search_page(update: Update, context: Context, data: Callback, lang: str, zone: str) -> bool:
    request = pages.read_search(data, context.chat_data)
    if request is None:
        return False
    query, number = request
    async with services(context).db.session() as session:
        page = await pages.search_page(session, query, page=number)
    if number >= page.pages:
        return False
    await answer_press(update.callback_query)
    markup = pages.search_markup(query, page, lang, context.chat_data)
    await edit_or_send(update.callback_query, context, pages.search_text(query, page, zone, lang), markup)
    return True


_TURNERS = {"l": _turn_latest_page, "s": _turn_search_page, "k": _turn_search_page}


async def on_button(update: Update, context: Context) -> None:
    """A prev/next press shows that page in place; data we could not have made, or a page that no
    longer exists, gets a polite answer and changes nothing."""
    lang, zone = await _reader(update, context)
    data = unpack(update.callback_query.data, pages.AREA)
    turn = _TURNERS.get(data.action) if data else None
    if turn is None or not await turn(update, context, data, lang, zone):
        await answer_stale(update.callback_query, lang)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("latest", latest_command))
    application.add_handler(CommandHandler("search", search_command))
    application.add_handler(CommandHandler("digest", digest_command))
    application.add_handler(CallbackQueryHandler(on_button, pattern=pattern(pages.AREA)))
