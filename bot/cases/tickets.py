"""Cases: opening, routing, status changes, rating and reopening."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import redis
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, object_session

from bot.cases import alerts
from bot.cases.lifecycle import REOPEN_DAYS, RESIDENT, SYSTEM, check_actor, hand_over, record_move, tell_resident
from bot.cases.office_hours import CHINA, next_opening, opening_words
from bot.categories import CATEGORIES, RESPONSE_HOURS, ROLE_LABELS, category_of_role
from bot.jobs import Jobs
from bot.nlu import signals
from bot.storage.audit import AuditAction, audit
from bot.storage.base import after_commit, utcnow
from bot.storage.directory import Unit, district_centre
from bot.storage.messages import Message
from bot.storage.residents import Resident
from bot.storage.staff import handoff_of_ticket
from bot.storage.tickets import (
    OPEN_STATUSES,
    RATED_NOTE,
    Handover,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketStatus,
)
from bot.wechat.attachments import note_new_attachment

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# How the resident's preferred time for a call stands out in a case's description.
CONTACT_TIME_LINE = "【方便联系的时间】{}"
# Where a resident who did not know their community said they are ("就在万松园路那边").
PLACE_LINE = "【居民说的位置】{}"
# A note for staff on how to reach the resident (never read back to the resident as their words).
STAFF_NOTE_LINE = "【请工作人员注意】{}"
# Why the sweep sent a case up a level.
OVERDUE = "超时未处理"
# Whom to call until staff are on duty, by the danger an urgent case's opening story names (the
# kinds of bot.nlu.signals): the fire brigade for fire and gas, the ambulance for someone hurt, the
# police for the rest (violence, a child or an elder at risk, a fraud).
FIRST_CALLS = {"fire": ("119",), "gas": ("119",), "injury": ("120",), "fall": ("120",), "self_harm": ("120", "110")}
POLICE = ("110",)
# Where the resident's opening story ends in a case's description: what follows is marked 【…】.
LATER_LINES = "\n【"


@dataclass
class CaseRequest:
    """Everything gathered for a new case."""

    category: str
    description: str
    unit: Unit | None
    phone: str | None = None
    urgent: bool = False
    collective: bool = False
    opening_message_id: int | None = None
    message_ids: list[int] = field(default_factory=list)
    media_ids: list[str] = field(default_factory=list)
    contact_time: str = ""  # when the resident can take a call, in their words
    place_words: str = ""  # where they are, in their words, when the community is not known
    staff_notes: list[str] = field(default_factory=list)  # how staff must reach the resident


def first_response_hours(category: str, urgent: bool, collective: bool) -> int:
    """Hours until a case needs its first response."""
    if urgent:
        return RESPONSE_HOURS["urgent"]
    if collective:
        return RESPONSE_HOURS["collective"]
    return CATEGORIES[category].first_response_hours


def first_response_due(unit: Unit | None, category: str, urgent: bool, collective: bool, now: datetime) -> datetime:
    """When a case's first response is due: urgent and group cases count their hours from the
    room's opening while it is closed, as the resident was promised (no overdue alarm at 03:49)."""
    hours = first_response_hours(category, urgent, collective)
    opening = next_opening(unit.hours, now) if (urgent or collective) and unit is not None and unit.hours else None
    return (opening or now) + timedelta(hours=hours)


