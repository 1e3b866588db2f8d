"""What /settings shows: the current settings of a chat and the keyboards to change them."""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.dates import format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.callbacks import pack
from bot.handlers.settings_words import example, words_for
from news.config import Config
from news.i18n import translator
from news.telegram_html import escape_html
from storage.models import Subscriber
from storage.schedules import digest_times_of, timezone_of

AREA = "c"
CHECK = "✅ "
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
TIME_PRESETS: tuple[tuple[str, ...], ...] = (
    ("07:00",),
    ("07:00", "17:00"),
    ("06:30", "12:00", "18:00"),
    ("08:00",),
    ("20:00",),
)
ZONE_PRESETS = (
    "Asia/Ho_Chi_Minh",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)
QUIET_PRESETS: tuple[tuple[str, str] | None, ...] = (
    None,
    ("22:00", "06:00"),
    ("23:00", "07:00"),
    ("21:00", "07:00"),
    ("00:00", "06:00"),
)
_POSIX_OFFSET = re.compile(r"Etc/GMT([+-])(\d{1,2})")
EXAMPLES = (  # (setting, value) as settings_words.example writes them in the chat's language
    ("times", "06:30 18:00"),
    ("tz", "Europe/Berlin"),
    ("include", "lúa, giá"),
    ("exclude", "quảng cáo"),
    ("quiet", "22:00 06:00"),
)


def mode_label(mode: str, _: Callable[[str], str]) -> str:
    labels = {
        "digest": _("a digest at your times"),
        "instant": _("each new story right away"),
        "both": _("each story right away and a digest"),
        "off": _("off: nothing is sent"),
    }
    return labels.get(mode, mode)


def zone_label(zone: str) -> str:
    """A time zone as a subscriber reads it: `Etc/GMT-7`, which POSIX names with the sign inverted
    (seven hours *ahead* of UTC, what `/settings tz UTC+7` stores), is shown as `UTC+7`."""
    offset = _POSIX_OFFSET.fullmatch(zone)
    if offset is None:
        return zone
    return f"UTC{'+' if offset[1] == '-' else '-'}{offset[2]}"


def _keywords(words: list[str] | None) -> str:
    return escape_html(", ".join(words)) if words else "—"


def next_digest_line(subscriber: Subscriber, config: Config, lang: str) -> str | None:
    _ = translator(lang)
    if (
        not subscriber.active
        or subscriber.mode not in ("digest", "both")
        or subscriber.next_digest_at is None
    ):
        return None
    local = subscriber.next_digest_at.astimezone(timezone_of(subscriber, config.schedule))
    when = format_datetime(local, "HH:mm dd/MM" if lang == "vi" else "HH:mm, d MMM", locale=lang)
    return _("Next digest: {time}").format(time=when)


def settings_text(subscriber: Subscriber, config: Config, lang: str) -> str:
    _ = translator(lang)
    times = ", ".join(digest_times_of(subscriber, config.schedule))
    zone = subscriber.timezone or config.schedule.timezone
    quiet = f"{subscriber.quiet_start}–{subscriber.quiet_end}" if subscriber.quiet_start else _("off")
    notice = (
        subscriber.no_news_notice if subscriber.no_news_notice is not None else config.digest.no_news_notice
    )
    title = _("Settings")
    lines = [
        f"<b>{title}</b>",
        "🕖 "
        + _("Digest times: {times} ({timezone})").format(times=times, timezone=escape_html(zone_label(zone))),
        "📬 " + _("What you get: {mode}").format(mode=mode_label(subscriber.mode, _)),
        "🌐 " + _("Language: {language}").format(language=LANGUAGE_NAMES[lang]),
        "🔎 "
        + _("Only stories mentioning: {keywords}").format(keywords=_keywords(subscriber.include_keywords)),
        "🚫 "
        + _("Skip stories mentioning: {keywords}").format(keywords=_keywords(subscriber.exclude_keywords)),
        "🌙 " + _("Quiet hours: {hours}").format(hours=quiet),
        "📭 " + _("Tell me when there is no news: {answer}").format(answer=_("yes") if notice else _("no")),
    ]
    upcoming = next_digest_line(subscriber, config, lang)
    if upcoming:
        lines.append(upcoming)
    examples = [escape_html(example(setting, value, lang)) for setting, value in EXAMPLES]
    lines += ["", _("Change them with the buttons, or type for example:"), *examples]
    return "\n".join(lines)


