"""Replaying the journal from the web process as soon as the database is back.

A message goes to the journal only while the database and Redis are both down, so no job can be
queued to replay it; waiting for the sweep kept residents without an answer for up to 5 minutes.
The first message journalled in a process starts a thread here that tries every few seconds
until the journal is empty, then ends (no thread while nothing waits)."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

import redis
from sqlalchemy.exc import SQLAlchemyError

from bot.jobs import RetryLater
from bot.pipeline.recovery import replay_journal

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
RETRY_EVERY_S = 5.0


class JournalReplayer:
    """Replays the journal of these services in a background thread while it holds messages."""

    def __init__(self, services: Services, every: float = RETRY_EVERY_S) -> None:
        self.services = services
        self.every = every
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def install(self) -> JournalReplayer:
        """Wake on every journalled message, and now if an earlier process left some."""
        self.services.journal.on_append(self.wake)
        if self.services.journal.pending():
            self.wake()
        return self

    def wake(self) -> None:
        """Make sure a replay thread is running."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="journal-replay", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.every)
            self._replay_once()
            with self._lock:
                # Under the lock: a message journalled after this check wakes a new thread.
                if not self.services.journal.pending():
                    self._thread = None
                    return

    def _replay_once(self) -> None:
        try:
            replayed = replay_journal(self.services)
        except RetryLater as error:
            log.info("journal replay waits: %s", error)
            return
        except (redis.RedisError, SQLAlchemyError) as error:
            log.warning("journal replay failed (%s); trying again in %.0f s", type(error).__name__, self.every)
            return
        if replayed.stored:
            log.warning(
                "journal replayed: %d message(s) stored and answered (%d dead letters)",
                replayed.stored,
                replayed.dead_letters,
            )
