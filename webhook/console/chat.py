"""The case page's chat: the resident's conversation, the bot's answers, staff replies and notices
with their delivery, internal notes and status changes, in time order."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.lifecycle import RESIDENT, SYSTEM
from bot.storage.messages import Message, NoticeKind
from bot.storage.outbox import OutboundMessage, OutboxStatus
from bot.storage.staff import Staff, notes_of
from bot.storage.tickets import Ticket, TicketAttachment, TicketEvent
from webhook.console.common import staff_status_label

THREAD_LIMIT = 300  # the resident's latest messages shown on a case page
# How a message's delivery reads on the page, and its CSS class.
DELIVERY = {
    OutboxStatus.SENT: ("已送达", "ok"),
    OutboxStatus.QUEUED: ("发送中", "wait"),
    OutboxStatus.SENDING: ("发送中", "wait"),
    OutboxStatus.DEFERRED: ("等待居民下次发消息（已超过 48 小时窗口）", "wait"),
    OutboxStatus.FAILED: ("发送失败", "bad"),
}
# A message sent in parts shows the worst of their fates.
WORST_FIRST = (OutboxStatus.FAILED, OutboxStatus.DEFERRED, OutboxStatus.QUEUED, OutboxStatus.SENDING)


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
    reason: str = ""  # why the case was handed to another queue (an event's)


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
    query = select(OutboundMessage.id, OutboundMessage.status).where(OutboundMessage.id.in_(ids))
    return dict(session.execute(query).tuples().all())


def _photos(session: Session, ticket_id: int) -> dict[str, int]:
    query = select(TicketAttachment.media_id, TicketAttachment.id).where(
        TicketAttachment.ticket_id == ticket_id, TicketAttachment.content.is_not(None)
    )
    return dict(session.execute(query).tuples().all())


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
    worst = next((s for s in WORST_FIRST if s in statuses), OutboxStatus.SENT if statuses else None)
    kind = "staff" if extra.get("kind") == NoticeKind.REPLY else "notice"
    who = names.get(sender, "系统通知" if sender == SYSTEM else sender)
    delivery = DELIVERY.get(worst) if worst is not None else None
    return ThreadItem(kind, message.created_at, message.content, who, delivery, this_case=this_case, key=key)


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
    text = staff_status_label(event.status) + (f" · {event.note}" if event.note else "")
    who = {SYSTEM: "系统", RESIDENT: "居民"}.get(event.actor) or names.get(event.actor, event.actor)
    return ThreadItem("event", event.created_at, text, who, key=f"e{event.id}", reason=event.reason)
