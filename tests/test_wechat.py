"""The WeChat callback: signatures, modes, every message type, rejections, retries, budget."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from sqlalchemy import func, select, update

import bot.pipeline.answering as bot_answering
from bot.pipeline.recovery import answer_unanswered, replay_kept
from bot.services import build_services
from bot.storage.messages import Message
from bot.storage.residents import find_resident
from bot.storage.tickets import Ticket
from devtools.simulator import build_request, new_msg_id, parse_reply, sha1_signature, text_xml
from tests.conftest import run_jobs
from tests.scripted import ScriptedClassifier
from tests.wechat_user import WeChatUser
from webhook import create_app

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
STORY = "楼上邻居天天半夜跺脚还拖椅子，吵得我们全家睡不着，说了好几次都不听"


@pytest.fixture
def scripted(services):
    """Classification from a script, so these tests are about the callback, not the model."""
    services.classifier = ScriptedClassifier({STORY: "neighbor_dispute", "你好": "greet"})
    return services.classifier


def _count(services, model, **where) -> int:
    with services.db.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


def _known_resident(services, openid: str, phone: str = "13900001111") -> None:
    """A resident whose community and phone are known, so a full story opens a case at once."""
    from bot.storage.directory import unit_by_code
    from bot.storage.residents import touch_resident

    with services.db.session() as session:
        resident = touch_resident(session, openid)
        resident.community_id = unit_by_code(session, "baguodun").id
        resident.phone = phone


def test_url_verification_echoes_echostr(client, settings):
    params = {"timestamp": "1700000000", "nonce": "42", "echostr": "hello-wechat"}
    params["signature"] = sha1_signature(settings.wechat_token, params["timestamp"], params["nonce"])
    assert client.get("/wechat", query_string=params).data == b"hello-wechat"


def test_url_verification_with_wrong_signature_is_forbidden(client):
    params = {"timestamp": "1700000000", "nonce": "42", "echostr": "x", "signature": "0" * 40}
    assert client.get("/wechat", query_string=params).status_code == 403


def test_plaintext_message_gets_a_text_reply(client, resident, scripted):
    response = resident.post(text_xml(resident.openid, "你好", new_msg_id()))
    reply = parse_reply(response.data, "test-token")
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == resident.openid
    assert "法律服务前台" in reply["Content"]


def test_safe_mode_round_trip(services, settings, scripted):
    safe = dataclasses.replace(settings, wechat_aes_key=AES_KEY)
    services.settings = safe
    user = WeChatUser(create_app(services=services).test_client(), safe, "o_safe_mode_user")
    params, body = build_request(text_xml(user.openid, "你好", new_msg_id()), "test-token", AES_KEY, safe.wechat_appid)
    assert b"Encrypt" in body and "你好".encode() not in body
    response = user.client.post("/wechat", query_string=params, data=body)
    assert b"<Encrypt>" in response.data and "法律服务前台".encode() not in response.data
    reply = parse_reply(response.data, "test-token", AES_KEY, safe.wechat_appid, params)
    assert "法律服务前台" in reply["Content"]


def test_compatible_mode_without_aes_key_is_read_in_plaintext(client, resident, scripted):
    xml = text_xml(resident.openid, "你好", new_msg_id())
    params, body = build_request(xml, "test-token")
    params["encrypt_type"] = "aes"  # compatible mode: plaintext fields are there too
    response = client.post("/wechat", query_string=params, data=body)
    assert "法律服务前台" in parse_reply(response.data, "test-token")["Content"]


def _safe_client(services, settings):
    services.settings = dataclasses.replace(settings, wechat_aes_key=AES_KEY)
    return create_app(services=services).test_client()


@pytest.mark.parametrize(
    "case",
    [
        "wrong_signature",
        "wrong_msg_signature",
        "wrong_appid",
        "undecryptable",
        "malformed",
        "dtd",
        "entity",
        "no_sender",
        "too_big",
    ],
)
def test_rejections_are_4xx_and_store_nothing(services, settings, scripted, case):
    client = _safe_client(services, settings)
    openid = f"o_reject_{case}"
    xml = text_xml(openid, "你好", new_msg_id())
    params, body = build_request(xml, "test-token", AES_KEY, settings.wechat_appid)
    expected = 400
    if case == "wrong_signature":
        params, body = build_request(xml, "test-token")
        params["signature"] = "f" * 40
        expected = 403
    elif case == "wrong_msg_signature":
        params["msg_signature"] = "0" * 40
        expected = 403
    elif case == "wrong_appid":
        params, body = build_request(xml, "test-token", AES_KEY, "wxsomeoneelse00")
    elif case == "undecryptable":
        body = b"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[bm90LWFlcw==]]></Encrypt></xml>"
        params["msg_signature"] = sha1_signature("test-token", params["timestamp"], params["nonce"], "bm90LWFlcw==")
    elif case in ("malformed", "dtd", "entity", "no_sender"):
        bodies = {
            "malformed": "<xml><ToUserName>gh</ToUserName><FromUserName>",
            "dtd": '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>',
            "entity": '<!ENTITY lol "lol"><xml/>',
            "no_sender": "<xml><ToUserName><![CDATA[gh]]></ToUserName><MsgType><![CDATA[text]]></MsgType></xml>",
        }
        params, body = build_request("<xml><a>1</a></xml>", "test-token")
        body = bodies[case].encode()
        services.settings = settings  # plaintext mode: the XML itself is what is wrong
        client = create_app(services=services).test_client()
    elif case == "too_big":
        params, body = build_request(text_xml(openid, "长" * 40_000, new_msg_id()), "test-token")
        expected = 413
    before = _count(services, Message)
    response = client.post("/wechat", query_string=params, data=body, content_type="text/xml")
    assert response.status_code == expected
    assert _count(services, Message) == before


def test_retry_storm_yields_one_message_one_reply_one_ticket(app, services, scripted, settings):
    openid = "o_retry_storm"
    _known_resident(services, openid)
    assert "请确认" in WeChatUser(app.test_client(), settings, openid).says(STORY)
    lock = services.dialogue.lock
    # Slow the answer down so the retries arrive while the first delivery is still being handled.
    services.dialogue.lock = lambda session, key: (time.sleep(0.3), lock(session, key))[1]
    # The confirmation that opens the case, delivered 4 times at once as WeChat's retries can be.
    xml = text_xml(openid, "1", new_msg_id())
    replies, errors = [], []

    def deliver():
        user = WeChatUser(app.test_client(), settings, openid)
        try:
            replies.append(user.deliver(xml))
        except AssertionError as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Retries that arrive while the first delivery is pending wait for its reply: all get it.
    assert len(replies) == 4 and len(set(replies)) == 1 and "工单" in replies[0]
    again = WeChatUser(app.test_client(), settings, openid).deliver(xml)
    assert again == replies[0]  # a later retry gets exactly the first reply
    with services.db.session() as session:
        resident = find_resident(session, openid)
        assert _count(services, Message, resident_id=resident.id, direction="in") == 2
        assert _count(services, Ticket, resident_id=resident.id) == 1


def test_retry_after_redis_forgot_is_stopped_by_the_database(client, services, resident, scripted, fake_wechat):
    xml = text_xml(resident.openid, "你好", new_msg_id())
    reply = resident.deliver(xml)
    assert reply
    for key in services.redis.scan_iter(f"{services.settings.key_prefix}dedup:*"):
        services.redis.delete(key)
    # Already stored and answered: the same passive reply (WeChat shows one per message), not a
    # second answer and not a customer-service copy.
    assert resident.deliver(xml) == reply
    assert len(scripted.calls) == 1
    run_jobs(services)
    assert fake_wechat.messages(touser=resident.openid) == []


def _died_after(services, xml: str, answered: bool) -> None:
    """The state a web process leaves when it is killed after storing (and answering) a message
    but before its reply left: the reply cache still says "pending", nothing was delivered."""
    from wechatpy import parse_message

    from bot.pipeline.storing import store
    from webhook.wechat import to_inbound

    inbound = to_inbound(parse_message(xml))
    assert services.replies.claim(inbound.dedup_key) == (True, None)
    if answered:
        bot_answering.receive(services, inbound)
    else:
        store(services, inbound)


def test_a_retry_of_a_message_answered_by_a_process_that_died_gets_that_answer_once(
    app, services, settings, scripted, fake_wechat
):
    openid = "o_retry_after_a_kill_01"
    _known_resident(services, openid)
    assert "请确认" in WeChatUser(app.test_client(), settings, openid).says(STORY)
    xml = text_xml(openid, "1", new_msg_id())  # the confirmation that opens the case
    _died_after(services, xml, answered=True)
    started = time.monotonic()
    retry = WeChatUser(app.test_client(), settings, openid).deliver(xml)
    assert "工单" in retry and time.monotonic() - started < 3.5  # the answer computed before the kill
    again = WeChatUser(app.test_client(), settings, openid).deliver(xml)
    assert again == retry  # WeChat's third delivery gets the same
    run_jobs(services)
    assert fake_wechat.messages(touser=openid) == []  # given passively: no customer-service copy
    with services.db.session() as session:
        resident = find_resident(session, openid)
        assert _count(services, Ticket, resident_id=resident.id) == 1


def test_a_retry_of_a_message_whose_process_died_before_answering_is_answered_once(
    app, services, settings, scripted, fake_wechat
):
    openid = "o_retry_after_a_kill_02"
    xml = text_xml(openid, "你好", new_msg_id())
    _died_after(services, xml, answered=False)
    services.settings = dataclasses.replace(services.settings, reply_budget=0.4)
    scripted.delay = 0.8  # answering it now takes longer than the retry can wait
    assert WeChatUser(app.test_client(), settings, openid).deliver(xml) == ""
    assert WeChatUser(app.test_client(), settings, openid).deliver(xml) == ""
    deadline = time.monotonic() + 10
    while not fake_wechat.messages(touser=openid) and time.monotonic() < deadline:
        time.sleep(0.2)
        run_jobs(services)
    time.sleep(1.0)
    run_jobs(services)
    sent = fake_wechat.messages(touser=openid)
    assert len(sent) == 1 and "法律服务前台" in sent[0]["content"]  # as a customer-service message, once
    assert len(scripted.calls) == 1


def test_following_by_scanning_a_qr_code_is_welcomed_too(resident, scripted):
    assert "转人工" in resident.event("subscribe_scan", "qrscene_baguodun")


def test_an_old_signature_is_refused(client, resident):
    params, body = build_request(
        text_xml(resident.openid, "你好", new_msg_id()), "test-token", timestamp=str(int(time.time()) - 3600)
    )
    assert client.post("/wechat", query_string=params, data=body).status_code == 403


def test_plaintext_is_refused_once_safe_mode_is_configured(services, settings, scripted):
    client = _safe_client(services, settings)
    params, body = build_request(text_xml("o_plain_in_safe", "你好", new_msg_id()), "test-token")
    assert client.post("/wechat", query_string=params, data=body).status_code == 403


def test_malformed_messages_of_every_kind_are_400_not_500(services, settings, resident, scripted):
    params, body = build_request(text_xml(resident.openid, "你好", new_msg_id()), "test-token")
    assert resident.client.post("/wechat", query_string=params, data=b"\xff\xfe<xml>").status_code == 400
    client = _safe_client(services, settings)
    params, body = build_request(
        text_xml(resident.openid, "你好", new_msg_id()), "test-token", AES_KEY, settings.wechat_appid
    )
    broken = body.replace(b"<Encrypt>", b"<Encrypt><b>")
    assert client.post("/wechat", query_string=params, data=broken).status_code in (400, 403)


def test_two_events_in_the_same_second_are_both_handled(resident, scripted):
    from devtools.simulator import event_xml

    moment = int(time.time())
    assert resident.deliver(event_xml(resident.openid, "LOCATION", create_time=moment)) == ""
    assert "发生了什么" in resident.deliver(event_xml(resident.openid, "CLICK", "NEIGHBOR_DISPUTE", create_time=moment))


def test_subscribe_welcomes_and_unsubscribe_is_recorded(services, resident, scripted):
    welcome = resident.event("subscribe")
    assert "转人工" in welcome and "我的工单" in welcome
    assert resident.event("unsubscribe") == ""
    with services.db.session() as session:
        assert find_resident(session, resident.openid).subscribed is False


def test_menu_click_maps_to_an_intent(resident, scripted):
    assert "发生了什么" in resident.event("CLICK", "NEIGHBOR_DISPUTE")


def test_unknown_event_and_unknown_type_are_answered_politely(client, resident, scripted):
    assert resident.event("TEMPLATESENDJOBFINISH") == ""
    xml = text_xml(resident.openid, "x", new_msg_id()).replace("[CDATA[text]]", "[CDATA[miniprogrampage]]")
    assert "文字" in resident.deliver(xml)


def test_voice_with_recognition_is_read_as_text(resident, scripted):
    assert "法律服务前台" in resident.sends_voice("你好")


def test_voice_without_recognition_asks_to_type(resident, scripted):
    assert "打字" in resident.sends_voice(None)


def test_an_image_without_its_media_id_is_asked_again_not_a_failure(resident, scripted):
    """WeChat always names an image's media; a message that does not gets a polite reply, not an error."""
    xml = (
        f"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[{resident.openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        f"<MsgId>{new_msg_id()}</MsgId></xml>"
    )
    assert "照片没能收到" in resident.deliver(xml)


