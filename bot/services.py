"""The process's shared parts (database, Redis, job queue, WeChat API, classifier), built once."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import redis

from bot.config import Settings
from bot.dedup import ReplyCache
from bot.jobs import RedisJobs, ThreadJobs
from bot.redis_store import connect_redis
from bot.state import DialogueStore
from bot.storage import Database

_lock = threading.Lock()
_current: "Services | None" = None


@dataclass
class Services:
    """Everything a request or a job needs, for one configuration."""

    settings: Settings
    db: Database
    redis: redis.Redis
    jobs: RedisJobs | ThreadJobs
    wechat: object
    classifier: object
    dialogue: DialogueStore
    replies: ReplyCache


def build_services(settings: Settings) -> Services:
    """Connect every part described by the settings."""
    from bot.intents import build_classifier
    from bot.wechat_api import WeChatAPI

    client = connect_redis(settings.redis_url)
    jobs = RedisJobs(client, settings.key_prefix) if settings.redis_url else ThreadJobs()
    wechat = WeChatAPI(
        client,
        settings.wechat_appid,
        settings.wechat_secret,
        settings.wechat_api_base,
        timeout=settings.wechat_timeout,
        key_prefix=settings.key_prefix,
    )
    return Services(
        settings=settings,
        db=Database(settings.database_url),
        redis=client,
        jobs=jobs,
        wechat=wechat,
        classifier=build_classifier(settings),
        dialogue=DialogueStore(client, settings.key_prefix, settings.dialogue_ttl),
        replies=ReplyCache(client, settings.key_prefix, settings.dedup_ttl),
    )


def install(services: Services) -> None:
    """Make these the services that jobs in this process use."""
    global _current
    with _lock:
        _current = services


def current() -> Services:
    """The installed services, built from the environment on first use (worker processes)."""
    global _current
    with _lock:
        if _current is None:
            _current = build_services(Settings.from_env())
        return _current
