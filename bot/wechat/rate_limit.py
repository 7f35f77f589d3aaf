"""A per-resident rate limit: one resident's flood must not slow everyone else's answers."""

from __future__ import annotations

import logging
import time

import redis

from bot.redaction import person

log = logging.getLogger(__name__)
TOO_FAST = "您发得有点快，我们一条一条认真看着呢。请稍等一分钟再发，您刚才的消息都已经收到了。"


class RateLimit:
    """At most `limit` answered messages per resident in each `window` seconds (Redis counters)."""

    def __init__(self, client: redis.Redis, prefix: str, limit: int, window: int = 60) -> None:
        self.client = client
        self.prefix = prefix
        self.limit = limit
        self.window = window

    def allow(self, openid: str) -> bool:
        """True when this message may be answered in full; counts it."""
        if self.limit <= 0:
            return True  # RATE_LIMIT=0 turns the limit off
        key = f"{self.prefix}rate:{openid}:{int(time.time() // self.window)}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(key)
            pipe.expire(key, self.window * 2)
            count = pipe.execute()[0]
        except redis.RedisError:
            return True  # without Redis nobody is limited: answering matters more than fairness
        if count == self.limit + 1:
            log.warning("resident %s passed %d messages in %d s", person(openid), self.limit, self.window)
        return count <= self.limit
