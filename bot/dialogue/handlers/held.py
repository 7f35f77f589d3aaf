"""A message while a person holds the resident's conversation: the bot does not talk over them.

The router asks `while_held(turn)` right after the danger check. It returns None when nobody holds
the conversation, or when the message is 取消 or 我的工单 (route as usual: the bot still answers
those, and danger), or the reply when a person holds it: "" — the message is already stored; it is
attached to the case, shown on the case page and the holder is told.
"""

from __future__ import annotations

from datetime import timedelta

from bot.cases import alerts
from bot.cases.handoff import ALERT_EVERY, release
from bot.cases.tickets import attach_message
from bot.dialogue.flows import Dialogue
from bot.dialogue.turn import Turn
from bot.nlu import phrases
from bot.storage.base import utcnow
from bot.storage.staff import ReleaseReason, Staff, active_handoff
from bot.storage.tickets import Ticket

# Any-time phrases the bot still answers while a person holds the conversation (danger is checked
# before the handoff, by the router).
BOT_STILL_ANSWERS = ("cancel", "ticket_status", "erase_personal_data")


def while_held(turn: Turn) -> str | None:
    """None when no person holds the resident's conversation; otherwise the reply ("": silence)."""
    if phrases.anytime_intent(turn.text, in_flow=False) in BOT_STILL_ANSWERS:
        return None
    handoff = active_handoff(turn.session, turn.resident.id)
    if handoff is None:
        return None
    settings, jobs = turn.services.settings, turn.services.jobs
    now = utcnow()
    if now - handoff.last_activity_at > timedelta(minutes=settings.handoff_idle_minutes):
        release(turn.session, jobs, handoff, ReleaseReason.IDLE)
        turn.dialogue = Dialogue()
        return None
    turn.message.ticket_id = handoff.ticket_id
    if turn.message.msg_type == "image":  # a photo is kept with the case, as outside a handoff
        attach_message(turn.session, turn.session.get_one(Ticket, handoff.ticket_id), turn.message, note="居民发来照片")
    if handoff.alerted_at is None or now - handoff.alerted_at > ALERT_EVERY:
        handoff.alerted_at = now
        ticket = turn.session.get_one(Ticket, handoff.ticket_id)
        holder = turn.session.get_one(Staff, handoff.staff_id)
        alerts.resident_wrote(turn.session, jobs, settings.console_base_url, ticket, holder)
    return ""
