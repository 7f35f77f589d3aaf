"""The cases behind a report, one row each, for the workbook and the CSV: what the district
counts, never who the resident is (no phone, openid, name or description)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.cases.office_hours import CHINA
from bot.categories import CATEGORIES
from bot.reporting.period import Period
from bot.reporting.places import place_of, places
from bot.reporting.scope import ReportScope
from bot.reporting.sql import REPORT_UNIT, for_reports, scoped_cases
from bot.storage.tickets import Ticket, TicketStatus

HEADINGS = (
    "工单编号",
    "登记时间",
    "社区",
    "街道",
    "类别",
    "状态",
    "紧急",
    "集体",
    "首次响应时间",
    "首次响应按时",
    "办结时间",
    "办结按时",
    "上报上级",
    "评分",
)
# Rows fetched from the database at a time: a year's cases never sit in memory at once.
BATCH = 2000


@dataclass(frozen=True)
class CaseRow:
    """One case as the exports show it; times in Beijing, without a zone (as a spreadsheet wants)."""

    number: str
    opened: datetime
    community: str
    street: str
    kind: str
    status: str
    urgent: bool
    collective: bool
    first_response: datetime | None
    response_on_time: bool | None
    resolved: datetime | None
    resolved_on_time: bool | None
    escalated: bool
    rating: int | None

    def cells(self) -> tuple:
        """The row's values in the order of HEADINGS (yes/no in words)."""
        return (
            self.number,
            self.opened,
            self.community,
            self.street,
            self.kind,
            self.status,
            _yes(self.urgent),
            _yes(self.collective),
            self.first_response,
            _yes(self.response_on_time),
            self.resolved,
            _yes(self.resolved_on_time),
            _yes(self.escalated),
            self.rating,
        )


def case_rows(session: Session, scope: ReportScope, period: Period) -> Iterator[CaseRow]:
    """The scope's cases opened in the period, oldest first."""
    for_reports(session)
    found = places(session)
    columns = [
        REPORT_UNIT,
        Ticket.number,
        Ticket.created_at,
        Ticket.category,
        Ticket.status,
        Ticket.urgent,
        Ticket.collective,
        Ticket.first_response_at,
        Ticket.due_at,
        Ticket.resolved_at,
        Ticket.resolution_due_at,
        Ticket.escalated_from_id,
        Ticket.rating,
    ]
    query = scoped_cases(columns, scope, period).order_by(Ticket.created_at, Ticket.id)
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        place = place_of(found, row.report_unit)
        yield CaseRow(
            number=row.number or "",
            opened=_local(row.created_at),
            community=place.community,
            street=place.street,
            kind=CATEGORIES[row.category].label if row.category in CATEGORIES else row.category,
            status=_status(row.status),
            urgent=bool(row.urgent),
            collective=bool(row.collective),
            first_response=_local(row.first_response_at),
            response_on_time=_on_time(row.first_response_at, row.due_at),
            resolved=_local(row.resolved_at),
            resolved_on_time=_on_time(row.resolved_at, row.resolution_due_at),
            escalated=row.escalated_from_id is not None,
            rating=row.rating,
        )


def _local(moment):
    return None if moment is None else moment.astimezone(CHINA).replace(tzinfo=None, microsecond=0)


def _on_time(done: datetime | None, due: datetime | None) -> bool | None:
    return None if done is None or due is None else done <= due


def _status(value: str) -> str:
    try:
        return TicketStatus(value).staff_label
    except ValueError:
        return value


def _yes(value: bool | None) -> str:
    return "" if value is None else "是" if value else "否"
