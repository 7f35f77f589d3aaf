"""Answering one stored message: the dialogue, the handler's effects and the reply in one transaction.

Storing commits first and on its own (bot/pipeline/storing.py): the message must be durable before any
answering work starts, because answering may fail (Rasa, a bug) or the process may die, and a
stored-but-unanswered message is answered later by the sweep. Everything the answer changes —
the dialogue state, a ticket, the log of the reply, queued notices — then commits together, in
one session, with the resident's dialogue row locked so their messages are answered one at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.cases.office_hours import CHINA
from bot.cases.tickets import alert_new_cases
from bot.dialogue.flows import Dialogue
from bot.dialogue.router import route
from bot.dialogue.turn import Turn
from bot.pipeline.storing import Outcome, StoreResult, is_outage, keep_for_replay, store
from bot.storage.base import utcnow
from bot.storage.messages import Delivery, Message, find_inbound, stored_reply
from bot.storage.residents import Resident, known_resident
from bot.training import review
from bot.wechat.attachments import fetch_new_attachments
from bot.wechat.inbound import Inbound, log_key
from bot.wechat.outbox import queue_message
from bot.wechat.rate_limit import TOO_FAST

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
SAVED_FOR_LATER = "抱歉，系统有点忙。您的消息已经收到并保存，我们稍后会给您回复。"
NOT_SAVED = "抱歉，系统暂时出了故障，这条消息没能保存。请过几分钟再发一次，给您添麻烦了。"
REFUSED = "抱歉，这条消息的内容我们处理不了（可能格式有误）。请直接打字再说一次，我们马上帮您看。"
STALE = (
    "您在 {time} 发来的消息刚刚才处理上，那时系统比较忙，给您添麻烦了。"
    "在那之后我们的对话已经继续，这条消息没有改动您正在办理的事项；如果还需要，请再发一次。"
)
# What the resident is told for each way a message can be kept rather than answered now.
REPLY_FOR_OUTCOME = {Outcome.KEPT: SAVED_FOR_LATER, Outcome.LOST: NOT_SAVED, Outcome.DEAD_LETTER: REFUSED}


@dataclass(frozen=True)
class Answered:
    """A message's whole reply ("" for none), and the stored message it answers (None when the
    message was not stored: kept for later, refused, lost), whose delivery is claimed once."""

    text: str
    message_id: int | None = None


class Handover:
    """Whether an answer will be the passive reply of the request waiting for it: decided once,
    just before the answer commits, so its delivery is recorded in the answer's own transaction
    (no commit of its own for every message); past its deadline the request gives up instead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._passive: bool | None = None

    def promise_passive(self) -> bool:
        """The answer is about to commit: True while the request still waits for it."""
        with self._lock:
            if self._passive is None:
                self._passive = True
            return self._passive

    def give_up(self) -> bool:
        """The request's deadline passed: True when the answer is to follow later, False when it
        was promised to the request a moment ago (its commit is under way: wait for it)."""
        with self._lock:
            if self._passive is None:
                self._passive = False
            return not self._passive

    @property
    def promised(self) -> bool:
        """The answer was promised to the request, and its delivery recorded as passive."""
        return bool(self._passive)


def receive(
    services: Services, inbound: Inbound, stored: threading.Event | None = None, handover: Handover | None = None
) -> Answered:
    """Store the message, then answer it; a message stored already (a retry) gets its stored
    answer. `stored` is set once storing is over (the message is durable, or its fate is known);
    `handover` is asked before the answer commits whether it is the request's passive reply."""
    result = store(services, inbound)
    if stored is not None:
        stored.set()
    if result.outcome not in (Outcome.STORED, Outcome.DUPLICATE):
        return Answered(REPLY_FOR_OUTCOME[result.outcome])
    try:
        return _answer_received(services, inbound, result, handover)
    except SQLAlchemyError as error:
        if not is_outage(error):
            raise
        # Stored, then the database went away: kept for the replay too, which answers it within
        # seconds of the database's return (a job, the journal's replay), not the sweep minutes later.
        log.error(
            "database lost after storing %s (%s): kept to be answered on its return",
            log_key(inbound.dedup_key),
            type(error).__name__,
        )
        keep_for_replay(services, inbound)
        return Answered(SAVED_FOR_LATER)


def _answer_received(services: Services, inbound: Inbound, result: StoreResult, handover: Handover | None) -> Answered:
    if result.outcome is Outcome.DUPLICATE:
        return answer_stored(services, inbound.dedup_key, handover)
    resident, message = result.rows()
    if not services.rate_limit.allow(inbound.openid):
        return Answered(too_fast(services, message, handover), message.id)
    return Answered(answer(services, inbound, resident, message, handover=handover), message.id)


