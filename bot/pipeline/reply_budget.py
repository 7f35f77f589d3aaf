"""Answering within the reply budget: a passive reply when the answer is ready in time, otherwise
`success` now and the answer as a customer-service message — never silence. `success` tells
WeChat never to send the message again, so it is only said once the message is durable: a
message still waiting to be stored at the deadline is written to the local journal first. Either
way the answer's delivery is claimed (bot/pipeline/delivery.py), so it reaches the resident once."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.pipeline.answering import Handover, receive
from bot.pipeline.delivery import passive_reply, send_once
from bot.wechat.inbound import Inbound, log_key

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


class ReplyBudget:
    """Runs each message's answer in a thread and waits for it until the request's deadline."""

    def __init__(self, services: Services, workers: int = 8) -> None:
        self.services = services
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")

    def answer_by(self, inbound: Inbound, deadline: float) -> str | None:
        """The passive reply if ready before `deadline` (epoch seconds); None means it will
        follow as a customer-service message."""
        stored, handover = threading.Event(), Handover()
        future = self.pool.submit(receive, self.services, inbound, stored, handover)
        try:
            answered = future.result(timeout=max(0.0, deadline - time.time()))
        except FutureTimeout:
            if not handover.give_up():
                answered = future.result()  # promised to this request a moment ago: it is committing
            else:
                log.warning("reply to %s missed its deadline; it will be sent later", log_key(inbound.dedup_key))
                if not stored.is_set():
                    self._journal(inbound)
                future.add_done_callback(lambda done: self._send_late(inbound.openid, done))
                return None
        return passive_reply(self.services, inbound.openid, answered, recorded=handover.promised)

    def _journal(self, inbound: Inbound) -> None:
        # Not stored yet (a slow database, a queue of answers): if this process died now, WeChat
        # would not send the message again. The journal makes it durable; storing it twice is
        # harmless: its replay finds the stored copy and only delivers its answer if nobody has.
        try:
            self.services.journal.append(inbound)
        except OSError as error:
            log.critical(
                "journal unwritable (%s): %s may be lost if this process dies", error, log_key(inbound.dedup_key)
            )

    def _send_late(self, openid: str, done: Future) -> None:
        if done.exception() is not None:
            # The message is stored unanswered: the sweep answers it (bot/pipeline/recovery.py).
            log.error("late reply failed", exc_info=done.exception())
            return
        try:
            send_once(self.services, openid, done.result())
        except SQLAlchemyError as error:
            # Answered but not handed over: the sweep delivers it (bot/pipeline/recovery.py).
            log.error("late reply not queued (%s); the sweep will deliver it", type(error).__name__)
