"""The buttons under /start, /sources and /stop (bot.handlers.subscriber): follow or leave sources,
delete a stopped chat's data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers.callbacks import Callback, answer_press, answer_stale, pack, unpack
from bot.handlers.context import (
    Context,
    can_change_settings,
    edit_or_send,
    ensure_subscriber,
    find_subscriber,
    language_for,
    refuse_non_admin,
    services,
)
from bot.handlers.sources_view import AREA, button_text, sources_view
from news.config import ScheduleConfig
from news.i18n import translator
from storage.models import Subscriber
from storage.sources import get_source_by_id
from storage.subscribers import (
    delete_subscriber_data,
    get_subscriber,
    reactivate,
    subscribe,
    subscribe_all,
    subscribed_source_ids,
    unsubscribe,
    unsubscribe_all,
)


async def follow_source(
    session: AsyncSession,
    subscriber: Subscriber,
    source_id: int | None,
    schedule: ScheduleConfig,
    now: datetime,
) -> bool:
    """Follow one source, or all of them (None); False when it was followed already. Following
    brings a chat stopped with /stop back, as /start does: otherwise nothing would ever be sent."""
    if source_id is None:
        await subscribe_all(session, subscriber, now)
        followed = True
    else:
        followed = await subscribe(session, subscriber, source_id, now)
    reactivate(subscriber, schedule, now)
    return followed


# ---- the buttons ----------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    subscriber = await find_subscriber(context, update.effective_chat.id)
    lang = language_for(update, subscriber)
    data = unpack(query.data, AREA)
    action = _ACTIONS.get(data.action) if data else None
    if data is None or action is None:
        await answer_stale(query, lang)
        return
    if data.action != "list" and not await can_change_settings(update, context):
        await refuse_non_admin(update, context, lang)
        return
    await action(update, context, data, lang)


async def _show_list(update: Update, context: Context, data: Callback, lang: str) -> None:
    async with services(context).db.session() as session:
        subscriber = await get_subscriber(session, update.effective_chat.id)
        text, markup = await sources_view(session, subscriber, lang, data.int_arg(0) or 0)
    await answer_press(update.callback_query)
    await edit_or_send(update.callback_query, context, text, markup)


async def _toggle(update: Update, context: Context, data: Callback, lang: str) -> None:
    _ = translator(lang)
    svc = services(context)
    source_id, page = data.int_arg(0), data.int_arg(1) or 0
    async with svc.db.session() as session:
        source = await get_source_by_id(session, source_id) if source_id is not None else None
    if source is None or not source.enabled:
        await answer_stale(update.callback_query, lang)
        return
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        if source.id in await subscribed_source_ids(session, subscriber):
            await unsubscribe(session, subscriber, source.id, svc.clock())
            note = _("You no longer follow {source}.")
        else:
            await follow_source(session, subscriber, source.id, svc.config.schedule, svc.clock())
            note = _("You now follow {source}.")
        text, markup = await sources_view(session, subscriber, lang, page)
    await answer_press(update.callback_query, note.format(source=button_text(source.name)))
    await edit_or_send(update.callback_query, context, text, markup)


async def _follow_all(update: Update, context: Context, data: Callback, lang: str) -> None:
    _ = translator(lang)
    svc = services(context)
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        if data.action == "all":
            await follow_source(session, subscriber, None, svc.config.schedule, svc.clock())
            note = _("You now follow all sources, including new ones.")
        else:
            await unsubscribe_all(session, subscriber, svc.clock())
            note = _("You no longer follow any source. Choose again with /sources.")
        text, markup = await sources_view(session, subscriber, lang, data.int_arg(0) or 0)
    await answer_press(update.callback_query, note)
    await edit_or_send(update.callback_query, context, text, markup)


async def _ask_delete(update: Update, context: Context, data: Callback, lang: str) -> None:
    _ = translator(lang)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🗑 " + _("Yes, delete"), callback_data=pack(AREA, "delok")),
                InlineKeyboardButton(_("Keep them"), callback_data=pack(AREA, "keep")),
            ]
        ]
    )
    await answer_press(update.callback_query)
    text = _("Delete your settings and subscriptions for good? This cannot be undone.")
    await edit_or_send(update.callback_query, context, text, markup)


async def _delete(update: Update, context: Context, data: Callback, lang: str) -> None:
    _ = translator(lang)
    async with services(context).db.transaction() as session:
        deleted = await delete_subscriber_data(session, update.effective_chat.id)
    await answer_press(update.callback_query)
    text = (
        _("Your data is deleted. Send /start to begin again.")
        if deleted
        else _("There was no data to delete.")
    )
    await edit_or_send(update.callback_query, context, text)


async def _keep(update: Update, context: Context, data: Callback, lang: str) -> None:
    _ = translator(lang)
    await answer_press(update.callback_query)
    await edit_or_send(update.callback_query, context, _("Your settings are kept. Send /start to come back."))


_ACTIONS = {
    "list": _show_list,
    "t": _toggle,
    "all": _follow_all,
    "none": _follow_all,
    "del": _ask_delete,
    "delok": _delete,
    "keep": _keep,
}
