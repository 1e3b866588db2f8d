"""What admins read: the /feeds health list, /stats, and the outcome of /pollnow, as Telegram HTML."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from jobs.poll import PollOutcome
from news.i18n import plural_translator, translator
from news.render import format_story_time
from news.telegram_html import escape_html, split_message
from storage.models import Source
from storage.stats import BotStats

REASON_CHARS = 120


def _when(moment: datetime | None, zone: str, lang: str) -> str:
    _ = translator(lang)
    return format_story_time(moment, zone, lang) if moment else _("never")


def _cut(text: str, limit: int = REASON_CHARS) -> str:
    text = " ".join(text.split())
    return escape_html(text if len(text) <= limit else text[: limit - 1] + "…")


def source_lines(source: Source, zone: str, lang: str) -> str:
    _ = translator(lang)
    ngettext = plural_translator(lang)
    kind = source.detected_kind or source.kind
    items = ngettext("{count} item", "{count} items", source.item_count).format(count=source.item_count)
    # The number is the one /removefeed takes (its usage line points here).
    name = f"{source.id}. <b>{escape_html(source.name)}</b>"
    if not source.enabled:
        return f"⏸ {name} · " + _("disabled")
    failing = source.error_count > 0
    head = f"{'⚠️' if failing else '✅'} {name} · {escape_html(kind)} · {items}"
    facts = [_("last success {time}").format(time=_when(source.last_success_at, zone, lang))]
    if failing:
        facts.append(
            _("{count}× error {time}: {reason}").format(
                count=source.error_count,
                time=_when(source.last_error_at, zone, lang),
                reason=_cut(source.last_error or ""),
            )
        )
    facts.append(_("next check {time}").format(time=_when(source.next_check_at, zone, lang)))
    return head + "\n   " + " · ".join(facts)


def feeds_messages(sources: Sequence[Source], zone: str, lang: str) -> list[str]:
    _ = translator(lang)
    if not sources:
        return [_("There are no sources yet. Add one with /addfeed URL.")]
    title = _("Sources")
    header = f"<b>{title}</b> ({len(sources)})"
    return split_message([header, *(source_lines(s, zone, lang) for s in sources)], separator="\n")


def stats_text(stats: BotStats, lang: str) -> str:
    _ = translator(lang)
    sent = stats.counters
    lines = [
        "<b>" + _("Statistics") + "</b>",
        _("Subscribers: {active} active, {inactive} inactive").format(
            active=stats.subscribers_active, inactive=stats.subscribers_inactive
        ),
        _("Sources: {sources}, {failing} with errors").format(
            sources=stats.sources, failing=stats.sources_failing
        ),
        _("Items: {items}, {today} today · stories: {stories}").format(
            items=stats.items, today=stats.items_since, stories=stats.stories
        ),
        _("Digests composed today: {digests}").format(digests=stats.digests_since),
        _("Messages sent: {sent}, of which digests {digests} · chats blocked or gone: {blocked}").format(
            sent=sent.get("delivery.sent", 0),
            digests=sent.get("delivery.sent.digest", 0),
            blocked=sent.get("delivery.chats_blocked", 0) + sent.get("delivery.chats_not_found", 0),
        ),
        _("Outbox: {pending} waiting, {failed} failed").format(
            pending=stats.outbox.get("pending", 0) + stats.outbox.get("sending", 0),
            failed=stats.outbox.get("failed", 0),
        ),
        _("Send errors: {retried} retried (429 and network), {rejected} rejected").format(
            retried=sent.get("delivery.retry", 0), rejected=sent.get("delivery.rejected", 0)
        ),
    ]
    return "\n".join(lines)


def poll_messages(outcomes: Sequence[PollOutcome], lang: str) -> list[str]:
    _ = translator(lang)
    if not outcomes:
        return [_("No source was due: there is nothing to poll.")]
    header = "<b>" + _("Poll finished") + "</b>"
    return split_message([header, *(escape_html(outcome_line(o, lang)) for o in outcomes)], separator="\n")


def outcome_line(outcome: PollOutcome, lang: str) -> str:
    """`PollOutcome.line()` (what `bantin poll` prints) in the chat's language; a fetch or parse
    error's own text (`HTTP 500`) stays as it is."""
    _ = translator(lang)
    if outcome.status == "error":
        text = _("{source}: error: {error}")
    elif outcome.status == "not modified":
        text = _("{source}: not modified")
    else:
        text = _("{source}: {new} new, {updated} updated, {duplicate} duplicate")
    return text.format(
        source=outcome.source,
        error=outcome.error,
        new=outcome.new,
        updated=outcome.updated,
        duplicate=outcome.duplicate,
    )
