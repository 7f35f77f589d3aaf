"""Servers taken out of the rotation during a promotion: marked in Redis, seen by every process's
client within the cache time, forgotten when cleared."""

from __future__ import annotations

import redis

from bot.nlu.draining import CACHE_S, Draining
from tests.conftest import REDIS_URL


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_marked_server_is_seen_by_another_process_within_the_cache_time(key_prefix):
    client = redis.Redis.from_url(REDIS_URL)
    clock = Clock()
    promotion, web = Draining(client, key_prefix), Draining(client, key_prefix, clock=clock)
    assert web.urls() == frozenset()
    promotion.mark("http://127.0.0.1:5012")
    assert web.urls() == frozenset()  # still the cached view
    clock.now += CACHE_S
    assert web.urls() == {"http://127.0.0.1:5012"}
    promotion.clear("http://127.0.0.1:5012")
    clock.now += CACHE_S
    assert web.urls() == frozenset()


def test_without_redis_every_server_takes_parses():
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    assert Draining(unreachable, "x:").urls() == frozenset()


class Marked:
    def __init__(self, *urls: str) -> None:
        self.out = frozenset(urls)

    def urls(self) -> frozenset[str]:
        return self.out


def test_the_client_sends_no_parse_to_a_draining_server_unless_every_server_is():
    from bot.nlu.rasa_client import RasaServers

    servers = RasaServers(["http://a", "http://b"], draining=Marked("http://a"))
    assert {servers.order()[0] for _ in range(6)} == {"http://b"} and "http://a" not in servers.order()
    everyone = RasaServers(["http://a", "http://b"], draining=Marked("http://a", "http://b"))
    assert sorted(everyone.order()) == ["http://a", "http://b"]  # better a slow answer than none
