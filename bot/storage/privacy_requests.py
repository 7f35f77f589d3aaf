"""Residents' requests to erase their personal data, kept for an admin to carry out (PIPL)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class RequestStatus(StrEnum):
    """Where a request stands: waiting for an admin, or carried out."""

    OPEN = "open"
    # An admin chose to erase once the resident's open cases are finished (the sweep does it then).
    AFTER_CASES = "after_cases"
    DONE = "done"


# A request not carried out yet, whichever way it waits.
WAITING = (RequestStatus.OPEN, RequestStatus.AFTER_CASES)


class PrivacyRequest(Base):
    """One resident's request to erase their data. It outlives the erasure (the resident row is
    then anonymous), as the record that the request was honoured, by whom and when."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN, index=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The service's commitment: carried out within 15 working days of the request.
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    handled_by: Mapped[str | None] = mapped_column(String(64))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # What the erasure removed (row counts per kind), for the admin's record.
    erased: Mapped[dict] = mapped_column(JSON, default=dict)
    # Why the last attempt failed, in Chinese for the admin; empty when none failed.
    error: Mapped[str] = mapped_column(Text, default="", server_default="")


def open_request_of(session: Session, resident_id: int) -> PrivacyRequest | None:
    """The resident's request still waiting (for an admin, or for their cases to finish), if any."""
    query = select(PrivacyRequest).where(PrivacyRequest.resident_id == resident_id, PrivacyRequest.status.in_(WAITING))
    return session.scalar(query.order_by(PrivacyRequest.id).limit(1))


def requests_by_status(session: Session, status: RequestStatus, limit: int = 200) -> list[PrivacyRequest]:
    """Requests of one status: waiting ones (OPEN: those waiting for their cases too) oldest first (by
    deadline), done ones newest first."""
    statuses = WAITING if status == RequestStatus.OPEN else (status,)
    query = select(PrivacyRequest).where(PrivacyRequest.status.in_(statuses))
    order = PrivacyRequest.due_at if status == RequestStatus.OPEN else PrivacyRequest.handled_at.desc()
    return list(session.scalars(query.order_by(order, PrivacyRequest.id).limit(limit)))
