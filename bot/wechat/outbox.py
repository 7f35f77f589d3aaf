"""Customer-service messages: queued in the database, delivered by jobs, every outcome recorded.

Exactly one copy, as far as WeChat allows: a job claims each message in the database before
sending it (queued → sending), so two jobs for the same message — a retried job, a job queued
again by the sweep, a worker restarted after a crash — never both send it. WeChat's send has no
idempotency key, so a send whose outcome is unknown (the worker died mid-send, or WeChat took
longer than WECHAT_SEND_TIMEOUT) is sent again once its claim expires: the rule is at least once,
because a resident who misses a notice about their case is worse off than one who reads it twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import redis
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.jobs import RETRY_INTERVALS, Jobs, RetryLater
from bot.redaction import person, redact
from bot.storage.base import after_commit, rows_changed, utcnow
from bot.storage.outbox import OutboundMessage, OutboxStatus, deferred_for
from bot.storage.residents import Resident
from bot.wechat.api import OutsideWindowError, RetryableError, WeChatAPI, WeChatAPIError
from bot.wechat.text import split_for_wechat

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
MAX_ATTEMPTS = len(RETRY_INTERVALS) + 1
# Longer than all retries with their back-off take (about 13 minutes). A second job for a message
# whose job is only slow is harmless: the claim lets one of them send it.
STUCK_AFTER = timedelta(minutes=15)


def queue_message(session: Session, jobs: Jobs, resident: Resident, text: str | list[str]) -> list[int]:
    """Store a message for the resident (or the parts of one already split, numbered) and deliver
    it once the transaction commits."""
    parts = text if isinstance(text, list) else split_for_wechat(text)
    rows = [OutboundMessage(resident_id=resident.id, openid=resident.openid, content=part) for part in parts]
    session.add_all(rows)
    session.flush()
    ids = [row.id for row in rows]
    if ids:
        after_commit(session, lambda: _enqueue(jobs, ids))
    return ids


def queue_notice(session: Session, jobs: Jobs, resident_id: int, openid: str, text: str) -> int:
    """A message to a resident whose row no longer holds their openid (just erased): kept with the
    openid to send to, which becomes the erased row's tag once the message is sent or given up."""
    row = OutboundMessage(resident_id=resident_id, openid=openid, content=text)
    session.add(row)
    session.flush()
    row_id = row.id
    after_commit(session, lambda: _enqueue(jobs, [row_id]))
    return row_id


def adopt_notices(session: Session, jobs: Jobs, resident: Resident) -> int:
    """Back after an erasure (a new row for the same openid): a notice that waited for them is theirs
    now, and sent; returns how many."""
    query = update(OutboundMessage).where(
        OutboundMessage.openid == resident.openid,
        OutboundMessage.resident_id != resident.id,
        OutboundMessage.status == OutboxStatus.DEFERRED,
    )
    if not rows_changed(session, query.values(resident_id=resident.id)):
        return 0
    return release_deferred(session, jobs, resident)


def release_deferred(session: Session, jobs: Jobs, resident: Resident) -> int:
    """Send the messages that waited for the resident to come back; returns how many."""
    rows = deferred_for(session, resident.id)
    resident.has_deferred = False
    for row in rows:
        row.status = OutboxStatus.QUEUED
    ids = [row.id for row in rows]
    if ids:
        after_commit(session, lambda: _enqueue(jobs, ids))
    return len(ids)


def requeue_stuck(session: Session, jobs: Jobs, claim_seconds: float, older_than: timedelta = STUCK_AFTER) -> int:
    """Queue again the messages whose job was lost: queued long after every retry should have
    run (Redis down at enqueue time), or claimed by a job that died mid-send; returns how many."""
    now = utcnow()
    query = select(OutboundMessage.id).where(
        or_(
            (OutboundMessage.status == OutboxStatus.QUEUED) & (OutboundMessage.created_at < now - older_than),
            (OutboundMessage.status == OutboxStatus.SENDING)
            & (OutboundMessage.claimed_at < now - timedelta(seconds=claim_seconds)),
        )
    )
    ids = list(session.scalars(query.order_by(OutboundMessage.id)))
    if ids:
        after_commit(session, lambda: _enqueue(jobs, ids))
    return len(ids)


