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
    # Each case's two flags are computed once (a materialized CTE: the four counts read them without
    # computing them again), from two sets of case ids each found once rather than by a look-up per case.
    flags = (
        scoped_cases(
            [
                Ticket.resident_id,
                Ticket.id.in_(_reopened()).label("reopened"),
                Ticket.id.in_(_repeated(period)).label("repeated"),
            ],
            scope,
            period,
        )
        .cte("case_flags")
        .prefix_with("MATERIALIZED")
    )
    came_back = or_(flags.c.reopened, flags.c.repeated)
    columns = [
        count_if(flags.c.reopened),
        count_if(flags.c.repeated),
        count_if(came_back),
        func.count(distinct(case((came_back, flags.c.resident_id)))),
    ]
    row = session.execute(select(*columns).select_from(flags)).one()
    return Returns(*(int(value) for value in row))


def _reopened() -> Select:
    """The cases a resident reopened."""
    return select(TicketEvent.ticket_id).where(TicketEvent.status == TicketStatus.REOPENED)


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
        .join(earlier, same_problem)
        .where(
            later.created_at >= period.start,
            later.created_at < period.end,
            # The same bound by index first, then exactly.
            earlier.created_at >= period.start - timedelta(days=SAME_PROBLEM_DAYS),
            Seconds(later.created_at, earlier.created_at) <= SAME_PROBLEM_DAYS * DAY,
        )
    )
