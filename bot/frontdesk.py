"""The front desk: store the message, decide what it is, let a handler answer, within budget."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta

import redis
from redis.exceptions import LockError
from sqlalchemy.exc import SQLAlchemyError

from bot import review
from bot import services as services_registry
from bot.dialogue import Dialogue
from bot.inbound import Inbound
from bot.jobs import RetryLater
from bot.media import fetch_new_attachments
from bot.outbox import queue_message, release_deferred
from bot.spill import put_back, spill, take_spilled
from bot.storage.base import utcnow
from bot.storage.messages import Message, store_inbound, unanswered
from bot.storage.residents import Resident, find_resident, touch_resident
from bot.router import route
from bot.text import split_for_wechat
from bot.turn import Turn

log = logging.getLogger(__name__)
# How long a resident's messages wait for each other: one at a time keeps the dialogue state whole.
RESIDENT_LOCK_SECONDS = 15
# A message still unanswered this long after it was stored will not be answered by its request
# any more; after a day an answer would only confuse.
UNANSWERED_AFTER = timedelta(minutes=2)
UNANSWERED_GIVE_UP = timedelta(days=1)
SAVED_FOR_LATER = "抱歉，系统有点忙。您的消息已经收到并保存，我们稍后会给您回复。"


class FrontDesk:
    """Answers residents' messages; framework-free, shared by every request in a process."""

    def __init__(self, services, workers: int = 8) -> None:
        self.services = services
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="frontdesk")

    def answer_within(self, inbound: Inbound, budget: float) -> str | None:
        """The passive reply if ready within `budget` seconds; None means it will follow as a
        customer-service message."""
        future = self.pool.submit(self.handle, inbound)
        try:
            reply = future.result(timeout=budget)
        except FutureTimeout:
            log.warning("reply to %s missed the %.1fs budget; it will be sent later", inbound.dedup_key, budget)
            future.add_done_callback(lambda done: self._send_late(inbound.openid, done))
            return None
        first, *rest = split_for_wechat(reply) or [""]
        if rest:  # one passive reply per message; the rest follows as customer-service messages
            self._send_reply_later(inbound.openid, "\n".join(rest))
        return first

    def _send_late(self, openid: str, done: Future) -> None:
        if done.exception() is not None:
            log.error("late reply failed", exc_info=done.exception())
            return
        if done.result():
            self._send_reply_later(openid, done.result())

    def handle(self, inbound: Inbound) -> str:
        """Store the message, then answer it; returns the whole reply ("" for none)."""
        try:
            stored = self._store(inbound)
        except SQLAlchemyError:
            log.exception("database unavailable: %s kept in Redis for replay", inbound.dedup_key)
            spill(self.services.redis, self.services.settings.key_prefix, inbound)
            self.services.jobs.enqueue(replay_spilled_job)
            return SAVED_FOR_LATER
        if stored is None:
            return ""  # already stored: a retry that got past the reply cache
        return self._answer_locked(inbound, *stored)

    def _answer_locked(self, inbound: Inbound, resident: Resident, message: Message) -> str:
        # One message of a resident at a time, in any process: the dialogue state stays whole.
        lock = self.services.redis.lock(
            f"{self.services.settings.key_prefix}resident:{inbound.openid}",
            timeout=RESIDENT_LOCK_SECONDS,
            blocking_timeout=RESIDENT_LOCK_SECONDS,
        )
        with lock:
            return self._answer(inbound, resident, message)

    def replay_spilled(self) -> int:
        """Store and answer the messages kept while the database was down; returns how many.

        Raises RetryLater when the database is still down."""
        client, prefix = self.services.redis, self.services.settings.key_prefix
        replayed = 0
        while (inbound := take_spilled(client, prefix)) is not None:
            try:
                stored = self._store(inbound)
            except SQLAlchemyError as error:
                put_back(client, prefix, inbound)
                raise RetryLater("database still unavailable") from error
            replayed += 1
            if stored is not None:
                self._send_reply_later(inbound.openid, self._answer_locked(inbound, *stored))
        return replayed

    def answer_unanswered(self) -> int:
        """Answer, as customer-service messages, what was stored but never answered because
        something failed after storing it (Redis, Rasa, a bug); returns how many were answered."""
        now = utcnow()
        with self.services.db.session() as session:
            waiting = [
                (_inbound_of(session, message), session.get(Resident, message.resident_id), message)
                for message in unanswered(session, now - UNANSWERED_AFTER, now - UNANSWERED_GIVE_UP)
            ]
        answered = 0
        for inbound, resident, message in waiting:
            try:
                reply = self._answer_locked(inbound, resident, message)
            except (SQLAlchemyError, redis.RedisError, LockError) as error:
                log.error("message %s still cannot be answered: %s", message.id, type(error).__name__)
                continue
            if reply:
                self._send_reply_later(inbound.openid, reply)
            answered += 1
        return answered

    def _send_reply_later(self, openid: str, reply: str) -> None:
        with self.services.db.session() as session:
            queue_message(session, self.services.jobs, find_resident(session, openid), reply)

    def _store(self, inbound: Inbound) -> tuple[Resident, Message] | None:
        """Log the message (committed before any reply) and release deferred messages."""
        with self.services.db.session() as session:
            resident = touch_resident(session, inbound.openid)
            message = store_inbound(session, _message_values(resident, inbound))
            if message is None:
                return None
            if resident.has_deferred:
                release_deferred(session, self.services.jobs, resident)
            return resident, message

    def _answer(self, inbound: Inbound, resident: Resident, message: Message) -> str:
        dialogue = self.services.dialogue
        stored_state = dialogue.load(inbound.openid)
        with self.services.db.session() as session:
            turn = Turn(
                session=session,
                services=self.services,
                inbound=inbound,
                # Loaded a moment ago by _store: attach them without selecting them again.
                resident=session.merge(resident, load=False),
                message=session.merge(message, load=False),
                dialogue=Dialogue.from_dict(stored_state),
            )
            reply = route(turn)
            turn.message.answered_at = utcnow()
            turn.message.intent = turn.intent
            if turn.classification is not None:
                turn.message.confidence = turn.classification.confidence
            review.record_turn(turn)  # a message the model was unsure of goes to the admins' queue
            if reply:
                session.add(Message(resident_id=resident.id, direction="out", msg_type="text", content=reply))
            fetch_new_attachments(session, self.services.jobs)
        if turn.dialogue.to_dict() != stored_state:
            dialogue.save(inbound.openid, turn.dialogue.to_dict())
        # What residents write (and what we repeat back to them) stays out of the logs.
        log.info("answered %s as %s (%d characters)", inbound.dedup_key, turn.intent or turn.dialogue.flow_name, len(reply))
        return reply


