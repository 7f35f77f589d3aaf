"""The WeChat callback: verify → parse → dedup → classify → handler → reply."""

from __future__ import annotations

import binascii
import hashlib
import logging
import struct
import time
from xml.parsers.expat import ExpatError

import redis
import xmltodict
from flask import Blueprint, Response, abort, current_app, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot.formats import format_pattern
from bot.services import Services
from bot.wechat.dedup import SignedRequests
from bot.wechat.inbound import Inbound, event_key, log_key, message_key
from bot.wechat.text import clean_reply

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)

# WeChat never sends a DTD; one in the body can only be an entity-expansion or XXE attempt.
# Searched in the body read as Latin-1, one character a byte (bot/data/format_words.yml).
_DTD = format_pattern("xml_declaration")
# WeChat signs each request as it sends it; anything older is a replay (retries come within 15 s).
MAX_SIGNATURE_AGE_SECONDS = 300
POLITE_ERROR = "抱歉，系统有点忙，您的消息已经收到，我们会尽快回复您。"
MESSAGE_KINDS = {"text", "voice", "image", "location", "link", "video", "shortvideo", "event"}
# What a corrupted or forged Encrypt can make wechatpy raise while decrypting it: bad base64,
# a wrong length, a pad byte that points outside the block, a length field past the end.
_UNDECRYPTABLE = (
    ExpatError,
    UnicodeDecodeError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    struct.error,
    binascii.Error,
    OverflowError,
)
# What a malformed but well-formed message can make parsing raise (a CreateTime of 10^20 …).
_MALFORMED = (ExpatError, KeyError, ValueError, TypeError, AttributeError, OverflowError, OSError)
# WeChat's openids and account ids: letters, digits, - and _. Anything else would be echoed into
# the reply's ToUserName/FromUserName (a `]]>` there breaks the reply's XML).
_ACCOUNT_ID = format_pattern("account_id")
# Fields the bot reads as one text. WeChat sends each once, as text; a signed body that repeats
# one, puts attributes on it or nests elements in it is read as well as it can be, not raised on.
_HEADER_FIELDS = ("ToUserName", "FromUserName", "CreateTime")
_TEXT_FIELDS = (
    "Content",
    "Recognition",
    "MediaId",
    "PicUrl",
    "Format",
    "ThumbMediaId",
    "Location_X",
    "Location_Y",
    "Scale",
    "Label",
    "Title",
    "Description",
    "Url",
    "Event",
    "EventKey",
    "Latitude",
    "Longitude",
    "Precision",
)
# A reverse proxy's stamp of when the request reached it, e.g. nginx's "t=${msec}".
REQUEST_START_HEADER = "X-Request-Start"


def _services() -> Services:
    return current_app.extensions["services"]


def _settings():
    return _services().settings


def _crypto() -> WeChatCrypto | None:
    settings = _settings()
    if not settings.wechat_aes_key:
        return None
    return WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)


@bp.get("/wechat")
def verify_url():
    """URL verification: echo `echostr` when the signature is ours."""
    args = request.args
    try:
        check_signature(
            _settings().wechat_token, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", "")
        )
    except InvalidSignatureException:
        log.warning("URL verification with a wrong signature from %s", request.remote_addr)
        abort(403)
    return Response(args.get("echostr", ""), mimetype="text/plain")


@bp.post("/wechat")
def receive():
    """A message or event from WeChat; the reply must leave within WeChat's 5 seconds."""
    arrived = time.time()
    xml, crypto = _verified_xml()
    message, inbound = _parse(xml)
    deadline = _deadline(arrived)
    try:
        text = _reply_text(inbound, deadline)
    except Exception:  # the one error boundary: log it, answer politely, never a 500
        log.exception("failed to answer %s", log_key(inbound.dedup_key))
        text = POLITE_ERROR
    return _render(message, text, crypto)


def _deadline(now: float) -> float:
    """When the passive reply must be ready: REPLY_BUDGET counted from the request's arrival —
    the proxy's stamp if there is one, and never later than WeChat's own signed timestamp
    allows (a request that waited in a queue has less time left)."""
    budget = _settings().reply_budget
    arrival = _proxy_arrival(now) or now
    deadline = arrival + budget
    try:
        signed = float(int(request.args.get("timestamp", "")))
    except (ValueError, OverflowError):
        return deadline
    if abs(now - signed) < 60:  # only a sane clock bounds it; the timestamp is whole seconds
        deadline = min(deadline, signed + 1 + budget)
    return deadline


def _proxy_arrival(now: float) -> float | None:
    raw = request.headers.get(REQUEST_START_HEADER, "").strip().removeprefix("t=")
    try:
        stamp = float(raw)
    except ValueError:
        return None
    while stamp > now * 100:  # milliseconds or microseconds since the epoch
        stamp /= 1000
    return stamp if 0 <= now - stamp < 60 else None