def test_link_gets_a_polite_answer(resident, scripted):
    xml = (
        f"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[{resident.openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[link]]></MsgType>"
        "<Title><![CDATA[t]]></Title><Description><![CDATA[d]]></Description><Url><![CDATA[http://x]]></Url>"
        f"<MsgId>{new_msg_id()}</MsgId></xml>"
    )
    assert "文字" in resident.deliver(xml)


def test_every_inbound_message_is_stored(services, resident, scripted):
    resident.says("你好")
    resident.sends_photo("media-1")
    resident.sends_location(30.60, 114.26)
    with services.db.session() as session:
        owner = find_resident(session, resident.openid).id
        stored = session.scalars(
            select(Message.msg_type).where(Message.resident_id == owner, Message.direction == "in")
        )
        assert sorted(stored) == ["image", "location", "text"]
        replies = session.scalars(
            select(Message.content).where(Message.resident_id == owner, Message.direction == "out")
        )
        assert len(list(replies)) == 3  # what the bot answered is in the conversation log too


def test_a_slow_answer_becomes_a_customer_service_message(services, resident, scripted, fake_wechat):
    services.settings = dataclasses.replace(services.settings, reply_budget=0.2)
    scripted.delay = 0.8
    assert resident.says("你好") == ""  # "success" now, the answer follows
    deadline = time.monotonic() + 10
    while not fake_wechat.messages(touser=resident.openid) and time.monotonic() < deadline:
        time.sleep(0.2)
        run_jobs(services)
    sent = fake_wechat.messages(touser=resident.openid)
    assert sent and "法律服务前台" in sent[-1]["content"]


