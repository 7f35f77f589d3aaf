"""What staff do on a case from the console — each action checked against the staff member's
scope, carried out through the lifecycle, and written to the audit log — and what they read:
the inbox and the case's thread."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from bot.cases import handoff as handoffs
from bot.cases import person_requests
from bot.cases.lifecycle import STATUS_MOVES, move_ticket, tell_resident
from bot.cases.office_hours import CHINA, WEEKDAY_NAMES
from bot.cases.staff import Scope, audit, can_act, can_view, staff_title
from bot.cases.tickets import escalate, is_overdue, next_deadline, transfer
from bot.categories import CATEGORIES, ROLE_LABELS
from bot.jobs import Jobs
from bot.storage.base import utcnow
from bot.storage.directory import Unit
from bot.storage.messages import Message, answered_by_resident
from bot.storage.outbox import OutboundMessage
from bot.storage.staff import CaseNote, Handoff, Staff, handoff_of_ticket, notes_of
from bot.storage.tickets import OPEN_STATUSES, STATUS_LABELS, Ticket, TicketAttachment, TicketEvent
from bot.training import review

DONE_STATUSES = tuple(status for status in STATUS_LABELS if status not in OPEN_STATUSES)
# Statuses as staff say them (the resident-facing labels in STATUS_LABELS are longer).
STAFF_STATUS_LABELS = {
    "new": "待受理",
    "in_progress": "处理中",
    "waiting_info": "待居民补充",
    "mediation": "已安排调解",
    "reopened": "重新打开",
    "resolved": "已办结",
    "closed": "已关闭",
    "cancelled": "已撤销",
}
INBOX_LIMIT = 100  # the most urgent hundred; the filters narrow a larger queue
THREAD_LIMIT = 300  # the resident's latest messages shown on a case page
MAX_REPLY_CHARS = 1500


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


def _audited(session: Session, staff: Staff, action: str, ticket: Ticket, before: dict, **extra) -> None:
    audit(session, staff, action, ticket.id, before, {**snapshot(ticket), **extra})


def _require_open(ticket: Ticket) -> None:
    if ticket.status not in OPEN_STATUSES:
        raise ActionError(f"工单已{STATUS_LABELS[ticket.status]}，不能再办理")


def _touch_handoff(session: Session, ticket: Ticket, staff: Staff) -> None:
    current = handoff_of_ticket(session, ticket.id)
    if current is not None and current.staff_id == staff.id:
        handoffs.note_activity(current)


def accept(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff) -> None:
    """Take the case on: it is being handled, and the resident hears who has it."""
    if ticket.status not in ("new", "reopened", "waiting_info"):
        raise ActionError("只有新工单、重新打开或等待补充的工单可以受理")
    before = snapshot(ticket)
    notice = f"您的工单 {ticket.number} 已由{staff_title(staff)}受理，正在办理。"
    move_ticket(session, jobs, ticket, "in_progress", staff.username, "受理", notice=notice)
    _audited(session, staff, "accept", ticket, before)


def ask_for_information(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, question: str) -> None:
    """Ask the resident for more information; the case waits for the answer."""
    question = _text(question, "请写明需要居民补充什么")
    before = snapshot(ticket)
    notice = (
        f"关于您的工单 {ticket.number}，{staff.name}需要您补充：\n{question}\n"
        "请直接回复“补充：”加上内容，也可以发照片。"
    )
    move_ticket(session, jobs, ticket, "waiting_info", staff.username, question, notice=notice, kind="question")
    person_requests.answered(session, ticket, staff.username)
    _touch_handoff(session, ticket, staff)
    _audited(session, staff, "ask_for_information", ticket, before, question=question)


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
    move_ticket(session, jobs, ticket, "mediation", staff.username, f"{when}，{place}", notice=notice, kind="mediation")
    _audited(session, staff, "schedule_mediation", ticket, before)


def transfer_case(
    session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, unit: Unit, role: str, base_url: str
) -> None:
    """Hand the case to another room or role (the staff member may lose access to it)."""
    _require_open(ticket)
    if role not in ROLE_LABELS:
        raise ActionError("请选择角色")
    if (unit.id, role) == (ticket.unit_id, ticket.role):
        raise ActionError("工单已在该工作室和角色的待办中")
    before = snapshot(ticket)
    review.record_transfer(session, ticket, role)  # another role: the model misread the opening message
    _release_if_held(session, jobs, ticket)
    transfer(session, jobs, ticket, unit, role, staff.username, base_url)
    _audited(session, staff, "transfer", ticket, before)


def escalate_case(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, base_url: str) -> None:
    """Send the case one level up now (a hard or group case)."""
    _require_open(ticket)
    before = snapshot(ticket)
    if escalate(session, jobs, ticket, staff.username, base_url, reason=f"{staff.name}申请上级处理") is None:
        raise ActionError("工单已在区公共法律服务中心，不能再上报")
    _audited(session, staff, "escalate", ticket, before)


def resolve(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, outcome: str) -> None:
    """Close the work on a case with its outcome; the resident is told and asked to rate it."""
    outcome = _text(outcome, "请填写办理结果")
    before = snapshot(ticket)
    current = handoff_of_ticket(session, ticket.id)
    if current is not None:
        handoffs.release(session, jobs, current, "resolved")
    move_ticket(session, jobs, ticket, "resolved", staff.username, outcome)
    person_requests.answered(session, ticket, staff.username)
    _audited(session, staff, "resolve", ticket, before, outcome=outcome)


def reply(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff, text: str) -> list[int]:
    """Send the resident a message from staff (customer-service message through the outbox)."""
    text = _text(text, "回复内容不能为空")
    if len(text) > MAX_REPLY_CHARS:
        raise ActionError(f"回复太长了（最多 {MAX_REPLY_CHARS} 字）")
    if ticket.first_response_at is None:
        ticket.first_response_at = utcnow()
    signed = f"{text}\n—— {staff.name}"
    ids = tell_resident(session, jobs, ticket, signed, sender=staff.username, kind="reply")
    person_requests.answered(session, ticket, staff.username)
    _touch_handoff(session, ticket, staff)
    audit(session, staff, "reply", ticket.id, {}, {"outbound_ids": ids})
    return ids


def add_note(session: Session, ticket: Ticket, staff: Staff, text: str) -> CaseNote:
    """An internal note on the case; the resident never sees it."""
    note = CaseNote(ticket_id=ticket.id, staff_id=staff.id, text=_text(text, "备注不能为空"))
    session.add(note)
    session.flush()
    audit(session, staff, "note", ticket.id, {}, {"note_id": note.id})
    return note


def take_over(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff) -> Handoff:
    """Hold the resident's conversation: the bot stops answering them until released."""
    _require_open(ticket)
    try:
        held = handoffs.take_over(session, jobs, ticket, staff)
    except handoffs.HandoffRefused as error:
        raise ActionError(str(error)) from error
    if ticket.status in ("new", "reopened"):
        move_ticket(session, jobs, ticket, "in_progress", staff.username, "人工接管对话", tell=False)
    person_requests.answered(session, ticket, staff.username)  # the resident was told who is with them
    audit(session, staff, "take_over", ticket.id, {}, {"handoff_id": held.id})
    return held