def open_ticket(session: Session, resident: Resident, request: CaseRequest) -> Ticket:
    """Open a case routed to the right unit and role; returns the new ticket. The queue's staff
    are told on WeChat once it is committed."""
    unit = routing_unit(session, request.unit, request.collective)
    now = utcnow()
    ticket = Ticket(
        resident_id=resident.id,
        opening_message_id=request.opening_message_id,
        category=request.category,
        unit_id=unit.id,
        role=CATEGORIES[request.category].role,
        urgent=request.urgent,
        collective=request.collective,
        community_id=named_community(request.unit, unit),
        description=_description(request),
        contact_phone=request.phone,
        created_at=now,
        due_at=first_response_due(unit, request.category, request.urgent, request.collective, now),
        resolution_due_at=now + timedelta(days=CATEGORIES[request.category].resolution_days),
    )
    session.add(ticket)
    session.flush()
    ticket.number = f"JH{now.astimezone(CHINA):%y%m%d}-{ticket.id:04d}"  # the day in Beijing, as residents count it
    session.add(TicketEvent(ticket_id=ticket.id, status=TicketStatus.NEW, note=unit.office_name, actor=SYSTEM))
    _attach(session, ticket, request)
    session.info.setdefault("new_cases", []).append(ticket.id)
    return ticket


def _description(request: CaseRequest) -> str:
    """The case's description: the resident's story, then what staff need to reach them."""
    lines = [_with_contact_time(request.description, request.contact_time)]
    if request.place_words:
        lines.append(PLACE_LINE.format(request.place_words))
    lines += [STAFF_NOTE_LINE.format(note) for note in request.staff_notes]
    return "\n".join(lines)


def _with_contact_time(description: str, contact_time: str) -> str:
    return f"{description}\n{CONTACT_TIME_LINE.format(contact_time)}" if contact_time else description


def add_contact_time(session: Session, ticket: Ticket, message: Message, contact_time: str) -> None:
    """The resident said when to call, after the case was opened: staff see it in the description."""
    ticket.description = _with_contact_time(ticket.description, contact_time)
    link_message(session, ticket, message, note="居民说明方便联系的时间")


def alert_new_cases(session: Session, jobs: Jobs) -> None:
    """Queue the staff's WeChat alert for every case opened in this session, once it has committed."""
    for ticket_id in session.info.pop("new_cases", []):
        after_commit(session, lambda ticket_id=ticket_id: _enqueue_alert(jobs, ticket_id))


def _enqueue_alert(jobs: Jobs, ticket_id: int) -> None:
    # Committed already: the resident must still get the case's number, so a queue outage costs
    # only the staff's WeChat alert (the case is in their inbox; the sweep raises it when overdue).
    try:
        jobs.enqueue(new_case_job, ticket_id)
    except redis.RedisError as error:
        log.error("job queue unavailable (%s): no WeChat alert for new case %d", type(error).__name__, ticket_id)


def new_case_job(services: Services, ticket_id: int) -> None:
    """Job: tell the queue's staff about a new case on WeChat."""
    with services.db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None:
            label = CATEGORIES[ticket.category].label
            alerts.new_case(session, services.jobs, services.settings.console_base_url, ticket, label)


def named_community(named: Unit | None, routed: Unit) -> int | None:
    """The community the resident named when the case goes elsewhere (a group case to its street)."""
    if named is not None and named.level == "community" and named.id != routed.id:
        return named.id
    return None


def routing_unit(session: Session, unit: Unit | None, collective: bool) -> Unit:
    """Where a case goes: group disputes to the street workstation, no community to the centre."""
    if unit is not None and collective and unit.level == "community" and unit.parent is not None:
        return unit.parent
    if unit is not None:
        return unit
    centre = district_centre(session)
    if centre is None:
        raise LookupError("the directory has no district centre")
    return centre


def _attach(session: Session, ticket: Ticket, request: CaseRequest) -> None:
    for message_id in request.message_ids:
        message = session.get(Message, message_id)
        if message is not None:
            message.ticket_id = ticket.id
    for media_id in request.media_ids:
        _add_photo(session, ticket, media_id)


def attach_message(session: Session, ticket: Ticket, message: Message, note: str = "") -> None:
    """Add a resident's later message (text or photo) to an open case."""
    message.ticket_id = ticket.id
    if message.msg_type == "image" and message.media_id:
        _add_photo(session, ticket, message.media_id)
    elif message.content:
        ticket.description = f"{ticket.description}\n【补充】{message.content}".strip()
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=note or "居民补充材料"))


