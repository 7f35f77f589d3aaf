"""Customer-service messages: queued in the database, delivered by jobs, every outcome recorded."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import services as service_registry
from bot.jobs import RETRY_INTERVALS, RetryLater
from bot.storage.base import after_commit, utcnow
from bot.storage.outbox import OutboundMessage, deferred_for
from bot.storage.residents import Resident
from bot.text import split_for_wechat
from bot.wechat_api import OutsideWindowError, RetryableError, WeChatAPIError

log = logging.getLogger(__name__)
MAX_ATTEMPTS = len(RETRY_INTERVALS) + 1
# Longer than all retries with their back-off take (about 13 minutes), with room to spare.
STUCK_AFTER = timedelta(minutes=30)


def queue_message(session: Session, jobs, resident: Resident, text: str) -> list[int]:
    """Store a message for the resident and deliver it once the transaction commits."""
    rows = [
        OutboundMessage(resident_id=resident.id, openid=resident.openid, content=part)
        for part in split_for_wechat(text)
    ]
    session.add_all(rows)
    session.flush()
    ids = [row.id for row in rows]
    if ids:
        after_commit(session, lambda: jobs.enqueue(deliver_batch, ids))
    return ids


def release_deferred(session: Session, jobs, resident: Resident) -> int:
    """Send the messages that waited for the resident to come back; returns how many."""
    rows = deferred_for(session, resident.id)
    resident.has_deferred = False
    for row in rows:
        row.status = "queued"
    ids = [row.id for row in rows]
    if ids:
        after_commit(session, lambda: jobs.enqueue(deliver_batch, ids))
    return len(ids)


def requeue_stuck(session: Session, jobs, older_than: timedelta = STUCK_AFTER) -> int:
    """Queue again the messages still waiting long after every retry should have run (a lost
    job, Redis down at enqueue time); returns how many."""
    cutoff = utcnow() - older_than
    query = select(OutboundMessage.id).where(OutboundMessage.status == "queued", OutboundMessage.created_at < cutoff)
    ids = list(session.scalars(query.order_by(OutboundMessage.id)))
    if ids:
        after_commit(session, lambda: jobs.enqueue(deliver_batch, ids))
    return len(ids)


def deliver_batch(ids: list[int]) -> None:
    """Job: deliver queued messages in order; a retryable failure retries the rest later."""
    services = service_registry.current()
    with services.db.session() as session:
        for outbound_id in ids:
            row = session.get(OutboundMessage, outbound_id)
            if row is None or row.status != "queued":
                continue
            if not _deliver_one(services.wechat, row):
                session.commit()
                raise RetryLater(f"message {outbound_id}: {row.last_error}")
            if row.status == "deferred":
                session.get(Resident, row.resident_id).has_deferred = True


def _deliver_one(wechat, row: OutboundMessage) -> bool:
    """Try one message; False means it should be retried later."""
    row.attempts += 1
    try:
        wechat.send_text(row.openid, row.content)
    except OutsideWindowError as error:
        row.status, row.last_error = "deferred", str(error)
        log.info("message %s deferred until the resident writes again", row.id)
        return True
    except RetryableError as error:
        row.last_error = str(error)
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            return True
        return False
    except WeChatAPIError as error:
        row.status, row.last_error = "failed", str(error)
        log.error("message %s failed: %s", row.id, error)
        return True
    row.status, row.sent_at, row.last_error = "sent", utcnow(), ""
    return True