def release_conversation(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff) -> None:
    """Give the conversation back to the bot; the resident is told."""
    current = handoff_of_ticket(session, ticket.id)
    if current is None:
        raise ActionError("当前没有人工接管")
    handoffs.release(session, jobs, current, "staff")
    audit(session, staff, "release", ticket.id, {"handoff_id": current.id}, {})


def _release_if_held(session: Session, jobs: Jobs, ticket: Ticket) -> None:
    current = handoff_of_ticket(session, ticket.id)
    if current is not None:
        handoffs.release(session, jobs, current, "staff")


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
    if ticket.status in ("new", "reopened", "waiting_info"):
        actions.add("accept")
    for move, action in (("waiting_info", "ask"), ("mediation", "mediation"), ("resolved", "resolve")):
        if move in moves:
            actions.add(action)
    return actions


# --- Reading: the inbox --------------------------------------------------------------------------


@dataclass
class InboxRow:
    """One case in the inbox."""

    ticket: Ticket
    unit_name: str
    deadline: datetime | None
    overdue: bool
    held: bool
    resident_wrote: bool = False  # the resident wrote after staff last did: someone should answer
    person_waited: str = ""  # the resident asked for a person this long ago and nobody answered ("25 分钟")

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


def inbox(
    session: Session,
    scope: Scope,
    view: str = "open",
    unit_id: int | None = None,
    role: str | None = None,
    limit: int = INBOX_LIMIT,
) -> list[InboxRow]:
    """The cases this scope may read: urgent ones first, then requests for a person (the longest
    waiting first), then by the deadline that matters now."""
    statuses = OPEN_STATUSES if view == "open" else DONE_STATUSES
    deadline = case((Ticket.first_response_at.is_(None), Ticket.due_at), else_=Ticket.resolution_due_at)
    query = select(Ticket).where(Ticket.status.in_(statuses))
    if not scope.admin:
        query = query.where(Ticket.unit_id.in_(scope.unit_ids))
    if unit_id is not None:
        query = query.where(Ticket.unit_id == unit_id)
    if role:
        query = query.where(Ticket.role == role)
    if view == "open":
        query = query.order_by(
            Ticket.urgent.desc(), Ticket.person_requested_at.asc().nulls_last(), deadline.asc().nulls_last(), Ticket.id
        )
    else:
        query = query.order_by(Ticket.updated_at.desc())
    tickets = list(session.scalars(query.limit(limit)))
    held = _held_ticket_ids(session, [ticket.id for ticket in tickets])
    answered = answered_by_resident(session, [ticket.id for ticket in tickets])
    units = _unit_names(session, {ticket.unit_id for ticket in tickets})
    now = utcnow()
    return [
        InboxRow(
            ticket,
            units.get(ticket.unit_id, ""),
            next_deadline(ticket),
            is_overdue(ticket, now),
            ticket.id in held,
            ticket.id in answered,
            person_requests.waited(ticket, now),
        )
        for ticket in tickets
    ]