def add_staff_note(session: Session, ticket: Ticket, note: str) -> None:
    """A note for staff on how to reach the resident, added to an open case's description once."""
    line = STAFF_NOTE_LINE.format(note)
    if line not in ticket.description:
        ticket.description = f"{ticket.description}\n{line}"
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=note))


def link_message(session: Session, ticket: Ticket, message: Message, note: str) -> None:
    """Put a resident's answer about a case (a menu number, a yes) on its page, not in its description."""
    message.ticket_id = ticket.id
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=note))


def _add_photo(session: Session, ticket: Ticket, media_id: str) -> None:
    attachment = TicketAttachment(ticket_id=ticket.id, kind="image", media_id=media_id)
    session.add(attachment)
    note_new_attachment(session, attachment)


def rate(session: Session, ticket: Ticket, score: int, comment: str) -> None:
    """Record the resident's rating of a resolved case."""
    ticket.rating = score
    ticket.rating_comment = comment or None
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=f"{RATED_NOTE} {score}"))


def can_reopen(ticket: Ticket) -> bool:
    """True when a resolved case is still within the reopening period."""
    if ticket.status != TicketStatus.RESOLVED or ticket.resolved_at is None:
        return False
    return utcnow() - ticket.resolved_at <= timedelta(days=REOPEN_DAYS)


def reopen(session: Session, ticket: Ticket, reason: str) -> None:
    """Reopen a resolved case at the resident's request (answered in the chat, so no notice)."""
    record_move(session, ticket, TicketStatus.REOPENED, RESIDENT, reason or "居民申请重新办理")
    ticket.resolved_at = None
    ticket.handler_id = None  # to be taken up again, as a new case is
    # A reopened case is handled anew: a new first-response and resolution clock (the first
    # response of the earlier round stays in the case's events).
    now = utcnow()
    ticket.first_response_at = None
    unit = session.get(Unit, ticket.unit_id)
    ticket.due_at = first_response_due(unit, ticket.category, ticket.urgent, ticket.collective, now)
    ticket.resolution_due_at = now + timedelta(days=CATEGORIES[ticket.category].resolution_days)


def status_line(session: Session, ticket: Ticket) -> str:
    """One line describing where a case stands, for the resident."""
    unit = session.get(Unit, ticket.unit_id)
    place = unit.office_name if unit else "区公共法律服务中心"
    label = CATEGORIES[ticket.category].label
    return f"{ticket.number}｜{label}｜{TicketStatus(ticket.status).resident_label}｜{place}"


def response_promise(ticket: Ticket, now=None) -> str:
    """How soon the resident will hear back, in words: out of office hours, honest about when the
    room opens (an urgent case: 110 first until then)."""
    now = now or utcnow()
    session = object_session(ticket)
    if session is None:
        raise ValueError(f"case {ticket.number} is not in a database session")
    unit = session.get(Unit, ticket.unit_id)
    opening = next_opening(unit.hours, now) if unit is not None and unit.hours else None
    if ticket.urgent or ticket.collective:
        hours = RESPONSE_HOURS["urgent" if ticket.urgent else "collective"]
        if opening is None:
            return f"工作人员会在 {hours} 小时内联系您"
        # Nobody is on duty at night or at the weekend: the hours count from the room's opening.
        first = f"在此之前如有危险，请先拨打 {first_call(ticket)}；" if ticket.urgent else ""
        return f"现在不在工作时间，{first}工作人员会在{opening_words(opening, now)}上班后 {hours} 小时内联系您"
    promise = f"工作人员会在 {CATEGORIES[ticket.category].first_response_hours // 24} 个工作日内回复您"
    if opening is None:
        return promise
    return f"{promise}（现在不在工作时间，{opening_words(opening, now)}上班后处理）"


def promise_made(ticket: Ticket) -> str:
    """What the resident was told when the case was opened about when a person would answer."""
    return response_promise(ticket, ticket.created_at)


