"""Messages to residents sent outside the passive reply (customer-service messages)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class OutboxStatus(StrEnum):
    """What became of a customer-service message (stored in outbound_messages.status)."""

    QUEUED = "queued"  # waiting for a job to send it
    SENDING = "sending"  # claimed by one job
    SENT = "sent"
    DEFERRED = "deferred"  # outside the 48-hour window: waits for the resident's next message
    FAILED = "failed"


class OutboundMessage(Base):
    """A customer-service message to a resident and what became of it."""

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    openid: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    # queued → sending (claimed by one job) → sent | deferred (outside the 48-hour window, waits
    # for the next message) | failed; a retryable failure returns it to queued.
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED, index=True)
    # When a job claimed it for sending: a claim older than the send can take means that job died.
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


def deferred_for(session: Session, resident_id: int) -> list[OutboundMessage]:
    """Messages waiting for the resident's next interaction, oldest first."""
    query = (
        select(OutboundMessage)
        .where(OutboundMessage.resident_id == resident_id, OutboundMessage.status == OutboxStatus.DEFERRED)
        .order_by(OutboundMessage.id)
    )
    return list(session.scalars(query))
