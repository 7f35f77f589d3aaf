"""The simulator's requests are what WeChat sends, and it reads replies the way WeChat does."""

from __future__ import annotations

import base64
import io
import threading
import time

import pytest
import requests
import xmltodict
from flask import Flask, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature
from werkzeug.serving import make_server

from devtools.fake_wechat import FakeWeChatServer
from devtools.simulator import (
    BadReplyError,
    ChatConfig,
    ChatSession,
    build_request,
    event_xml,
    image_xml,
    location_xml,
    parse_reply,
    text_xml,
    voice_xml,
)

TOKEN = "sim-test-token"
APPID = "wx-sim-test"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
OPENID = "oSimulatorTest00000000000001"


def test_plaintext_request_is_signed_like_wechat():
    params, body = build_request(text_xml(OPENID, "楼上漏水怎么办", 1001), TOKEN)
    check_signature(TOKEN, params["signature"], params["timestamp"], params["nonce"])
    message = parse_message(body)
    assert (message.type, message.content, message.source, message.id) == ("text", "楼上漏水怎么办", OPENID, 1001)
    assert params["openid"] == OPENID and "encrypt_type" not in params


def test_safe_mode_request_decrypts_with_wechatpy():
    params, body = build_request(text_xml(OPENID, "物业不修电梯", 1002), TOKEN, AES_KEY, APPID)
    assert params["encrypt_type"] == "aes"
    check_signature(TOKEN, params["signature"], params["timestamp"], params["nonce"])
    outer = xmltodict.parse(body)["xml"]
    assert set(outer) == {"ToUserName", "Encrypt"}, "safe mode sends nothing else in the clear"
    plain = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        body, params["msg_signature"], params["timestamp"], params["nonce"]
    )
    assert parse_message(plain).content == "物业不修电梯"


def test_safe_mode_needs_the_appid():
    with pytest.raises(ValueError):
        build_request(text_xml(OPENID, "x", 1), TOKEN, AES_KEY, None)


def test_plaintext_reply_round_trip():
    params, body = build_request(text_xml(OPENID, "你好", 1003), TOKEN)
    reply = TextReply(content="您好，请问遇到了什么问题？", message=parse_message(body)).render()
    parsed = parse_reply(reply.encode(), TOKEN, params=params)
    assert parsed["Content"] == "您好，请问遇到了什么问题？" and parsed["ToUserName"] == OPENID


def test_safe_mode_reply_round_trip():
    params, body = build_request(text_xml(OPENID, "你好", 1004), TOKEN, AES_KEY, APPID)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    message = parse_message(crypto.decrypt_message(body, params["msg_signature"], params["timestamp"], params["nonce"]))
    encrypted = crypto.encrypt_message(
        TextReply(content="已收到", message=message).render(), params["nonce"], params["timestamp"]
    )
    assert parse_reply(encrypted, TOKEN, AES_KEY, APPID, params)["Content"] == "已收到"


def test_safe_mode_rejects_plaintext_and_forged_replies():
    params, body = build_request(text_xml(OPENID, "你好", 1005), TOKEN, AES_KEY, APPID)
    plain_reply = TextReply(content="明文", source="gh_demo", target=OPENID).render()
    with pytest.raises(BadReplyError):
        parse_reply(plain_reply, TOKEN, AES_KEY, APPID, params)
    forged = WeChatCrypto("another-token", AES_KEY, APPID).encrypt_message(plain_reply, params["nonce"])
    with pytest.raises(BadReplyError):
        parse_reply(forged, TOKEN, AES_KEY, APPID, params)


def test_garbage_reply_is_a_bad_reply():
    with pytest.raises(BadReplyError):
        parse_reply(b"<html>502 Bad Gateway", TOKEN)


def test_success_and_empty_mean_no_reply():
    assert parse_reply(b"success", TOKEN) is None
    assert parse_reply(b"", TOKEN, AES_KEY, APPID) is None


def test_builders_produce_messages_wechatpy_understands():
    image = parse_message(image_xml(OPENID, "fake_image_1", 2001))
    voice = parse_message(voice_xml(OPENID, "fake_voice_1", 2002, recognition="我家楼上漏水"))
    location = parse_message(location_xml(OPENID, 30.60, 114.26, 2003, label="江汉区"))
    subscribe = parse_message(event_xml(OPENID, "subscribe"))
    click = parse_message(event_xml(OPENID, "CLICK", "MY_TICKETS"))
    assert (image.type, image.media_id) == ("image", "fake_image_1")
    assert (voice.type, voice.recognition) == ("voice", "我家楼上漏水")
    assert location.type == "location" and tuple(map(float, location.location)) == (30.60, 114.26)
    assert (subscribe.type, subscribe.event) == ("event", "subscribe")
    assert (click.event, click.key) == ("click", "MY_TICKETS")


def test_cdata_terminator_in_content_survives():
    message = parse_message(text_xml(OPENID, "a]]>b<xml>", 3001))
    assert message.content == "a]]>b<xml>"


class _EchoService:
    """A stand-in for the bot: verifies like the real webhook and echoes text back."""

    def __init__(self, aes_key: str | None) -> None:
        self.crypto = WeChatCrypto(TOKEN, aes_key, APPID) if aes_key else None
        self.seen: list[str] = []
        app = Flask("echo")
        app.add_url_rule("/wechat", view_func=self.callback, methods=["POST"])
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.port}/wechat"

    def callback(self):
        args = request.args
        check_signature(TOKEN, args["signature"], args["timestamp"], args["nonce"])
        body = request.get_data()
        if self.crypto:
            body = self.crypto.decrypt_message(body, args["msg_signature"], args["timestamp"], args["nonce"])
        message = parse_message(body)
        self.seen.append(f"{message.type}:{getattr(message, 'content', getattr(message, 'event', ''))}")
        if message.type != "text":
            return "success"
        reply = TextReply(content=f"收到：{message.content}", message=message).render()
        return self.crypto.encrypt_message(reply, args["nonce"], args["timestamp"]) if self.crypto else reply

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("aes_key", [None, AES_KEY], ids=["plaintext", "safe-mode"])
def test_chat_session_shows_replies_and_customer_service_messages(aes_key):
    service = _EchoService(aes_key)
    try:
        with FakeWeChatServer() as fake:
            out = io.StringIO()
            session = ChatSession(
                ChatConfig(
                    url=service.url, openid=OPENID, token=TOKEN, aes_key=aes_key, appid=APPID, api_base=fake.api_base
                ),
                out=out,
            )
            token = requests.get(
                f"{fake.api_base}token",
                timeout=5,
                params={"grant_type": "client_credential", "appid": APPID, "secret": "s"},
            ).json()["access_token"]

            def later_customer_service_message():
                time.sleep(0.5)
                requests.post(
                    f"{fake.api_base}message/custom/send",
                    params={"access_token": token},
                    timeout=5,
                    json={"touser": OPENID, "msgtype": "text", "text": {"content": "律师已回复您的工单"}},
                )

            threading.Thread(target=later_customer_service_message, daemon=True).start()
            session.run(io.StringIO("你好\n/subscribe\n/menu MY_TICKETS\n/quit\n"), interactive=False, linger=2)
            shown = out.getvalue()
    finally:
        service.stop()
    assert "你 > 你好" in shown and "公众号 < 收到：你好" in shown
    assert "公众号(客服消息) < 律师已回复您的工单" in shown
    assert service.seen == ["text:你好", "event:subscribe", "event:click"]
