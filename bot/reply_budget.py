"""Answering within the reply budget: a passive reply when the answer is ready in time, otherwise
`success` now and the answer as a customer-service message — never silence. `success` tells
WeChat never to send the message again, so it is only said once the message is durable: a
message still waiting to be stored at the deadline is written to the local journal first."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from bot.answering import receive, send_later
from bot.inbound import Inbound
from bot.redaction import log_key
from bot.text import split_for_wechat

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


class ReplyBudget:
    """Runs each message's answer in a thread and waits for it until the request's deadline."""

    def __init__(self, services: "Services", workers: int = 8) -> None:
        self.services = services
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")

    def answer_by(self, inbound: Inbound, deadline: float) -> str | None:
        """The passive reply if ready before `deadline` (epoch seconds); None means it will
        follow as a customer-service message."""
        stored = threading.Event()
        future = self.pool.submit(receive, self.services, inbound, stored)
        try:
            reply = future.result(timeout=max(0.0, deadline - time.time()))
        except FutureTimeout:
            log.warning("reply to %s missed its deadline; it will be sent later", log_key(inbound.dedup_key))
            if not stored.is_set():
                self._journal(inbound)
            future.add_done_callback(lambda done: self._send_late(inbound.openid, done))
            return None
        first, *rest = split_for_wechat(reply) or [""]
        if rest:  # one passive reply per message; the rest follows as customer-service messages
            send_later(self.services, inbound.openid, rest)
        return first

    def _journal(self, inbound: Inbound) -> None:
        # Not stored yet (a slow database, a queue of answers): if this process died now, WeChat
        # would not send the message again. The journal makes it durable; storing it twice is
        # harmless, its replay finds the stored copy (same MsgId) and stops there.
        try:
            self.services.journal.append(inbound)
        except OSError as error:
            log.critical("journal unwritable (%s): %s may be lost if this process dies", error, log_key(inbound.dedup_key))

    def _send_late(self, openid: str, done: Future) -> None:
        if done.exception() is not None:
            # The message is stored unanswered: the sweep answers it (bot/recovery.py).
            log.error("late reply failed", exc_info=done.exception())
            return
        send_later(self.services, openid, done.result())
