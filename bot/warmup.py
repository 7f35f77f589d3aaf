"""Warming a web process before it takes its first request: everything a first message would
otherwise load while the resident waits (the danger and group signals with Jieba's dictionary,
a database connection for each thread, Redis), so the first answer takes what every other does.

A part that is down is logged and left: the process must still answer (a message is kept in
Redis or the journal while the database is down, the keyword rules answer while Rasa is)."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import TYPE_CHECKING

import redis
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.nlu import signals

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def warm(services: Services, connections: int) -> float:
    """Load and connect what a first message needs; returns the seconds it took."""
    started = time.perf_counter()
    signals.model()
    signals.words("楼上邻居天天半夜跺脚")  # Jieba's first cut builds its prefix dictionary
    _open_connections(services, connections)
    try:
        services.redis.ping()
    except redis.RedisError as error:
        log.warning("warm-up: Redis unavailable (%s)", type(error).__name__)
    seconds = time.perf_counter() - started
    log.info("warm in %.1f s", seconds)
    return seconds


def _open_connections(services: Services, count: int) -> None:
    # Held together, so the pool keeps `count` open connections for the request threads instead
    # of each first request opening its own (a PostgreSQL server process each).
    try:
        with contextlib.ExitStack() as held:
            for _ in range(count):
                connection = held.enter_context(services.db.engine.connect())
                connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("warm-up: database unavailable (%s)", type(error).__name__)
