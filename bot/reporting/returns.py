"""Residents who came back about the same problem: a case of the period they reopened, or a
second case of the same kind within 30 days of their earlier one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, distinct, exists, func, or_
from sqlalchemy.orm import Session, aliased

from bot.reporting.period import Period
from bot.reporting.scope import ReportScope
from bot.reporting.sql import DAY, Seconds, count_if, scoped_cases
from bot.storage.tickets import Ticket, TicketEvent, TicketStatus

SAME_PROBLEM_DAYS = 30


@dataclass(frozen=True)
class Returns:
    """The period's cases that were a resident coming back, and how many residents came back."""

    reopened: int
    repeated: int
    cases: int
    residents: int


def returns(session: Session, scope: ReportScope, period: Period) -> Returns:
    """The returns among the cases opened in the period."""
    earlier = aliased(Ticket, name="earlier")
    reopened = exists().where(TicketEvent.ticket_id == Ticket.id, TicketEvent.status == TicketStatus.REOPENED)
    repeated = exists().where(
        earlier.resident_id == Ticket.resident_id,
        earlier.category == Ticket.category,
        earlier.id != Ticket.id,
        earlier.created_at <= Ticket.created_at,
        Seconds(Ticket.created_at, earlier.created_at) <= SAME_PROBLEM_DAYS * DAY,
    )
    came_back = or_(reopened, repeated)
    columns = [
        count_if(reopened),
        count_if(repeated),
        count_if(came_back),
        func.count(distinct(case((came_back, Ticket.resident_id)))),
    ]
    row = session.execute(scoped_cases(columns, scope, period)).one()
    return Returns(*(int(value) for value in row))