def _inbound_of(session, message: Message) -> Inbound:
    """Rebuild the Inbound of a stored message, to answer it again."""
    extra = dict(message.extra or {})
    return Inbound(
        openid=session.get(Resident, message.resident_id).openid,
        kind=message.msg_type,
        dedup_key=message.dedup_key or f"id:{message.id}",
        text=message.content,
        media_id=message.media_id,
        event=extra.pop("event", None),
        event_key=extra.pop("event_key", None),
        latitude=extra.pop("latitude", None),
        longitude=extra.pop("longitude", None),
        extra=extra,
    )


def replay_spilled_job() -> None:
    """Job: replay the messages kept while the database was down (retried until it is back)."""
    FrontDesk(services_registry.current(), workers=1).replay_spilled()


def _message_values(resident: Resident, inbound: Inbound) -> dict:
    extra = dict(inbound.extra)
    if inbound.latitude is not None:
        extra.update(latitude=inbound.latitude, longitude=inbound.longitude)
    if inbound.event:
        extra.update(event=inbound.event, event_key=inbound.event_key)
    return dict(
        resident_id=resident.id,
        dedup_key=inbound.dedup_key,
        msg_type=inbound.kind,
        content=inbound.text,
        media_id=inbound.media_id,
        extra=extra,
    )