def _verified_xml() -> tuple[str, WeChatCrypto | None]:
    """The request's XML, signature-checked and decrypted, and the crypto that decrypted it (None
    in plaintext mode: the reply goes back as it is); aborts with 4xx otherwise."""
    body = request.get_data(cache=False)
    if _DTD.search(body.decode("latin-1")):
        log.warning("rejected a body with a DTD from %s", request.remote_addr)
        abort(400)
    args, settings = request.args, _settings()
    _check_fresh(args.get("timestamp", ""))
    crypto = _crypto()
    if crypto is not None:
        # With a key configured only encrypted messages count: the plaintext signature covers
        # just token, timestamp and nonce, not the body, so it proves little on its own.
        if args.get("encrypt_type") != "aes":
            log.warning("rejected a plaintext message while safe mode is configured")
            abort(403)
        return _decrypt(crypto, body, args), crypto
    try:
        check_signature(
            settings.wechat_token, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", "")
        )
    except InvalidSignatureException:
        log.warning("rejected a message with a wrong signature from %s", request.remote_addr)
        abort(403)
    _check_not_replayed(args.get("timestamp", ""), args.get("nonce", ""), body)
    return _utf8(body), None


def _check_not_replayed(timestamp: str, nonce: str, body: bytes) -> None:
    """Refuse a plaintext request whose signed (timestamp, nonce) already came with another body:
    the plaintext signature does not cover the body, so a captured query string could carry a
    message in any resident's name. The same body again is WeChat's retry and is let through."""
    services = _services()
    ttl = int(timestamp) + MAX_SIGNATURE_AGE_SECONDS - int(time.time()) + 1  # until _check_fresh refuses it
    try:
        first = SignedRequests(services.redis, services.settings.key_prefix).same_body_or_first(
            timestamp, nonce, body, ttl
        )
    except redis.RedisError:
        # Accepted unchecked: refusing every plaintext message while Redis is down would silence
        # every resident, and a replay still needs a query string captured in the last 300 s
        # (no log keeps them). Safe mode, which signs the body, needs no such check.
        log.error("signed-request store unavailable; a reused timestamp and nonce cannot be detected")
        return
    if not first:
        log.warning(
            "rejected a plaintext request reusing a signed timestamp and nonce with another body from %s",
            request.remote_addr,
        )
        abort(403)


def _check_fresh(timestamp: str) -> None:
    """Refuse requests signed long ago: a captured signature must not open the door for long."""
    try:
        age = abs(time.time() - int(timestamp))
    except (ValueError, OverflowError):  # not a number, or a number too large to be a time
        log.warning("rejected a request with an unreadable timestamp")
        abort(403)
    if age > MAX_SIGNATURE_AGE_SECONDS:
        log.warning("rejected a request signed %.0f s ago", age)
        abort(403)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        log.warning("rejected a body that is not UTF-8")
        abort(400)


def _decrypt(crypto: WeChatCrypto, body: bytes, args) -> str:
    try:
        xml = crypto.decrypt_message(
            body, args.get("msg_signature", ""), args.get("timestamp", ""), args.get("nonce", "")
        )
    except InvalidSignatureException:
        log.warning("rejected an encrypted message with a wrong msg_signature")
        abort(403)
    except InvalidAppIdException:
        log.warning("rejected an encrypted message for another app id")
        abort(400)
    except _UNDECRYPTABLE as error:
        log.warning("rejected an undecryptable message: %s", type(error).__name__)
        abort(400)
    if _DTD.search(xml):
        log.warning("rejected an encrypted body with a DTD")
        abort(400)
    return xml


def _parse(xml: str):
    """The wechatpy message and its Inbound; aborts with 400 on anything malformed."""
    try:
        xml, unreadable = _plain_fields(xml)
        message = parse_message(xml)
        if not getattr(message, "source", None) or not getattr(message, "create_time", None):
            raise ValueError("no FromUserName/CreateTime")
        for account in (message.source, message.target):
            if not isinstance(account, str) or not _ACCOUNT_ID.fullmatch(account):
                raise ValueError("FromUserName/ToUserName is not an account id")
        return message, to_inbound(message, unreadable)
    except _MALFORMED as error:
        log.warning("rejected malformed XML: %s", type(error).__name__)
        abort(400)


def _plain_fields(xml: str) -> tuple[str, bool]:
    """The XML with every field the bot reads as one plain text — a repeated field's first
    value, an element's text without its attributes, a MsgId that is no number dropped — and
    whether a field the bot reads held elements instead of text (the message cannot be read)."""
    fields = xmltodict.parse(xml)["xml"]
    if not isinstance(fields, dict):
        raise ValueError("an empty <xml/>")
    plain, unreadable = dict(fields), False
    for name in _HEADER_FIELDS:  # one with elements is left as it is, to be refused: no one to answer
        value = _plain_text(fields.get(name))
        if value:
            plain[name] = value
    for name in ("MsgType", *_TEXT_FIELDS):
        value = _plain_text(fields.get(name))
        unreadable = unreadable or value is None  # elements inside: no words to read
        if value:
            plain[name] = value
        else:
            plain.pop(name, None)  # empty or unreadable: as if it had not been sent
    if "MsgType" in fields and "MsgType" not in plain:
        plain["MsgType"], unreadable = "unknown", True  # what kind of message it is cannot be read
    msg_id = _plain_text(fields.get("MsgId"))
    if msg_id and msg_id.isdigit():
        plain["MsgId"] = msg_id
    else:
        plain.pop("MsgId", None)  # the message gets a key of its own instead (see _dedup_key)
    if plain == fields:
        return xml, unreadable
    return xmltodict.unparse({"xml": plain}), unreadable


