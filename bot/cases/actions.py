"""What staff do on a case from the console: each action checked against the staff member's
scope, carried out through the lifecycle, and written to the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.cases import handoff as handoffs
from bot.cases import person_requests
from bot.cases.lifecycle import STATUS_MOVES, move_ticket, tell_resident
from bot.cases.office_hours import CHINA, WEEKDAY_NAMES
from bot.cases.staff import Scope, audit, can_act, can_view, staff_title
from bot.cases.tickets import escalate, transfer
from bot.categories import ROLE_LABELS
from bot.jobs import Jobs
from bot.storage.audit import AuditAction
from bot.storage.base import utcnow
from bot.storage.directory import Unit
from bot.storage.messages import NoticeKind
from bot.storage.staff import CaseNote, Handoff, ReleaseReason, Staff, handoff_of_ticket
from bot.storage.tickets import OPEN_STATUSES, Ticket, TicketEvent, TicketStatus
from bot.training import review

MAX_REPLY_CHARS = 1500
# A transfer's or an escalation's reason: a line the receiver reads on the inbox card.
MAX_REASON_CHARS = 100
ACCEPTED_NOTE = "受理"
# The statuses a case may be taken on from: nobody works on it yet, or it waits for the resident.
ACCEPTABLE = (TicketStatus.NEW, TicketStatus.REOPENED, TicketStatus.WAITING_INFO)
# The buttons that move a case to a status: shown when the lifecycle allows that move.
MOVE_BUTTONS = {TicketStatus.WAITING_INFO: "ask", TicketStatus.MEDIATION: "mediation", TicketStatus.RESOLVED: "resolve"}


class NotVisible(LookupError):
    """The case does not exist or lies outside the staff member's rooms (shown as 404)."""


class NotAllowed(PermissionError):
    """The staff member may read the case but not do this to it (shown as 403)."""


class ActionError(ValueError):
    """The action cannot be done as asked (the message says why, in Chinese)."""


