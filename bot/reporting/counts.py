"""How many cases, where and when: by community, by street, in total and week by week (or month
by month), each grouped in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, literal_column
from sqlalchemy.orm import Session

from bot.reporting.period import Period
from bot.reporting.places import place_of, places
from bot.reporting.scope import ReportScope
from bot.reporting.sql import REPORT_UNIT, count_if, is_open, overdue_at, scoped_cases
from bot.storage.tickets import Ticket

SATISFIED_FROM = 4  # a rating of 4 or 5 counts as satisfied


@dataclass
class PlaceCount:
    """The cases of one community (or street, or the whole scope)."""

    name: str
    street: str = ""
    cases: int = 0
    open: int = 0
    resolved: int = 0
    overdue: int = 0
    escalated: int = 0
    urgent: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def satisfaction(self) -> float | None:
        """Share of ratings of 4 or 5 among the rated cases (None when none was rated)."""
        return self.satisfied / self.rated if self.rated else None

    def add(self, other: PlaceCount) -> None:
        """Count another place's cases in this one."""
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNTED = ("cases", "open", "resolved", "overdue", "escalated", "urgent", "rated", "satisfied")


@dataclass
class PlaceCounts:
    """The scope's cases by community and by street, and their total."""

    communities: list[PlaceCount] = field(default_factory=list)
    streets: list[PlaceCount] = field(default_factory=list)
    total: PlaceCount = field(default_factory=lambda: PlaceCount("合计"))


@dataclass(frozen=True)
class BucketCount:
    """The cases opened in one week (or month) of the period."""

    label: str
    cases: int
    short: str = ""  # under the chart's column


def place_counts(session: Session, scope: ReportScope, period: Period, now: datetime) -> PlaceCounts:
    """The cases opened in the period by the unit they count for, gathered by community and street."""
    columns = [
        REPORT_UNIT,
        func.count(),
        count_if(is_open()),
        count_if(Ticket.resolved_at.is_not(None)),
        count_if(overdue_at(now)),
        count_if(Ticket.escalated_from_id.is_not(None)),
        count_if(Ticket.urgent.is_(True)),
        func.count(Ticket.rating),
        count_if(Ticket.rating >= SATISFIED_FROM),
    ]
    rows = session.execute(scoped_cases(columns, scope, period).group_by(literal_column(REPORT_UNIT.name))).all()
    found = places(session)
    counts = PlaceCounts()
    streets: dict[str, PlaceCount] = {}
    for unit_id, *numbers in rows:
        place = place_of(found, unit_id)
        community = PlaceCount(place.community, place.street, *numbers)
        counts.communities.append(community)
        streets.setdefault(place.street, PlaceCount(place.street)).add(community)
        counts.total.add(community)
    counts.communities.sort(key=lambda row: (-row.cases, row.street, row.name))
    counts.streets = sorted(streets.values(), key=lambda row: (-row.cases, row.name))
    return counts


def bucket_counts(session: Session, scope: ReportScope, period: Period) -> list[BucketCount]:
    """The cases opened in each week (or month) of the period, empty ones included."""
    buckets = period.buckets()
    # Each case falls in the first bucket that ends after it opened: plain comparisons, the same
    # SQL on both databases, and a handful of branches (at most 14 weeks or a year's months).
    number = case(*((Ticket.created_at < bucket.end, index) for index, bucket in enumerate(buckets)), else_=-1)
    # Grouped by the column's name: the expression's parameters would be bound twice otherwise,
    # and PostgreSQL would not see the two as one expression.
    query = scoped_cases([number.label("bucket"), func.count()], scope, period).group_by(literal_column("bucket"))
    found = dict(session.execute(query).tuples().all())
    return [BucketCount(bucket.label, found.get(index, 0), bucket.short) for index, bucket in enumerate(buckets)]