def answer_stored(services: Services, dedup_key: str, handover: Handover | None = None) -> Answered:
    """The answer of a message stored already: the logged reply, or — when its process died
    before answering — answered now, as the sweep would."""
    from bot.pipeline.recovery import inbound_of  # recovery imports this module

    with services.db.session() as session:
        message = find_inbound(session, dedup_key)
        if message is None:  # stored as a dead letter: there is no answer to give again
            return Answered("")
        if message.answered_at is not None:
            return Answered(_logged_reply(session, message), message.id)
        stored, resident = inbound_of(session, message), session.get_one(Resident, message.resident_id)
    return Answered(answer(services, stored, resident, message, recovered=True, handover=handover), message.id)


def answer(
    services: Services,
    inbound: Inbound,
    resident: Resident,
    message: Message,
    recovered: bool = False,
    handover: Handover | None = None,
) -> str:
    """Answer a stored message; `recovered` messages (replayed or answered late by the sweep)
    must not act on a dialogue that changed after they were sent."""
    with services.db.session() as session:
        dialogue = services.dialogue.lock(session, inbound.openid)
        # Read under the resident's lock: a retry, the journal's replay or the sweep may have
        # answered it meanwhile, and a message is answered (its ticket opened …) once.
        message = session.get_one(Message, message.id, populate_existing=True)
        if message.answered_at is not None:
            return _logged_reply(session, message)
        treated_as: str | None
        if recovered and _arrived_before(inbound, dialogue.changed_at):
            reply, treated_as = _stale(session, inbound, message), "stale"
        else:
            turn = Turn(
                session=session,
                services=services,
                inbound=inbound,
                resident=session.merge(resident, load=False),
                message=message,
                dialogue=Dialogue.from_dict(dialogue.state),
            )
            reply = route(turn)
            _record(session, turn, reply)
            state = turn.dialogue.to_dict()
            if state != dialogue.state:
                services.dialogue.write(dialogue, state)
            fetch_new_attachments(session, services.jobs)
            alert_new_cases(session, services.jobs)
            treated_as = turn.intent or turn.dialogue.flow_name
        _record_passive(message, handover)
    # What residents write (and what we repeat back to them) stays out of the logs.
    log.info("answered %s as %s (%d characters)", log_key(inbound.dedup_key), treated_as, len(reply))
    return reply


def too_fast(services: Services, message: Message, handover: Handover | None = None) -> str:
    """Mark a message over the resident's rate limit as seen, and ask them kindly to slow down."""
    with services.db.session() as session:
        stored = session.merge(message, load=False)
        stored.answered_at, stored.intent = utcnow(), "rate_limited"
        _record_passive(stored, handover)
    return TOO_FAST


def _record_passive(message: Message, handover: Handover | None) -> None:
    if handover is not None and handover.promise_passive():
        message.delivery = Delivery.PASSIVE.value


def _logged_reply(session, message: Message) -> str:
    if message.intent == "rate_limited":  # not logged: a flood costs no more than it must
        return TOO_FAST
    return stored_reply(session, message.id) or ""


def send_later(services: Services, openid: str, reply: str | list[str]) -> None:
    """Queue a reply (or the rest of one split for WeChat) as customer-service messages: it could
    not be the passive reply."""
    if not reply:
        return
    with services.db.session() as session:
        queue_message(session, services.jobs, known_resident(session, openid), reply)


def _record(session, turn: Turn, reply: str) -> None:
    turn.message.answered_at = utcnow()
    turn.message.intent = turn.intent
    if turn.classification is not None:
        turn.message.confidence = turn.classification.confidence
    review.record_turn(turn)  # a message the model was unsure of goes to the admins' queue
    if reply:
        session.add(
            Message(
                resident_id=turn.resident.id,
                direction="out",
                msg_type="text",
                content=reply,
                reply_to_id=turn.message.id,
            )
        )


def _arrived_before(inbound: Inbound, changed_at: datetime) -> bool:
    # Whole seconds: a message that arrives in the same second as the change counts as after it.
    arrived = inbound.received_at or inbound.create_time or time.time()
    return int(arrived) < int(changed_at.timestamp())


def _stale(session, inbound: Inbound, message: Message) -> str:
    message.answered_at, message.intent = utcnow(), "stale"
    arrived = datetime.fromtimestamp(inbound.received_at or inbound.create_time or time.time(), UTC)
    local = arrived.astimezone(CHINA).strftime("%H:%M")  # residents read times in Beijing time
    reply = STALE.format(time=local)
    session.add(
        Message(
            resident_id=message.resident_id, direction="out", msg_type="text", content=reply, reply_to_id=message.id
        )
    )
    return reply