def visible_ticket(session: Session, scope: Scope, ticket_id: int) -> Ticket:
    """The case if this scope may read it; NotVisible otherwise (also for unknown ids)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not can_view(scope, ticket.unit_id, ticket.role):
        raise NotVisible(ticket_id)
    return ticket


def workable_ticket(session: Session, scope: Scope, ticket_id: int) -> Ticket:
    """The case if this scope may act on it; NotVisible or NotAllowed otherwise."""
    ticket = visible_ticket(session, scope, ticket_id)
    if not can_act(scope, ticket.unit_id, ticket.role):
        raise NotAllowed(ticket_id)
    return ticket


def snapshot(ticket: Ticket) -> dict:
    """The parts of a case the audit log compares before and after an action."""
    return {
        "status": ticket.status,
        "unit_id": ticket.unit_id,
        "role": ticket.role,
        "mediation_at": ticket.mediation_at.isoformat() if ticket.mediation_at else None,
        "mediation_place": ticket.mediation_place or "",
    }


def _audited(session: Session, staff: Staff, action: AuditAction, ticket: Ticket, before: dict, **extra) -> None:
    audit(session, staff, action, ticket.id, before, {**snapshot(ticket), **extra})


def _require_open(ticket: Ticket) -> None:
    if ticket.status not in OPEN_STATUSES:
        raise ActionError(f"工单{TicketStatus(ticket.status).staff_label}，不能再办理")


def _touch_handoff(session: Session, ticket: Ticket, staff: Staff) -> None:
    current = handoff_of_ticket(session, ticket.id)
    if current is not None and current.staff_id == staff.id:
        handoffs.note_activity(current)


def may_accept(ticket: Ticket) -> bool:
    """Nobody works on the case yet, it waits for the resident, or it was just handed over to a
    queue where nobody took it up yet."""
    return ticket.status in ACCEPTABLE or (ticket.status in OPEN_STATUSES and ticket.handler_id is None)


def accept(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff) -> None:
    """Take the case on: it is being handled, by this staff member, and the resident hears who has it."""
    if not may_accept(ticket):
        raise ActionError("只有新工单、重新打开、等待补充或刚转来的工单可以受理")
    before = snapshot(ticket)
    notice = f"您的工单 {ticket.number} 已由{staff_title(staff)}受理，正在办理。"
    if ticket.status in ACCEPTABLE:
        move_ticket(session, jobs, ticket, TicketStatus.IN_PROGRESS, staff.username, ACCEPTED_NOTE, notice=notice)
    else:  # handed over while being worked on: its status stays, its new handler is named
        _accept_in_place(session, jobs, ticket, staff, notice)
    ticket.handler_id = staff.id
    _audited(session, staff, AuditAction.ACCEPT, ticket, before)


def _accept_in_place(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, notice: str) -> None:
    # Accepted without a move of status (in progress, mediation): the event, the first response
    # in this queue, the resident's notice.
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=ACCEPTED_NOTE, actor=staff.username))
    if ticket.first_response_at is None:
        ticket.first_response_at = utcnow()
    tell_resident(session, jobs, ticket, notice, sender=staff.username)


def _take_up(ticket: Ticket, staff: Staff) -> None:
    """Whoever first answers the resident on a case nobody took up has taken it up."""
    if ticket.handler_id is None:
        ticket.handler_id = staff.id


def ask_for_information(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, question: str) -> None:
    """Ask the resident for more information; the case waits for the answer."""
    question = _text(question, "请写明需要居民补充什么")
    before = snapshot(ticket)
    notice = (
        f"关于您的工单 {ticket.number}，{staff.name}需要您补充：\n{question}\n"
        "请直接回复“补充：”加上内容，也可以发照片。"
    )
    status = TicketStatus.WAITING_INFO
    move_ticket(session, jobs, ticket, status, staff.username, question, notice=notice, kind=NoticeKind.QUESTION)
    person_requests.answered(session, ticket, staff.username)
    _take_up(ticket, staff)
    _touch_handoff(session, ticket, staff)
    _audited(session, staff, AuditAction.ASK_FOR_INFORMATION, ticket, before, question=question)


def schedule_mediation(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, at: datetime, place: str) -> None:
    """Fix (or move) the time and place of a mediation; the resident is told."""
    place = _text(place, "请填写调解地点")
    if at <= utcnow():
        raise ActionError("调解时间必须在将来")
    before = snapshot(ticket)
    ticket.mediation_at, ticket.mediation_place = at, place
    local = at.astimezone(CHINA)
    when = f"{local:%Y年%m月%d日} 周{WEEKDAY_NAMES[local.weekday()]} {local:%H:%M}"
    notice = (
        f"您的工单 {ticket.number} 已安排调解：\n时间：{when}\n地点：{place}\n调解员：{staff.name}\n"
        "请带上身份证和相关材料按时到场；如时间不方便，请直接回复说明。"
    )
    note, kind = f"{when}，{place}", NoticeKind.MEDIATION
    move_ticket(session, jobs, ticket, TicketStatus.MEDIATION, staff.username, note, notice=notice, kind=kind)
    _take_up(ticket, staff)
    _audited(session, staff, AuditAction.SCHEDULE_MEDIATION, ticket, before)


def transfer_case(
    session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, unit: Unit, role: str, base_url: str, reason: str
) -> None:
    """Hand the case to another room or role with the reason the receiver reads (the staff member
    may lose access to it)."""
    _require_open(ticket)
    reason = _reason(reason, "请写明转交原因，接收的同事会看到")
    if role not in ROLE_LABELS:
        raise ActionError("请选择角色")
    if (unit.id, role) == (ticket.unit_id, ticket.role):
        raise ActionError("工单已在该工作室和角色的待办中")
    before = snapshot(ticket)
    review.record_transfer(session, ticket, role)  # another role: the model misread the opening message
    _release_if_held(session, jobs, ticket)
    transfer(session, jobs, ticket, unit, role, staff.username, base_url, reason)
    _audited(session, staff, AuditAction.TRANSFER, ticket, before, reason=reason)


def escalate_case(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, base_url: str, reason: str) -> None:
    """Send the case one level up now (a hard or group case), with the reason the next level reads."""
    _require_open(ticket)
    reason = _reason(reason, "请写明上报原因，上级的同事会看到")
    before = snapshot(ticket)
    if escalate(session, jobs, ticket, staff.username, base_url, reason=reason) is None:
        raise ActionError("工单已在区公共法律服务中心，不能再上报")
    _audited(session, staff, AuditAction.ESCALATE, ticket, before, reason=reason)


def resolve(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, outcome: str) -> None:
    """Close the work on a case with its outcome; the resident is told and asked to rate it."""
    outcome = _text(outcome, "请填写办理结果")
    before = snapshot(ticket)
    current = handoff_of_ticket(session, ticket.id)
    if current is not None:
        handoffs.release(session, jobs, current, ReleaseReason.RESOLVED)
    move_ticket(session, jobs, ticket, TicketStatus.RESOLVED, staff.username, outcome)
    person_requests.answered(session, ticket, staff.username)
    _take_up(ticket, staff)
    _audited(session, staff, AuditAction.RESOLVE, ticket, before, outcome=outcome)


def reply(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, text: str) -> list[int]:
    """Send the resident a message from staff (customer-service message through the outbox)."""
    text = _text(text, "回复内容不能为空")
    if len(text) > MAX_REPLY_CHARS:
        raise ActionError(f"回复太长了（最多 {MAX_REPLY_CHARS} 字）")
    if ticket.first_response_at is None:
        ticket.first_response_at = utcnow()
    signed = f"{text}\n—— {staff.name}"
    ids = tell_resident(session, jobs, ticket, signed, sender=staff.username, kind=NoticeKind.REPLY)
    person_requests.answered(session, ticket, staff.username)
    _take_up(ticket, staff)
    _touch_handoff(session, ticket, staff)
    audit(session, staff, AuditAction.REPLY, ticket.id, {}, {"outbound_ids": ids})
    return ids


def add_note(session: Session, ticket: Ticket, staff: Staff, text: str) -> CaseNote:
    """An internal note on the case; the resident never sees it."""
    note = CaseNote(ticket_id=ticket.id, staff_id=staff.id, text=_text(text, "备注不能为空"))
    session.add(note)
    session.flush()
    audit(session, staff, AuditAction.NOTE, ticket.id, {}, {"note_id": note.id})
    return note


def take_over(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff) -> Handoff:
    """Hold the resident's conversation: the bot stops answering them until released."""
    _require_open(ticket)
    try:
        held = handoffs.take_over(session, jobs, ticket, staff)
    except handoffs.HandoffRefused as error:
        raise ActionError(str(error)) from error
    if ticket.status in (TicketStatus.NEW, TicketStatus.REOPENED):
        move_ticket(session, jobs, ticket, TicketStatus.IN_PROGRESS, staff.username, "人工接管对话", tell=False)
    person_requests.answered(session, ticket, staff.username)  # the resident was told who is with them
    _take_up(ticket, staff)
    audit(session, staff, AuditAction.TAKE_OVER, ticket.id, {}, {"handoff_id": held.id})
    return held


