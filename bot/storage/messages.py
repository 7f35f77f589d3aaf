"""The conversation log: every message in and out, stored before the reply goes out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, plain_sql_returning, utcnow
from bot.storage.tickets import OPEN_STATUSES, Ticket


class Delivery(StrEnum):
    """How a resident's message got its answer to WeChat."""

    PASSIVE = "passive"  # in the reply to WeChat's request (a retry of it may carry it again)
    CUSTOMER_SERVICE = "customer_service"  # queued as customer-service messages


class NoticeKind(StrEnum):
    """What a message sent to the resident from a case is (kept as the message's extra "kind")."""

    NOTICE = "notice"  # news of the case: a status change, a transfer, an escalation
    REPLY = "reply"  # a staff member's own words
    QUESTION = "question"  # staff ask the resident for more (请居民补充)
    MEDIATION = "mediation"  # a mediation's time and place
    HANDOFF = "handoff"  # a person took the conversation over, or gave it back to the bot


class Message(Base):
    """One message in the conversation log: the resident's (in) or the passive reply (out)."""

    __tablename__ = "messages"
    # The console's case page reads a resident's latest messages; the reports, a period's.
    __table_args__ = (
        Index("ix_messages_resident_thread", "resident_id", "id"),
        Index("ix_messages_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # "in" or "out"
    # WeChat's MsgId for messages, FromUserName+CreateTime for events; unique as the last
    # line of defence against a retried delivery being stored twice.
    dedup_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    msg_type: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text, default="")
    media_id: Mapped[str | None] = mapped_column(String(256))
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # Set when the bot has answered an inbound message; stays empty if answering failed, so the
    # sweep can answer it later.
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # How the answer was handed to WeChat (a Delivery): claimed once, so a retry, the journal's
    # replay and the sweep never send an answer the resident already has.
    delivery: Mapped[str | None] = mapped_column(String(16))
    # On the bot's reply: the inbound message it answers (a retry whose reply never left gets it).
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# Runs for every message: plain SQL, cached (see plain_sql_returning).
_STORE_INBOUND = plain_sql_returning(
    Message,
    "INSERT INTO messages (resident_id, direction, dedup_key, msg_type, content, media_id, extra, created_at) "
    "VALUES (:resident_id, 'in', :dedup_key, :msg_type, :content, :media_id, :extra, :created_at) "
    "ON CONFLICT (dedup_key) DO NOTHING RETURNING *",
    extra=JSON(),
    created_at=UtcDateTime(),
)


def store_inbound(session: Session, values: dict) -> Message | None:
    """Store an inbound message; None when one with the same dedup key is already stored."""
    return session.scalars(_STORE_INBOUND, {**values, "created_at": utcnow()}).one_or_none()


def transcript(session: Session, ticket_id: int) -> list[Message]:
    """The messages attached to a ticket, oldest first."""
    query = select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)
    return list(session.scalars(query))


def unanswered(session: Session, older_than: datetime, newer_than: datetime, limit: int = 100) -> list[Message]:
    """Inbound messages stored but never answered (something failed after they were saved)."""
    return _inbound(
        session, limit, Message.answered_at.is_(None), Message.created_at < older_than, Message.created_at > newer_than
    )


def find_inbound(session: Session, dedup_key: str) -> Message | None:
    """The stored inbound message with this dedup key."""
    return session.scalar(select(Message).where(Message.dedup_key == dedup_key))


def claim_delivery(session: Session, message_id: int, delivery: Delivery) -> tuple[bool, str | None]:
    """Record how the message's answer goes out unless that is recorded already; returns whether
    this call recorded it, and the delivery in force. A passive reply may be claimed again (WeChat
    shows one per message), a customer-service message only once and never after a passive reply."""
    claimed = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.delivery.is_(None))
        .values(delivery=delivery.value)
        .returning(Message.id)
    ).first()
    if claimed is not None:
        return True, delivery.value
    return False, session.scalar(select(Message.delivery).where(Message.id == message_id))


def stored_reply(session: Session, message_id: int) -> str | None:
    """The reply the bot logged for this inbound message, if it logged one."""
    query = select(Message.content).where(Message.reply_to_id == message_id).order_by(Message.id).limit(1)
    return session.scalar(query)


