"""A resident's request for a person (转人工, 人呢) always reaches a person.

The request is a flag on a case, `Ticket.person_requested_at`; with no case open, a case is opened
for the request itself (bot/dialogue/handlers/human.py). The inbox shows flagged cases first with the time
waited, the queue's staff who bound their WeChat are told with a link to the case, and a resident
who asks again hears where the request stands: no second case, and no second notice within
ALERT_EVERY.

"Answered" — the flag clears — means a staff member wrote to the resident on the case from the
console: a reply, a question asking for more information, or taking the conversation over (the
resident is told a named person is now with them). Accepting, transferring, scheduling a mediation
or an internal note do not answer the resident; resolving the case takes it, flag and all, out of
the open inbox, so the flag is cleared then too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import alerts
from bot.jobs import Jobs
from bot.nlu import phrases
from bot.nlu.types import CONVERSATIONAL_INTENTS, OUT_OF_SCOPE
from bot.storage.base import utcnow
from bot.storage.messages import Message
from bot.storage.tickets import Ticket, TicketEvent

# The queue's staff are told again, while nobody answered, at most this often.
ALERT_EVERY = timedelta(minutes=30)
# What the resident wrote this recently (and not yet on a case) goes into a case opened for a request.
RECENT = timedelta(hours=24)
RECENT_MESSAGES = 10
# Messages taken as these say nothing about the matter (out of scope may still be one: staff read it).
NO_CONTENT_INTENTS = frozenset(CONVERSATIONAL_INTENTS) - {OUT_OF_SCOPE}
REQUESTED_NOTE = "居民要求人工服务"
ASKED_AGAIN_NOTE = "居民再次要求人工，尚无人回复"
ANSWERED_NOTE = "已回复居民的人工请求"
# A request made less than a minute ago.
JUST_NOW = "刚刚"


@dataclass
class Request:
    """What asking for a person did: a repeat of a request nobody answered yet, and whether staff were told now."""

    repeat: bool
    alerted: bool


def request_person(session: Session, jobs: Jobs, base_url: str, ticket: Ticket, now: datetime | None = None) -> Request:
    """Flag the case as waiting for a person and tell its queue's staff on WeChat (a repeat only
    after ALERT_EVERY); a case opened in this session is told by its new-case notice instead."""
    now = now or utcnow()
    repeat = ticket.person_requested_at is not None
    if not repeat:
        ticket.person_requested_at = now
    session.add(
        TicketEvent(ticket_id=ticket.id, status=ticket.status, note=ASKED_AGAIN_NOTE if repeat else REQUESTED_NOTE)
    )
    if ticket.id in session.info.get("new_cases", []):  # alerts.new_case carries the flag
        ticket.person_alerted_at = now
        return Request(repeat, alerted=True)
    if repeat and ticket.person_alerted_at is not None and now - ticket.person_alerted_at < ALERT_EVERY:
        return Request(repeat, alerted=False)
    ticket.person_alerted_at = now
    told = alerts.person_requested(session, jobs, base_url, ticket, waited(ticket, now) if repeat else "")
    return Request(repeat, alerted=told > 0)  # nobody bound their WeChat: nobody was told


def answered(session: Session, ticket: Ticket, actor: str) -> None:
    """A staff member answered the resident on this case: the request (if any) is no longer waiting."""
    if ticket.person_requested_at is None:
        return
    ticket.person_requested_at = None
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=ANSWERED_NOTE, actor=actor))


def waited(ticket: Ticket, now: datetime | None = None) -> str:
    """How long the request has waited, in words ("25 分钟"); "" when nothing waits."""
    if ticket.person_requested_at is None:
        return ""
    return elapsed((now or utcnow()) - ticket.person_requested_at)


def elapsed(delta: timedelta) -> str:
    """A span of time as staff and residents say it: "刚刚" (under a minute), "25 分钟", "2 小时 5 分钟", "3 天"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 1:
        return JUST_NOW
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} 小时" + (f" {rest} 分钟" if rest else "")
    return f"{hours // 24} 天"


def recent_words(session: Session, resident_id: int, before_id: int, now: datetime | None = None) -> list[Message]:
    """What the resident wrote lately and is on no case yet (no 好的, menu numbers or 转人工), oldest first."""
    since = (now or utcnow()) - RECENT
    query = (
        select(Message)
        .where(
            Message.resident_id == resident_id,
            Message.direction == "in",
            Message.id < before_id,
            Message.ticket_id.is_(None),
            Message.created_at >= since,
            Message.content != "",
        )
        .order_by(Message.id.desc())
        .limit(RECENT_MESSAGES)
    )
    return [message for message in session.scalars(query) if not _steers(message)][::-1]


def _steers(message: Message) -> bool:
    # 你好, 好的, 谢谢, a menu number, 转人工: how the resident steered the bot, not what happened.
    return message.intent in NO_CONTENT_INTENTS or phrases.steers_only(message.content)
