"""How fast each kind of case was answered and resolved, against its deadlines.

Each case is held to its own deadlines (`Ticket.due_at`, `resolution_due_at`: an urgent case's
first response within the hour, a group case's within 4 hours, bot/categories.py); a reopened or
escalated case is held to those of its latest round, as the sweep holds it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, literal_column, or_
from sqlalchemy.orm import Session

from bot.categories import CATEGORIES, RESPONSE_HOURS
from bot.reporting.period import Period
from bot.reporting.scope import ReportScope
from bot.reporting.sql import DAY, HOUR, Seconds, count_if, is_open, overdue_at, scoped_cases
from bot.storage.tickets import Ticket


@dataclass(frozen=True)
class KindFigures:
    """One kind of case in the period: how many, and how fast they were handled."""

    kind: str
    label: str
    cases: int
    urgent: int
    responded: int
    response_on_time: int
    response_late: int
    response_hours: float | None  # average, from opening to the first response
    resolved: int
    resolved_on_time: int
    resolved_late: int
    resolution_days: float | None  # average, from opening to resolution
    overdue: int
    escalated: int

    @property
    def response_deadline(self) -> str:
        """The kind's first-response deadline in words."""
        hours = CATEGORIES[self.kind].first_response_hours
        return f"{hours} 小时（紧急 {RESPONSE_HOURS['urgent']} 小时，集体 {RESPONSE_HOURS['collective']} 小时）"

    @property
    def resolution_deadline(self) -> str:
        """The kind's resolution deadline in words."""
        return f"{CATEGORIES[self.kind].resolution_days} 天"

    @property
    def response_rate(self) -> float | None:
        """Share of first responses in time among those whose deadline has been decided."""
        return _share(self.response_on_time, self.response_late)

    @property
    def resolution_rate(self) -> float | None:
        """Share of resolutions in time among those whose deadline has been decided."""
        return _share(self.resolved_on_time, self.resolved_late)


def _share(on_time: int, late: int) -> float | None:
    return on_time / (on_time + late) if on_time + late else None


def kind_figures(session: Session, scope: ReportScope, period: Period, now: datetime) -> list[KindFigures]:
    """Every kind of case (those with none too), in the categories' order."""
    response = Seconds(Ticket.first_response_at, Ticket.created_at)
    resolution = Seconds(Ticket.resolved_at, Ticket.created_at)
    unanswered_late = and_(Ticket.first_response_at.is_(None), is_open(), Ticket.due_at < now)
    unresolved_late = and_(Ticket.resolved_at.is_(None), is_open(), Ticket.resolution_due_at < now)
    columns = [
        Ticket.category.label("kind"),
        func.count(),
        count_if(Ticket.urgent.is_(True)),
        func.count(Ticket.first_response_at),
        count_if(Ticket.first_response_at <= Ticket.due_at),
        count_if(or_(Ticket.first_response_at > Ticket.due_at, unanswered_late)),
        func.avg(response) / HOUR,
        func.count(Ticket.resolved_at),
        count_if(Ticket.resolved_at <= Ticket.resolution_due_at),
        count_if(or_(Ticket.resolved_at > Ticket.resolution_due_at, unresolved_late)),
        func.avg(resolution) / DAY,
        count_if(overdue_at(now)),
        count_if(Ticket.escalated_from_id.is_not(None)),
    ]
    query = scoped_cases(columns, scope, period).group_by(literal_column("kind"))
    found = {row[0]: row[1:] for row in session.execute(query).tuples()}
    return [_figures(kind, found.get(kind)) for kind in CATEGORIES]


def _figures(kind: str, numbers: tuple | None) -> KindFigures:
    if numbers is None:
        return KindFigures(kind, CATEGORIES[kind].label, 0, 0, 0, 0, 0, None, 0, 0, 0, None, 0, 0)
    cases, urgent, responded, on_time, late, hours, resolved, resolved_on_time, resolved_late, days, *rest = numbers
    overdue, escalated = rest
    return KindFigures(
        kind=kind,
        label=CATEGORIES[kind].label,
        cases=int(cases),
        urgent=int(urgent),
        responded=int(responded),
        response_on_time=int(on_time),
        response_late=int(late),
        response_hours=_number(hours),
        resolved=int(resolved),
        resolved_on_time=int(resolved_on_time),
        resolved_late=int(resolved_late),
        resolution_days=_number(days),
        overdue=int(overdue),
        escalated=int(escalated),
    )


def _number(value) -> float | None:
    # PostgreSQL's avg of an epoch is a Decimal; SQLite's a float.
    return None if value is None else round(float(value), 1)