def release_conversation(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff) -> None:
    """Give the conversation back to the bot; the resident is told."""
    current = handoff_of_ticket(session, ticket.id)
    if current is None:
        raise ActionError("当前没有人工接管")
    handoffs.release(session, jobs, current, ReleaseReason.STAFF)
    audit(session, staff, AuditAction.RELEASE, ticket.id, {"handoff_id": current.id}, {})


def _release_if_held(session: Session, jobs: Jobs, ticket: Ticket) -> None:
    current = handoff_of_ticket(session, ticket.id)
    if current is not None:
        handoffs.release(session, jobs, current, ReleaseReason.STAFF)


def _reason(value: str, missing: str) -> str:
    reason = " ".join(_text(value, missing).split())  # one line: the inbox card shows it
    if len(reason) > MAX_REASON_CHARS:
        raise ActionError(f"原因请写在 {MAX_REASON_CHARS} 字以内")
    return reason


def _text(value: str, error: str) -> str:
    # Browsers send a line break as "\r\n": counted once, as the text box counts it.
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise ActionError(error)
    return value


def allowed_actions(scope: Scope, ticket: Ticket, held_by_me: bool, held: bool) -> set[str]:
    """The console's buttons for this staff member on this case (the server checks again on post)."""
    if not can_act(scope, ticket.unit_id, ticket.role):
        return {"note"}
    actions = {"note"}
    moves = STATUS_MOVES[ticket.status]
    if ticket.status in OPEN_STATUSES:
        actions |= {"reply", "transfer", "escalate"}
        actions |= {"release"} if held else {"take_over"}
    if may_accept(ticket):
        actions.add("accept")
    actions |= {action for move, action in MOVE_BUTTONS.items() if move in moves}
    return actions
