"""Whose service a report covers: the whole district (admins) or a coordinator's streets. Room
staff see no reports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.staff import Scope
from bot.storage.directory import Unit, unit_by_code


class NoReports(PermissionError):
    """This account may not see reports (room staff)."""


@dataclass(frozen=True)
class ReportScope:
    """The units whose cases a report counts (None: every unit of the district), and its name."""

    unit_ids: frozenset[int] | None
    label: str


def may_see_reports(scope: Scope) -> bool:
    """District admins and street coordinators see reports; room staff do not."""
    return scope.admin or bool(scope.all_roles_in)


def report_scope(session: Session, scope: Scope) -> ReportScope:
    """The report scope of a console account; NoReports for room staff."""
    if scope.admin:
        return ReportScope(None, "全区")
    if not scope.all_roles_in:
        raise NoReports(scope.username)
    streets = session.scalars(
        select(Unit.name).where(Unit.id.in_(scope.all_roles_in), Unit.level == "street").order_by(Unit.id)
    )
    return ReportScope(scope.all_roles_in, "、".join(streets) or "所辖街道")


def street_scope(session: Session, code: str | None) -> ReportScope:
    """The whole district, or one street and its rooms by the street's code (the command line)."""
    if not code:
        return ReportScope(None, "全区")
    street = unit_by_code(session, code)
    if street is None or street.level != "street":
        raise LookupError(f"没有代码为 {code} 的街道")
    rooms = session.scalars(select(Unit.id).where(Unit.parent_id == street.id))
    return ReportScope(frozenset({street.id, *rooms}), street.name)