def test_long_replies_are_split_and_cdata_safe(services, resident, scripted, fake_wechat, monkeypatch):
    from bot.dialogue.handlers import HANDLERS

    long_text = ("这是一段很长的答复]]>。" * 300).strip()
    monkeypatch.setitem(HANDLERS, "greet", lambda turn: long_text)
    reply = resident.says("你好")
    assert "]]>" not in reply
    assert len(reply.encode("utf-8")) <= 2048
    run_jobs(services)
    rest = [message["content"] for message in fake_wechat.messages(touser=resident.openid)]
    assert rest and all(len(part.encode("utf-8")) <= 2048 for part in rest)
    parts = [reply, *rest]  # numbered "（1/5）"…: the resident knows more is coming
    assert [part[:5] for part in parts] == [f"（{n}/{len(parts)}）" for n in range(1, len(parts) + 1)]
    assert "".join(part[5:] for part in parts).replace("\n", "") == long_text.replace("]]>", "").replace("\n", "")


def test_services_build_for_the_embedded_defaults(tmp_path):
    from bot.config import Settings

    embedded = build_services(
        Settings(database_url=f"sqlite:///{tmp_path}/x.sqlite3", redis_url="", nlu_backend="keywords")
    )
    assert embedded.redis.ping()


def test_a_message_that_arrives_while_the_database_is_down_is_kept_and_answered_later(
    app, services, resident, scripted, fake_wechat
):
    from bot.storage import Database

    working = services.db
    services.db = Database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    assert "已经收到" in resident.says("你好")
    services.db = working
    assert replay_kept(services).stored == 1
    run_jobs(services)
    assert "法律服务前台" in fake_wechat.messages(touser=resident.openid)[-1]["content"]
    with services.db.session() as session:
        assert find_resident(session, resident.openid) is not None


