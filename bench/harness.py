"""A service of its own for a bench run: a fresh PostgreSQL database, a Redis key prefix and the
local fake WeChat API, all on this machine, dropped afterwards. Loopback only."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings  # noqa: E402
from bot.services import Services, build_services  # noqa: E402
from devtools.databases import scratch_database  # noqa: E402
from devtools.fake_wechat import FakeWeChatServer  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TOKEN = "bench-token"
APPID = "wxbenchappid0001"


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    """A migrated, seeded database of this run's own; dropped at the end."""
    with scratch_database(PG_ADMIN_URL, f"lfd_bench_{uuid.uuid4().hex[:8]}") as url:
        yield url


@contextlib.contextmanager
def bench_services(safe: bool = False, **overrides) -> Iterator[tuple[Services, FakeWeChatServer]]:
    """Services on a database, key prefix and fake WeChat API of their own."""
    prefix = f"lfdbench:{uuid.uuid4().hex[:8]}:"
    fake = FakeWeChatServer().start()
    try:
        with bench_database() as url:
            settings = Settings(
                wechat_token=TOKEN,
                wechat_appid=APPID,
                wechat_secret="bench-secret",
                wechat_aes_key=AES_KEY if safe else "",
                wechat_api_base=fake.api_base,
                wechat_timeout=2.0,
                database_url=url,
                redis_url=REDIS_URL,
                key_prefix=prefix,
                nlu_backend="keywords",
            )
            services = build_services(dataclasses.replace(settings, **overrides))
            try:
                yield services, fake
            finally:
                services.db.engine.dispose()
    finally:
        fake.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
