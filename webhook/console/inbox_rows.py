"""The inbox's rows: the cases a staff member's scope may read, in the order they should be taken
up, with what each card says (room, deadline, who is waiting for an answer, how the case came), and
the counts of the inbox's tabs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, case, func, null, select
from sqlalchemy.orm import Session

from bot.cases import person_requests
from bot.cases.lifecycle import SYSTEM
from bot.cases.staff import Scope
from bot.cases.tickets import is_overdue, next_deadline, overdue_condition
from bot.categories import CATEGORIES
from bot.storage.base import utcnow
from bot.storage.directory import Unit
from bot.storage.messages import Message, unanswered_of
from bot.storage.staff import Handoff, Staff
from bot.storage.tickets import DONE_STATUSES, OPEN_STATUSES, Handover, Ticket, TicketEvent, TicketStatus
from bot.training.masking import mask_numbers_partly

INBOX_LIMIT = 100  # the most urgent hundred; the filters narrow a larger queue
PREVIEW_CHARS = 40  # of the resident's newest message, on the card


class InboxView(StrEnum):
    """The inbox's tabs (the URL's `view`), with their words."""

    label: str

    def __new__(cls, value: str, label: str = "") -> InboxView:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    ALL = "all", "全部"
    MINE = "mine", "我的"
    UNACCEPTED = "unaccepted", "未受理"
    WAITING = "waiting", "等居民回复"
    OVERDUE = "overdue", "已超期"
    DONE = "done", "已办结"

    @classmethod
    def of(cls, value: str) -> InboxView:
        """The tab a URL asks for; "open" (the old name of 全部) and anything unknown: 全部."""
        try:
            return cls(value)
        except ValueError:
            return cls.ALL


# The tabs of open cases, which carry their counts.
OPEN_VIEWS = tuple(view for view in InboxView if view is not InboxView.DONE)
# How each kind of hand-over reads on the receiver's card: "李调解员转来：…", "系统上报：超时未处理".
HANDOVER_VERBS = {Handover.TRANSFER: "转来", Handover.ESCALATION: "上报", Handover.TO_COMMUNITY: "转来"}


@dataclass
class ResidentWrote:
    """What the resident wrote on the case that no staff member has answered yet."""

    count: int
    since: datetime  # the first of them
    latest: str  # the newest, as the card shows it (numbers masked)

    @property
    def waited_words(self) -> str:
        """How long the first of them has waited: "已等 25 分钟", or "刚刚"."""
        waited = person_requests.elapsed(utcnow() - self.since)
        return waited if waited == person_requests.JUST_NOW else f"已等 {waited}"


@dataclass
class InboxRow:
    """One case in the inbox."""

    ticket: Ticket
    unit_name: str
    deadline: datetime | None
    overdue: bool
    held: bool
    person_waited: str = ""  # the resident asked for a person this long ago and nobody answered ("25 分钟")
    wrote: ResidentWrote | None = None  # the resident wrote after staff last did: someone should answer
    handover: str = ""  # how the case came to this queue, and why ("李调解员转来：不属于邻里纠纷")
    handler: str = ""  # who took it up here
    description: str = field(default="")  # the case's description, numbers masked

    @property
    def resident_wrote(self) -> bool:
        """The resident wrote after staff last did."""
        return self.wrote is not None

    @property
    def person_waited_words(self) -> str:
        """How long the request waited, as the inbox card says it: "已等 25 分钟", or "刚刚"."""
        if not self.person_waited or self.person_waited == person_requests.JUST_NOW:
            return self.person_waited
        return f"已等 {self.person_waited}"

    @property
    def category(self) -> str:
        """The category in Chinese."""
        category = CATEGORIES.get(self.ticket.category)
        return category.label if category else self.ticket.category


def _in_scope(scope: Scope, unit_id: int | None, role: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not scope.admin:
        conditions.append(Ticket.unit_id.in_(scope.unit_ids))
    if unit_id is not None:
        conditions.append(Ticket.unit_id == unit_id)
    if role:
        conditions.append(Ticket.role == role)
    return conditions


def view_condition(view: InboxView, scope: Scope, now: datetime) -> ColumnElement[bool]:
    """In SQL, the cases one tab lists."""
    opened = Ticket.status.in_(OPEN_STATUSES)
    return {
        InboxView.ALL: opened,
        InboxView.MINE: and_(opened, Ticket.handler_id == scope.staff_id),
        InboxView.UNACCEPTED: and_(opened, Ticket.handler_id.is_(None)),
        InboxView.WAITING: Ticket.status == TicketStatus.WAITING_INFO,
        InboxView.OVERDUE: overdue_condition(now),
        InboxView.DONE: Ticket.status.in_(DONE_STATUSES),
    }[view]


def view_counts(
    session: Session, scope: Scope, unit_id: int | None = None, role: str | None = None
) -> dict[InboxView, int]:
    """How many cases each tab of open cases lists (one query)."""
    now = utcnow()
    counted = [
        func.coalesce(func.sum(case((view_condition(view, scope, now), 1), else_=0)), 0).label(view.value)
        for view in OPEN_VIEWS
    ]
    query = select(*counted).where(Ticket.status.in_(OPEN_STATUSES), *_in_scope(scope, unit_id, role))
    row = session.execute(query).one()
    return {view: int(row[index]) for index, view in enumerate(OPEN_VIEWS)}


def inbox_rows(
    session: Session,
    scope: Scope,
    view: InboxView | str = InboxView.ALL,
    unit_id: int | None = None,
    role: str | None = None,
    limit: int = INBOX_LIMIT,
) -> list[InboxRow]:
    """The cases this scope may read in one tab: urgent ones first, then those where a resident
    waits for staff — a request for a person, or a message nobody answered — the longest waiting
    first, then by the deadline that matters now (已办结: the latest first)."""
    view = InboxView.of(view)
    now = utcnow()
    conditions = [view_condition(view, scope, now), *_in_scope(scope, unit_id, role)]
    if view is InboxView.DONE:
        query = select(Ticket.id, null()).where(*conditions).order_by(Ticket.updated_at.desc())
    else:
        query = _by_attention(conditions)
    found: list[tuple[int, datetime | None]] = list(session.execute(query.limit(limit)).tuples())
    waiting = {ticket_id: since for ticket_id, since in found if since is not None}
    loaded = session.scalars(select(Ticket).where(Ticket.id.in_([ticket_id for ticket_id, _ in found])))
    tickets = {ticket.id: ticket for ticket in loaded}
    return _rows(session, [tickets[ticket_id] for ticket_id, _ in found], waiting, now)


def _by_attention(conditions: list[ColumnElement[bool]]) -> Select:
    """The ids of the open cases, each with when its resident began waiting for staff's answer."""
    asked, wrote = Ticket.person_requested_at, Ticket.resident_wrote_at
    # Whichever began first: the resident has waited since then.
    waited_from = case((asked.is_(None), wrote), (wrote.is_(None), asked), (asked < wrote, asked), else_=wrote)
    due = case((Ticket.first_response_at.is_(None), Ticket.due_at), else_=Ticket.resolution_due_at)
    return (
        select(Ticket.id, wrote)
        .where(*conditions)
        .order_by(Ticket.urgent.desc(), waited_from.asc().nulls_last(), due.asc().nulls_last(), Ticket.id)
    )