def test_a_message_stored_just_before_the_database_went_away_is_answered_on_its_return(
    app, services, resident, scripted, fake_wechat
):
    from sqlalchemy.exc import OperationalError

    lock = services.dialogue.lock

    def database_gone(session, openid):
        raise OperationalError("SELECT … FOR UPDATE", {}, Exception("the database system is shutting down"))

    services.dialogue.lock = database_gone  # stored, then the database stops before the answer
    assert "已经收到并保存" in resident.says("你好")  # not "系统有点忙": it is kept, and said so
    services.dialogue.lock = lock
    assert replay_kept(services).stored == 1  # the replay job, once the database is back
    run_jobs(services)
    sent = fake_wechat.messages(touser=resident.openid)
    assert len(sent) == 1 and "法律服务前台" in sent[0]["content"]
    assert replay_kept(services).stored == 0


def test_a_message_whose_answer_failed_is_answered_later(app, services, resident, scripted, fake_wechat):
    from datetime import timedelta

    import redis

    from bot.storage.base import utcnow

    def redis_gone(text):
        raise redis.ConnectionError("Redis went away")

    classify = scripted.classify
    scripted.classify = redis_gone
    assert "已经收到" in resident.says("你好")  # stored, but the answer failed
    scripted.classify = classify
    with services.db.session() as session:
        owner = find_resident(session, resident.openid).id
        for message in session.scalars(select(Message).where(Message.resident_id == owner)):
            message.created_at = utcnow() - timedelta(minutes=3)
        # Earlier tests of this run share the database: their messages are not this sweep's.
        session.execute(
            update(Message).where(Message.resident_id != owner).values(created_at=utcnow() - timedelta(days=2))
        )
    assert answer_unanswered(services) == 1
    run_jobs(services)
    assert "法律服务前台" in fake_wechat.messages(touser=resident.openid)[-1]["content"]
    assert answer_unanswered(services) == 0


