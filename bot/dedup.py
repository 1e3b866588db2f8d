"""Each Telegram update handled once: webhooks may deliver the same update again.

A TypeHandler in group -2 (before the gate in -1) records the update_id in `processed_updates`;
an id already there stops the update. A small in-memory LRU answers repeats without the database.
Old ids are pruned by age (Telegram does not redeliver after a day). An update Telegram cannot
have sent (a webhook request forged or garbled by a proxy: an update_id that is no Bot API id, a
message without a chat) is dropped here in one log line, before any handler fails on it.
"""

from __future__ import annotations

import logging
import reprlib
from collections import OrderedDict
from datetime import timedelta

from sqlalchemy import delete
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.services import Services, services_of
from storage.db import dialect_insert
from storage.models import ProcessedUpdate

log = logging.getLogger("bantin.bot")

DEDUP_GROUP = -2
LRU_SIZE = 4096
KEEP = timedelta(days=2)
MAX_UPDATE_ID = 2**63 - 1  # processed_updates.update_id is a BIGINT


def why_malformed(update: Update) -> str | None:
    """What makes `update` one Telegram cannot have sent, or None. python-telegram-bot builds an
    Update from any JSON object with an update_id, of whatever type, and a message without a chat."""
    update_id = update.update_id
    if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
        return "its update_id is not a Bot API update id"
    message = update.effective_message
    if message is not None and message.chat is None:
        return "its message has no chat"
    return None


class UpdateDeduplicator:
    def __init__(self, svc: Services, lru_size: int = LRU_SIZE) -> None:
        self.svc = svc
        self.lru_size = lru_size
        self._seen: OrderedDict[int, None] = OrderedDict()

    async def first_time(self, update_id: int) -> bool:
        """True the first time an update_id is offered (recorded in the database), False after."""
        if update_id in self._seen:
            self._seen.move_to_end(update_id)
            return False
        db = self.svc.db
        insert = dialect_insert(db.dialect)
        statement = (
            insert(ProcessedUpdate)
            .values(update_id=update_id, seen_at=self.svc.clock())
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(ProcessedUpdate.update_id)
        )
        async with db.transaction() as session:
            new = (await session.execute(statement)).scalar_one_or_none() is not None
        self._seen[update_id] = None
        if len(self._seen) > self.lru_size:
            self._seen.popitem(last=False)
        return new

    async def prune(self) -> int:
        async with self.svc.db.transaction() as session:
            result = await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < self.svc.clock() - KEEP)
            )
        return result.rowcount

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if reason := why_malformed(update):
            log.warning("update %s dropped: %s", reprlib.repr(update.update_id), reason)
            raise ApplicationHandlerStop
        if not await self.first_time(update.update_id):
            log.info(
                "update %s was already handled: dropped", update.update_id, extra={"update": update.update_id}
            )
            raise ApplicationHandlerStop


def install_deduplication(application: Application) -> UpdateDeduplicator:
    dedup = UpdateDeduplicator(services_of(application))
    application.add_handler(TypeHandler(Update, dedup), group=DEDUP_GROUP)
    return dedup