def _rows(session: Session, tickets: list[Ticket], waiting: dict[int, datetime], now: datetime) -> list[InboxRow]:
    ids = [ticket.id for ticket in tickets]
    held = _held_ticket_ids(session, ids)
    units = _unit_names(session, {ticket.unit_id for ticket in tickets})
    names = _staff_names(session, {ticket.handler_id for ticket in tickets if ticket.handler_id is not None})
    handovers = handovers_of(session, ids)
    wrote = {ticket_id: _resident_wrote(messages) for ticket_id, messages in unanswered_of(session, waiting).items()}
    return [
        InboxRow(
            ticket,
            units.get(ticket.unit_id, ""),
            next_deadline(ticket),
            is_overdue(ticket, now),
            ticket.id in held,
            person_requests.waited(ticket, now),
            wrote.get(ticket.id),
            handovers.get(ticket.id, ""),
            names.get(ticket.handler_id, "") if ticket.handler_id is not None else "",
            mask_numbers_partly(ticket.description),
        )
        for ticket in tickets
    ]


def _resident_wrote(messages: list[Message]) -> ResidentWrote | None:
    if not messages:
        return None
    latest = messages[-1]
    text = latest.content if latest.msg_type in ("text", "voice") and latest.content else "［照片或其他消息］"
    return ResidentWrote(len(messages), messages[0].created_at, mask_numbers_partly(text)[:PREVIEW_CHARS])


def handovers_of(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """How each case came to the queue it is in, from its latest hand-over, in words."""
    if not ticket_ids:
        return {}
    latest = (
        select(func.max(TicketEvent.id))
        .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.handover.is_not(None))
        .group_by(TicketEvent.ticket_id)
    )
    events = list(session.scalars(select(TicketEvent).where(TicketEvent.id.in_(latest))))
    names = _staff_usernames(session, {event.actor for event in events})
    return {event.ticket_id: handover_words(event, names) for event in events}


def handover_words(event: TicketEvent, names: dict[str, str]) -> str:
    """Who handed the case over, how and why: "李调解员转来：不属于邻里纠纷，是劳动争议"."""
    who = "系统" if event.actor == SYSTEM else names.get(event.actor, event.actor)
    verb = HANDOVER_VERBS.get(Handover(event.handover), "转来") if event.handover else "转来"
    return f"{who}{verb}：{mask_numbers_partly(event.reason)}" if event.reason else f"{who}{verb}"


def _held_ticket_ids(session: Session, ticket_ids: list[int]) -> set[int]:
    if not ticket_ids:
        return set()
    query = select(Handoff.ticket_id).where(Handoff.ticket_id.in_(ticket_ids), Handoff.released_at.is_(None))
    return set(session.scalars(query))


def _unit_names(session: Session, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    query = select(Unit.id, Unit.office_name).where(Unit.id.in_(unit_ids))
    return dict(session.execute(query).tuples().all())


def _staff_names(session: Session, staff_ids: set[int]) -> dict[int, str]:
    if not staff_ids:
        return {}
    return dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).tuples().all())


def _staff_usernames(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    query = select(Staff.username, Staff.name).where(Staff.username.in_(usernames))
    return dict(session.execute(query).tuples().all())


def scope_units(session: Session, scope: Scope) -> list[Unit]:
    """The units whose queues this scope may open, for the inbox's room filter."""
    query = select(Unit).order_by(Unit.id)
    if not scope.admin:
        query = query.where(Unit.id.in_(scope.unit_ids))
    return list(session.scalars(query))
