"""Staff accounts, their extra rooms, the audit log, internal notes, canned answers and handoffs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class Staff(Base):
    """A staff account: a lawyer, mediator or property officer of a unit (the directory's home
    assignment), a street coordinator, or a district admin."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # lawyer | mediator | property_officer | coordinator (unit = a street) | admin (unit = the district)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The staff member's own WeChat openid on the official account: notices of new and overdue cases.
    wechat_openid: Mapped[str | None] = mapped_column(String(64))
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # As for units (bot.storage.directory): the seed updates an account only while nobody edited it.
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    edited_by: Mapped[str | None] = mapped_column(String(64))
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StaffRoom(Base):
    """A further room (and role) a staff member works in, beside the home one."""

    __tablename__ = "staff_rooms"
    __table_args__ = (UniqueConstraint("staff_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(32))


class AuditEntry(Base):
    """One staff action: who, what, when, and the case's state before and after."""

    __tablename__ = "audit_log"
    # The audit page filters by action newest first, and by date.
    __table_args__ = (Index("ix_audit_log_action_id", "action", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class CaseNote(Base):
    """An internal note on a case: staff see it, the resident never does."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CannedAnswer(Base):
    """A ready answer staff can put in the reply box: for one room, or every room (unit empty)."""

    __tablename__ = "canned_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class ReleaseReason(StrEnum):
    """Why a person's hold on a conversation ended (stored in handoffs.release_reason)."""

    STAFF = "staff"  # a staff member gave it back, or the case moved to another room
    IDLE = "idle"  # the holder did nothing for too long
    RESOLVED = "resolved"  # the case was resolved
    ERASED = "erased"  # the resident's data was erased


class Handoff(Base):
    """A person holding a resident's conversation: while it is open the bot does not answer."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The staff member's last action in the conversation; idle for too long → the bot takes over.
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # When the holder was last told on WeChat that the resident wrote (at most one notice a while).
    alerted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    release_reason: Mapped[str] = mapped_column(String(16), default="", server_default="")


def staff_by_username(session: Session, username: str) -> Staff | None:
    """The staff account with this username."""
    return session.scalar(select(Staff).where(Staff.username == username))


def extra_rooms(session: Session, staff_id: int) -> list[StaffRoom]:
    """The rooms a staff member works in beside the home one."""
    return list(session.scalars(select(StaffRoom).where(StaffRoom.staff_id == staff_id).order_by(StaffRoom.id)))


def staff_with_wechat(session: Session, unit_ids: list[int], roles: list[str]) -> list[Staff]:
    """Active staff of these units in these roles (home or extra room) who bound their WeChat."""
    extra = select(StaffRoom.staff_id).where(StaffRoom.unit_id.in_(unit_ids), StaffRoom.role.in_(roles))
    query = select(Staff).where(
        Staff.active.is_(True),
        Staff.wechat_openid.is_not(None),
        or_(Staff.id.in_(extra), (Staff.unit_id.in_(unit_ids) & Staff.role.in_(roles))),
    )
    return list(session.scalars(query.order_by(Staff.id)))


def active_handoff(session: Session, resident_id: int) -> Handoff | None:
    """The open handoff of a resident's conversation, if a person holds it."""
    query = select(Handoff).where(Handoff.resident_id == resident_id, Handoff.released_at.is_(None))
    return session.scalar(query.order_by(Handoff.id.desc()).limit(1))


def handoff_of_ticket(session: Session, ticket_id: int) -> Handoff | None:
    """The open handoff of a case, if any."""
    query = select(Handoff).where(Handoff.ticket_id == ticket_id, Handoff.released_at.is_(None))
    return session.scalar(query.order_by(Handoff.id.desc()).limit(1))


def idle_handoffs(session: Session, idle_since: datetime) -> list[Handoff]:
    """Open handoffs whose holder has done nothing since `idle_since`."""
    query = select(Handoff).where(Handoff.released_at.is_(None), Handoff.last_activity_at < idle_since)
    return list(session.scalars(query.order_by(Handoff.id)))


def notes_of(session: Session, ticket_id: int) -> list[CaseNote]:
    """A case's internal notes, oldest first."""
    return list(session.scalars(select(CaseNote).where(CaseNote.ticket_id == ticket_id).order_by(CaseNote.id)))


def canned_for(session: Session, unit_id: int, role: str) -> list[CannedAnswer]:
    """The canned answers a room's staff in a role can use: the room's own, then everyone's."""
    query = select(CannedAnswer).where(
        CannedAnswer.role == role, or_(CannedAnswer.unit_id == unit_id, CannedAnswer.unit_id.is_(None))
    )
    return list(session.scalars(query.order_by(CannedAnswer.unit_id.is_(None), CannedAnswer.id)))
