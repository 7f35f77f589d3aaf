"""Answering a staff member: after a lawyer, mediator or property officer replied on a case, asked
the resident for more (请居民补充) or sent a mediation notice, what the resident writes back goes to
that case and that person, not into a new intake."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cases import alerts
from bot.cases.handoff import ALERT_EVERY
from bot.cases.staff import staff_title
from bot.cases.tickets import link_message
from bot.config import DATA_DIR
from bot.dialogue.flows import ClarifyState, Dialogue, IntakeState
from bot.dialogue.turn import Turn
from bot.nlu import answers, phrases
from bot.storage.base import utcnow
from bot.storage.messages import Message, NoticeKind, latest_staff_reply, resident_wrote_since
from bot.storage.staff import Staff, staff_by_username
from bot.storage.tickets import OPEN_STATUSES, Ticket

# Residents answer a reply within a day or two, often after the weekend; after three days without
# a new reply a message is more likely a new matter than an answer. A resolved case ends it sooner.
REPLY_WINDOW = timedelta(hours=72)
# A story this long that reads as a case of its own is a new matter, not an answer.
NEW_STORY_CHARS = 40
# "另外……", "还有个事", "另一个问题": the resident says it is something else (bot/data/turn_words.yml).
NEW_MATTER = answers.load(DATA_DIR / "turn_words.yml")["new_matter"].pattern
PASSED_ON = "收到，已转给{who}，看到后会在这里回复您。如果是另外一件事，请说“另外……”，我来帮您登记。"
# An answer to a mediation notice ("明天下午我要去医院，能不能改到周三上午"): the mediator decides.
PASSED_ON_MEDIATION = (
    "收到，已转给{who}，看到后会在这里回复您；调解时间改不改，以{name}的回复为准，在这之前原定时间不变。"
    "如果是另外一件事，请说“另外……”，我来帮您登记。"
)
# "不是新的事，我是回答张律师问的问题" while an intake had started: nothing is registered.
NOT_A_NEW_CASE = "好的，明白了，这不另外登记。您刚才说的已转给{who}，看到后会在这里回复您。"
NOTES = {
    NoticeKind.QUESTION: "居民回答{name}要求补充的问题",
    NoticeKind.MEDIATION: "居民回复{name}的调解安排（如申请改时间，请回复居民）",
}


def to_staff(turn: Turn) -> str | None:
    """A message answering a recent staff reply, question or mediation notice: linked to the case,
    the staff member told; None otherwise."""
    if phrases.steers_only(turn.text) or NEW_MATTER.search(turn.text):
        return None
    answered = _answered(turn)
    says_so = phrases.ANSWERS_STAFF.found(turn.text)  # "我是回答张律师问的问题": however long
    if answered is None or (not says_so and _new_story(turn)):
        return None
    reply, ticket, staff = answered
    _pass_on(turn, reply, ticket, staff, [turn.message])
    passed = PASSED_ON_MEDIATION if reply.extra.get("kind") == NoticeKind.MEDIATION else PASSED_ON
    return passed.format(who=staff_title(staff), name=staff.name)


def in_intake(turn: Turn) -> str | None:
    """ "不是新的事，我是回答张律师问的问题" while an intake (or the question which kind of case it is)
    goes on: it ends without a case, what it gathered goes to the case the staff member asked on;
    None otherwise."""
    gathering = _gathering(turn.dialogue)
    if gathering is None or not phrases.ANSWERS_STAFF.found(turn.text):
        return None
    answered = _answered(turn)
    if answered is None:
        return None
    reply, ticket, staff = answered
    gathered = [turn.session.get(Message, message_id) for message_id in gathering.message_ids]
    turn.dialogue.end()
    _pass_on(turn, reply, ticket, staff, [*(m for m in gathered if m is not None), turn.message])
    return NOT_A_NEW_CASE.format(who=staff_title(staff))


def _gathering(dialogue: Dialogue) -> IntakeState | ClarifyState | None:
    """The intake going on, or the question which kind of case it is (not one that routes a request
    for a person); None otherwise."""
    flow = dialogue.flow
    if isinstance(flow, IntakeState) or (isinstance(flow, ClarifyState) and not flow.for_person):
        return flow
    return None


def _answered(turn: Turn) -> tuple[Message, Ticket, Staff] | None:
    """The newest staff reply, question or mediation notice within the window, on a case still open."""
    reply = latest_staff_reply(turn.session, turn.resident.id, utcnow() - REPLY_WINDOW)
    if reply is None or (ticket := turn.session.get(Ticket, reply.ticket_id)) is None:
        return None
    staff = staff_by_username(turn.session, reply.extra["sender"])
    if staff is None or ticket.status not in OPEN_STATUSES:
        return None
    return reply, ticket, staff


def _pass_on(turn: Turn, reply: Message, ticket: Ticket, staff: Staff, messages: list[Message]) -> None:
    """The messages go to the case's page, and the staff member is told (once a while)."""
    turn.intent = "reply_to_staff"
    _alert_once_a_while(turn, ticket, staff, reply.created_at)
    note = NOTES.get(reply.extra.get("kind", ""), "居民回复{name}").format(name=staff.name)
    for message in messages:
        link_message(turn.session, ticket, message, note=note)


def _new_story(turn: Turn) -> bool:
    """A long message the model takes for a case of its own."""
    return len(turn.text) >= NEW_STORY_CHARS and turn.decide().kind == "triage"


def _alert_once_a_while(turn: Turn, ticket: Ticket, staff: Staff, replied_at: datetime) -> None:
    """Tell the staff member on WeChat, unless the resident already wrote to them a moment ago."""
    since = max(replied_at, utcnow() - ALERT_EVERY)
    if not resident_wrote_since(turn.session, ticket.id, since, turn.message.id):
        alerts.resident_wrote(turn.session, turn.services.jobs, turn.services.settings.console_base_url, ticket, staff)