def _button(text: str, action: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(AREA, action, *args))


def _back(_: Callable[[str], str]) -> list[InlineKeyboardButton]:
    return [_button("« " + _("Back"), "v", "m")]


def main_keyboard(subscriber: Subscriber, config: Config, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    notice = (
        subscriber.no_news_notice if subscriber.no_news_notice is not None else config.digest.no_news_notice
    )
    return InlineKeyboardMarkup(
        [
            [_button("🕖 " + _("Digest times"), "v", "t"), _button("🌍 " + _("Time zone"), "v", "z")],
            [_button("🌐 " + _("Language"), "v", "l"), _button("📬 " + _("What you get"), "v", "o")],
            [_button("🔎 " + _("Keywords"), "v", "k"), _button("🌙 " + _("Quiet hours"), "v", "q")],
            [_button(("✅ " if notice else "⬜ ") + _("No-news notice"), "n", 0 if notice else 1)],
        ]
    )


def submenu(
    view: str, subscriber: Subscriber, config: Config, lang: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The text and keyboard of one settings page (`t`imes, `z`one, `l`anguage, m`o`de, `k`eywords,
    `q`uiet hours); None for an unknown page."""
    _ = translator(lang)
    if view == "t":
        # A chat on the default times follows [schedule] digest_times as the admin changes them: that
        # is the choice to check, not the preset that happens to hold the same times today.
        current = tuple(subscriber.digest_times) if subscriber.digest_times is not None else None
        rows = [
            [_button((CHECK if preset == current else "") + ", ".join(preset), "t", index)]
            for index, preset in enumerate(TIME_PRESETS)
        ]
        default = ", ".join(config.schedule.digest_times)
        on_default = CHECK if current is None else ""
        rows.append([_button(on_default + _("Default ({times})").format(times=default), "t", "d")])
        text = _("When should your digest arrive? Pick one, or type your own times (up to six):")
        return f"{text}\n{example('times', '06:30 18:00', lang)}", InlineKeyboardMarkup([*rows, _back(_)])
    if view == "z":
        current_zone = subscriber.timezone or config.schedule.timezone
        rows = [
            [_button((CHECK if zone == current_zone else "") + zone, "z", index)]
            for index, zone in enumerate(ZONE_PRESETS)
        ]
        text = _("Your time zone decides when digests arrive. Pick one, or type any zone:")
        return f"{text}\n{example('tz', 'Europe/Paris', lang)}", InlineKeyboardMarkup([*rows, _back(_)])
    if view == "l":
        row = [
            _button((CHECK if code == lang else "") + name, "l", code)
            for code, name in LANGUAGE_NAMES.items()
        ]
        return _("Which language should I use?"), InlineKeyboardMarkup([row, _back(_)])
    if view == "o":
        rows = [
            [_button((CHECK if mode == subscriber.mode else "") + mode_label(mode, _), "o", mode)]
            for mode in ("digest", "instant", "both", "off")
        ]
        return _("What should I send you?"), InlineKeyboardMarkup([*rows, _back(_)])
    if view == "k":
        text = "\n".join(
            [
                _("Only stories mentioning: {keywords}").format(
                    keywords=_keywords(subscriber.include_keywords)
                ),
                _("Skip stories mentioning: {keywords}").format(
                    keywords=_keywords(subscriber.exclude_keywords)
                ),
                "",
                _("Type the words separated by commas; words without accents match any accents:"),
                example("include", "lúa, giá", lang),
                example("exclude", "quảng cáo", lang),
                example("include", words_for(lang)["off"], lang),
            ]
        )
        return text, InlineKeyboardMarkup([[_button(_("Clear keywords"), "k", "clear")], _back(_)])
    if view == "q":
        current = (subscriber.quiet_start, subscriber.quiet_end) if subscriber.quiet_start else None
        rows = [
            [
                _button(
                    (CHECK if preset == current else "")
                    + (f"{preset[0]}–{preset[1]}" if preset else _("off")),
                    "q",
                    index,
                )
            ]
            for index, preset in enumerate(QUIET_PRESETS)
        ]
        text = _("During quiet hours I send no instant alerts; they wait until the quiet hours end. Or type:")
        return f"{text}\n{example('quiet', '22:00 06:00', lang)}", InlineKeyboardMarkup([*rows, _back(_)])
    return None
