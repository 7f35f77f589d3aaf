"""The SQL the reports share: time differences on both databases, the unit a case counts for,
and the cases of one scope and period."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, func, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from bot.reporting.period import Period
from bot.reporting.scope import ReportScope
from bot.storage.directory import Unit
from bot.storage.tickets import OPEN_STATUSES, Ticket


class Seconds(FunctionElement[float]):
    """Seconds from the second moment to the first (`later - earlier`), on PostgreSQL and SQLite."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(Seconds, "postgresql")
def _seconds_postgresql(element: Seconds, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)}))"


@compiles(Seconds, "sqlite")
def _seconds_sqlite(element: Seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # UtcDateTime keeps UTC text on SQLite, which julianday() reads.
    later, earlier = list(element.clauses)
    return f"((julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)})) * 86400.0)"


HOUR, DAY = 3600.0, 86400.0

# The unit the case counts for: where it is, unless it is above a room: then the community the
# resident named (a group case at its street's workstation), else the room or workstation it was
# sent up from (a case escalated to the district still counts for its community).
_current = aliased(Unit, name="current_unit")
REPORT_UNIT = case(
    (and_(Ticket.community_id.is_not(None), _current.level != "community"), Ticket.community_id),
    (and_(Ticket.escalated_from_id.is_not(None), _current.level != "community"), Ticket.escalated_from_id),
    else_=Ticket.unit_id,
).label("report_unit")


def scoped_cases(columns: list[Any], scope: ReportScope, period: Period) -> Select:
    """SELECT `columns` FROM the cases opened in the period that count for the scope's units."""
    query = select(*columns).select_from(Ticket).join(_current, _current.id == Ticket.unit_id)
    query = query.where(Ticket.created_at >= period.start, Ticket.created_at < period.end)
    if scope.unit_ids is not None:
        query = query.where(REPORT_UNIT.in_(scope.unit_ids))
    return query


def for_reports(session: Session) -> None:
    """Ready the transaction for the reports' queries: PostgreSQL's JIT compiles a plan for longer
    than these aggregations over a year's cases take to run, so it is off until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def is_open() -> ColumnElement[bool]:
    """The case is still being worked on."""
    return Ticket.status.in_(OPEN_STATUSES)


def overdue_at(now: Any) -> ColumnElement[bool]:
    """An open case past its first-response or resolution deadline (as bot.cases.tickets.is_overdue)."""
    missed_first = and_(Ticket.first_response_at.is_(None), Ticket.due_at < now)
    return and_(is_open(), or_(missed_first, Ticket.resolution_due_at < now))


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet the condition (0, not NULL, when none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