def undelivered(session: Session, older_than: datetime, newer_than: datetime, limit: int = 100) -> list[Message]:
    """Inbound messages answered but never handed to WeChat (every delivery's process died after
    the answer was computed)."""
    return _inbound(
        session,
        limit,
        Message.answered_at.is_not(None),
        Message.delivery.is_(None),
        Message.answered_at < older_than,
        Message.answered_at > newer_than,
    )


def _inbound(session: Session, limit: int, *conditions) -> list[Message]:
    query = select(Message).where(Message.direction == "in", *conditions).order_by(Message.id).limit(limit)
    return list(session.scalars(query))


def note_resident_wrote(session: Session, _context=None, _instances=None) -> None:
    """Before every flush: a resident's message that joins an open case after it was opened marks
    the case as waiting for staff since then (Ticket.resident_wrote_at), wherever the dialogue
    attached it; staff writing to the resident clears the mark (bot.cases.lifecycle.tell_resident)."""
    for message in [*session.new, *session.dirty]:
        if not isinstance(message, Message) or message.direction != "in" or message.ticket_id is None:
            continue
        if message not in session.new and not inspect(message).attrs.ticket_id.history.added:
            continue
        with session.no_autoflush:
            ticket = session.get(Ticket, message.ticket_id)
        wrote_at = message.created_at or utcnow()
        if ticket is None or ticket.status not in OPEN_STATUSES or ticket.created_at is None:
            continue
        if wrote_at > ticket.created_at and ticket.resident_wrote_at is None:
            ticket.resident_wrote_at = wrote_at


event.listen(Session, "before_flush", note_resident_wrote)


def unanswered_of(session: Session, waiting: dict[int, datetime]) -> dict[int, list[Message]]:
    """The resident's messages on each case since the moment it has waited from, oldest first."""
    if not waiting:
        return {}
    query = (
        select(Message)
        .where(
            Message.ticket_id.in_(waiting),
            Message.direction == "in",
            Message.created_at >= min(waiting.values()),
        )
        .order_by(Message.id)
    )
    found: dict[int, list[Message]] = {ticket_id: [] for ticket_id in waiting}
    for message in session.scalars(query):
        if message.ticket_id is not None and message.created_at >= waiting[message.ticket_id]:
            found[message.ticket_id].append(message)
    return found


# What staff write that the resident answers: a reply, a question (请居民补充), a mediation notice
# ("如时间不方便，请直接回复说明").
ANSWERABLE = (NoticeKind.REPLY, NoticeKind.QUESTION, NoticeKind.MEDIATION)


def latest_staff_reply(session: Session, resident_id: int, since: datetime) -> Message | None:
    """The newest reply, question or mediation notice a staff member sent this resident from a case since `since`."""
    query = (
        select(Message)
        .where(
            Message.resident_id == resident_id,
            Message.direction == "out",
            Message.ticket_id.is_not(None),
            Message.created_at >= since,
        )
        .order_by(Message.id.desc())
    )
    return next(
        (message for message in session.scalars(query) if (message.extra or {}).get("kind") in ANSWERABLE), None
    )


def previous_intent(session: Session, resident_id: int, before_id: int) -> str | None:
    """What the dialogue took the resident's message before `before_id` for (None: no such message)."""
    query = (
        select(Message.intent)
        .where(Message.resident_id == resident_id, Message.direction == "in", Message.id < before_id)
        .order_by(Message.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def resident_wrote_since(session: Session, ticket_id: int, since: datetime, before_id: int) -> bool:
    """True when the resident had already written to the case since `since` (before message `before_id`)."""
    query = select(Message.id).where(
        Message.ticket_id == ticket_id, Message.direction == "in", Message.created_at >= since, Message.id < before_id
    )
    return session.scalar(query.limit(1)) is not None


def answered_by_resident(session: Session, ticket_ids: list[int]) -> set[int]:
    """The cases whose resident wrote after they were opened and after staff last wrote to them."""
    if not ticket_ids:
        return set()
    query = select(Ticket.id).where(Ticket.id.in_(ticket_ids), Ticket.resident_wrote_at.is_not(None))
    return set(session.scalars(query))
