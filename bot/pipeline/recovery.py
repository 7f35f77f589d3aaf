"""Recovery: store the messages kept while the database was down (Redis, then the journal), and
answer stored messages whose answer failed. Run by a job after an outage and by the sweep."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.jobs import RetryLater
from bot.pipeline.answering import Answered, answer, answer_stored
from bot.pipeline.delivery import send_once
from bot.pipeline.spill import put_back, take_spilled
from bot.pipeline.storing import Outcome, StorageOutage, StoreResult, is_outage, store_in_database
from bot.storage.base import utcnow
from bot.storage.dead_letters import add_dead_letter
from bot.storage.messages import Message, unanswered, undelivered
from bot.storage.residents import Resident
from bot.wechat.inbound import Inbound, log_key

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
# A message still unanswered this long after it was stored will not be answered by its request
# any more; after a day an answer would only confuse.
UNANSWERED_AFTER = timedelta(minutes=2)
UNANSWERED_GIVE_UP = timedelta(days=1)


@dataclass
class Replayed:
    """How many kept messages were stored, and how many of them were set aside as dead letters."""

    stored: int = 0
    dead_letters: int = 0


def replay_kept(services: Services) -> Replayed:
    """Store and answer the messages kept in Redis and in the journal while the database was
    down; poison messages become dead letters and never stop the rest.

    Raises RetryLater when the database is still down."""
    counts = Replayed()
    _replay_spilled(services, counts)
    _replay_journal(services, counts)
    return counts


def replay_journal(services: Services) -> Replayed:
    """Store and answer the messages of the local journal (Redis need not be up);
    raises RetryLater when the database is still down."""
    counts = Replayed()
    _replay_journal(services, counts)
    return counts


def replay_job(services: Services) -> None:
    """Job: replay the kept messages (retried with back-off until the database is back)."""
    replay_kept(services)


def _replay_spilled(services: Services, counts: Replayed) -> None:
    client, prefix = services.redis, services.settings.key_prefix
    while True:
        try:
            inbound = take_spilled(client, prefix)
        except (ValueError, TypeError) as error:  # unreadable entry: it is already popped
            log.error("an unreadable spilled entry was dropped: %s", type(error).__name__)
            continue
        if inbound is None:
            return
        try:
            _store_and_answer(services, inbound, "spill", counts)
        except StorageOutage as outage:
            put_back(client, prefix, inbound)
            raise RetryLater(f"database still unavailable ({outage})") from outage


def _replay_journal(services: Services, counts: Replayed) -> None:
    outage: list[StorageOutage] = []

    def store_line(inbound: Inbound | None, raw: str) -> bool:
        if outage:
            return False
        try:
            if inbound is None:
                _dead_letter_line(services, raw, counts)
            else:
                _store_and_answer(services, inbound, "journal", counts)
        except StorageOutage as error:
            outage.append(error)
            return False
        return True

    services.journal.replay(store_line)
    if outage:
        raise RetryLater(f"database still unavailable ({outage[0]})")


def _store_and_answer(services: Services, inbound: Inbound, source: str, counts: Replayed) -> None:
    result: StoreResult = store_in_database(services, inbound, source)
    if result.outcome is Outcome.DEAD_LETTER:
        counts.dead_letters += 1
        return
    counts.stored += 1
    try:
        if result.outcome is Outcome.STORED:
            resident, message = result.rows()
            answered = Answered(answer(services, inbound, resident, message, recovered=True), message.id)
        else:  # stored already, by a process that may have died before answering or delivering it
            answered = answer_stored(services, inbound.dedup_key)
    except Exception:  # noqa: BLE001 — stored already: one failed answer must not stop the replay
        log.exception(
            "replayed message %s stored but not answered; the sweep will answer it", log_key(inbound.dedup_key)
        )
        return
    send_once(services, inbound.openid, answered)


def _dead_letter_line(services: Services, raw: str, counts: Replayed) -> None:
    try:
        with services.db.session() as session:
            add_dead_letter(session, "journal", raw, "unreadable journal line")
    except SQLAlchemyError as error:
        if is_outage(error):
            raise StorageOutage(type(error).__name__) from error
        raise
    counts.dead_letters += 1


def answer_unanswered(services: Services) -> int:
    """Answer, as customer-service messages, what was stored but never answered because
    something failed after storing it (Redis, Rasa, a bug), and deliver answers that were
    computed but never handed to WeChat (every delivery's process died); returns how many."""
    now = utcnow()
    with services.db.session() as session:
        waiting = [
            (inbound_of(session, message), session.get_one(Resident, message.resident_id), message)
            for message in unanswered(session, now - UNANSWERED_AFTER, now - UNANSWERED_GIVE_UP)
        ]
        # Every inbound message is stored with its dedup key.
        stranded = [
            (message.dedup_key, session.get_one(Resident, message.resident_id).openid)
            for message in undelivered(session, now - UNANSWERED_AFTER, now - UNANSWERED_GIVE_UP)
            if message.dedup_key is not None
        ]
    answered = 0
    for inbound, resident, message in waiting:
        try:
            reply = answer(services, inbound, resident, message, recovered=True)
        except Exception as error:  # noqa: BLE001 — the sweep's boundary: one message must not stop the rest
            log.error("message %s still cannot be answered: %s", message.id, type(error).__name__)
            continue
        answered += send_once(services, inbound.openid, Answered(reply, message.id))
    for dedup_key, openid in stranded:
        answered += send_once(services, openid, answer_stored(services, dedup_key))
    return answered


def inbound_of(session, message: Message) -> Inbound:
    """Rebuild the Inbound of a stored message, to answer it again."""
    extra = dict(message.extra or {})
    return Inbound(
        openid=session.get(Resident, message.resident_id).openid,
        kind=message.msg_type,
        dedup_key=message.dedup_key or f"id:{message.id}",
        text=message.content,
        media_id=message.media_id,
        event=extra.pop("event", None),
        event_key=extra.pop("event_key", None),
        latitude=extra.pop("latitude", None),
        longitude=extra.pop("longitude", None),
        extra=extra,
        received_at=message.created_at.timestamp(),
    )


__all__ = ["Replayed", "answer_unanswered", "inbound_of", "replay_job", "replay_journal", "replay_kept"]
