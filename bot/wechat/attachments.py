"""Keeping residents' photos: WeChat deletes temporary media after 3 days, so we fetch the bytes."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.jobs import Jobs, RetryLater
from bot.redaction import redact
from bot.storage.base import after_commit
from bot.storage.messages import Message
from bot.storage.tickets import OPEN_STATUSES, Ticket, TicketAttachment
from bot.wechat.api import RetryableError, WeChatAPIError

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def open_cases(session: Session, resident_id: int) -> list[Ticket]:
    """The resident's open cases, newest first: where a photo sent now may belong."""
    query = (
        select(Ticket)
        .where(Ticket.resident_id == resident_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
    )
    return list(session.scalars(query))


def case_talked_about(session: Session, resident_id: int, cases: list[Ticket], since: datetime) -> Ticket | None:
    """Of these cases, the one the conversation was last about since then (the resident's messages
    on it, staff's replies on it), if any."""
    by_id = {case.id: case for case in cases}
    latest = session.scalar(
        select(Message.ticket_id)
        .where(Message.resident_id == resident_id, Message.ticket_id.in_(by_id), Message.created_at >= since)
        .order_by(Message.id.desc())
        .limit(1)
    )
    return by_id.get(latest) if latest is not None else None


def note_new_attachment(session: Session, attachment: TicketAttachment) -> None:
    """Remember an attachment added in this session, so its bytes are fetched after commit."""
    session.info.setdefault("new_attachments", []).append(attachment)


def fetch_new_attachments(session: Session, jobs: Jobs) -> None:
    """Queue a fetch for every attachment noted in this session, once it has committed."""
    attachments = session.info.pop("new_attachments", [])
    if attachments:
        session.flush()
        ids = [attachment.id for attachment in attachments]
        after_commit(session, lambda: _enqueue(jobs, ids))


def _enqueue(jobs: Jobs, ids: list[int]) -> None:
    # Committed already: without the queue the photos wait (content NULL) for `flask sweep`.
    try:
        jobs.enqueue(fetch_attachments, ids)
    except redis.RedisError as error:
        log.error("job queue unavailable (%s): %d photo(s) not fetched yet", type(error).__name__, len(ids))


def fetch_attachments(services: Services, ids: list[int]) -> None:
    """Job: download the media of these attachments and keep the bytes."""
    with services.db.session() as session:
        for attachment_id in ids:
            attachment = session.get(TicketAttachment, attachment_id)
            if attachment is not None and attachment.content is None:
                _fetch(services.wechat, attachment)


def _fetch(wechat, attachment: TicketAttachment) -> None:
    try:
        attachment.content = wechat.download_media(attachment.media_id)
        attachment.fetch_error = ""
    except RetryableError as error:
        attachment.fetch_error = redact(str(error))
        raise RetryLater(f"attachment {attachment.id}: {attachment.fetch_error}") from error
    except WeChatAPIError as error:
        attachment.fetch_error = redact(str(error))
        log.error("attachment %s could not be fetched: %s", attachment.id, attachment.fetch_error)
