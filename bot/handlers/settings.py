"""/settings: digest times, time zone, language, what to send, keywords, quiet hours, no-news notice —
by inline keyboard or typed (`/settings times 06:30 18:00`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

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
from bot.handlers.settings_input import (
    InputError,
    parse_keywords,
    parse_language,
    parse_mode,
    parse_quiet_hours,
    parse_switch,
    parse_times,
    parse_timezone,
)
from bot.handlers.settings_view import (
    AREA,
    LANGUAGE_NAMES,
    QUIET_PRESETS,
    TIME_PRESETS,
    ZONE_PRESETS,
    main_keyboard,
    settings_text,
    submenu,
)
from bot.handlers.settings_words import split_setting, words_for
from bot.services import Services
from news.i18n import N_, translator
from news.telegram_html import escape_html
from news.tones import search_key
from storage.models import Subscriber
from storage.subscribers import (
    MODES,
    set_digest_times,
    set_keywords,
    set_language,
    set_mode,
    set_no_news_notice,
    set_quiet_hours,
    set_timezone,
)

COMMANDS: list[tuple[str, str]] = [("settings", N_("Digest times, time zone, language, keywords"))]
DEFAULT_WORDS = frozenset({"default", "mac dinh"})


@dataclass(frozen=True)
class Setting:
    usage: str  # msgid
    parse: Callable[[str], Any]
    apply: Callable[[Subscriber, Any, Services], None]


def _times(text: str) -> list[str] | None:
    return None if search_key(text) in DEFAULT_WORDS else parse_times(text)


def _apply_times(s: Subscriber, times: list[str] | None, svc: Services) -> None:
    set_digest_times(s, times, svc.config.schedule, svc.clock())


def _apply_zone(s: Subscriber, zone: str, svc: Services) -> None:
    set_timezone(s, zone, svc.config.schedule, svc.clock())


def _apply_quiet(s: Subscriber, hours: tuple[str, str] | None, svc: Services) -> None:
    set_quiet_hours(s, *(hours or (None, None)), svc.clock())


# The usage lines name the settings and values with the words of the chat's language (settings_words).
_TIMES = Setting(N_("Usage: /settings {times} 06:30 18:00 (one to six times of day)"), _times, _apply_times)
_ZONE = Setting(
    N_("Usage: /settings {tz} Europe/Berlin (a time zone, or just its city)"), parse_timezone, _apply_zone
)
_LANGUAGE = Setting(
    N_("Usage: /settings {lang} vi or /settings {lang} en"),
    parse_language,
    lambda s, lang, svc: set_language(s, lang, svc.clock()),
)
_MODE = Setting(
    N_("Usage: /settings {mode} {digest}, {instant}, {both} or {off}"),
    parse_mode,
    lambda s, mode, svc: set_mode(s, mode, svc.config.schedule, svc.clock()),
)
_INCLUDE = Setting(
    N_(
        "Usage: /settings {include} lúa, giá (up to 20 words or phrases, separated by commas; {off} clears them)"
    ),
    parse_keywords,
    lambda s, words, svc: set_keywords(s, "include", words, svc.clock()),
)
_EXCLUDE = Setting(
    N_(
        "Usage: /settings {exclude} quảng cáo (up to 20 words or phrases, separated by commas; "
        "{off} clears them)"
    ),
    parse_keywords,
    lambda s, words, svc: set_keywords(s, "exclude", words, svc.clock()),
)
_QUIET = Setting(
    N_("Usage: /settings {quiet} 22:00 06:00, or /settings {quiet} {off}"), parse_quiet_hours, _apply_quiet
)
_NO_NEWS = Setting(
    N_("Usage: /settings {nonews} {on} or /settings {nonews} {off}"),
    parse_switch,
    lambda s, on, svc: set_no_news_notice(s, on, svc.clock()),
)
SETTINGS: dict[str, Setting] = {  # by the names in settings_words.SETTING_WORDS
    "times": _TIMES,
    "tz": _ZONE,
    "lang": _LANGUAGE,
    "mode": _MODE,
    "include": _INCLUDE,
    "exclude": _EXCLUDE,
    "quiet": _QUIET,
    "nonews": _NO_NEWS,
}
USAGE_ORDER = (_TIMES, _ZONE, _LANGUAGE, _MODE, _INCLUDE, _EXCLUDE, _QUIET, _NO_NEWS)


def usage(setting: Setting, lang: str) -> str:
    """The setting's usage line in `lang`, with that language's words."""
    return translator(lang)(setting.usage).format(**words_for(lang))


async def settings_command(update: Update, context: Context) -> None:
    svc = services(context)
    argument = command_argument(update)
    lang = language_for(update, await find_subscriber(context, update.effective_chat.id))
    _ = translator(lang)
    if not argument:
        async with svc.db.transaction() as session:
            subscriber = await ensure_subscriber(session, update, context)
            text, markup = (
                settings_text(subscriber, svc.config, lang),
                main_keyboard(subscriber, svc.config, lang),
            )
        await send(update, context, text, markup)
        return
    name, value = split_setting(argument)
    setting = SETTINGS.get(name) if name else None
    if setting is None:
        title = _("Usage: /settings, or one of:")
        lines = [escape_html(usage(s, lang).removeprefix(_("Usage:")).strip()) for s in USAGE_ORDER]
        await send(update, context, "\n".join([title, *lines]))
        return
    try:
        parsed = setting.parse(value.strip())
    except InputError:
        await send(update, context, escape_html(usage(setting, lang)))
        return
    if not await can_change_settings(update, context):
        await refuse_non_admin(update, context, lang)
        return
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        setting.apply(subscriber, parsed, svc)
        lang = language_for(update, subscriber)  # a language change answers in the new language
        text, markup = (
            settings_text(subscriber, svc.config, lang),
            main_keyboard(subscriber, svc.config, lang),
        )
    _ = translator(lang)
    saved = _("Saved.")
    await send(update, context, f"✅ {saved}\n\n{text}", markup)


# ---- buttons ---------------------------------------------------------------------------------------


def _preset(options: tuple, arg: int | None) -> Any:
    if arg is None or arg >= len(options):
        raise InputError(str(arg))
    return options[arg]


def _from_button(data: Callback) -> tuple[Setting, Any]:
    """The setting and value a button sets; InputError when its data is not one this version made."""
    arg = data.args[0] if data.args else ""
    if data.action == "t":
        return _TIMES, None if arg == "d" else list(_preset(TIME_PRESETS, data.int_arg(0)))
    if data.action == "z":
        return _ZONE, _preset(ZONE_PRESETS, data.int_arg(0))
    if data.action == "l" and arg in LANGUAGE_NAMES:
        return _LANGUAGE, arg
    if data.action == "o" and arg in MODES:
        return _MODE, arg
    if data.action == "k" and arg == "clear":
        return _INCLUDE, []  # exclude is cleared with it below
    if data.action == "q":
        return _QUIET, _preset(QUIET_PRESETS, data.int_arg(0))
    if data.action == "n" and arg in ("0", "1"):
        return _NO_NEWS, arg == "1"
    raise InputError(data.action)


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    svc = services(context)
    subscriber = await find_subscriber(context, update.effective_chat.id)
    lang = language_for(update, subscriber)
    data = unpack(query.data, AREA)
    if data is not None and data.action == "v":
        await _show(update, context, data, lang)
        return
    try:
        if data is None:
            raise InputError("")
        setting, value = _from_button(data)
    except InputError:
        await answer_stale(query, lang)
        return
    if not await can_change_settings(update, context):
        await refuse_non_admin(update, context, lang)
        return
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        setting.apply(subscriber, value, svc)
        if setting is _INCLUDE and not value:
            set_keywords(subscriber, "exclude", [], svc.clock())
        lang = language_for(update, subscriber)
        text, markup = (
            settings_text(subscriber, svc.config, lang),
            main_keyboard(subscriber, svc.config, lang),
        )
    _ = translator(lang)
    await answer_press(query, _("Saved."))
    await edit_or_send(query, context, text, markup)


async def _show(update: Update, context: Context, data: Callback, lang: str) -> None:
    svc = services(context)
    view = data.args[0] if data.args else ""
    async with svc.db.transaction() as session:
        subscriber = await ensure_subscriber(session, update, context)
        page = (
            (settings_text(subscriber, svc.config, lang), main_keyboard(subscriber, svc.config, lang))
            if view == "m"
            else submenu(view, subscriber, svc.config, lang)
        )
    if page is None:
        await answer_stale(update.callback_query, lang)
        return
    await answer_press(update.callback_query)
    await edit_or_send(update.callback_query, context, *page)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("settings", settings_command))
    application.add_handler(CallbackQueryHandler(on_button, pattern=pattern(AREA)))
