"""Storing a resident's message before anything else, and keeping it whatever is down.

The database is the message's home. While it is unreachable the message waits in Redis; while
Redis is unreachable too, in the local journal. A message the database refuses for what it holds
(a value too long or not a number: a data error, not an outage) is set aside as a dead letter,
so it is never retried forever nor blocks the messages behind it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import redis
from sqlalchemy.exc import InterfaceError, InternalError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.pipeline.spill import spill
from bot.redaction import redact
from bot.storage.dead_letters import add_dead_letter
from bot.storage.messages import Message, store_inbound
from bot.storage.residents import Resident, touch_resident
from bot.wechat.inbound import Inbound, log_key
from bot.wechat.outbox import adopt_notices, release_deferred

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# The database did not answer (down, restarting, connection lost, pool exhausted, lock timeout):
# the same message will store fine later. Every other database error is about the message.
OUTAGE_ERRORS = (OperationalError, InterfaceError, InternalError, PoolTimeout)


# Named, not imported: the replay stores messages through this module.
REPLAY_JOB = "bot.pipeline.recovery.replay_job"


class Outcome(Enum):
    """What became of a message handed to `store`."""

    STORED = "stored"  # in the database now
    DUPLICATE = "duplicate"  # already stored: a retry that got past the reply cache
    KEPT = "kept"  # in Redis or the journal, to be stored when the database is back
    DEAD_LETTER = "dead_letter"  # refused for its content, set aside with the reason
    LOST = "lost"  # nowhere would take it: the resident is asked to send it again


@dataclass
class StoreResult:
    """The outcome, and the stored rows when there are some."""

    outcome: Outcome
    resident: Resident | None = None
    message: Message | None = None

    def rows(self) -> tuple[Resident, Message]:
        """The resident and the message stored (outcome STORED)."""
        if self.resident is None or self.message is None:
            raise ValueError(f"no stored rows: the message is {self.outcome.value}")
        return self.resident, self.message


class StorageOutage(Exception):
    """The database is unavailable; the message was not stored (used by replays)."""


def is_outage(error: SQLAlchemyError) -> bool:
    """True when the error says the database is unavailable rather than the data is wrong."""
    return isinstance(error, OUTAGE_ERRORS) or bool(getattr(error, "connection_invalidated", False))


def store_in_database(services: Services, inbound: Inbound, source: str) -> StoreResult:
    """Store the message, or set it aside as a dead letter when its data is refused;
    raises StorageOutage when the database is unavailable."""
    try:
        return _insert(services, inbound)
    except SQLAlchemyError as error:
        if is_outage(error):
            raise StorageOutage(type(error).__name__) from error
        return _dead_letter(services, inbound, source, error)
    except (ValueError, TypeError, OverflowError) as error:  # refused before it reached the database
        return _dead_letter(services, inbound, source, error)


def store(services: Services, inbound: Inbound) -> StoreResult:
    """Store a message as it arrives; whatever is down, it is kept somewhere if at all possible."""
    try:
        return store_in_database(services, inbound, "callback")
    except StorageOutage as outage:
        log.error("database unavailable (%s): %s kept for replay", outage, log_key(inbound.dedup_key))
    return keep_for_replay(services, inbound)


def keep_for_replay(services: Services, inbound: Inbound) -> StoreResult:
    """Keep the message in Redis, else in the local journal, until the database is back."""
    try:
        spill(services.redis, services.settings.key_prefix, inbound)
    except redis.RedisError as error:
        log.error(
            "Redis unavailable too (%s): %s written to the journal", type(error).__name__, log_key(inbound.dedup_key)
        )
        try:
            services.journal.append(inbound)
        except OSError as disk_error:
            log.critical("journal unwritable (%s): %s is lost", disk_error, log_key(inbound.dedup_key))
            return StoreResult(Outcome.LOST)
        return StoreResult(Outcome.KEPT)
    try:
        services.jobs.enqueue(REPLAY_JOB)
    except redis.RedisError:
        log.warning("replay job not queued; the sweep will replay %s", log_key(inbound.dedup_key))
    return StoreResult(Outcome.KEPT)


def inbound_json(inbound: Inbound) -> str:
    """The message as one line of JSON (spill, journal and dead letters share it)."""
    return json.dumps(dataclasses.asdict(inbound), ensure_ascii=False, default=str)


def _insert(services: Services, inbound: Inbound) -> StoreResult:
    with services.db.session() as session:
        resident = touch_resident(session, inbound.openid)
        message = store_inbound(session, message_values(resident, inbound))
        if message is None:
            return StoreResult(Outcome.DUPLICATE)
        if resident.has_deferred:
            release_deferred(session, services.jobs, resident)
        if resident.created_at == resident.last_interaction_at:  # first contact, or back after an erasure
            adopt_notices(session, services.jobs, resident)
        return StoreResult(Outcome.STORED, resident, message)


def _dead_letter(services: Services, inbound: Inbound, source: str, error: Exception) -> StoreResult:
    # The statement's text is enough to see what was refused; its parameters (what the resident
    # wrote) stay out of the reason, as they stay out of the logs.
    reason = redact(f"{type(error).__name__}: {getattr(error, 'orig', None) or error}".splitlines()[0])
    log.error("message %s refused by the database (%s): set aside as a dead letter", log_key(inbound.dedup_key), reason)
    try:
        with services.db.session() as session:
            add_dead_letter(session, source, inbound_json(inbound), reason)
    except SQLAlchemyError as again:
        if is_outage(again):
            raise StorageOutage(type(again).__name__) from again
        raise
    return StoreResult(Outcome.DEAD_LETTER)


def message_values(resident: Resident, inbound: Inbound) -> dict:
    """The columns of the stored message."""
    extra = dict(inbound.extra)
    if inbound.latitude is not None:
        extra.update(latitude=inbound.latitude, longitude=inbound.longitude)
    if inbound.event:
        extra.update(event=inbound.event, event_key=inbound.event_key)
    return dict(
        resident_id=resident.id,
        dedup_key=inbound.dedup_key,
        msg_type=inbound.kind,
        content=inbound.text,
        media_id=inbound.media_id,
        extra=extra,
    )
