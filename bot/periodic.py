"""The periodic work of a running bot, on python-telegram-bot's JobQueue (APScheduler underneath).

Two repeating jobs, each under a fixed name so starting twice replaces rather than duplicates:
polling due sources (then queueing instant alerts for what arrived), and composing due digests
(which also releases alerts held by quiet hours). Schedules live in our tables; the jobs only look
at them. The outbox sender is one long-running task with its own HTTP connections to the Bot API
(`bot.api_sender`), started after the jobs and stopped, its connections closed, before the bot's.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from telegram.ext import Application, ContextTypes, JobQueue

from bot.api_sender import BotApiSender
from bot.services import Services, services_of
from jobs.deliver import OutboxSender
from jobs.digest import compose_due_digests, queue_instant_alerts
from jobs.poll import PollOutcome, poll_due_sources
from storage.outbox import prune_finished
from storage.sources import polled_source_names

log = logging.getLogger("bantin.jobs")

POLL_JOB = "poll-sources"
DIGEST_JOB = "compose-digests"
PRUNE_OUTBOX_JOB = "prune-outbox"
PRUNE_OUTBOX_SECONDS = 6 * 3600
POLL_CHECK_SECONDS = 60  # how often due sources are looked for; each source keeps its own interval
_JOB_OPTIONS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}


async def run_poll(svc: Services) -> list[PollOutcome]:
    """Poll every due source once, then queue instant alerts for the new stories. One at a time:
    the job and /pollnow share a lock."""
    lock = svc.extras.setdefault("poll_lock", asyncio.Lock())
    async with lock:
        assert svc.fetcher is not None, "the fetcher opens in post_init"
        outcomes = await poll_due_sources(svc.db, svc.fetcher, svc.config, now=svc.clock, offload=svc.offload)
        if "observe_poll" in svc.extras:  # metrics, when bot/operations.py is in use
            svc.extras["observe_poll"](outcomes)
        async with svc.db.session() as session:
            still_polled = await polled_source_names(session)
        note_poll_cycle(svc, outcomes, still_polled)
        if any(o.new for o in outcomes):
            report = await queue_instant_alerts(svc.db, svc.config, svc.clock())
            if report.messages:
                svc.wake_sender()
    return outcomes


def note_poll_cycle(svc: Services, outcomes: list[PollOutcome], still_polled: set[str]) -> None:
    """Record a finished poll cycle for /healthz: `last_poll_ok_at` moves to now unless every source
    polled so far failed at its latest fetch. So one broken source among working ones, a cycle with
    nothing due, or no sources at all keep the poll healthy; every source failing (network or DNS
    down) or a cycle that never ends lets it go stale (bot/health.py).

    A cycle with nothing due counts only while some source's latest fetch worked: sources that fail
    back off, so while everything is down most cycles have nothing due. Sources not in
    `still_polled` are forgotten: one removed from the command line (another process) or disabled
    no longer vouches with its last good fetch."""
    for outcome in outcomes:
        svc.source_fetch_ok[outcome.source] = outcome.status != "error"
    for name in svc.source_fetch_ok.keys() - still_polled:
        del svc.source_fetch_ok[name]
    if not svc.source_fetch_ok or any(svc.source_fetch_ok.values()):
        svc.last_poll_ok_at = svc.clock()


async def run_digests(svc: Services) -> int:
    """Compose the digests that are due and release held instant alerts; returns messages queued."""
    svc.scheduler_heartbeat_at = svc.clock()
    digests = await compose_due_digests(svc.db, svc.config, svc.clock())
    alerts = await queue_instant_alerts(svc.db, svc.config, svc.clock())
    queued = digests.messages + alerts.messages
    if queued:
        svc.wake_sender()
    return queued


async def prune_outbox(svc: Services) -> int:
    """Delete outbox rows finished more than two weeks ago: without it the table, and the
    sender's head-of-chat lookups, grow with every message ever sent."""
    async with svc.db.transaction() as session:
        removed = await prune_finished(session, svc.clock())
    if removed:
        log.info("outbox: %d finished rows older than two weeks deleted", removed)
    return removed


POLL_CYCLE = "poll_cycle"  # Services.extras: the poll job's cycle in flight