def _held_ticket_ids(session: Session, ticket_ids: list[int]) -> set[int]:
    if not ticket_ids:
        return set()
    query = select(Handoff.ticket_id).where(Handoff.ticket_id.in_(ticket_ids), Handoff.released_at.is_(None))
    return set(session.scalars(query))


def _unit_names(session: Session, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.office_name).where(Unit.id.in_(unit_ids))).all())


def scope_units(session: Session, scope: Scope) -> list[Unit]:
    """The units whose queues this scope may open, for the inbox's room filter."""
    query = select(Unit).order_by(Unit.id)
    if not scope.admin:
        query = query.where(Unit.id.in_(scope.unit_ids))
    return list(session.scalars(query))


# --- Reading: a case's thread ---------------------------------------------------------------------

DELIVERY = {
    "sent": ("已送达", "ok"),
    "queued": ("发送中", "wait"),
    "deferred": ("等待居民下次发消息（已超过 48 小时窗口）", "wait"),
    "failed": ("发送失败", "bad"),
}


@dataclass
class ThreadItem:
    """One entry of the case page's chat: a message, a note or a status change."""

    kind: str  # resident | bot | staff | notice | note | event
    at: datetime
    text: str
    who: str = ""
    delivery: tuple[str, str] | None = None
    photo_id: int | None = None
    this_case: bool = True
    key: str = ""


@dataclass
class Thread:
    """Everything the case page shows in its chat, with a version that changes when it does."""

    items: list[ThreadItem] = field(default_factory=list)
    version: str = ""


