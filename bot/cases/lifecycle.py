"""The ticket lifecycle: which status may follow which, and the one way to move a case.

Every status change goes through `move_ticket`: it checks the move against `STATUS_MOVES`,
refuses unknown actors, records the event and tells the resident through `tell_resident`. Every
move to another queue (room or role) goes through `hand_over`, which records how and why."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.jobs import Jobs
from bot.storage.base import utcnow
from bot.storage.directory import Unit
from bot.storage.messages import Message, NoticeKind
from bot.storage.residents import Resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Handover, Ticket, TicketEvent, TicketStatus
from bot.wechat.outbox import queue_message

# The one table of allowed moves. Open cases may be worked in any order; a resolved case is
# reopened by its resident or closed; closed and cancelled cases are final.
_WORKING = frozenset(
    {
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_INFO,
        TicketStatus.MEDIATION,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
        TicketStatus.CANCELLED,
    }
)
STATUS_MOVES: dict[str, frozenset[TicketStatus]] = {
    TicketStatus.NEW: _WORKING,
    TicketStatus.IN_PROGRESS: _WORKING - {TicketStatus.IN_PROGRESS},
    TicketStatus.WAITING_INFO: _WORKING - {TicketStatus.WAITING_INFO},
    TicketStatus.MEDIATION: _WORKING,  # scheduling again = moving the date
    TicketStatus.REOPENED: _WORKING,
    TicketStatus.RESOLVED: frozenset({TicketStatus.REOPENED, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
    TicketStatus.CANCELLED: frozenset(),
}
SYSTEM = "system"  # the sweep and other automatic moves
RESIDENT = "resident"  # the resident's own moves, from the chat
RESIDENT_MOVES = frozenset({TicketStatus.REOPENED, TicketStatus.CANCELLED})
REOPEN_DAYS = 7


class MoveRefused(ValueError):
    """A status move the lifecycle does not allow, or by an actor it does not know."""


def can_move(old_status: str, new_status: str) -> bool:
    """True when the table allows going from one status to the other."""
    return new_status in STATUS_MOVES.get(old_status, frozenset())


def check_actor(session: Session, actor: str) -> None:
    """Refuse an actor that is neither "system", "resident" nor an active staff account."""
    if actor in (SYSTEM, RESIDENT):
        return
    staff = staff_by_username(session, actor)
    if staff is None or not staff.active:
        raise MoveRefused(f"unknown staff account {actor!r}")


def move_ticket(
    session: Session,
    jobs: Jobs,
    ticket: Ticket,
    new_status: TicketStatus,
    actor: str,
    note: str = "",
    *,
    notice: str | None = None,
    tell: bool = True,
    kind: NoticeKind = NoticeKind.NOTICE,
) -> TicketEvent:
    """Move a case to a new status: check the move and the actor, record the event, and tell the
    resident (`notice`, or the standard wording with `note`; `tell=False` when the resident is
    answered in the chat instead; `kind` QUESTION or MEDIATION when the resident is to answer it)."""
    event = record_move(session, ticket, new_status, actor, note)
    if tell:
        tell_resident(session, jobs, ticket, notice or status_notice(ticket, note), sender=actor, kind=kind)
    return event


def record_move(session: Session, ticket: Ticket, new_status: str, actor: str, note: str = "") -> TicketEvent:
    """Move a case to a new status without telling the resident: check the move and the actor, record the event."""
    if not can_move(ticket.status, new_status):
        raise MoveRefused(f"{ticket.number}: {ticket.status} → {new_status} is not allowed")
    check_actor(session, actor)
    if actor == RESIDENT and new_status not in RESIDENT_MOVES:
        raise MoveRefused(f"a resident cannot move a case to {new_status}")
    now = utcnow()
    ticket.status = new_status
    if new_status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
    if actor not in (SYSTEM, RESIDENT) and ticket.first_response_at is None:
        ticket.first_response_at = now
    event = TicketEvent(ticket_id=ticket.id, status=new_status, note=note, actor=actor)
    session.add(event)
    return event


def hand_over(
    session: Session, ticket: Ticket, unit: Unit, role: str, actor: str, how: Handover, note: str, reason: str = ""
) -> TicketEvent:
    """Put a case in another queue (this unit, this role): it waits there for someone to take it
    up; the event says how it came and why (the receiver reads the reason)."""
    check_actor(session, actor)
    ticket.unit_id, ticket.role = unit.id, role
    ticket.handler_id = None
    event = TicketEvent(ticket_id=ticket.id, status=ticket.status, note=note, actor=actor, handover=how, reason=reason)
    session.add(event)
    return event


def status_notice(ticket: Ticket, note: str = "") -> str:
    """The standard message to the resident about a case's new status."""
    message = f"您的工单 {ticket.number} 状态更新：{TicketStatus(ticket.status).resident_label}。"
    if note:
        message += f"\n工作人员留言：{note}"
    if ticket.status == TicketStatus.RESOLVED:
        message += "\n请为本次服务打分：回复 1～5（5 分最满意），也可以在分数后写上意见。"
        message += f"\n如果问题没有解决，{REOPEN_DAYS} 天内回复“没解决”可重新打开。"
    return message


def tell_resident(
    session: Session, jobs: Jobs, ticket: Ticket, text: str, sender: str, kind: NoticeKind = NoticeKind.NOTICE
) -> list[int]:
    """Send the case's resident a customer-service message and keep it in the conversation log;
    returns the outbox ids (the console shows their delivery). From staff, it answers whatever the
    resident wrote on the case before (the inbox's 居民有新消息 clears)."""
    resident = session.get_one(Resident, ticket.resident_id)
    if sender != SYSTEM:
        ticket.resident_wrote_at = None
    ids = queue_message(session, jobs, resident, text)
    extra = {"sender": sender, "kind": kind, "outbound_ids": ids}
    session.add(
        Message(
            resident_id=resident.id, direction="out", msg_type="text", content=text, ticket_id=ticket.id, extra=extra
        )
    )
    return ids
