"""The inbox's rows: the cases a staff member's scope may read, in the order they should be taken
up, with what each card says (room, deadline, who is waiting for an answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from bot.cases import person_requests
from bot.cases.staff import Scope
from bot.cases.tickets import is_overdue, next_deadline
from bot.categories import CATEGORIES
from bot.storage.base import utcnow
from bot.storage.directory import Unit
from bot.storage.messages import answered_by_resident
from bot.storage.staff import Handoff
from bot.storage.tickets import DONE_STATUSES, OPEN_STATUSES, Ticket

INBOX_LIMIT = 100  # the most urgent hundred; the filters narrow a larger queue


@dataclass
class InboxRow:
    """One case in the inbox."""

    ticket: Ticket
    unit_name: str
    deadline: datetime | None
    overdue: bool
    held: bool
    resident_wrote: bool = False  # the resident wrote after staff last did: someone should answer
    person_waited: str = ""  # the resident asked for a person this long ago and nobody answered ("25 分钟")

    @property
    def person_waited_words(self) -> str:
        """How long the request waited, as the inbox card says it: "已等 25 分钟", or "刚刚"."""
        if not self.person_waited or self.person_waited == person_requests.JUST_NOW:
            return self.person_waited
        return f"已等 {self.person_waited}"

    @property
    def category(self) -> str:
        """The category in Chinese."""
        category = CATEGORIES.get(self.ticket.category)
        return category.label if category else self.ticket.category


def inbox_rows(
    session: Session,
    scope: Scope,
    view: str = "open",
    unit_id: int | None = None,
    role: str | None = None,
    limit: int = INBOX_LIMIT,
) -> list[InboxRow]:
    """The cases this scope may read: urgent ones first, then requests for a person (the longest
    waiting first), then by the deadline that matters now."""
    statuses = OPEN_STATUSES if view == "open" else DONE_STATUSES
    deadline = case((Ticket.first_response_at.is_(None), Ticket.due_at), else_=Ticket.resolution_due_at)
    query = select(Ticket).where(Ticket.status.in_(statuses))
    if not scope.admin:
        query = query.where(Ticket.unit_id.in_(scope.unit_ids))
    if unit_id is not None:
        query = query.where(Ticket.unit_id == unit_id)
    if role:
        query = query.where(Ticket.role == role)
    if view == "open":
        query = query.order_by(
            Ticket.urgent.desc(), Ticket.person_requested_at.asc().nulls_last(), deadline.asc().nulls_last(), Ticket.id
        )
    else:
        query = query.order_by(Ticket.updated_at.desc())
    tickets = list(session.scalars(query.limit(limit)))
    held = _held_ticket_ids(session, [ticket.id for ticket in tickets])
    answered = answered_by_resident(session, [ticket.id for ticket in tickets])
    units = _unit_names(session, {ticket.unit_id for ticket in tickets})
    now = utcnow()
    return [
        InboxRow(
            ticket,
            units.get(ticket.unit_id, ""),
            next_deadline(ticket),
            is_overdue(ticket, now),
            ticket.id in held,
            ticket.id in answered,
            person_requests.waited(ticket, now),
        )
        for ticket in tickets
    ]


def _held_ticket_ids(session: Session, ticket_ids: list[int]) -> set[int]:
    if not ticket_ids:
        return set()
    query = select(Handoff.ticket_id).where(Handoff.ticket_id.in_(ticket_ids), Handoff.released_at.is_(None))
    return set(session.scalars(query))


def _unit_names(session: Session, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    query = select(Unit.id, Unit.office_name).where(Unit.id.in_(unit_ids))
    return dict(session.execute(query).tuples().all())


def scope_units(session: Session, scope: Scope) -> list[Unit]:
    """The units whose queues this scope may open, for the inbox's room filter."""
    query = select(Unit).order_by(Unit.id)
    if not scope.admin:
        query = query.where(Unit.id.in_(scope.unit_ids))
    return list(session.scalars(query))