def thread(session: Session, ticket: Ticket) -> Thread:
    """The resident's conversation (latest messages, bot answers, staff replies and notices), the
    case's internal notes and its status history, in time order."""
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.resident_id == ticket.resident_id)
            .order_by(Message.id.desc())
            .limit(THREAD_LIMIT)
        )
    )[::-1]
    outbound = _outbound_status(session, messages)
    photos = _photos(session, ticket.id)
    names = _staff_names(session)
    items = [_message_item(message, ticket.id, outbound, photos, names) for message in messages]
    items += [
        ThreadItem("note", note.created_at, note.text, names.get(note.staff_id, ""), key=f"n{note.id}")
        for note in notes_of(session, ticket.id)
    ]
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))
    items += [_event_item(event, names) for event in events]
    items.sort(key=lambda item: (item.at, item.key))
    fingerprint = "|".join(f"{item.key}:{item.delivery[0] if item.delivery else ''}" for item in items)
    return Thread(items, hashlib.sha1(fingerprint.encode()).hexdigest()[:16])


def _outbound_status(session: Session, messages: list[Message]) -> dict[int, str]:
    ids = [i for message in messages for i in (message.extra or {}).get("outbound_ids", [])]
    if not ids:
        return {}
    return dict(
        session.execute(select(OutboundMessage.id, OutboundMessage.status).where(OutboundMessage.id.in_(ids))).all()
    )


def _photos(session: Session, ticket_id: int) -> dict[str, int]:
    query = select(TicketAttachment.media_id, TicketAttachment.id).where(
        TicketAttachment.ticket_id == ticket_id, TicketAttachment.content.is_not(None)
    )
    return dict(session.execute(query).all())


def _staff_names(session: Session) -> dict:
    rows = session.execute(select(Staff.id, Staff.username, Staff.name)).all()
    return {**{row.id: row.name for row in rows}, **{row.username: row.name for row in rows}}


def _message_item(message: Message, ticket_id: int, outbound: dict, photos: dict, names: dict) -> ThreadItem:
    extra = message.extra or {}
    this_case = message.ticket_id in (None, ticket_id)
    key = f"m{message.id}"
    if message.direction == "in":
        return ThreadItem(
            "resident",
            message.created_at,
            _inbound_text(message),
            "居民",
            photo_id=photos.get(message.media_id or ""),
            this_case=this_case,
            key=key,
        )
    sender = extra.get("sender")
    if sender is None:
        return ThreadItem("bot", message.created_at, message.content, "智能助手", this_case=this_case, key=key)
    statuses = [outbound.get(i) for i in extra.get("outbound_ids", [])]
    worst = next((s for s in ("failed", "deferred", "queued") if s in statuses), "sent" if statuses else None)
    kind = "staff" if extra.get("kind") == "reply" else "notice"
    who = names.get(sender, "系统通知" if sender == "system" else sender)
    return ThreadItem(kind, message.created_at, message.content, who, DELIVERY.get(worst), this_case=this_case, key=key)


def _inbound_text(message: Message) -> str:
    extra = message.extra or {}
    if message.msg_type == "image":
        return "［照片］"
    if message.msg_type == "voice":
        return f"［语音］{message.content}" if message.content else "［语音，未能识别］"
    if message.msg_type == "location":
        return f"［位置］{extra.get('label') or ''} ({extra.get('latitude')}, {extra.get('longitude')})"
    if message.msg_type == "event":
        return f"［事件：{extra.get('event', '')}］"
    if message.msg_type in ("link", "video", "shortvideo"):
        return f"［{message.msg_type}］{message.content}"
    return message.content


def _event_item(event: TicketEvent, names: dict) -> ThreadItem:
    label = STAFF_STATUS_LABELS.get(event.status, event.status)
    text = f"{label}" + (f" · {event.note}" if event.note else "")
    who = {"system": "系统", "resident": "居民"}.get(event.actor) or names.get(event.actor, event.actor)
    return ThreadItem("event", event.created_at, text, who, key=f"e{event.id}")