def is_overdue(ticket: Ticket, now=None) -> bool:
    """True when an open case missed its first-response or resolution deadline."""
    if ticket.status not in OPEN_STATUSES:
        return False
    now = now or utcnow()
    first_due = ticket.due_at if ticket.first_response_at is None else None
    return any(due is not None and due < now for due in (first_due, ticket.resolution_due_at))


def next_deadline(ticket: Ticket):
    """The deadline that matters now: the first response until given, then the resolution."""
    if ticket.first_response_at is None and ticket.due_at is not None:
        return ticket.due_at
    return ticket.resolution_due_at


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """In SQL, what `is_overdue` says of a case."""
    missed_first = Ticket.first_response_at.is_(None) & (Ticket.due_at < now)
    return Ticket.status.in_(OPEN_STATUSES) & (missed_first | (Ticket.resolution_due_at < now))


def overdue_tickets(session: Session, now=None) -> list[Ticket]:
    """Open cases that missed their first-response or resolution deadline."""
    query = select(Ticket).where(overdue_condition(now or utcnow()))
    return list(session.scalars(query.order_by(Ticket.id)))


def escalate(
    session: Session, jobs: Jobs, ticket: Ticket, actor: str = SYSTEM, base_url: str = "", reason: str = ""
) -> Unit | None:
    """Move a case one level up (community → street → district): it needs a first response there
    within the short deadline; the resident and the next level's bound staff are told, the staff
    with the reason (a staff member's own words; the sweep's is OVERDUE). Returns the new unit, or
    None when the case is already at the top."""
    check_actor(session, actor)
    unit = session.get(Unit, ticket.unit_id)
    if unit is None or unit.parent is None:
        return None
    now = utcnow()
    if ticket.escalated_from_id is None:
        ticket.escalated_from_id = unit.id
    by_sweep = actor == SYSTEM
    reason = reason or OVERDUE
    before = {"unit_id": unit.id}
    note = f"{OVERDUE if by_sweep else '申请上级处理'}，已从{unit.office_name}上报至{unit.parent.office_name}"
    hand_over(session, ticket, unit.parent, ticket.role, actor, Handover.ESCALATION, note, reason)
    # The next level's short deadline counts from its opening while it is closed, as a new urgent
    # case's does: a case overdue at night does not climb to the district before anyone is in.
    ticket.due_at = first_response_due(unit.parent, ticket.category, ticket.urgent, True, now)
    ticket.first_response_at = None
    if ticket.resolution_due_at is not None and ticket.resolution_due_at < now:
        ticket.resolution_due_at = now + timedelta(days=CATEGORIES[ticket.category].resolution_days)
    notice = (
        f"您的工单 {ticket.number} 已上报至{unit.parent.office_name}，{_escalation_promise(ticket, unit.parent, now)}。"
    )
    tell_resident(session, jobs, ticket, notice, sender=actor)
    if by_sweep:
        audit(session, None, AuditAction.ESCALATE, ticket.id, before, {"unit_id": ticket.unit_id, "reason": reason})
        alerts.overdue_case(session, jobs, base_url, ticket, unit)
    else:
        alerts.sent_up(session, jobs, base_url, ticket, unit, reason)
    return unit.parent


def _escalation_promise(ticket: Ticket, unit: Unit, now: datetime) -> str:
    opening = next_opening(unit.hours, now) if unit.hours else None
    if opening is None:
        return "会尽快有人联系您"
    first = f"在此之前如有危险，请先拨打 {first_call(ticket)}；" if ticket.urgent else ""
    return f"现在不在工作时间，{first}{opening_words(opening, now)}上班后会尽快有人联系您"


def first_call(ticket: Ticket) -> str:
    """The emergency numbers an urgent case's resident is to call until staff are on duty: 119 for
    a fire or gas, 120 for someone hurt, 110 for the rest — read from the opening story, so the
    promise made is the promise shown later."""
    opening = ticket.description.split(LATER_LINES, 1)[0]
    calls = [call for kind in signals.danger_words(opening) for call in FIRST_CALLS.get(kind, POLICE)]
    return "、".join(dict.fromkeys(calls)) or POLICE[0]


