"""Residents who came back about the same problem: a case of the period they reopened, or a
second case of the same kind within 30 days of their earlier one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, and_, case, distinct, func, or_, select
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
    # The cases reopened and the cases repeated, each set found once by one scan or join and
    # outer-joined to the period's cases (hash joins on both databases, no look-up per case).
    reopened, repeated = _reopened().subquery("reopened"), _repeated(period).subquery("repeated")
    was_reopened, was_repeated = reopened.c.ticket_id.is_not(None), repeated.c.id.is_not(None)
    came_back = or_(was_reopened, was_repeated)
    columns = [
        count_if(was_reopened),
        count_if(was_repeated),
        count_if(came_back),
        func.count(distinct(case((came_back, Ticket.resident_id)))),
    ]
    query = (
        scoped_cases(columns, scope, period)
        .outerjoin(reopened, reopened.c.ticket_id == Ticket.id)
        .outerjoin(repeated, repeated.c.id == Ticket.id)
    )
    row = session.execute(query).one()
    return Returns(*(int(value) for value in row))


def _reopened() -> Select:
    """The cases a resident reopened, once each."""
    return select(TicketEvent.ticket_id).distinct().where(TicketEvent.status == TicketStatus.REOPENED)


def _repeated(period: Period) -> Select:
    """The cases of the period that followed the same resident's case of the same kind within 30 days."""
    later, earlier = aliased(Ticket, name="later"), aliased(Ticket, name="earlier")
    same_problem = and_(
        earlier.resident_id == later.resident_id,
        earlier.category == later.category,
        earlier.id != later.id,
        earlier.created_at <= later.created_at,
    )
    return (
        select(later.id)
        .distinct()
        .join(earlier, same_problem)
        .where(
            later.created_at >= period.start,
            later.created_at < period.end,
            # The same bound by index first, then exactly.
            earlier.created_at >= period.start - timedelta(days=SAME_PROBLEM_DAYS),
            Seconds(later.created_at, earlier.created_at) <= SAME_PROBLEM_DAYS * DAY,
        )
    )
