"""Tickets (cases), their status history and attachments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from bot.storage.base import Base, UtcDateTime, utcnow


# Here, beside the Ticket model, rather than in bot/cases/lifecycle.py: storage sits below every
# package that reads a case's status (the lifecycle, the dialogue's replies, the console), so each
# takes the statuses and their words from this one place without importing the lifecycle.
class TicketStatus(StrEnum):
    """Where a case stands, with the words the resident reads (replies, notices) and the shorter
    words staff read (the console). A member equals its stored string: the column stays text."""

    resident_label: str
    staff_label: str

    # Every member gives both labels; the defaults only let `TicketStatus(value)`, the look-up of a
    # stored value, be read as a call with one argument by the type checker.
    def __new__(cls, value: str, resident_label: str = "", staff_label: str = "") -> TicketStatus:
        member = str.__new__(cls, value)
        member._value_ = value
        member.resident_label = resident_label
        member.staff_label = staff_label
        return member

    NEW = "new", "已受理，等待工作人员处理", "待受理"
    IN_PROGRESS = "in_progress", "处理中", "处理中"
    WAITING_INFO = "waiting_info", "等待您补充情况", "待居民补充"
    MEDIATION = "mediation", "已安排调解", "已安排调解"
    REOPENED = "reopened", "已重新打开", "重新打开"
    RESOLVED = "resolved", "已办结", "已办结"
    CLOSED = "closed", "已关闭", "已关闭"
    CANCELLED = "cancelled", "已撤销", "已撤销"


OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING_INFO,
    TicketStatus.MEDIATION,
    TicketStatus.REOPENED,
)
DONE_STATUSES = tuple(status for status in TicketStatus if status not in OPEN_STATUSES)
# The resident's words for each status by its stored value, for code that holds the value only.
STATUS_LABELS = {status.value: status.resident_label for status in TicketStatus}
# The event a rating leaves on its case ("评分 5").
RATED_NOTE = "评分"


class Handover(StrEnum):
    """How a case came to another queue (kept on the event that moved it, with the reason)."""

    TRANSFER = "transfer"  # staff sent it to another room or role
    ESCALATION = "escalation"  # sent one level up: by staff, or by the sweep when overdue
    TO_COMMUNITY = "to_community"  # an urgent case opened at the centre, to the room the resident named later


class Ticket(Base):
    """A case, routed to one unit and one role."""

    __tablename__ = "tickets"
    # The console's inbox: a room's open cases by deadline; the reports: the cases of a period.
    __table_args__ = (
        Index("ix_tickets_queue", "unit_id", "status", "due_at"),
        Index("ix_tickets_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    # The inbound message that opened the case: unique, so a retried delivery can never
    # open a second ticket even if Redis forgot the first one. No foreign key: messages
    # already point at tickets, and a cycle of keys would complicate every insert.
    opening_message_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    category: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.NEW)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    collective: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    # First response due (due_at) and given; resolution due. See bot/cases/tickets.py for the deadlines.
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    mediation_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    mediation_place: Mapped[str] = mapped_column(String(256), default="", server_default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The room (or workstation) the case was in when it was first sent up a level: the reports
    # still count it there (bot/reporting/sql.py).
    escalated_from_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # The community the resident named, for a group case sent to its street's workstation: the
    # reports count the case there (None for other cases, and for group cases before migration 0017).
    community_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # The resident asked for a person and no staff member has answered them since (the inbox's
    # "居民要求人工" flag); when the queue's staff were last told on WeChat. See bot/cases/person_requests.py.
    person_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    person_alerted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The resident wrote on the case after it was opened and after staff last wrote to them: since
    # when (the first such message); cleared when staff write (the inbox's 居民有新消息, kept by
    # bot/storage/messages.py as messages join the case, and by bot.cases.lifecycle.tell_resident).
    resident_wrote_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Who took the case up in the queue it is in (accepted it, or first answered the resident);
    # none while it waits to be taken up: new, reopened, or just handed over (the inbox's 未受理).
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    events: Mapped[list[TicketEvent]] = relationship(order_by="TicketEvent.id")
    attachments: Mapped[list[TicketAttachment]] = relationship(order_by="TicketAttachment.id")


class TicketEvent(Base):
    """One entry of a case's status history: who did what, when."""

    __tablename__ = "ticket_events"
    # The reports: the cases a resident reopened (few among many events).
    __table_args__ = (
        Index(
            "ix_ticket_events_reopened",
            "ticket_id",
            postgresql_where=text("status = 'reopened'"),
            sqlite_where=text("status = 'reopened'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64), default="resident")
    # An event that moved the case to another queue: how (a Handover), and why, as the sender put
    # it for the receiver ("不属于邻里纠纷，是劳动争议").
    handover: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TicketAttachment(Base):
    """A photo (or other media) a resident sent for a case."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    media_id: Mapped[str] = mapped_column(String(256))
    url: Mapped[str] = mapped_column(Text, default="")
    # WeChat keeps a resident's media for 3 days only: the bytes are fetched and kept here.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    fetch_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


def ticket_by_number(session: Session, number: str) -> Ticket | None:
    """The ticket with this human-readable number."""
    return session.scalar(select(Ticket).where(Ticket.number == number))


def tickets_of_resident(session: Session, resident_id: int, limit: int = 5) -> list[Ticket]:
    """The resident's latest tickets, newest first."""
    query = select(Ticket).where(Ticket.resident_id == resident_id).order_by(Ticket.id.desc()).limit(limit)
    return list(session.scalars(query))


def has_tickets(session: Session, resident_id: int) -> bool:
    """Whether the resident ever had a case (one indexed look-up)."""
    return session.scalar(select(Ticket.id).where(Ticket.resident_id == resident_id).limit(1)) is not None


def rated_since(session: Session, resident_id: int, since: datetime) -> Ticket | None:
    """The resident's case rated most recently, if that was after `since`."""
    query = (
        select(Ticket)
        .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(
            Ticket.resident_id == resident_id,
            Ticket.rating.is_not(None),
            TicketEvent.created_at >= since,
            TicketEvent.note.startswith(RATED_NOTE),
        )
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def latest_open_ticket(session: Session, resident_id: int) -> Ticket | None:
    """The resident's newest ticket that is still being worked on."""
    query = (
        select(Ticket)
        .where(Ticket.resident_id == resident_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def open_case_noted(session: Session, resident_id: int, note: str) -> bool:
    """True when one of the resident's open tickets carries an event with this note."""
    query = (
        select(TicketEvent.id)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(Ticket.resident_id == resident_id, Ticket.status.in_(OPEN_STATUSES), TicketEvent.note == note)
        .limit(1)
    )
    return session.scalar(query) is not None


def queue_of(session: Session, unit_id: int, role: str) -> list[Ticket]:
    """The open tickets waiting in one room's queue for one role, oldest first."""
    query = (
        select(Ticket)
        .where(Ticket.unit_id == unit_id, Ticket.role == role, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id)
    )
    return list(session.scalars(query))
