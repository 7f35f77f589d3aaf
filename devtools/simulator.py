"""Talk to the bot exactly as WeChat does: build, sign and encrypt callback requests, read replies.

The builders and ``build_request``/``parse_reply`` are used by tests and the benchmark; ``ChatSession``
is the terminal chat behind ``flask wechat chat``.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

DEFAULT_TO_USER = "gh_demo"
DEMO_OPENID = "oDemoResident_simulator_0001"
REPLY_LIMIT_BYTES = 2048
WECHAT_TIMEOUT_SECONDS = 5.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

# Each process counts from its own random start: two simulators started together must not send the
# same MsgId in the same millisecond (the service would take the second for a retry of the first).
_msg_ids = itertools.count(secrets.randbelow(10_000))


class BadReplyError(ValueError):
    """The service answered something WeChat would reject (bad signature, plaintext in safe mode …)."""


# --- XML builders ---------------------------------------------------------------------------


def cdata(value: object) -> str:
    """Wrap text in CDATA, splitting any ``]]>`` so it cannot end the section early."""
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def new_msg_id() -> int:
    """A MsgId unique within this machine: milliseconds, then a counter from a random start."""
    return int(time.time() * 1000) * 10_000 + next(_msg_ids) % 10_000


def _message_xml(
    openid: str, to_user: str, msg_type: str, fields: Sequence[tuple[str, object, bool]], create_time: int | None
) -> str:
    # fields: (tag, value, as_cdata) in WeChat's own order.
    lines = [
        f"<ToUserName>{cdata(to_user)}</ToUserName>",
        f"<FromUserName>{cdata(openid)}</FromUserName>",
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
        f"<MsgType>{cdata(msg_type)}</MsgType>",
    ]
    lines += [f"<{tag}>{cdata(value) if as_cdata else value}</{tag}>" for tag, value, as_cdata in fields]
    return "<xml>\n" + "\n".join(lines) + "\n</xml>"


def text_xml(
    openid: str, content: str, msg_id: int | str, to_user: str = DEFAULT_TO_USER, create_time: int | None = None
) -> str:
    """A text message as WeChat posts it."""
    return _message_xml(openid, to_user, "text", [("Content", content, True), ("MsgId", msg_id, False)], create_time)


def image_xml(
    openid: str,
    media_id: str,
    msg_id: int | str,
    pic_url: str | None = None,
    to_user: str = DEFAULT_TO_USER,
    create_time: int | None = None,
) -> str:
    """An image message (a photo the resident sent)."""
    pic_url = pic_url or f"http://mmbiz.qpic.cn/fake/{media_id}/0"
    fields = [("PicUrl", pic_url, True), ("MediaId", media_id, True), ("MsgId", msg_id, False)]
    return _message_xml(openid, to_user, "image", fields, create_time)


def voice_xml(
    openid: str,
    media_id: str,
    msg_id: int | str,
    recognition: str | None = None,
    voice_format: str = "amr",
    to_user: str = DEFAULT_TO_USER,
    create_time: int | None = None,
) -> str:
    """A voice note; ``recognition`` is WeChat's speech-to-text when the account has it switched on."""
    fields: list[tuple[str, object, bool]] = [("MediaId", media_id, True), ("Format", voice_format, True)]
    if recognition is not None:
        fields.append(("Recognition", recognition, True))
    fields.append(("MsgId", msg_id, False))
    return _message_xml(openid, to_user, "voice", fields, create_time)


def location_xml(
    openid: str,
    latitude: float,
    longitude: float,
    msg_id: int | str,
    label: str = "",
    scale: int = 15,
    to_user: str = DEFAULT_TO_USER,
    create_time: int | None = None,
) -> str:
    """A location pin (Location_X is the latitude, Location_Y the longitude)."""
    fields = [
        ("Location_X", f"{latitude:.6f}", False),
        ("Location_Y", f"{longitude:.6f}", False),
        ("Scale", scale, False),
        ("Label", label, True),
        ("MsgId", msg_id, False),
    ]
    return _message_xml(openid, to_user, "location", fields, create_time)


