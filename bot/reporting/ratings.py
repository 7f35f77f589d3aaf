"""What residents thought: the ratings 1–5 of the period's cases and the satisfaction rate
(ratings of 4 or 5 among the rated) against the district's target."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal_column
from sqlalchemy.orm import Session

from bot.reporting.counts import SATISFIED_FROM
from bot.reporting.period import Period
from bot.reporting.scope import ReportScope
from bot.reporting.sql import scoped_cases
from bot.storage.tickets import Ticket

SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Ratings:
    """How many cases got each score, and the target the satisfaction rate is held to."""

    by_score: dict[int, int]
    target: float

    @property
    def rated(self) -> int:
        """How many cases were rated."""
        return sum(self.by_score.values())

    @property
    def satisfied(self) -> int:
        """How many were rated 4 or 5."""
        return sum(count for score, count in self.by_score.items() if score >= SATISFIED_FROM)

    @property
    def rate(self) -> float | None:
        """The satisfaction rate (None with no rating)."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def meets_target(self) -> bool | None:
        """Whether the rate reaches the target (None with no rating)."""
        return None if self.rate is None else self.rate >= self.target


def ratings(session: Session, scope: ReportScope, period: Period, target: float) -> Ratings:
    """The ratings of the cases opened in the period, by score."""
    query = scoped_cases([Ticket.rating.label("score"), func.count()], scope, period)
    query = query.where(Ticket.rating.is_not(None)).group_by(literal_column("score"))
    found = dict(session.execute(query).tuples().all())
    return Ratings({score: int(found.get(score, 0)) for score in SCORES}, target)