def _signed_encrypt(settings, encrypt: str, timestamp: str | None = None):
    """A safe-mode request whose Encrypt is `encrypt`, correctly signed."""
    timestamp = timestamp or str(int(time.time()))
    params = {
        "timestamp": timestamp,
        "nonce": "7",
        "encrypt_type": "aes",
        "msg_signature": sha1_signature("test-token", timestamp, "7", encrypt),
    }
    body = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return params, body.encode()


def _aes_blocks(plain: bytes) -> str:
    import base64

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = base64.b64decode(AES_KEY + "=")
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


@pytest.mark.parametrize(
    "encrypt",
    [
        "!!!!",
        "====",
        "",
        *[__import__("base64").b64encode(bytes(range(n))).decode() for n in (16, 32, 48)],
        "PAD0",
        "PAD255",
    ],
)
def test_an_encrypt_that_decodes_to_nonsense_is_a_400(services, settings, encrypt):
    client = _safe_client(services, settings)
    if encrypt.startswith("PAD"):  # a real AES block whose last (pad) byte is 0 or 255
        encrypt = _aes_blocks(b"x" * 31 + bytes([int(encrypt[3:])]))
    params, body = _signed_encrypt(settings, encrypt)
    assert client.post("/wechat", query_string=params, data=body).status_code == 400


def test_a_timestamp_of_400_digits_is_refused_not_a_500(client, resident):
    params, body = build_request(text_xml(resident.openid, "你好", new_msg_id()), "test-token", timestamp="9" * 400)
    assert client.post("/wechat", query_string=params, data=body).status_code == 403


def test_a_create_time_of_ten_to_the_twentieth_is_a_400(client, resident, scripted):
    xml = (
        text_xml(resident.openid, "你好", new_msg_id())
        .replace("<CreateTime>", "<CreateTime>100000000000000000000<!--", 1)
        .replace("</CreateTime>", "--></CreateTime>", 1)
    )
    params, body = build_request(xml, "test-token")
    assert client.post("/wechat", query_string=params, data=body).status_code == 400


def test_a_request_that_waited_in_a_queue_has_less_time_and_the_answer_still_arrives(
    services, resident, scripted, fake_wechat
):
    # Signed 4 s ago: WeChat has been waiting that long, so 0.8 s more would be too late for a
    # passive reply with a 3.5 s budget; the answer must follow as a customer-service message.
    scripted.delay = 0.8
    xml = text_xml(resident.openid, "你好", new_msg_id())
    params, body = build_request(xml, "test-token", timestamp=str(int(time.time()) - 4))
    started = time.monotonic()
    response = resident.client.post("/wechat", query_string=params, data=body)
    assert response.status_code == 200 and response.data == b"success"
    assert time.monotonic() - started < 0.6
    deadline = time.monotonic() + 10
    while not fake_wechat.messages(touser=resident.openid) and time.monotonic() < deadline:
        time.sleep(0.2)
        run_jobs(services)
    assert "法律服务前台" in fake_wechat.messages(touser=resident.openid)[-1]["content"]


