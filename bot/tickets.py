"""Cases: opening, routing, status changes, rating and reopening."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.categories import CATEGORIES, RESPONSE_HOURS
from bot.media import note_new_attachment
from bot.outbox import queue_message
from bot.storage.base import utcnow
from bot.storage.directory import Unit, district_centre
from bot.storage.messages import Message
from bot.storage.residents import Resident
from bot.storage.tickets import OPEN_STATUSES, STATUS_LABELS, Ticket, TicketAttachment, TicketEvent

REOPEN_DAYS = 7


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


def open_ticket(session: Session, resident: Resident, request: CaseRequest) -> Ticket:
    """Open a case routed to the right unit and role; returns the new ticket."""
    unit = routing_unit(session, request.unit, request.collective)
    urgency = "urgent" if request.urgent else "collective" if request.collective else "normal"
    ticket = Ticket(
        resident_id=resident.id,
        opening_message_id=request.opening_message_id,
        category=request.category,
        unit_id=unit.id,
        role=CATEGORIES[request.category].role,
        urgent=request.urgent,
        collective=request.collective,
        description=request.description,
        contact_phone=request.phone,
        due_at=utcnow() + timedelta(hours=RESPONSE_HOURS[urgency]),
    )
    session.add(ticket)
    session.flush()
    ticket.number = f"JH{ticket.created_at:%y%m%d}-{ticket.id:04d}"
    session.add(TicketEvent(ticket_id=ticket.id, status="new", note=unit.office_name))
    _attach(session, ticket, request)
    return ticket


def routing_unit(session: Session, unit: Unit | None, collective: bool) -> Unit:
    """Where a case goes: group disputes to the street workstation, no community to the centre."""
    if unit is not None and collective and unit.parent is not None:
        return unit.parent
    return unit or district_centre(session)


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


def _add_photo(session: Session, ticket: Ticket, media_id: str) -> None:
    attachment = TicketAttachment(ticket_id=ticket.id, kind="image", media_id=media_id)
    session.add(attachment)
    note_new_attachment(session, attachment)


def change_status(session: Session, ticket: Ticket, status: str, actor: str, note: str = "") -> str:
    """Move a case to a new status, record who did it, and return what to tell the resident."""
    ticket.status = status
    if status == "resolved":
        ticket.resolved_at = utcnow()
    session.add(TicketEvent(ticket_id=ticket.id, status=status, note=note, actor=actor))
    message = f"您的工单 {ticket.number} 状态更新：{STATUS_LABELS[status]}。"
    if note:
        message += f"\n工作人员留言：{note}"
    if status == "resolved":
        message += "\n请为本次服务打分：回复 1～5（5 分最满意），也可以在分数后写上意见。"
        message += f"\n如果问题没有解决，{REOPEN_DAYS} 天内回复“没解决”可重新打开。"
    return message


def rate(session: Session, ticket: Ticket, score: int, comment: str) -> None:
    """Record the resident's rating of a resolved case."""
    ticket.rating = score
    ticket.rating_comment = comment or None
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=f"评分 {score}"))


def can_reopen(ticket: Ticket) -> bool:
    """True when a resolved case is still within the reopening period."""
    resolved_at = ticket.resolved_at
    if ticket.status != "resolved" or resolved_at is None:
        return False
    if resolved_at.tzinfo is None:  # SQLite drops the zone; stored values are UTC
        resolved_at = resolved_at.replace(tzinfo=utcnow().tzinfo)
    return utcnow() - resolved_at <= timedelta(days=REOPEN_DAYS)


def reopen(session: Session, ticket: Ticket, reason: str) -> None:
    """Reopen a resolved case at the resident's request."""
    ticket.status = "reopened"
    session.add(TicketEvent(ticket_id=ticket.id, status="reopened", note=reason or "居民申请重新办理"))


def status_line(session: Session, ticket: Ticket) -> str:
    """One line describing where a case stands, for the resident."""
    unit = session.get(Unit, ticket.unit_id)
    place = unit.office_name if unit else "区公共法律服务中心"
    label = CATEGORIES[ticket.category].label
    return f"{ticket.number}｜{label}｜{STATUS_LABELS[ticket.status]}｜{place}"


def response_promise(ticket: Ticket) -> str:
    """How soon the resident will hear back, in words."""
    if ticket.urgent:
        return f"工作人员会在 {RESPONSE_HOURS['urgent']} 小时内联系您"
    if ticket.collective:
        return f"街道工作站会在 {RESPONSE_HOURS['collective']} 小时内联系您"
    return f"工作人员会在 {RESPONSE_HOURS['normal'] // 24} 个工作日内回复您"


def overdue_tickets(session: Session, now=None) -> list[Ticket]:
    """Open cases whose expected response time has passed."""
    now = now or utcnow()
    query = select(Ticket).where(Ticket.status.in_(OPEN_STATUSES), Ticket.due_at < now).order_by(Ticket.id)
    return list(session.scalars(query))


def escalate(session: Session, ticket: Ticket) -> str | None:
    """Move an overdue case one level up (community → street → district); returns the notice
    for the resident, or None when it is already at the top."""
    unit = session.get(Unit, ticket.unit_id)
    if unit is None or unit.parent is None:
        return None
    ticket.unit_id = unit.parent_id
    ticket.due_at = utcnow() + timedelta(hours=RESPONSE_HOURS["urgent" if ticket.urgent else "collective"])
    note = f"超时未处理，已从{unit.office_name}上报至{unit.parent.office_name}"
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=note, actor="system"))
    return f"您的工单 {ticket.number} 已上报至{unit.parent.office_name}，会尽快有人联系您。"


def escalate_overdue(session: Session, jobs) -> int:
    """Send every overdue case one level up and tell its resident; returns how many moved."""
    moved = 0
    for ticket in overdue_tickets(session):
        notice = escalate(session, ticket)
        if notice:
            queue_message(session, jobs, session.get(Resident, ticket.resident_id), notice)
            moved += 1
    return moved
