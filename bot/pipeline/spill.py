"""Messages that arrived while the database was down wait in Redis and are replayed later."""

from __future__ import annotations

import dataclasses
import json
from typing import cast

import redis

from bot.wechat.inbound import Inbound


def _key(prefix: str) -> str:
    return f"{prefix}inbox:unsaved"


def spill(client: redis.Redis, prefix: str, inbound: Inbound) -> None:
    """Keep a message that could not be stored, so it is never lost."""
    client.rpush(_key(prefix), json.dumps(dataclasses.asdict(inbound), ensure_ascii=False))


def take_spilled(client: redis.Redis, prefix: str) -> Inbound | None:
    """The oldest waiting message, removed from the waiting list."""
    # redis-py types each reply as its async client's too; this client is synchronous.
    raw = cast(bytes | None, client.lpop(_key(prefix)))
    return Inbound(**json.loads(raw)) if raw else None


def put_back(client: redis.Redis, prefix: str, inbound: Inbound) -> None:
    """Return a message to the front of the waiting list (the database is still down)."""
    client.lpush(_key(prefix), json.dumps(dataclasses.asdict(inbound), ensure_ascii=False))