def event_xml(
    openid: str,
    event: str,
    event_key: str | None = None,
    to_user: str = DEFAULT_TO_USER,
    create_time: int | None = None,
) -> str:
    """An event: ``subscribe``, ``unsubscribe``, ``CLICK`` (menu, with ``event_key``) …"""
    fields: list[tuple[str, object, bool]] = [("Event", event, True)]
    if event_key is not None:
        fields.append(("EventKey", event_key, True))
    return _message_xml(openid, to_user, "event", fields, create_time)


# --- signing and encryption -----------------------------------------------------------------


def sha1_signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def build_request(
    xml: str,
    token: str,
    aes_key: str | None = None,
    appid: str | None = None,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """Query params and body of the POST WeChat would send for ``xml`` (safe mode when ``aes_key``)."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**10))
    fields = xmltodict.parse(xml)["xml"]
    params = {
        "signature": sha1_signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": fields.get("FromUserName", ""),
    }
    if not aes_key:
        return params, xml.encode("utf-8")
    if not appid:
        raise ValueError("safe mode needs the appid as well as the AES key")
    envelope = WeChatCrypto(token, aes_key, appid).encrypt_message(xml, nonce, timestamp)
    encrypted = xmltodict.parse(envelope)["xml"]["Encrypt"]
    params.update(encrypt_type="aes", msg_signature=sha1_signature(token, timestamp, nonce, encrypted))
    # Safe mode carries only ToUserName in the clear; everything else is inside Encrypt.
    body = (
        f"<xml>\n<ToUserName>{cdata(fields.get('ToUserName', ''))}</ToUserName>\n"
        f"<Encrypt>{cdata(encrypted)}</Encrypt>\n</xml>"
    )
    return params, body.encode("utf-8")


def post_signed(http: requests.Session, url: str, xml: str, token: str, timeout: float) -> tuple[bool, float]:
    """POST one message signed as WeChat signs it (plaintext): whether it got a 200, and the seconds it took."""
    params, body = build_request(xml, token)
    started = time.monotonic()
    try:
        ok = http.post(url, params=params, data=body, timeout=timeout).status_code == 200
    except requests.RequestException:
        ok = False
    return ok, time.monotonic() - started


def parse_reply(
    body: bytes | str,
    token: str,
    aes_key: str | None = None,
    appid: str | None = None,
    params: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """The passive reply's fields (``MsgType``, ``Content`` …), or None for ``success``/empty."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if text.strip() in ("", "success"):
        return None
    try:
        fields = xmltodict.parse(text)["xml"]
    except (ExpatError, KeyError, TypeError) as error:
        raise BadReplyError(f"reply is not WeChat XML: {text[:200]!r}") from error
    if not aes_key:
        return dict(fields)
    if "Encrypt" not in fields:
        raise BadReplyError("safe mode: the reply must be encrypted (WeChat shows 该公众号暂时无法提供服务)")
    return _decrypt_reply(text, fields, token, aes_key, appid, params or {})


def _decrypt_reply(
    text: str, fields: dict[str, Any], token: str, aes_key: str, appid: str | None, params: dict[str, str]
) -> dict[str, Any]:
    """Check MsgSignature over the reply's own TimeStamp/Nonce and decrypt it."""
    if not appid:
        raise ValueError("safe mode needs the appid as well as the AES key")
    timestamp = str(fields.get("TimeStamp") or params.get("timestamp", ""))
    nonce = str(fields.get("Nonce") or params.get("nonce", ""))
    try:
        plain = WeChatCrypto(token, aes_key, appid).decrypt_message(
            text, fields.get("MsgSignature", ""), timestamp, nonce
        )
    except InvalidSignatureException as error:
        raise BadReplyError("safe mode: the reply's MsgSignature does not verify") from error
    return dict(xmltodict.parse(plain)["xml"])


def describe_reply(reply: dict[str, Any]) -> str:
    """A terminal-friendly rendering of a passive reply."""
    msg_type = reply.get("MsgType")
    if msg_type == "text":
        return str(reply.get("Content") or "")
    if msg_type == "news":
        items = reply.get("Articles", {}).get("item", [])
        items = items if isinstance(items, list) else [items]
        return "\n".join(
            f"[图文] {i.get('Title', '')} — {i.get('Description', '')} {i.get('Url', '')}".strip() for i in items
        )
    if msg_type in ("image", "voice", "video"):
        media = reply.get(msg_type.capitalize(), {}) or {}
        return f"[{msg_type}] {media.get('MediaId', '')}"
    if msg_type == "transfer_customer_service":
        return "[转人工客服]"
    return f"[{msg_type}] {reply}"


# --- the terminal chat ----------------------------------------------------------------------

HELP = """命令:
  直接输入文字            发送文本消息
  /image                  发送一张图片（假的 media_id，假 API 可下载）
  /voice 识别文字          发送语音（带微信语音识别结果）
  /location 30.60 114.26 [地点名]  发送位置
  /subscribe /unsubscribe 关注 / 取消关注事件
  /menu KEY               点击菜单（CLICK 事件）
  /retry                  原样重发上一个请求（模拟微信 5 秒超时重试）
  /away                   关闭 48 小时客服窗口（之后客服消息得到 45015，直到你再发消息）
  /help  /quit"""


@dataclass
class ChatConfig:
    """Where and as whom the chat talks."""

    url: str
    openid: str
    token: str
    aes_key: str | None
    appid: str | None
    api_base: str | None
    to_user: str = DEFAULT_TO_USER
    verbose: bool = False


@dataclass
class ChatSession:
    """One resident talking to the service; prints replies and arriving customer-service messages."""

    config: ChatConfig
    out: TextIO = sys.stdout
    http: requests.Session = field(default_factory=requests.Session)
    print_lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    last_request: tuple[dict[str, str], bytes] | None = None
    last_create_time: int = 0
    poller: threading.Thread | None = None

    def say(self, line: str) -> None:
        """Print one line without interleaving with the poller thread."""
        with self.print_lock:
            print(line, file=self.out, flush=True)

    def next_create_time(self) -> int:
        """Strictly increasing CreateTime, so two quick events are not taken for a WeChat retry."""
        self.last_create_time = max(int(time.time()), self.last_create_time + 1)
        return self.last_create_time

    def xml_for(self, line: str) -> str | None:
        """Turn one input line into callback XML; None for commands handled locally."""
        openid, to_user = self.config.openid, self.config.to_user
        command, _, rest = line.partition(" ")
        rest = rest.strip()
        builders: dict[str, Callable[[], str]] = {
            "/image": lambda: image_xml(
                openid,
                f"fake_image_{secrets.token_hex(8)}",
                new_msg_id(),
                to_user=to_user,
                create_time=self.next_create_time(),
            ),
            "/voice": lambda: voice_xml(
                openid,
                f"fake_voice_{secrets.token_hex(8)}",
                new_msg_id(),
                recognition=rest,
                to_user=to_user,
                create_time=self.next_create_time(),
            ),
            "/location": lambda: self._location(rest),
            "/subscribe": lambda: event_xml(openid, "subscribe", "", to_user, self.next_create_time()),
            "/unsubscribe": lambda: event_xml(openid, "unsubscribe", "", to_user, self.next_create_time()),
            "/menu": lambda: event_xml(openid, "CLICK", rest, to_user, self.next_create_time()),
        }
        if command in builders:
            return builders[command]()
        return text_xml(openid, line, new_msg_id(), to_user=to_user, create_time=self.next_create_time())

    def _location(self, rest: str) -> str:
        parts = rest.split(maxsplit=2)
        latitude, longitude = (float(parts[0]), float(parts[1])) if len(parts) >= 2 else (30.60, 114.26)
        label = parts[2] if len(parts) > 2 else "湖北省武汉市江汉区"
        return location_xml(
            self.config.openid,
            latitude,
            longitude,
            new_msg_id(),
            label=label,
            to_user=self.config.to_user,
            create_time=self.next_create_time(),
        )

    def send(self, xml: str) -> None:
        """Sign (and encrypt), POST, print the passive reply."""
        cfg = self.config
        self.last_request = build_request(xml, cfg.token, cfg.aes_key, cfg.appid)
        self._reopen_window()
        self._post(*self.last_request)

    def _post(self, params: dict[str, str], body: bytes) -> None:
        cfg = self.config
        if cfg.verbose:
            self.say(f"  → POST {cfg.url} {params}\n{body.decode('utf-8')}")
        started = time.monotonic()
        try:
            response = self.http.post(
                cfg.url,
                params=params,
                data=body,
                timeout=WECHAT_TIMEOUT_SECONDS + 10,
                headers={"Content-Type": "text/xml"},
            )
        except requests.RequestException as error:
            self.say(f"  (发送失败：{error}；服务在 {cfg.url} 上运行吗？)")
            return
        elapsed = time.monotonic() - started
        self._show_response(response, params, elapsed)

    def _show_response(self, response: requests.Response, params: dict[str, str], elapsed: float) -> None:
        cfg = self.config
        if cfg.verbose:
            self.say(f"  ← HTTP {response.status_code} in {elapsed * 1000:.0f} ms\n{response.text}")
        if elapsed > WECHAT_TIMEOUT_SECONDS:
            self.say(f"  (回复用了 {elapsed:.1f} 秒，超过 5 秒：微信会重试，用户看不到这条回复)")
        if response.status_code != 200:
            self.say(
                f"  (HTTP {response.status_code}：微信会向用户显示“该公众号暂时无法提供服务”) {response.text[:200]}"
            )
            return
        try:
            reply = parse_reply(response.content, cfg.token, cfg.aes_key, cfg.appid, params)
        except BadReplyError as error:
            self.say(f"  (无效回复：{error})")
            return
        if reply is not None:
            self._show_reply(reply)

    def _show_reply(self, reply: dict[str, Any]) -> None:
        text = describe_reply(reply)
        self.say(f"公众号 < {text}")
        if reply.get("ToUserName") not in (None, self.config.openid):
            self.say(f"  (注意：回复的 ToUserName 是 {reply.get('ToUserName')}，不是你)")
        if len(text.encode("utf-8")) > REPLY_LIMIT_BYTES:
            self.say(f"  (注意：回复超过 {REPLY_LIMIT_BYTES} 字节，微信会截断或拒绝)")

    def retry_last(self) -> None:
        """Resend the previous request byte for byte, as WeChat does after 5 s without an answer."""
        if self.last_request is None:
            self.say("  (还没有可以重发的请求)")
            return
        self.say("  (重发上一个请求，MsgId 相同)")
        self._post(*self.last_request)

    # --- customer-service messages from the fake API --------------------------------------

    def fake_origin(self) -> str | None:
        """The fake API's origin when WECHAT_API_BASE points at a loopback fake, else None."""
        if not self.config.api_base:
            return None
        parts = urlsplit(self.config.api_base)
        if parts.hostname not in LOOPBACK_HOSTS:
            return None
        return f"{parts.scheme}://{parts.netloc}"

    def _reopen_window(self) -> None:
        # Any message from the resident reopens WeChat's 48-hour window; tell the fake so.
        self._control("window", {"touser": self.config.openid, "open": True})

    def close_window(self) -> None:
        """Pretend 48 hours have passed since the resident last wrote."""
        if self._control("window", {"touser": self.config.openid, "open": False}):
            self.say("  (48 小时窗口已关闭：客服消息会失败，直到你再发一条消息)")
        else:
            self.say("  (没有本地假 API，无法模拟)")

    def _control(self, endpoint: str, payload: dict[str, Any]) -> bool:
        origin = self.fake_origin()
        if origin is None:
            return False
        try:
            self.http.post(f"{origin}/_fake/{endpoint}", json=payload, timeout=2)
        except requests.RequestException:
            return False
        return True

    def start_poller(self) -> None:
        """Show customer-service messages to this openid as the fake API records them."""
        origin = self.fake_origin()
        if origin is None:
            self.say("  (WECHAT_API_BASE 不是本地假 API，客服消息不会显示)")
            return
        self.poller = threading.Thread(target=self._poll, args=(origin,), name="cs-poller", daemon=True)
        self.poller.start()

    def _poll(self, origin: str) -> None:
        poll_http = requests.Session()  # a Session is not shared between threads
        since = self._current_last_seq(poll_http, origin)
        reported_down = False
        while not self.stop.is_set():
            try:
                answer = poll_http.get(
                    f"{origin}/_fake/messages",
                    timeout=15,
                    params={"touser": self.config.openid, "since": str(since), "wait": "5"},
                ).json()
            except (requests.RequestException, ValueError):
                if not reported_down:
                    self.say(f"  (假 API {origin} 连不上；用 `flask wechat fake-api` 启动它)")
                    reported_down = True
                self.stop.wait(2)
                continue
            reported_down = False
            since = self._show_messages(answer, since)

    def _show_messages(self, answer: dict[str, Any], since: int) -> int:
        if answer.get("last_seq", 0) < since:
            return 0  # the fake was reset; start over
        for message in answer.get("messages", []):
            self.say(f"公众号(客服消息) < {message.get('content', '')}")
            since = max(since, int(message["seq"]))
        return since

    @staticmethod
    def _current_last_seq(http: requests.Session, origin: str) -> int:
        try:
            return int(http.get(f"{origin}/_fake/stats", timeout=2).json().get("last_seq", 0))
        except (requests.RequestException, ValueError):
            return 0

    # --- the loop ------------------------------------------------------------------------

    def handle_line(self, line: str) -> bool:
        """Act on one input line; False when the user asked to quit."""
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit"):
            return False
        local_commands = {"/help": lambda: self.say(HELP), "/retry": self.retry_last, "/away": self.close_window}
        if line in local_commands:
            local_commands[line]()
            return True
        if line.startswith("/") and line.split()[0] not in (
            "/image",
            "/voice",
            "/location",
            "/subscribe",
            "/unsubscribe",
            "/menu",
        ):
            self.say(f"  (不认识的命令 {line.split()[0]}；/help 看命令)")
            return True
        try:
            xml = self.xml_for(line)
        except ValueError as error:
            self.say(f"  (命令格式不对：{error})")
            return True
        if xml is not None:
            self.send(xml)
        return True

    def run(self, lines: TextIO, interactive: bool, linger: float) -> None:
        """Read lines until EOF or /quit; then wait ``linger`` s for late customer-service messages."""
        self.say(
            f"以 {self.config.openid} 的身份和 {self.config.url} 对话"
            f"{'（安全模式）' if self.config.aes_key else '（明文模式）'}。/help 看命令，/quit 退出。"
        )
        self.start_poller()
        try:
            self._read_loop(lines, interactive)
        except KeyboardInterrupt:
            self.say("")
        if linger > 0 and self.poller is not None:
            self.stop.wait(linger)
        self.stop.set()

    def _read_loop(self, lines: TextIO, interactive: bool) -> None:
        while True:
            if interactive:
                with self.print_lock:
                    self.out.write("你 > ")
                    self.out.flush()
            line = lines.readline()
            if not line:
                break
            if not interactive and line.strip():
                self.say(f"你 > {line.strip()}")
            if not self.handle_line(line):
                break