async def _poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    # The cycle runs as its own task so a stop can cancel it (cancel_poll_cycle) and the job still
    # ends quietly: the JobQueue's stop waits for running jobs, and one slow source would otherwise
    # hold the stop until read_timeout (30 s), past its 20 s bound.
    svc = services_of(context)
    cycle = asyncio.create_task(run_poll(svc), name="poll-cycle")
    svc.extras[POLL_CYCLE] = cycle
    try:
        await asyncio.wait([cycle])
    except asyncio.CancelledError:
        cycle.cancel()
        raise
    finally:
        svc.extras.pop(POLL_CYCLE, None)
    if cycle.cancelled():
        log.info("poll cycle stopped: the sources it had claimed are polled again within 10 minutes")
        return
    cycle.result()


def cancel_poll_cycle(svc: Services) -> None:
    """Cancel the poll job's cycle in flight, if any (a stop signal). What it already stored stays
    stored; the sources it claimed are due again when their claim lapses (storage.sources)."""
    cycle = svc.extras.get(POLL_CYCLE)
    if cycle is not None:
        cycle.cancel()


async def _digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_digests(services_of(context))


async def _prune_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await prune_outbox(services_of(context))


def _replace(job_queue: JobQueue, name: str) -> None:
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()


def schedule_jobs(application: Application) -> None:
    svc = services_of(application)
    job_queue = application.job_queue
    assert job_queue is not None, "install python-telegram-bot[job-queue]"
    _replace(job_queue, POLL_JOB)
    job_queue.run_repeating(
        _poll_job,
        interval=min(POLL_CHECK_SECONDS, svc.config.schedule.poll_interval),
        first=0,
        name=POLL_JOB,
        # Added before the scheduler starts (post_init), a job's first run is computed at the start,
        # and an interval trigger whose start has just passed waits a whole interval: say "now".
        job_kwargs={**_JOB_OPTIONS, "next_run_time": datetime.now(UTC)},
    )
    _replace(job_queue, DIGEST_JOB)
    job_queue.run_repeating(
        _digest_job,
        interval=svc.config.schedule.digest_check_interval,
        first=svc.config.schedule.digest_check_interval,  # after the first poll has had its chance
        name=DIGEST_JOB,
        job_kwargs=_JOB_OPTIONS,
    )
    _replace(job_queue, PRUNE_OUTBOX_JOB)
    job_queue.run_repeating(
        _prune_job, interval=PRUNE_OUTBOX_SECONDS, first=600, name=PRUNE_OUTBOX_JOB, job_kwargs=_JOB_OPTIONS
    )


async def start_sender(application: Application) -> None:
    """Start draining the outbox in the background; `svc.wake_sender()` nudges it after a queueing."""
    svc = services_of(application)
    if "outbox_task" in svc.extras:
        return
    wrap = svc.extras.get("wrap_sender", lambda sender: sender)  # metrics (bot/operations.py)
    # The bot's own URL (token included), so a base_url given to build_application applies here too.
    api_sender = BotApiSender(application.bot.base_url, timeout=svc.config.delivery.send_timeout)
    sender = OutboxSender(svc.db, wrap(api_sender), svc.config.delivery)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop), name="outbox-sender")
    task.add_done_callback(_report_crash)
    svc.extras.update(outbox_sender=sender, outbox_stop=stop, outbox_task=task, outbox_api=api_sender)
    svc.wake_sender = sender.wake


def _report_crash(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the outbox sender stopped", exc_info=task.exception())


async def stop_sender(application: Application) -> None:
    svc = services_of(application)
    task: asyncio.Task | None = svc.extras.pop("outbox_task", None)
    if task is None:
        return
    svc.extras.pop("outbox_stop").set()
    svc.extras.pop("outbox_sender", None)
    api_sender: BotApiSender = svc.extras.pop("outbox_api")
    svc.wake_sender = lambda: None
    try:
        await asyncio.wait_for(task, timeout=svc.config.delivery.send_timeout + 5)
    except TimeoutError:
        log.warning("the outbox sender did not stop in time")
    except Exception:
        pass  # already logged by _report_crash
    finally:
        await api_sender.aclose()
