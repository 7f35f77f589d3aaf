"""Rasa servers taken out of the rotation while they load a new model (PUT /model blocks them).

The promotion marks a server in Redis; every process's Rasa client reads the mark (cached for
CACHE_S) and sends its parses to the other servers meanwhile."""

from __future__ import annotations

import threading
import time
from typing import cast

import redis

# How long a client trusts what it read: the promotion waits longer than this before loading.
CACHE_S = 0.5
# A mark left by a promotion that died is forgotten after this long.
MARK_TTL_S = 900


class Draining:
    """The set of Rasa server URLs that should get no parses right now."""

    def __init__(self, client: redis.Redis, prefix: str, clock=time.monotonic) -> None:
        self.client = client
        self.key = f"{prefix}rasa:draining"
        self.clock = clock
        self._cached: frozenset[str] = frozenset()
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def mark(self, url: str) -> None:
        """Take this server out of the rotation."""
        self.client.sadd(self.key, url)
        self.client.expire(self.key, MARK_TTL_S)

    def clear(self, url: str) -> None:
        """Put this server back into the rotation."""
        self.client.srem(self.key, url)

    def urls(self) -> frozenset[str]:
        """The servers out of the rotation (at most CACHE_S old); none when Redis does not answer."""
        with self._lock:
            if self.clock() - self._read_at < CACHE_S:
                return self._cached
            try:
                # redis-py types each reply as its async client's too; this client is synchronous.
                members = cast(set[bytes | str], self.client.smembers(self.key))
            except redis.RedisError:
                members = set()  # no Redis: every server takes parses, as without a promotion
            self._cached = frozenset(m.decode() if isinstance(m, bytes) else m for m in members)
            self._read_at = self.clock()
            return self._cached
