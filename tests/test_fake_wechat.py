"""The fake WeChat API server behaves like the parts of api.weixin.qq.com the service relies on."""

from __future__ import annotations

import io
import threading
import time

import pytest
import requests

from devtools.fake_wechat import FakeWeChatServer, create_fake_wechat_app

APPID, SECRET = "wx-test-appid", "test-secret"

# Its client is the fake server's own (tests/conftest.py's is the app's, on the real services).
pytestmark = pytest.mark.unit


@pytest.fixture()
def client():
    app = create_fake_wechat_app(appid=APPID, secret=SECRET, token_grace_seconds=0.2)
    return app.test_client()


def fetch_token(client, secret: str = SECRET, appid: str = APPID) -> dict:
    query = {"grant_type": "client_credential", "appid": appid, "secret": secret}
    return client.get("/cgi-bin/token", query_string=query).get_json()


def send_text(client, token: str, touser: str = "openid-1", content: str = "您好") -> dict:
    body = {"touser": touser, "msgtype": "text", "text": {"content": content}}
    return client.post("/cgi-bin/message/custom/send", query_string={"access_token": token}, json=body).get_json()


def test_token_fetch_returns_token_and_counts_fetches(client):
    first = fetch_token(client)
    assert first["expires_in"] == 7200 and first["access_token"]
    fetch_token(client)
    assert client.get("/_fake/stats").get_json()["token_fetches"] == 2


def test_wrong_credentials_are_refused(client):
    assert fetch_token(client, secret="wrong")["errcode"] == 40125
    assert fetch_token(client, appid="wx-other")["errcode"] == 40013
    assert client.get("/_fake/stats").get_json()["token_fetches"] == 0


def test_unconfigured_credentials_accept_anything():
    client = create_fake_wechat_app().test_client()
    assert "access_token" in fetch_token(client, secret="anything", appid="wx-any")


def test_new_token_invalidates_old_one_after_grace_period(client):
    old = fetch_token(client)["access_token"]
    new = fetch_token(client)["access_token"]
    assert send_text(client, old)["errcode"] == 0, "old token still valid inside the grace period"
    time.sleep(0.3)
    assert send_text(client, old)["errcode"] == 40001
    assert send_text(client, new)["errcode"] == 0


def test_send_is_recorded_with_sequence_numbers(client):
    token = fetch_token(client)["access_token"]
    send_text(client, token, "openid-1", "第一条")
    send_text(client, token, "openid-2", "第二条")
    send_text(client, token, "openid-1", "第三条")
    everything = client.get("/_fake/messages").get_json()
    assert [m["seq"] for m in everything["messages"]] == [1, 2, 3] and everything["last_seq"] == 3
    mine = client.get("/_fake/messages", query_string={"touser": "openid-1", "since": 1}).get_json()["messages"]
    assert [m["content"] for m in mine] == ["第三条"]
    assert mine[0]["body"]["text"]["content"] == "第三条"


def test_send_with_bad_or_missing_token_is_refused(client):
    assert send_text(client, "not-a-token")["errcode"] == 40001
    missing = client.post("/cgi-bin/message/custom/send", json={"touser": "x", "msgtype": "text"})
    assert missing.get_json()["errcode"] == 41001
    assert client.get("/_fake/messages").get_json()["messages"] == []


def test_text_over_2048_bytes_is_refused(client):
    token = fetch_token(client)["access_token"]
    assert send_text(client, token, content="法" * 683)["errcode"] == 45002  # 2,049 bytes
    assert send_text(client, token, content="法" * 682)["errcode"] == 0


def test_injected_failures_apply_to_the_next_n_calls_only(client):
    token = fetch_token(client)["access_token"]
    client.post("/_fake/fail", json={"path": "message/custom/send", "errcode": 45015, "times": 2})
    assert send_text(client, token)["errcode"] == 45015
    assert send_text(client, token)["errcode"] == 45015
    assert send_text(client, token)["errcode"] == 0
    stats = client.get("/_fake/stats").get_json()
    assert (stats["send_attempts"], stats["sends"], stats["injected_failures"]) == (3, 1, 2)


def test_injected_delay_hangs_the_call(client):
    token = fetch_token(client)["access_token"]
    client.post("/_fake/fail", json={"path": "/cgi-bin/message/custom/send", "delay": 0.3})
    started = time.monotonic()
    assert send_text(client, token)["errcode"] == 0
    assert time.monotonic() - started >= 0.3