def _plain_text(value) -> str | None:
    """A field's text ("" when empty); None when it holds elements."""
    if isinstance(value, list):
        value = value[0]  # a repeated field: the first, as WeChat would have sent it alone
    if isinstance(value, dict):
        if any(not name.startswith(("@", "#")) for name in value):
            return None
        value = value.get("#text")  # attributes dropped
    return value or ""


def to_inbound(message, unreadable: bool = False) -> Inbound:
    """Translate a parsed WeChat message into the domain's Inbound. One whose content cannot be
    read (`unreadable`: elements inside a field; or a coordinate that is no number) is still a
    resident's message: it is answered as one that could not be read."""
    kind = message.type if message.type in MESSAGE_KINDS else "unknown"
    create_time = (
        int(message.create_time.timestamp()) if hasattr(message.create_time, "timestamp") else int(message.create_time)
    )
    fields = dict(
        openid=message.source,
        kind=kind,
        dedup_key=_dedup_key(message, kind, create_time),
        create_time=create_time,
        received_at=time.time(),
    )
    try:
        content = {} if unreadable else _content(message, kind)
    except (ValueError, TypeError, OverflowError):
        unreadable = True
    if unreadable:
        return Inbound(**{**fields, "kind": "unknown"}, extra={"unreadable": True})
    return Inbound(**fields, **content)


def _content(message, kind: str) -> dict:
    """The fields of the Inbound that depend on the message's kind."""
    if kind == "text":
        return {"text": message.content or ""}
    if kind == "voice":
        return {"text": message.recognition or "", "media_id": message.media_id}
    if kind in ("image", "video", "shortvideo"):
        return {"media_id": message.media_id}
    if kind == "location":
        return {
            "latitude": float(message.location_x),
            "longitude": float(message.location_y),
            "extra": {"label": message.label or ""},
        }
    if kind == "link":
        return {"extra": {"url": message.url, "title": message.title}}
    if kind != "event":
        return {}
    content = {"event": message.event, "event_key": getattr(message, "key", None)}
    if message.event == "location":
        content.update(latitude=float(message.latitude), longitude=float(message.longitude))
    return content


def _dedup_key(message, kind: str, create_time: int) -> str:
    """This delivery's key, the same for each of WeChat's retries of it (bot.wechat.inbound)."""
    account, openid = message.target, message.source
    if kind == "event":
        return event_key(
            account, openid, create_time, getattr(message, "event", "") or "", getattr(message, "key", "") or ""
        )
    if message.id:
        return message_key(account, openid, message.id)
    # No MsgId: the message's own fields (wechatpy keeps them in _data) tell a retry, which
    # repeats them, from another message in the same second.
    body = repr(sorted((name, repr(value)) for name, value in message._data.items()))
    return message_key(account, openid, f"{create_time}-{hashlib.sha256(body.encode('utf-8')).hexdigest()[:16]}")


def _reply_text(inbound: Inbound, deadline: float) -> str:
    """The reply for this delivery: a retry gets exactly what the first delivery answered,
    waiting for it for half its own time, then looking for the answer itself."""
    services, budget = _services(), current_app.extensions["reply_budget"]
    try:
        first, cached = services.replies.claim(inbound.dedup_key)
        if not first and cached is None:
            cached = services.replies.wait_for_reply(inbound.dedup_key, (time.time() + deadline) / 2)
    except redis.RedisError:
        # Without Redis the database's unique key still stops a retry from being handled twice.
        log.error("reply cache unavailable; relying on the database for de-duplication")
        first, cached = True, None
    if not first and cached is not None:
        log.info("retry of %s answered with the first delivery's reply", log_key(inbound.dedup_key))
        return cached[0]
    # A retry here finds the first delivery still pending, or its process died before storing,
    # answering or replying: it stores the message if need be and gives the stored answer
    # (answered now if it never was). The delivery is claimed (bot/pipeline/delivery.py): the passive
    # reply of one delivery, or customer-service messages, never both.
    text = budget.answer_by(inbound, deadline)
    try:
        services.replies.remember(inbound.dedup_key, [text or ""])
    except redis.RedisError:
        log.error("reply cache unavailable; the reply to %s is not cached", log_key(inbound.dedup_key))
    return text or ""


def _render(message, text: str, crypto: WeChatCrypto | None) -> Response:
    if not text:
        return Response("success", mimetype="text/plain")
    xml = TextReply(message=message, content=clean_reply(text)).render()
    if crypto is not None:
        args = request.args
        xml = crypto.encrypt_message(xml, args.get("nonce", ""), args.get("timestamp"))
    return Response(xml, mimetype="application/xml")