def test_a_retry_while_the_first_is_pending_gets_the_answer_not_silence(app, services, settings, scripted, fake_wechat):
    # The first delivery waited 4 s in a queue before it reached us and takes 0.8 s more: WeChat
    # gives up on it and retries. Whatever the first delivery computes must still reach the
    # resident — as a customer-service message, since no passive reply can.
    scripted.delay = 0.8
    openid = "o_retry_pending_user01"
    xml = text_xml(openid, "你好", new_msg_id())
    replies = []

    def first_delivery():
        params, body = build_request(xml, "test-token", timestamp=str(int(time.time()) - 4))
        response = app.test_client().post("/wechat", query_string=params, data=body)
        replies.append(parse_reply(response.data, "test-token"))

    first = threading.Thread(target=first_delivery)
    first.start()
    time.sleep(0.1)
    retry = WeChatUser(app.test_client(), settings, openid).deliver(xml)
    first.join()
    assert replies == [None] and retry == ""  # neither could carry it in time …
    deadline = time.monotonic() + 10
    while not fake_wechat.messages(touser=openid) and time.monotonic() < deadline:
        time.sleep(0.2)
        run_jobs(services)
    sent = fake_wechat.messages(touser=openid)
    assert len(sent) == 1 and "法律服务前台" in sent[0]["content"]  # … so it follows, once


def test_one_resident_flooding_is_asked_kindly_to_slow_down(services, resident, scripted):
    services.rate_limit.limit = 3
    replies = [resident.says("你好") for _ in range(5)]
    assert all("法律服务前台" in reply for reply in replies[:3])
    assert all("稍等" in reply for reply in replies[3:])
    assert len(scripted.calls) == 3  # the flood costs no classification
    with services.db.session() as session:
        owner = find_resident(session, resident.openid).id
        assert _count(services, Message, resident_id=owner, direction="in") == 5  # nothing lost


def test_a_sender_id_that_would_break_the_reply_is_a_400(client, resident, scripted):
    # Found by bench/fuzz_callback.py: FromUserName is echoed into the reply's ToUserName.
    for sender in ['o"]]]]]]>>>>1', "o" * 65]:
        params, body = build_request(text_xml(sender, "你好", new_msg_id()), "test-token")
        assert client.post("/wechat", query_string=params, data=body).status_code == 400


def test_another_resident_reusing_a_msg_id_gets_their_own_answer_not_the_first_residents(
    app, services, settings, scripted
):
    msg_id = new_msg_id()
    first = "o_same_msgid_first_0001"
    _known_resident(services, first, phone="13900002222")
    summary = WeChatUser(app.test_client(), settings, first).deliver(text_xml(first, STORY, msg_id))
    assert "2222" in summary and "八古墩" in summary
    second = WeChatUser(app.test_client(), settings, "o_same_msgid_second_001")
    reply = second.deliver(text_xml(second.openid, "你好", msg_id))
    assert "2222" not in reply and "八古墩" not in reply and "法律服务前台" in reply
    with services.db.session() as session:
        assert _count(services, Message, resident_id=find_resident(session, second.openid).id, direction="in") == 1


def test_the_same_msg_id_to_another_account_is_another_message(client, services, resident, scripted):
    msg_id = new_msg_id()
    assert "法律服务前台" in resident.deliver(text_xml(resident.openid, "你好", msg_id))
    assert "法律服务前台" in resident.deliver(text_xml(resident.openid, "你好", msg_id, to_user="gh_other_account"))
    assert len(scripted.calls) == 2


def test_two_residents_clicking_in_the_same_second_both_get_the_menu_answer(app, settings, scripted):
    from devtools.simulator import event_xml

    moment = int(time.time())
    for openid in ("o_click_same_second_01", "o_click_same_second_02"):
        user = WeChatUser(app.test_client(), settings, openid)
        assert "发生了什么" in user.deliver(event_xml(openid, "CLICK", "NEIGHBOR_DISPUTE", create_time=moment))


def test_dedup_keys_name_the_account_and_the_resident(services, resident, scripted):
    resident.says("你好")
    resident.event("CLICK", "NEIGHBOR_DISPUTE")
    with services.db.session() as session:
        owner = find_resident(session, resident.openid).id
        keys = list(
            session.scalars(select(Message.dedup_key).where(Message.resident_id == owner, Message.direction == "in"))
        )
    assert [key.split(":")[:3] for key in keys] == [
        ["msg", "gh_demo", resident.openid],
        ["evt", "gh_demo", resident.openid],
    ]
    assert keys[1].endswith(":click:NEIGHBOR_DISPUTE")
    prefix = services.settings.key_prefix
    assert {key.decode() for key in services.redis.scan_iter(f"{prefix}dedup:*:{resident.openid}:*")} == {
        prefix + "dedup:" + k for k in keys
    }


