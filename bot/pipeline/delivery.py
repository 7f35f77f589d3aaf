"""Handing each answer to WeChat once: as the passive reply of a delivery, or as customer-service
messages — never both, never twice, never neither.

A retry of a message whose process died after answering it, the journal's replay of a message
whose process died before delivering it, and the sweep may all find the same stored answer. Each
claims the message's delivery (`messages.delivery`, one conditional UPDATE) before handing it
over; an answer ready within its request's budget records its passive delivery in its own
transaction (bot/pipeline/answering.py, Handover). A passive reply may be given again to a later retry of
the same message (WeChat shows one reply per message, and retries only what it did not receive);
customer-service messages are queued by whoever claims them first, and only when no passive
reply was claimed before.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.pipeline.answering import Answered, send_later
from bot.storage.messages import Delivery, claim_delivery
from bot.storage.residents import known_resident
from bot.wechat.outbox import queue_message
from bot.wechat.text import split_for_wechat

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def passive_reply(services: Services, openid: str, answered: Answered, recorded: bool = False) -> str:
    """The passive reply of this delivery: the answer's first part (the rest follows as
    customer-service messages), or "" when the answer was queued as customer-service messages.
    `recorded`: the answer's own transaction recorded it as this passive reply (the usual case)."""
    first, *rest = split_for_wechat(answered.text) or [""]
    claimed = recorded or answered.message_id is None or _claim(services, answered.message_id, Delivery.PASSIVE)
    if claimed is None:
        return ""  # already on its way as customer-service messages
    if claimed and rest:  # a passive reply given again leaves the rest to the first, which queued it
        send_later(services, openid, rest)
    return first


def send_once(services: Services, openid: str, answered: Answered) -> bool:
    """Queue the answer as customer-service messages unless it was handed over already; returns
    whether this call queued it (an empty answer is only marked as handed over)."""
    with services.db.session() as session:
        if answered.message_id is not None:
            claimed, _ = claim_delivery(session, answered.message_id, Delivery.CUSTOMER_SERVICE)
            if not claimed:
                return False
        if answered.text:
            queue_message(session, services.jobs, known_resident(session, openid), answered.text)
    return True


def _claim(services: Services, message_id: int, delivery: Delivery) -> bool | None:
    """True when this call claimed it, False when it was claimed the same way before, None when
    it was claimed the other way."""
    try:
        with services.db.session() as session:
            claimed, current = claim_delivery(session, message_id, delivery)
    except SQLAlchemyError as error:
        # The answer committed a moment ago: reply with it rather than say nothing.
        log.error("delivery of message %s not recorded (%s); replying anyway", message_id, type(error).__name__)
        return True
    if claimed:
        return True
    return False if current == delivery.value else None
