"""Dialogue state per resident, in Redis with an expiry, so any process can continue a dialogue."""

from __future__ import annotations

import json

import redis


class DialogueStore:
    """Loads and saves each resident's dialogue state under its own key."""

    def __init__(self, client: redis.Redis, prefix: str, ttl: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl

    def _key(self, openid: str) -> str:
        return f"{self.prefix}dialogue:{openid}"

    def load(self, openid: str) -> dict:
        """The resident's state, empty when there is none or it expired."""
        raw = self.client.get(self._key(openid))
        return json.loads(raw) if raw else {}

    def save(self, openid: str, state: dict) -> None:
        """Save the state, or delete it when empty; the expiry restarts."""
        if state:
            self.client.set(self._key(openid), json.dumps(state, ensure_ascii=False), ex=self.ttl)
        else:
            self.client.delete(self._key(openid))
