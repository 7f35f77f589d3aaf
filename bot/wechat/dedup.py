"""De-duplication of WeChat's retries: the first delivery claims the key, retries get its reply.
Keys name the account and the resident (bot.wechat.inbound.message_key / event_key), so one resident
never gets another's reply. Also the plaintext-mode check that a signed query string is not
reused for another body."""

from __future__ import annotations

import hashlib
import json
import time
from typing import cast

import redis

PENDING = "__pending__"
POLL_SECONDS = 0.05


class ReplyCache:
    """Remembers, across processes, which deliveries were seen and what was answered."""

    def __init__(self, client: redis.Redis, prefix: str, ttl: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl

    def _key(self, dedup_key: str) -> str:
        return f"{self.prefix}dedup:{dedup_key}"

    def claim(self, dedup_key: str) -> tuple[bool, list[str] | None]:
        """Claim a delivery: (True, None) for the first one, else (False, cached reply or None)."""
        if self.client.set(self._key(dedup_key), PENDING, nx=True, ex=self.ttl):
            return True, None
        return False, self._cached(dedup_key)

    def wait_for_reply(self, dedup_key: str, deadline: float) -> list[str] | None:
        """The first delivery's reply once it is remembered, waiting until `deadline` (epoch
        seconds) at most; None when it is still pending then."""
        while True:
            cached = self._cached(dedup_key)
            if cached is not None or time.time() >= deadline:
                return cached
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.time())))

    def _cached(self, dedup_key: str) -> list[str] | None:
        # redis-py types each reply as its async client's too; this client is synchronous.
        cached = cast(bytes | None, self.client.get(self._key(dedup_key)))
        if cached is None or cached.decode() == PENDING:
            return None
        return json.loads(cached)

    def remember(self, dedup_key: str, reply: list[str]) -> None:
        """Store the reply the first delivery produced, for its retries."""
        self.client.set(self._key(dedup_key), json.dumps(reply, ensure_ascii=False), ex=self.ttl)


class SignedRequests:
    """The (timestamp, nonce) pairs of plaintext-mode requests seen, each with its body's digest.
    In plaintext mode WeChat's signature covers token, timestamp and nonce but not the body, so a
    captured query string could carry any body while its timestamp is fresh."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def same_body_or_first(self, timestamp: str, nonce: str, body: bytes, ttl: int) -> bool:
        """True for a pair not seen before, or seen with this very body (WeChat's retry); False
        when it came before with another body. `ttl`: seconds until the timestamp is too old."""
        key = f"{self.prefix}signed:{timestamp}:{nonce}"
        digest = hashlib.sha256(body).hexdigest()
        if self.client.set(key, digest, nx=True, ex=max(1, ttl)):
            return True
        seen = cast(bytes | None, self.client.get(key))  # a synchronous client's reply
        return seen is None or seen.decode() == digest  # None: it expired just now