def _enqueue(jobs: Jobs, ids: list[int]) -> None:
    # The messages are committed: with the queue unreachable (Redis down) they wait in the
    # database, and the worker's start or the sweep queues them again. Failing here would report
    # an error for a change that has already been made.
    try:
        jobs.enqueue(deliver_batch, ids)
    except redis.RedisError as error:
        log.error("job queue unavailable (%s): %d message(s) wait for the sweep", type(error).__name__, len(ids))


def claim_seconds(services: Services) -> float:
    """How long a claim protects a send: longer than one send with a token refresh can take."""
    return 3 * services.settings.wechat_send_timeout + 30


def deliver_batch(services: Services, ids: list[int]) -> None:
    """Job: deliver queued messages in order, each claimed before it is sent; a retryable
    failure retries the rest later."""
    for outbound_id in ids:
        row = _claim(services, outbound_id)
        if row is None:
            if _claimed_by_another(services, outbound_id):
                return  # another job is delivering this batch: the order is theirs to keep
            continue  # sent, failed or deferred already
        if not _deliver_one(services, row):
            raise RetryLater(f"message {outbound_id}: {row.last_error}")


def _claim(services: Services, outbound_id: int) -> OutboundMessage | None:
    now = utcnow()
    expired = now - timedelta(seconds=claim_seconds(services))
    statement = (
        update(OutboundMessage)
        .where(
            OutboundMessage.id == outbound_id,
            or_(
                OutboundMessage.status == OutboxStatus.QUEUED,
                (OutboundMessage.status == OutboxStatus.SENDING) & (OutboundMessage.claimed_at < expired),
            ),
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboundMessage.attempts + 1)
        .returning(OutboundMessage)
    )
    with services.db.session() as session:
        return session.scalars(statement, execution_options={"populate_existing": True}).one_or_none()


def _claimed_by_another(services: Services, outbound_id: int) -> bool:
    query = select(OutboundMessage.status).where(OutboundMessage.id == outbound_id)
    with services.db.session() as session:
        return session.scalar(query) == OutboxStatus.SENDING


def _deliver_one(services: Services, row: OutboundMessage) -> bool:
    """Send one claimed message and record the outcome; False means it should be retried later."""
    status, error_text, retry = _send(services.wechat, row)
    with services.db.session() as session:
        stored = session.get_one(OutboundMessage, row.id)
        stored.status, stored.last_error = status, error_text
        stored.claimed_at = None
        if status == OutboxStatus.SENT:
            stored.sent_at = utcnow()
        owner = session.get_one(Resident, stored.resident_id)
        if status == OutboxStatus.DEFERRED:
            owner.has_deferred = True
        elif owner.openid != stored.openid:  # a notice after an erasure: its openid goes too
            stored.openid = owner.openid
    row.last_error = error_text
    return not retry


def _send(wechat: WeChatAPI, row: OutboundMessage) -> tuple[OutboxStatus, str, bool]:
    """(new status, error to record, retry later?) for one send."""
    try:
        wechat.send_text(row.openid, row.content)
    except OutsideWindowError as error:
        log.info("message %s deferred until %s writes again", row.id, person(row.openid))
        return OutboxStatus.DEFERRED, redact(str(error)), False
    except RetryableError as error:
        if row.attempts >= MAX_ATTEMPTS:
            return OutboxStatus.FAILED, redact(str(error)), False
        return OutboxStatus.QUEUED, redact(str(error)), True
    except WeChatAPIError as error:
        log.error("message %s failed: %s", row.id, redact(str(error)))
        return OutboxStatus.FAILED, redact(str(error)), False
    return OutboxStatus.SENT, "", False
