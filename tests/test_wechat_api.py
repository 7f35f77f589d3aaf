"""WeChatAPI against real Redis and the fake WeChat server: one shared token, errors mapped to actions."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid

import fakeredis
import pytest
import redis
import requests

from bot.wechat.api import OutsideWindowError, RetryableError, WeChatAPI, WeChatAPIError
from devtools.fake_wechat import FakeWeChatServer

APPID, SECRET = "wx-test-appid", "test-secret"
OPENID = "oTestResident000000000000001"


@pytest.fixture(scope="module")
def redis_client():
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"these tests need a real Redis (REDIS_URL): {error}")
    yield client
    client.close()


@pytest.fixture()
def key_prefix(redis_client):
    prefix = f"test-wechat-api-{uuid.uuid4().hex[:12]}:"
    yield prefix
    stale_keys = list(redis_client.scan_iter(match=f"{prefix}*"))
    if stale_keys:
        redis_client.delete(*stale_keys)


@pytest.fixture()
def fake():
    # Grace 0: a newer token invalidates older ones at once, as after WeChat's 5 minutes.
    with FakeWeChatServer(appid=APPID, secret=SECRET, token_grace_seconds=0) as server:
        yield server


def make_api(redis_client, key_prefix, fake, **overrides) -> WeChatAPI:
    settings = {"appid": APPID, "secret": SECRET, "api_base": fake.base_url, "timeout": 2.0, "key_prefix": key_prefix}
    settings.update(overrides)
    return WeChatAPI(redis_client, **settings)


def test_send_text_reaches_the_fake(redis_client, key_prefix, fake):
    make_api(redis_client, key_prefix, fake).send_text(OPENID, "您的工单 J-0001 已受理")
    [message] = fake.messages(OPENID)
    assert message["body"] == {"touser": OPENID, "msgtype": "text", "text": {"content": "您的工单 J-0001 已受理"}}


def test_api_base_may_include_cgi_bin(redis_client, key_prefix, fake):
    make_api(redis_client, key_prefix, fake, api_base=fake.api_base).send_text(OPENID, "好")
    assert fake.stats()["sends"] == 1


def test_token_is_shared_through_redis_with_a_ttl_under_expires_in(redis_client, key_prefix, fake):
    first, second = make_api(redis_client, key_prefix, fake), make_api(redis_client, key_prefix, fake)
    first.send_text(OPENID, "一")
    second.send_text(OPENID, "二")
    assert fake.stats()["token_fetches"] == 1
    assert 0 < redis_client.ttl(f"{key_prefix}wechat:access_token") < 7200


def test_concurrent_first_use_fetches_once(redis_client, key_prefix, fake):
    # Eight "processes": separate clients, released together against an empty token cache.
    apis = [make_api(redis_client, key_prefix, fake) for _ in range(8)]
    start_together = threading.Barrier(len(apis))
    errors: list[Exception] = []

    def send(api: WeChatAPI, number: int) -> None:
        start_together.wait()
        try:
            api.send_text(OPENID, f"第{number}条")
        except WeChatAPIError as error:
            errors.append(error)

    threads = [threading.Thread(target=send, args=(api, n)) for n, api in enumerate(apis)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert fake.stats()["token_fetches"] == 1
    assert len(fake.messages(OPENID)) == 8


def test_invalid_token_refreshes_and_retries_once(redis_client, key_prefix, fake):
    api = make_api(redis_client, key_prefix, fake)
    api.send_text(OPENID, "先拿到 token")
    fake.fail("message/custom/send", errcode=40001)
    api.send_text(OPENID, "重试后送达")
    stats = fake.stats()
    assert (stats["token_fetches"], stats["send_attempts"], stats["sends"]) == (2, 3, 2)
    assert fake.messages(OPENID)[-1]["content"] == "重试后送达"


def test_token_refused_twice_is_retryable_after_one_retry(redis_client, key_prefix, fake):
    api = make_api(redis_client, key_prefix, fake)
    fake.fail("message/custom/send", errcode=40001, times=2)
    with pytest.raises(RetryableError):
        api.send_text(OPENID, "x")
    assert fake.stats()["send_attempts"] == 2


def test_expired_token_is_replaced(redis_client, key_prefix, fake):
    api = make_api(redis_client, key_prefix, fake)
    api.send_text(OPENID, "一")
    fake.expire_token()
    api.send_text(OPENID, "二")
    assert fake.stats()["token_fetches"] == 2 and fake.stats()["sends"] == 2


def test_token_replaced_elsewhere_is_used_without_another_fetch(redis_client, key_prefix, fake):
    api = make_api(redis_client, key_prefix, fake)
    failed_token = api.access_token()
    newer_token = make_api(redis_client, key_prefix, fake).invalidate_token(failed_token)
    assert newer_token != failed_token and fake.stats()["token_fetches"] == 2
    # This process still holds the failed token: it must take the newer one, not fetch a third.
    assert api.invalidate_token(failed_token) == newer_token
    assert fake.stats()["token_fetches"] == 2


def test_token_invalidated_by_a_fetch_outside_redis_is_recovered(redis_client, key_prefix, fake):
    api = make_api(redis_client, key_prefix, fake)
    api.send_text(OPENID, "一")
    # Someone fetched a token without the shared store (say, a console tool): ours is now 40001.
    requests.get(
        f"{fake.api_base}token", timeout=5, params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    )
    api.send_text(OPENID, "二")
    assert [m["content"] for m in fake.messages(OPENID)] == ["一", "二"]


def test_outside_window_raises_outside_window_error(redis_client, key_prefix, fake):
    fake.fail("message/custom/send", errcode=45015)
    with pytest.raises(OutsideWindowError) as caught:
        make_api(redis_client, key_prefix, fake).send_text(OPENID, "x")
    assert caught.value.errcode == 45015 and fake.messages() == []


def test_rate_limit_is_retryable(redis_client, key_prefix, fake):
    fake.fail("message/custom/send", errcode=45009)
    with pytest.raises(RetryableError) as caught:
        make_api(redis_client, key_prefix, fake).send_text(OPENID, "x")
    assert caught.value.errcode == 45009


def test_hanging_server_is_retryable_within_the_timeout(redis_client, key_prefix, fake):
    api = make_api(redis_client, key_prefix, fake, timeout=0.5)
    api.access_token()
    fake.fail("message/custom/send", delay=10)
    started = time.monotonic()
    with pytest.raises(RetryableError):
        api.send_text(OPENID, "x")
    assert time.monotonic() - started < 2


def test_hanging_token_fetch_is_retryable_within_the_timeout(redis_client, key_prefix, fake):
    fake.fail("token", delay=10)
    started = time.monotonic()
    with pytest.raises(RetryableError):
        make_api(redis_client, key_prefix, fake, timeout=0.5).send_text(OPENID, "x")
    assert time.monotonic() - started < 2


def test_unreachable_server_is_retryable(redis_client, key_prefix):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    api = WeChatAPI(redis_client, APPID, SECRET, f"http://127.0.0.1:{closed_port}", timeout=1, key_prefix=key_prefix)
    with pytest.raises(RetryableError):
        api.send_text(OPENID, "x")


def test_other_errcodes_raise_wechat_api_error(redis_client, key_prefix, fake):
    with pytest.raises(WeChatAPIError) as caught:
        make_api(redis_client, key_prefix, fake).send_text(OPENID, "法" * 1000)
    assert caught.value.errcode == 45002
    assert not isinstance(caught.value, (RetryableError, OutsideWindowError))


def test_wrong_secret_is_not_retryable(redis_client, key_prefix, fake):
    with pytest.raises(WeChatAPIError) as caught:
        make_api(redis_client, key_prefix, fake, secret="wrong").send_text(OPENID, "x")
    assert caught.value.errcode == 40125 and not isinstance(caught.value, RetryableError)


def test_download_media_returns_the_uploaded_bytes(redis_client, key_prefix, fake):
    api = make_api(redis_client, key_prefix, fake)
    upload = requests.post(
        f"{fake.api_base}media/upload",
        timeout=5,
        params={"access_token": api.access_token(), "type": "image"},
        files={"media": ("ceiling.jpg", b"\xff\xd8leak", "image/jpeg")},
    ).json()
    assert api.download_media(upload["media_id"]) == b"\xff\xd8leak"


def test_download_unknown_media_raises(redis_client, key_prefix, fake):
    with pytest.raises(WeChatAPIError) as caught:
        make_api(redis_client, key_prefix, fake).download_media("no-such-media")
    assert caught.value.errcode == 40007


def test_works_with_fakeredis(fake):
    shared = fakeredis.FakeServer()
    first = WeChatAPI(fakeredis.FakeRedis(server=shared), APPID, SECRET, fake.base_url, timeout=2)
    second = WeChatAPI(fakeredis.FakeRedis(server=shared), APPID, SECRET, fake.base_url, timeout=2)
    first.send_text(OPENID, "一")
    fake.fail("message/custom/send", errcode=40001)
    second.send_text(OPENID, "二")
    assert fake.stats()["token_fetches"] == 2 and fake.stats()["sends"] == 2
    assert fake.messages(OPENID)[-1]["content"] == "二"


def test_redis_down_is_retryable_and_fetches_nothing(fake):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = redis.Redis(host="127.0.0.1", port=closed_port, socket_connect_timeout=0.5)
    with pytest.raises(RetryableError):
        WeChatAPI(unreachable, APPID, SECRET, fake.base_url, timeout=1).send_text(OPENID, "x")
    assert fake.stats()["token_fetches"] == 0
