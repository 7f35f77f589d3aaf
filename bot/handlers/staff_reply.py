"""Answering a staff member: after a lawyer, mediator or property officer replied on a case, what
the resident writes back goes to that case and that person, not into a new intake."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot import alerts, phrases
from bot.handoff import ALERT_EVERY
from bot.staff import staff_title
from bot.storage.base import utcnow
from bot.storage.messages import latest_staff_reply, resident_wrote_since
from bot.storage.staff import Staff, staff_by_username
from bot.storage.tickets import OPEN_STATUSES, Ticket
from bot.tickets import link_message
from bot.turn import Turn

# Residents answer a reply within a day or two, often after the weekend; after three days without
# a new reply a message is more likely a new matter than an answer. A resolved case ends it sooner.
REPLY_WINDOW = timedelta(hours=72)
# A story this long that reads as a case of its own is a new matter, not an answer.
NEW_STORY_CHARS = 40
# "另外……", "还有个事", "另一个问题": the resident says it is something else.
NEW_MATTER = re.compile(
    r"^(?:对了[，, ]*)?另外|还有(?:一)?(?:个|件)(?:别的)?(?:事|问题)|另(?:一|外)(?:个|件)(?:事|问题)"
)
PASSED_ON = "收到，已转给{who}，看到后会在这里回复您。如果是另外一件事，请说“另外……”，我来帮您登记。"


def to_staff(turn: Turn) -> str | None:
    """A message answering a recent staff reply: linked to the case, the staff member told; None otherwise."""
    if phrases.steers_only(turn.text) or NEW_MATTER.search(turn.text):
        return None
    reply = latest_staff_reply(turn.session, turn.resident.id, utcnow() - REPLY_WINDOW)
    ticket = turn.session.get(Ticket, reply.ticket_id) if reply is not None else None
    staff = staff_by_username(turn.session, reply.extra["sender"]) if ticket is not None else None
    if staff is None or ticket.status not in OPEN_STATUSES or _new_story(turn):
        return None
    turn.intent = "reply_to_staff"
    _alert_once_a_while(turn, ticket, staff, reply.created_at)
    link_message(turn.session, ticket, turn.message, note=f"居民回复{staff.name}")
    return PASSED_ON.format(who=staff_title(staff))


def _new_story(turn: Turn) -> bool:
    """A long message the model takes for a case of its own."""
    return len(turn.text) >= NEW_STORY_CHARS and turn.decide().kind == "triage"


def _alert_once_a_while(turn: Turn, ticket: Ticket, staff: Staff, replied_at: datetime) -> None:
    """Tell the staff member on WeChat, unless the resident already wrote to them a moment ago."""
    since = max(replied_at, utcnow() - ALERT_EVERY)
    if not resident_wrote_since(turn.session, ticket.id, since, turn.message.id):
        alerts.resident_wrote(turn.session, turn.services.jobs, turn.services.settings.console_base_url, ticket, staff)
