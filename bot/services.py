"""The shared parts (database, Redis, job queue, WeChat API, classifier), built once per process
and handed explicitly to whatever needs them: the web app keeps them, a worker hands them to jobs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import redis

from bot.config import Settings
from bot.dialogue.state import DialogueStore
from bot.jobs import Jobs, RedisJobs, ThreadJobs
from bot.nlu import IntentService, build_classifier
from bot.nlu.draining import Draining
from bot.pipeline.journal import Journal, owner_of
from bot.redaction import register_secrets
from bot.redis_store import connect_redis
from bot.storage import Database
from bot.wechat.api import WeChatAPI
from bot.wechat.dedup import ReplyCache
from bot.wechat.rate_limit import RateLimit


@dataclass
class Services:
    """Everything a request or a job needs, for one configuration."""

    settings: Settings
    db: Database
    redis: redis.Redis
    jobs: Jobs
    wechat: WeChatAPI
    classifier: IntentService
    dialogue: DialogueStore
    replies: ReplyCache
    journal: Journal
    rate_limit: RateLimit


def build_services(settings: Settings) -> Services:
    """Connect every part described by the settings; the job queue hands these to its jobs."""
    register_secrets(settings.wechat_secret, settings.rasa_token, settings.wechat_aes_key, settings.wechat_token)
    client = connect_redis(settings.redis_url)
    jobs: Jobs = RedisJobs(client, settings.key_prefix) if settings.redis_url else ThreadJobs()
    wechat = WeChatAPI(
        client,
        settings.wechat_appid,
        settings.wechat_secret,
        settings.wechat_api_base,
        timeout=settings.wechat_timeout,
        key_prefix=settings.key_prefix,
        send_timeout=settings.wechat_send_timeout,
    )
    db = Database(settings.database_url)
    services = Services(
        settings=settings,
        db=db,
        redis=client,
        jobs=jobs,
        wechat=wechat,
        classifier=build_classifier(settings, draining=Draining(client, settings.key_prefix)),
        dialogue=DialogueStore(db, settings.dialogue_ttl),
        replies=ReplyCache(client, settings.key_prefix, settings.dedup_ttl),
        journal=Journal(Path(settings.journal_dir), owner_of(settings.database_url, settings.key_prefix)),
        rate_limit=RateLimit(client, settings.key_prefix, settings.rate_limit, settings.rate_window),
    )
    jobs.bind(services)
    return services
