"""Questions the bot answered without a person: FAQ answers given in the period, those after
which the resident opened no case within a week, those whose week has not passed yet, and the
questions asked most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from bot.reporting.period import Period
from bot.reporting.scope import ReportScope
from bot.reporting.sql import DAY, Seconds, count_if
from bot.storage.faq import FaqEntry
from bot.storage.messages import Message
from bot.storage.residents import Resident
from bot.storage.tickets import Ticket

# An FAQ answer after which the resident opened no case within this many days settled the question.
SETTLED_AFTER_DAYS = 7
TOP_TOPICS = 10


@dataclass(frozen=True)
class Topic:
    """One FAQ question and how often it was answered."""

    intent: str
    question: str
    answers: int


@dataclass(frozen=True)
class SelfService:
    """The FAQ answers of the period."""

    answers: int
    residents: int
    without_case: int  # no case within the week after the answer, the week being over
    topics: list[Topic]
    observing: int = 0  # no case yet, but the answer's week is not over

    @property
    def settled_rate(self) -> float | None:
        """Share of FAQ answers whose week is over after which no case was opened."""
        decided = self.answers - self.observing
        return self.without_case / decided if decided else None


def self_service(session: Session, scope: ReportScope, period: Period, now: datetime) -> SelfService:
    """The FAQ answers given in the period to the scope's residents, as they stand at `now`."""
    # Outer-joined to the answers followed by a case, found by one join: a hash join on both
    # databases, never a look-up (or a NOT IN scan) per message.
    followed = _followed_by_a_case(period).subquery("followed")
    week_not_over = and_(followed.c.id.is_(None), Message.created_at > now - timedelta(days=SETTLED_AFTER_DAYS))
    columns = [
        func.count(),
        func.count(Message.resident_id.distinct()),
        func.count(followed.c.id),
        count_if(week_not_over),
    ]
    query = _faq_answers(columns, scope, period).outerjoin(followed, followed.c.id == Message.id)
    answers, residents, with_case, observing = (int(value) for value in session.execute(query).one())
    return SelfService(answers, residents, answers - with_case - observing, _topics(session, scope, period), observing)


def _followed_by_a_case(period: Period) -> Select:
    """The period's FAQ answers after which their resident opened a case within the week, once each."""
    asked = aliased(Message, name="asked")
    return (
        select(asked.id)
        .distinct()
        .join(FaqEntry, FaqEntry.intent == asked.intent)
        .join(Ticket, Ticket.resident_id == asked.resident_id)
        .where(
            asked.direction == "in",
            asked.created_at >= period.start,
            asked.created_at < period.end,
            # The cases of the period and the week after it, by index; then each message's own week.
            Ticket.created_at >= period.start,
            Ticket.created_at < period.end + timedelta(days=SETTLED_AFTER_DAYS),
            Ticket.created_at >= asked.created_at,
            Seconds(Ticket.created_at, asked.created_at) < SETTLED_AFTER_DAYS * DAY,
        )
    )


def _topics(session: Session, scope: ReportScope, period: Period) -> list[Topic]:
    answers = func.count().label("answers")
    query = _faq_answers([FaqEntry.intent, FaqEntry.question, answers], scope, period)
    query = query.group_by(FaqEntry.intent, FaqEntry.question).order_by(answers.desc(), FaqEntry.intent)
    return [Topic(*row) for row in session.execute(query.limit(TOP_TOPICS)).tuples()]


def _faq_answers(columns: list, scope: ReportScope, period: Period) -> Select:
    """SELECT `columns` FROM the residents' messages of the period that the FAQ answered (the
    message keeps the FAQ's intent). A street counts the residents who named one of its communities."""
    query = (
        select(*columns)
        .select_from(Message)
        .join(FaqEntry, FaqEntry.intent == Message.intent)
        .where(Message.direction == "in", Message.created_at >= period.start, Message.created_at < period.end)
    )
    if scope.unit_ids is not None:
        query = query.join(
            Resident, and_(Resident.id == Message.resident_id, Resident.community_id.in_(scope.unit_ids))
        )
    return query