def test_fail_without_errcode_or_delay_is_a_bad_request(client):
    assert client.post("/_fake/fail", json={"path": "message/custom/send"}).status_code == 400


def test_expire_token_gives_42001(client):
    token = fetch_token(client)["access_token"]
    client.post("/_fake/expire_token")
    assert send_text(client, token)["errcode"] == 42001
    assert send_text(client, fetch_token(client)["access_token"])["errcode"] == 0


def test_closed_window_gives_45015_until_reopened(client):
    token = fetch_token(client)["access_token"]
    client.post("/_fake/window", json={"touser": "openid-1", "open": False})
    assert send_text(client, token, "openid-1")["errcode"] == 45015
    assert send_text(client, token, "openid-2")["errcode"] == 0
    client.post("/_fake/window", json={"touser": "openid-1", "open": True})
    assert send_text(client, token, "openid-1")["errcode"] == 0


def test_template_messages_are_recorded_too(client):
    token = fetch_token(client)["access_token"]
    body = {"touser": "staff-1", "template_id": "tpl", "data": {"first": {"value": "新工单"}}}
    answer = client.post("/cgi-bin/message/template/send", query_string={"access_token": token}, json=body)
    assert answer.get_json()["errcode"] == 0 and "msgid" in answer.get_json()
    assert client.get("/_fake/messages").get_json()["messages"][0]["msgtype"] == "template"


def test_media_upload_then_get_round_trip(client):
    token = fetch_token(client)["access_token"]
    upload = client.post(
        "/cgi-bin/media/upload",
        query_string={"access_token": token, "type": "image"},
        data={"media": (io.BytesIO(b"\xff\xd8jpeg-bytes"), "leak.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    ).get_json()
    media = client.get("/cgi-bin/media/get", query_string={"access_token": token, "media_id": upload["media_id"]})
    assert media.data == b"\xff\xd8jpeg-bytes" and media.content_type == "image/jpeg"


def test_media_get_placeholders_and_unknown_ids(client):
    token = fetch_token(client)["access_token"]
    image = client.get("/cgi-bin/media/get", query_string={"access_token": token, "media_id": "fake_image_1"})
    assert image.content_type == "image/png" and image.data.startswith(b"\x89PNG")
    voice = client.get("/cgi-bin/media/get", query_string={"access_token": token, "media_id": "fake_voice_1"})
    assert voice.content_type == "audio/amr"
    unknown = client.get("/cgi-bin/media/get", query_string={"access_token": token, "media_id": "nope"})
    assert unknown.get_json()["errcode"] == 40007


def test_reset_forgets_everything(client):
    token = fetch_token(client)["access_token"]
    send_text(client, token)
    client.post("/_fake/fail", json={"path": "token", "errcode": 45009})
    client.post("/_fake/reset")
    stats = client.get("/_fake/stats").get_json()
    assert stats["token_fetches"] == stats["sends"] == stats["messages"] == stats["pending_failures"] == 0
    assert send_text(client, token)["errcode"] == 40001


def test_server_runs_on_a_free_port_and_long_polls():
    with FakeWeChatServer(appid=APPID, secret=SECRET) as server:
        token = requests.get(
            f"{server.api_base}token",
            timeout=5,
            params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
        ).json()["access_token"]
        waited = {}

        def long_poll():
            waited["answer"] = requests.get(
                f"{server.base_url}/_fake/messages", params={"touser": "openid-9", "wait": 5}, timeout=10
            ).json()

        poller = threading.Thread(target=long_poll)
        poller.start()
        time.sleep(0.2)
        requests.post(
            f"{server.api_base}message/custom/send",
            params={"access_token": token},
            timeout=5,
            json={"touser": "openid-9", "msgtype": "text", "text": {"content": "到了"}},
        )
        poller.join(timeout=5)
        assert [m["content"] for m in waited["answer"]["messages"]] == ["到了"]
        assert [m["content"] for m in server.messages("openid-9")] == ["到了"]
        assert server.stats()["sends"] == 1


def test_stop_is_quick_even_during_a_simulated_hang():
    server = FakeWeChatServer().start()
    server.fail("token", delay=30)
    hung = threading.Thread(
        target=lambda: requests.get(
            f"{server.api_base}token",
            timeout=40,
            params={"grant_type": "client_credential", "appid": "a", "secret": "b"},
        )
    )
    hung.start()
    time.sleep(0.2)
    started = time.monotonic()
    server.stop()
    hung.join(timeout=5)
    assert time.monotonic() - started < 5 and not hung.is_alive()