def escalate_overdue(session: Session, jobs: Jobs, base_url: str = "") -> int:
    """Send every overdue case one level up and tell its resident; returns how many moved."""
    return sum(1 for ticket in overdue_tickets(session) if escalate(session, jobs, ticket, base_url=base_url))


def untouched(session: Session, ticket: Ticket) -> bool:
    """An open case still in the queue it was opened in, nobody having taken it up or held its
    conversation: it may follow what the resident says about where they live."""
    if ticket.status not in OPEN_STATUSES or ticket.handler_id is not None:
        return False
    handed = exists().where(TicketEvent.ticket_id == ticket.id, TicketEvent.handover.is_not(None))
    return not session.scalar(select(handed)) and handoff_of_ticket(session, ticket.id) is None


def awaiting_community(session: Session, ticket: Ticket) -> bool:
    """An urgent case opened at the district centre for want of a community, untouched since: it
    goes to the room of the community the resident names."""
    centre = district_centre(session)
    at_centre = centre is not None and ticket.unit_id == centre.id
    return ticket.urgent and at_centre and untouched(session, ticket)


def urgent_cases_awaiting_community(session: Session, resident_id: int) -> list[Ticket]:
    """The resident's urgent cases that go to the room of the community they name (awaiting_community)."""
    query = select(Ticket).where(
        Ticket.resident_id == resident_id, Ticket.urgent.is_(True), Ticket.status.in_(OPEN_STATUSES)
    )
    return [ticket for ticket in session.scalars(query.order_by(Ticket.id)) if awaiting_community(session, ticket)]


def move_to_community(session: Session, jobs: Jobs, ticket: Ticket, community: Unit, base_url: str = "") -> Unit:
    """A case opened before the resident named their community goes to that community's room (a
    group case to its street), as an intake would have routed it: recorded as a hand-over, in the
    audit log, and the new queue's staff are told as of a new case (an urgent one: someone always)."""
    target = routing_unit(session, community, ticket.collective)
    if target.id == ticket.unit_id:
        return target
    before = session.get_one(Unit, ticket.unit_id)
    moved = f"居民说明所在社区，由{before.office_name}转至{target.office_name}"
    reason = f"居民说明住在{community.name}"
    hand_over(session, ticket, target, ticket.role, SYSTEM, Handover.TO_COMMUNITY, moved, reason)
    after = {"unit_id": target.id, "reason": reason}
    audit(session, None, AuditAction.MOVE_TO_COMMUNITY, ticket.id, {"unit_id": before.id}, after)
    alerts.new_case(session, jobs, base_url, ticket, CATEGORIES[ticket.category].label, handed=f"{moved}。")
    return target


def transfer(
    session: Session,
    jobs: Jobs,
    ticket: Ticket,
    unit: Unit,
    role: str,
    actor: str,
    base_url: str = "",
    reason: str = "",
) -> None:
    """Hand a case to another room or role, with the reason for the receiver; the resident and the
    new queue's bound staff are told (the staff with the reason)."""
    if role not in ROLE_LABELS:
        raise ValueError(f"unknown role {role!r}")
    before = session.get_one(Unit, ticket.unit_id)
    if role != ticket.role:  # the kind follows the role: a mediator's case is a neighbour dispute
        ticket.category = category_of_role(role)
    moved = f"由{before.office_name}转至{unit.office_name}（{ROLE_LABELS[role]}）"
    hand_over(session, ticket, unit, role, actor, Handover.TRANSFER, moved, reason)
    notice = f"您的工单 {ticket.number} 已转交{unit.office_name}的{ROLE_LABELS[role]}办理。"
    tell_resident(session, jobs, ticket, notice, sender=actor)
    why = f"转交原因：{reason}" if reason else ""
    alerts.new_case(session, jobs, base_url, ticket, CATEGORIES[ticket.category].label, handed=why)
