"""A resident's right to see and to erase their data (PIPL), and the retention period.

Erasing keeps each case's statistics (category, room, role, status, urgency, rating, dates) and
drops the person: their openid is replaced by a one-way tag, every message, photo, phone number,
description, status note and staff note goes.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.storage.base import utcnow
from bot.storage.dead_letters import DeadLetter, dead_letters_mentioning
from bot.storage.dialogues import DialogueState, forget_dialogue
from bot.storage.messages import Message
from bot.storage.outbox import OutboundMessage
from bot.storage.residents import Resident, find_resident
from bot.storage.staff import CaseNote
from bot.storage.tickets import OPEN_STATUSES, Ticket, TicketAttachment, TicketEvent

if TYPE_CHECKING:
    from bot.services import Services

ERASED_PREFIX = "erased:"


def export_resident(session: Session, openid: str) -> dict[str, Any] | None:
    """Everything stored about one resident, as plain data; None when they are unknown."""
    resident = find_resident(session, openid)
    if resident is None:
        return None
    tickets = list(session.scalars(select(Ticket).where(Ticket.resident_id == resident.id).order_by(Ticket.id)))
    dialogue = session.get(DialogueState, openid)
    return {
        "resident": _row(resident),
        "messages": [_row(m) for m in session.scalars(select(Message).where(Message.resident_id == resident.id).order_by(Message.id))],
        "tickets": [
            {
                **_row(t),
                "events": [_row(e) for e in t.events],
                "attachments": [_row(a, skip=("content",)) for a in t.attachments],
                "notes": [_row(n) for n in session.scalars(select(CaseNote).where(CaseNote.ticket_id == t.id).order_by(CaseNote.id))],
            }
            for t in tickets
        ],
        "customer_service_messages": [
            _row(o) for o in session.scalars(select(OutboundMessage).where(OutboundMessage.resident_id == resident.id).order_by(OutboundMessage.id))
        ],
        "dialogue_state": dialogue.state if dialogue else {},
        "dead_letters": [_row(d) for d in dead_letters_mentioning(session, openid)],
    }


def delete_resident(session: Session, openid: str) -> dict[str, int] | None:
    """Erase the person and keep their cases' statistics; returns what was removed, or None
    when the resident is unknown."""
    resident = find_resident(session, openid)
    if resident is None:
        return None
    ticket_ids = list(session.scalars(select(Ticket.id).where(Ticket.resident_id == resident.id)))
    counts = {"tickets_kept_anonymous": len(ticket_ids)}
    if ticket_ids:
        counts["attachments"] = session.execute(delete(TicketAttachment).where(TicketAttachment.ticket_id.in_(ticket_ids))).rowcount
        session.execute(update(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids)).values(note=""))
        session.execute(update(CaseNote).where(CaseNote.ticket_id.in_(ticket_ids)).values(text=""))
        session.execute(
            update(Ticket)
            .where(Ticket.id.in_(ticket_ids))
            .values(description="", contact_phone=None, rating_comment=None, opening_message_id=None)
        )
    counts["messages"] = session.execute(delete(Message).where(Message.resident_id == resident.id)).rowcount
    counts["customer_service_messages"] = session.execute(
        delete(OutboundMessage).where(OutboundMessage.resident_id == resident.id)
    ).rowcount
    counts["dead_letters"] = session.execute(delete(DeadLetter).where(DeadLetter.payload.contains(openid))).rowcount
    forget_dialogue(session, openid)
    resident.openid = erased_tag(openid)
    resident.phone = resident.latitude = resident.longitude = None
    resident.has_deferred = False
    return counts


def erased_tag(openid: str) -> str:
    """The one-way tag that replaces an erased resident's openid (unique, not reversible)."""
    return ERASED_PREFIX + hashlib.sha256(openid.encode("utf-8")).hexdigest()[:40]


def purge_expired(services: "Services") -> int:
    """Erase residents silent for longer than RETENTION_DAYS with no open case; returns how many
    (0 when RETENTION_DAYS is 0: keep until asked)."""
    days = services.settings.retention_days
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    with services.db.session() as session:
        open_cases = select(Ticket.resident_id).where(Ticket.status.in_(OPEN_STATUSES))
        query = select(Resident.openid).where(
            Resident.last_interaction_at < cutoff,
            Resident.openid.not_like(f"{ERASED_PREFIX}%"),
            Resident.id.not_in(open_cases),
        )
        openids = list(session.scalars(query))
        for openid in openids:
            delete_resident(session, openid)
    return len(openids)


def _row(model, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    values = {}
    for column in model.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(model, column.key)
        values[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return values
