"""Drain the outbox through a `Sender` within Telegram's limits, recording every outcome.

Two tasks share the work. The *keeper* talks to the database: it claims rows (committed as "sending"
before any of them is sent), and writes outcomes in batches. The *dispatcher* never waits on the
database: it takes claimed rows in the order the pacer allows and starts each send as its own task,
so a slow commit does not cost sending time. A chat has at most one row in memory at a time (claims
return only the oldest unfinished row of each chat), which keeps every chat's messages in order.

What each outcome means for the database is `jobs.outcomes`; the pace, `jobs.pacing` and
`jobs.send_budget`; what a send is, `jobs.sending`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import Counter as Tally
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from jobs.outcomes import Outcome, RetryPolicy, record_outcomes
from jobs.pacing import Clock, Pacer
from jobs.send_budget import SHARE_CHECK, SHARE_TTL, SharedBudget
from jobs.send_errors import BadMarkup, ChatGone, ChatMoved, FloodWait, Rejected, TransientError
from jobs.sending import Sender, default_concurrency, worker_name
from news.config import DeliveryConfig
from storage import outbox
from storage.counters import increment_many
from storage.db import Database
from storage.models import utcnow
from storage.outbox import ClaimedRow, Recovery

log = logging.getLogger("bantin.deliver")

COUNTER_PREFIX = "delivery."
FLUSH_BATCH = 200  # outcomes written at once at most; also bounds sent-but-unrecorded rows at a crash
# A sender renews the claims of its rows every quarter of this; a row "sending" whose claim is older
# belongs to a sender that died, and another sender takes it over (docs/delivery.md).
CLAIM_TTL = 60.0
# What a database that is restarting, unreachable or locked by a long write raises. The sender waits
# and tries again: stopping would leave the bot answering commands but delivering nothing until a
# restart, and the outcomes of sends already made unwritten (re-sent as "left sending").
DATABASE_TROUBLE = (SQLAlchemyError, OSError)
DATABASE_RETRY_CAP = 30.0
UNREACHABLE_CAP = 60.0  # the longest pause between tries while no connection to the Bot API can be made


class OutboxSender:
    """The one sender of a bot. `run()` until stopped, or `run(until_idle=True)` to empty the outbox."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        delivery: DeliveryConfig,
        *,
        worker: str | None = None,
        clock: Clock = time.monotonic,
        wall_clock=utcnow,
        retry_after_scale: float = 1.0,
        retry_base: float = 5.0,
        retry_cap: float = 900.0,
        concurrency: int | None = None,
        claim_horizon: float = 1.0,
        flush_interval: float = 0.5,
        idle_poll: float = 1.0,
        claim_ttl: float = CLAIM_TTL,
        database_retry: float = 1.0,
        share_check: float = SHARE_CHECK,
    ) -> None:
        self.db, self.sender, self.delivery = db, sender, delivery
        self.worker = worker or worker_name()
        self.clock, self.wall_clock = clock, wall_clock
        self.pacer = Pacer(delivery, clock)
        self.budget = SharedBudget(
            db,
            self.pacer,
            self.worker,
            clock=clock,
            wall_clock=wall_clock,
            check_interval=share_check,
            ttl=min(SHARE_TTL, claim_ttl),  # dead for its claims, dead for the rate too
        )
        self.retry_after_scale = retry_after_scale
        self.retry_base, self.retry_cap = retry_base, retry_cap
        self.flush_interval, self.idle_poll = flush_interval, idle_poll
        self.claim_ttl = claim_ttl
        self.database_retry = database_retry
        self._database_failures = 0
        self._unreachable_rounds = 0  # pauses in a row for a Bot API no connection reaches
        self._recovered = False
        self._next_claim_check = clock() + claim_ttl / 4
        self.target = int(min(2000, max(10, self.pacer.rate * claim_horizon)))
        self.stats: Tally[str] = Tally()
        self._slots = asyncio.Semaphore(concurrency or default_concurrency(delivery))
        self._queue: list[tuple[float, int, ClaimedRow]] = []  # (ready at, tie-break, row)
        self._seq = itertools.count()
        self._in_flight: dict[int, asyncio.Task] = {}
        self._outcomes: list[Outcome] = []
        self._last_flush = clock()
        self._queued = asyncio.Event()  # the dispatcher has rows
        self._progress = asyncio.Event()  # the keeper has work: outcomes, or a queue running low

    def wake(self) -> None:
        """New rows were queued: look now instead of at the next idle poll."""
        self._progress.set()

    # ---- the keeper: database side ------------------------------------------------------------

    async def recover(self, claimed_before: datetime | None = None) -> Recovery:
        """Rows left "sending" by a dead sender are sent again (docs/delivery.md): those whose claim is
        older than `claim_ttl`, which a live sender never lets happen (`_keep_claims`)."""
        async with self.db.transaction() as session:
            recovery = await outbox.recover_stale_sending(
                session,
                claimed_before=claimed_before or self.wall_clock() - timedelta(seconds=self.claim_ttl),
                max_attempts=self.delivery.max_attempts,
                worker=self.worker,
            )
            await increment_many(session, {COUNTER_PREFIX + "recovered": recovery.requeued})
        if recovery.requeued or recovery.failed:
            log.warning(
                "recovered %d rows left sending (%d out of attempts)", recovery.requeued, recovery.failed
            )
        self.stats["recovered"] += recovery.requeued
        return recovery

    async def _keep_claims(self) -> None:
        """Renew the claims of our rows still "sending", and take over those of a sender that died."""
        self._next_claim_check = self.clock() + self.claim_ttl / 4
        async with self.db.transaction() as session:
            await outbox.renew_claims(session, self.worker, self.wall_clock())
        await self.recover()

    async def run(self, stop: asyncio.Event | None = None, *, until_idle: bool = False) -> Tally[str]:
        stop = stop or asyncio.Event()
        dispatcher = asyncio.create_task(self._dispatch(), name="outbox-dispatcher")
        try:
            while not stop.is_set():
                if dispatcher.done():
                    dispatcher.result()  # a crash of the dispatcher is ours too
                try:
                    timeout = await self._keeper_turn(until_idle)
                except DATABASE_TROUBLE as exc:
                    timeout = self._database_trouble(exc)
                else:
                    self._database_failures = 0
                if timeout is None:
                    break
                self._progress.clear()
                await _wait_any(stop, self._progress, timeout)
        finally:
            dispatcher.cancel()
            await asyncio.wait([dispatcher])  # a row it held waiting for a connection is queued again
            await self._shutdown()
        return self.stats

    async def _keeper_turn(self, until_idle: bool) -> float | None:
        """One round of database work; returns how long to wait for the next (None: nothing left to
        do and `until_idle`)."""
        if not self._recovered:
            await self.recover()
            self._recovered = True
        if self._flush_due():
            await self._flush()
        if self.clock() >= self._next_claim_check:
            await self._keep_claims()
        await self.budget.keep()
        claimed = 0
        if len(self._queue) < self.target // 2 + 1:
            claimed = await self._claim(self.target - len(self._queue))
        if self._queue or self._in_flight or self._outcomes or claimed:
            check = self.budget.seconds_to_check()  # a look at the other senders may be due sooner
            return self.flush_interval if check is None else min(self.flush_interval, max(check, 0.01))
        await self.budget.leave()
        due = await self._seconds_to_next_due()
        if due is None:
            return None if until_idle else self.idle_poll
        return min(self.idle_poll, max(due, 0.01))

    def _database_trouble(self, exc: Exception) -> float:
        """The database failed a round: rows already claimed still go out and their outcomes wait in
        memory; the next round comes after a pause that doubles up to `DATABASE_RETRY_CAP`."""
        self._database_failures += 1
        self.stats["database_errors"] += 1
        wait = min(DATABASE_RETRY_CAP, self.database_retry * 2 ** min(self._database_failures - 1, 16))
        reason = getattr(exc, "orig", None) or exc  # the driver's words, without SQLAlchemy's SQL echo
        log.warning("the database failed the outbox sender (%s); trying again in %.1f s", reason, wait)
        return wait

    def _flush_due(self) -> bool:
        """Outcomes are written in batches (one transaction per batch, not per message): when enough
        piled up, when they waited `flush_interval`, or when nothing else is going on."""
        if not self._outcomes:
            return False
        idle = not self._queue and not self._in_flight
        waited = self.clock() - self._last_flush >= self.flush_interval
        return idle or waited or len(self._outcomes) >= FLUSH_BATCH

    async def _claim(self, limit: int) -> int:
        async with self.db.transaction() as session:
            rows = await outbox.claim_outbox_rows(session, self.worker, self.wall_clock(), limit)
        joining = bool(rows) and not self.budget.joined
        if joining:
            self.budget.hold_back()  # until `join` knows our share; the rows are ours meanwhile
        for row in rows:
            self._push(row)
        if joining:
            await self.budget.join()
        return len(rows)

    async def _seconds_to_next_due(self) -> float | None:
        """Until a pending row is due, or another sender's claim could expire (None: neither)."""
        async with self.db.session() as session:
            due = await outbox.next_due_at(session)
            claimed = await outbox.oldest_claim_of_others(session, self.worker)
        now = self.wall_clock()
        if claimed is not None:
            expiry = claimed + timedelta(seconds=self.claim_ttl)
            if expiry <= now:
                self._next_claim_check = self.clock()  # take them over on the next turn
            due = expiry if due is None else min(due, expiry)
        return None if due is None else (due - now).total_seconds()

    async def _flush(self) -> None:
        if not self._outcomes:
            return
        outcomes, self._outcomes = self._outcomes, []
        self._last_flush = self.clock()
        try:
            counts, resend = await self._record(outcomes)
        except BaseException:
            self._outcomes[:0] = outcomes  # the transaction wrote none of them: they go with the next
            raise
        self.stats.update(counts)
        for row in resend:
            self._push(row)

    async def _record(self, outcomes: list[Outcome]) -> tuple[Tally[str], list[ClaimedRow]]:
        """Write a batch of outcomes and their counters in one transaction (`record_outcomes`)."""
        retry = RetryPolicy(self.delivery.max_attempts, self.retry_base, self.retry_cap)
        async with self.db.transaction() as session:
            counts, resend = await record_outcomes(
                session, outcomes, worker=self.worker, now=self.wall_clock(), retry=retry
            )
            await increment_many(session, {COUNTER_PREFIX + k: v for k, v in counts.items()})
        return counts, resend

    async def _shutdown(self) -> None:
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()), timeout=self.delivery.send_timeout)
        await self._flush()
        untried = [row.id for _, _, row in self._queue]
        self._queue.clear()
        if untried:
            async with self.db.transaction() as session:
                await outbox.release(session, untried)
        await self.budget.leave()

    # ---- the dispatcher: pacing and sends -------------------------------------------------------

    def _push(self, row: ClaimedRow) -> None:
        now = self.clock()
        heapq.heappush(self._queue, (now + self.pacer.chat_wait(row.chat_id, now), next(self._seq), row))
        self._queued.set()

    async def _dispatch(self) -> None:
        forget_at = self.clock() + 60.0
        while True:
            if not self._queue:
                self._queued.clear()
                self._progress.set()
                await self._queued.wait()
                continue
            now = self.clock()
            ready_at, seq, row = self._queue[0]
            wait = max(ready_at - now, self.pacer.global_wait(now))
            if wait > 0:
                await asyncio.sleep(min(wait, 0.1))  # re-check: an earlier row may have come in
                continue
            chat_wait = self.pacer.chat_wait(row.chat_id, now)
            if chat_wait > 0:
                heapq.heapreplace(self._queue, (now + chat_wait, seq, row))
                continue
            heapq.heappop(self._queue)
            self.pacer.take(row.chat_id, now)
            try:
                await self._slots.acquire()
            except asyncio.CancelledError:
                heapq.heappush(self._queue, (now, seq, row))  # stopped first: `_shutdown` gives it back
                raise
            self._in_flight[row.id] = asyncio.create_task(self._send(row))
            if len(self._queue) < self.target // 2:
                self._progress.set()
            if now >= forget_at:
                self.pacer.forget_idle(now)
                forget_at = now + 60.0

    async def _send(self, row: ClaimedRow) -> None:
        outcome: Outcome | None = None
        try:
            message_id = await self.sender.send(
                row.chat_id, row.text, row.parse_mode, row.disable_preview, self.pacer.paid
            )
            outcome = Outcome(row, "sent", message_id=message_id)
            self._unreachable_rounds = 0
        except FloodWait as exc:
            # This chat waits, or everything when other chats get 429s too (`Pacer.flood_wait`).
            self.pacer.flood_wait(row.chat_id, exc.retry_after * self.retry_after_scale)
            self._outcomes.append(Outcome(row, "flood_waits"))  # only counted by _flush
            self._push(row)
        except ChatGone as exc:
            outcome = Outcome(row, "gone", error=exc.reason)
        except ChatMoved as exc:
            outcome = Outcome(row, "moved", new_chat_id=exc.new_chat_id, error=str(exc))
        except BadMarkup as exc:
            # Plain text has no markup to fix: resending it would go round for ever.
            outcome = Outcome(row, "markup" if row.parse_mode else "rejected", error=exc.description)
        except Rejected as exc:
            outcome = Outcome(row, "rejected", error=exc.description)
        except TransientError as exc:
            if exc.ambiguous:
                outcome = Outcome(row, "retry", error=exc.description, ambiguous=True)
            else:
                self._unreachable(exc)
                self._outcomes.append(Outcome(row, "unreachable"))  # only counted by _flush
                self._push(row)
        except Exception as exc:  # a bug in a sender must not stop delivery: retry, then fail the row
            log.exception("unexpected error sending outbox row %d", row.id)
            outcome = Outcome(row, "retry", error=f"{type(exc).__name__}: {exc}")
        finally:
            self._slots.release()
            self._in_flight.pop(row.id, None)
        if outcome is not None:
            self._outcomes.append(outcome)
        if len(self._outcomes) >= FLUSH_BATCH or not (self._in_flight or self._queue):
            self._progress.set()  # the keeper has a batch to write, or all is done

    def _unreachable(self, exc: TransientError) -> None:
        """No connection could be made (our network or DNS down, the Bot API unreachable): the message
        never left, and it is not its fault, so it uses no attempt; everything waits, longer each
        time up to `UNREACHABLE_CAP`. Spending attempts would fail every queued digest for good after
        a ten-minute outage."""
        now = self.clock()
        if self.pacer.paused_until > now:
            return  # a send that was in flight with the first failure: the same outage, the same pause
        self._unreachable_rounds += 1
        wait = min(UNREACHABLE_CAP, self.retry_base * 2 ** min(self._unreachable_rounds - 1, 16))
        log.warning("the Bot API cannot be reached (%s); trying again in %.1f s", exc.description, wait)
        self.pacer.pause(wait)


async def _wait_any(stop: asyncio.Event, progress: asyncio.Event, timeout: float) -> None:
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(progress.wait())]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


async def drain_outbox(db: Database, sender: Sender, delivery: DeliveryConfig, **options) -> Tally[str]:
    """Send everything in the outbox and return (tests, the CLI, a one-off job)."""
    return await OutboxSender(db, sender, delivery, **options).run(until_idle=True)


__all__ = ["CLAIM_TTL", "OutboxSender", "Sender", "default_concurrency", "drain_outbox", "worker_name"]
