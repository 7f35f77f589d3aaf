"""Live handoff: while a person holds a resident's conversation, the bot does not talk over them.

What the router does with a message while a person holds the conversation is in
bot/dialogue/handlers/held.py. A holder idle for longer than HANDOFF_IDLE_MINUTES loses the conversation to the bot, and
the resident is told either way the conversation is released. Taking over and releasing both drop
whatever the bot was in the middle of (an intake's draft, a cancelled one kept for a while): the
conversation the person had with the resident stands in its place."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from bot.cases.lifecycle import SYSTEM, tell_resident
from bot.cases.staff import staff_title
from bot.jobs import Jobs
from bot.storage.base import utcnow
from bot.storage.dialogues import lock_dialogue
from bot.storage.messages import NoticeKind
from bot.storage.residents import Resident
from bot.storage.staff import Handoff, ReleaseReason, Staff, active_handoff, idle_handoffs
from bot.storage.tickets import Ticket

# The holder is told on WeChat at most this often that the resident wrote (the page shows every message).
ALERT_EVERY = timedelta(minutes=10)
TAKEN_OVER = "{who}已接入对话，接下来由人工为您服务，直接回复即可。回复“我的工单”可查看进度。"
RELEASED = {
    ReleaseReason.STAFF: "人工服务已结束，接下来由智能助手继续为您服务。有新的问题可以直接说。",
    ReleaseReason.IDLE: "工作人员暂时离开了，接下来由智能助手继续为您服务；您的留言工作人员都能看到。",
    ReleaseReason.RESOLVED: "",  # the resolution notice says it all
}


class HandoffRefused(ValueError):
    """The conversation is already held by someone else."""


def take_over(session: Session, jobs: Jobs, ticket: Ticket, staff: Staff) -> Handoff:
    """A staff member takes over the case's conversation; the resident is told once."""
    current = active_handoff(session, ticket.resident_id)
    if current is not None:
        if current.staff_id != staff.id:
            holder = session.get_one(Staff, current.staff_id)
            raise HandoffRefused(f"该居民的对话已由{holder.name}接管")
        current.ticket_id, current.last_activity_at = ticket.id, utcnow()
        return current
    handoff = Handoff(resident_id=ticket.resident_id, ticket_id=ticket.id, staff_id=staff.id)
    session.add(handoff)
    drop_bot_dialogue(session, ticket.resident_id)
    notice = TAKEN_OVER.format(who=staff_title(staff))
    tell_resident(session, jobs, ticket, notice, sender=staff.username, kind=NoticeKind.HANDOFF)
    session.flush()
    return handoff


def release(session: Session, jobs: Jobs, handoff: Handoff, reason: ReleaseReason) -> None:
    """End a handoff (by staff, idle or resolved); the resident is told the bot is back."""
    handoff.released_at, handoff.release_reason = utcnow(), reason
    drop_bot_dialogue(session, handoff.resident_id)
    if RELEASED[reason]:
        ticket = session.get_one(Ticket, handoff.ticket_id)
        tell_resident(session, jobs, ticket, RELEASED[reason], sender=SYSTEM, kind=NoticeKind.HANDOFF)


def drop_bot_dialogue(session: Session, resident_id: int) -> None:
    """Forget the resident's unfinished dialogue with the bot (a draft, a cancelled intake, fragments)."""
    resident = session.get(Resident, resident_id)
    if resident is not None:
        lock_dialogue(session, resident.openid).state = {}


def note_activity(handoff: Handoff) -> None:
    """The holder did something in the conversation: the idle time starts again."""
    handoff.last_activity_at = utcnow()


def release_idle(session: Session, jobs: Jobs, idle_minutes: int) -> int:
    """Give back to the bot every conversation whose holder has been idle too long; returns how many."""
    stale = idle_handoffs(session, utcnow() - timedelta(minutes=idle_minutes))
    for handoff in stale:
        release(session, jobs, handoff, ReleaseReason.IDLE)
    return len(stale)
