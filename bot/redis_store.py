"""The Redis connection: real Redis when REDIS_URL is set, an embedded stand-in otherwise."""

from __future__ import annotations

import logging
import threading

import redis

log = logging.getLogger(__name__)
_embedded_lock = threading.Lock()
_embedded_server = None


def connect_redis(url: str) -> redis.Redis:
    """A Redis client for the URL, or the embedded single-process store when the URL is empty."""
    if url:
        return redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
    return _embedded_redis()


def _embedded_redis() -> redis.Redis:
    import fakeredis  # only needed for the embedded default

    global _embedded_server
    with _embedded_lock:
        if _embedded_server is None:
            log.warning(
                "REDIS_URL is not set: using an embedded in-process store. It is not shared "
                "between processes; production needs Redis (set REDIS_URL)."
            )
            _embedded_server = fakeredis.FakeServer()
    return fakeredis.FakeRedis(server=_embedded_server)