def test_a_plaintext_query_string_reused_with_another_body_is_refused(client, services, resident, scripted, caplog):
    params, body = build_request(text_xml(resident.openid, "你好", new_msg_id()), "test-token")
    first = client.post("/wechat", query_string=params, data=body)
    assert "法律服务前台" in parse_reply(first.data, "test-token")["Content"]
    # WeChat's retry carries the same body: it gets the same answer.
    assert client.post("/wechat", query_string=params, data=body).data == first.data
    forged = text_xml("o_someone_else_000001", "我要撤回工单", new_msg_id()).encode()
    before = _count(services, Message)
    with caplog.at_level("WARNING"):
        assert client.post("/wechat", query_string=params, data=forged).status_code == 403
    assert _count(services, Message) == before and len(scripted.calls) == 1
    assert "reusing a signed timestamp and nonce" in caplog.text
    assert "o_someone_else" not in caplog.text and resident.openid not in caplog.text


def test_with_redis_down_a_plaintext_message_is_still_answered(services, resident, scripted):
    import redis

    working = services.redis
    services.redis = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    try:
        assert "法律服务前台" in resident.says("你好")
    finally:
        services.redis = working


def test_two_contents_are_read_as_the_first_and_answered_at_once(services, resident, scripted):
    xml = text_xml(resident.openid, "你好", new_msg_id()).replace(
        "</Content>", "</Content><Content><![CDATA[再见]]></Content>"
    )
    assert "法律服务前台" in resident.deliver(xml)
    assert scripted.calls == ["你好"]


def test_a_content_that_is_an_element_tree_is_told_it_could_not_be_read(services, resident, scripted):
    xml = text_xml(resident.openid, "x", new_msg_id()).replace("<![CDATA[x]]>", "<p>楼上</p><p>漏水</p>")
    assert "没能读出来" in resident.deliver(xml)
    assert scripted.calls == []


def test_attributes_on_fields_are_ignored(resident, scripted):
    xml = text_xml(resident.openid, "你好", new_msg_id()).replace("<Content>", '<Content lang="zh">')
    assert "法律服务前台" in resident.deliver(xml.replace("<MsgId>", '<MsgId a="1">'))


@pytest.mark.parametrize(
    "odd",
    [
        ("[CDATA[text]]", "[CDATA[location]]"),  # a location without coordinates
        ("<MsgType><![CDATA[text]]></MsgType>", "<MsgType><p>text</p></MsgType>"),
        ("<MsgType><![CDATA[text]]></MsgType>", "<MsgType></MsgType>"),
    ],
)
def test_a_message_whose_content_cannot_be_read_is_told_so_at_once(resident, scripted, odd):
    xml = text_xml(resident.openid, "你好", new_msg_id()).replace(*odd)
    assert "没能读出来" in resident.deliver(xml)


def test_an_event_without_its_name_is_answered_as_one_the_bot_does_not_know(resident, scripted):
    from devtools.simulator import event_xml

    assert "文字" in resident.deliver(
        event_xml(resident.openid, "").replace("<Event><![CDATA[]]></Event>", "<Event></Event>")
    )


@pytest.mark.parametrize("msg_id", ["", "abc", "<b>1</b>"])
def test_a_message_without_a_usable_msg_id_is_answered_and_its_retry_is_not_answered_twice(
    services, resident, scripted, msg_id
):
    moment = int(time.time())
    xml = text_xml(resident.openid, "你好", 1, create_time=moment).replace(
        "<MsgId>1</MsgId>", f"<MsgId>{msg_id}</MsgId>"
    )
    reply = resident.deliver(xml)
    assert "法律服务前台" in reply
    assert resident.deliver(xml) == reply  # WeChat's retry
    other = text_xml(resident.openid, "你好呀", 1, create_time=moment).replace(
        "<MsgId>1</MsgId>", f"<MsgId>{msg_id}</MsgId>"
    )
    resident.deliver(other)  # another message in the same second is not taken for a retry
    assert scripted.calls == ["你好", "你好呀"]
