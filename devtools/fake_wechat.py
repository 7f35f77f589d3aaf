"""A local fake of the WeChat API server (api.weixin.qq.com) for tests, the chat simulator and dev runs.

It speaks the same URLs and JSON as the real server for what this project uses:

- ``GET  /cgi-bin/token``                 access_token (counts fetches)
- ``POST /cgi-bin/message/custom/send``   customer-service messages (recorded, with a sequence number)
- ``POST /cgi-bin/message/template/send`` template messages (recorded the same way)
- ``GET  /cgi-bin/media/get``             bytes of uploaded media, or a placeholder for ``fake_*`` ids
- ``POST /cgi-bin/media/upload``          temporary media upload

Token rules, modelled on the real server:

- Every fetch issues a new token. Older tokens keep working for ``token_grace_seconds`` after a
  newer one is issued (the real server keeps the old one for about 5 minutes; the fake defaults to
  2 s so tests see the "another process refreshed the token" failure, errcode 40001, quickly).
- A token older than ``token_expires_in`` (7200 s) is rejected with 42001; ``/_fake/expire_token``
  expires every token issued so far.
- When no appid/secret is configured, any credentials are accepted (dev convenience); when they
  are, a wrong appid gives 40013 and a wrong secret 40125.

Control endpoints (not part of WeChat) live under ``/_fake/``: ``messages``, ``fail``,
``expire_token``, ``window``, ``config``, ``reset``, ``stats``. ``FakeWeChatServer`` runs the app on
127.0.0.1 on a free port in a background thread.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.serving import WSGIRequestHandler, make_server

DEFAULT_TOKEN_GRACE_SECONDS = 2.0
DEFAULT_TOKEN_EXPIRES_IN = 7200
TEXT_LIMIT_BYTES = 2048
FAKE_MEDIA_PREFIX = "fake_"

ERRMSGS = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40007: "invalid media_id",
    40013: "invalid appid",
    40014: "invalid access_token",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    42001: "access_token expired",
    44002: "empty post data",
    45002: "content size out of limit",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    47001: "data format error",
    48001: "api unauthorized",
}

# The smallest valid PNG (1x1, transparent) and an AMR header: enough for code that sniffs bytes.
PLACEHOLDER_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000005000100e2262d3c0000000049454e44ae426082"
)
PLACEHOLDER_AMR = b"#!AMR\n" + b"\x3c" + bytes(31)

MEDIA_CONTENT_TYPES = {"image": "image/png", "voice": "audio/amr", "video": "video/mp4", "thumb": "image/jpeg"}


@dataclass
class _Token:
    value: str
    issued_at: float
    superseded_at: float | None = None
    expired: bool = False


@dataclass
class _FailureRule:
    path: str
    errcode: int | None
    errmsg: str | None
    delay: float
    times: int


@dataclass
class _Media:
    content: bytes
    content_type: str
    media_type: str


@dataclass
class FakeWeChatState:
    """Everything the fake server remembers; shared by its request threads under one lock."""

    appid: str | None = None
    secret: str | None = None
    token_grace_seconds: float = DEFAULT_TOKEN_GRACE_SECONDS
    token_expires_in: int = DEFAULT_TOKEN_EXPIRES_IN
    lock: threading.RLock = field(default_factory=threading.RLock)
    new_message: threading.Condition = field(init=False)
    stopping: threading.Event = field(default_factory=threading.Event)
    tokens: dict[str, _Token] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, _Media] = field(default_factory=dict)
    failures: list[_FailureRule] = field(default_factory=list)
    closed_windows: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.new_message = threading.Condition(self.lock)

    def reset(self) -> None:
        """Forget tokens, messages, media, injected failures and counters (settings stay)."""
        with self.lock:
            self.tokens.clear()
            self.messages.clear()
            self.media.clear()
            self.failures.clear()
            self.closed_windows.clear()
            self.counters.clear()
            self.seq = itertools.count(1)
            self.new_message.notify_all()

    def count(self, name: str) -> None:
        """Add one to a named counter shown by /_fake/stats."""
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + 1

    def stats(self) -> dict[str, Any]:
        """Counters plus sizes, as /_fake/stats returns them."""
        with self.lock:
            return {
                "token_fetches": self.counters.get("token_fetches", 0),
                "send_attempts": self.counters.get("send_attempts", 0),
                "sends": self.counters.get("sends", 0),
                "media_downloads": self.counters.get("media_downloads", 0),
                "media_uploads": self.counters.get("media_uploads", 0),
                "injected_failures": self.counters.get("injected_failures", 0),
                "token_errors": self.counters.get("token_errors", 0),
                "messages": len(self.messages),
                "pending_failures": sum(rule.times for rule in self.failures),
                "last_seq": self.messages[-1]["seq"] if self.messages else 0,
            }

    def issue_token(self) -> _Token:
        """Issue a new token and start the grace period of the older ones."""
        now = time.time()
        token = _Token(value=secrets.token_urlsafe(48), issued_at=now)
        with self.lock:
            for older in self.tokens.values():
                if older.superseded_at is None:
                    older.superseded_at = now
            self.tokens[token.value] = token
            self.counters["token_fetches"] = self.counters.get("token_fetches", 0) + 1
        return token

    def token_errcode(self, value: str | None) -> int:
        """0 when the token may be used now, otherwise the errcode WeChat would answer."""
        if not value:
            return 41001
        now = time.time()
        with self.lock:
            token = self.tokens.get(value)
            if token is None:
                return 40001
            if token.expired or now - token.issued_at >= self.token_expires_in:
                return 42001
            if token.superseded_at is not None and now - token.superseded_at >= self.token_grace_seconds:
                return 40001
        return 0

    def expire_tokens(self) -> int:
        """Expire every token issued so far; returns how many."""
        with self.lock:
            for token in self.tokens.values():
                token.expired = True
            return len(self.tokens)

    def add_failure(self, path: str, errcode: int | None, times: int, delay: float, errmsg: str | None) -> None:
        """Make the next ``times`` calls to ``path`` hang for ``delay`` s and/or fail with ``errcode``."""
        with self.lock:
            self.failures.append(_FailureRule(_normalise_path(path), errcode, errmsg, delay, times))

    def take_failure(self, path: str) -> _FailureRule | None:
        """Consume one injected failure for ``path``, oldest rule first."""
        with self.lock:
            for rule in self.failures:
                if rule.path == path and rule.times > 0:
                    rule.times -= 1
                    if rule.times == 0:
                        self.failures.remove(rule)
                    self.counters["injected_failures"] = self.counters.get("injected_failures", 0) + 1
                    return rule
        return None

    def record_message(self, path: str, body: dict[str, Any], access_token: str) -> dict[str, Any]:
        """Store one delivered message with the next sequence number and wake long-pollers."""
        with self.lock:
            entry = {
                "seq": next(self.seq),
                "time": time.time(),
                "path": path,
                "touser": body.get("touser", ""),
                "msgtype": body.get("msgtype", "template" if "template_id" in body else ""),
                "content": _message_text(body),
                "body": body,
                "access_token": access_token,
            }
            self.messages.append(entry)
            self.counters["sends"] = self.counters.get("sends", 0) + 1
            self.new_message.notify_all()
            return entry

    def find_messages(self, touser: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """Recorded messages after sequence number ``since``, optionally only those to ``touser``."""
        with self.lock:
            return [
                dict(message)
                for message in self.messages
                if message["seq"] > since and (touser is None or message["touser"] == touser)
            ]

    def wait_for_messages(self, touser: str | None, since: int, wait: float) -> list[dict[str, Any]]:
        """Like ``find_messages`` but block up to ``wait`` seconds until there is something."""
        deadline = time.monotonic() + wait
        with self.new_message:
            found = self.find_messages(touser, since)
            while not found and not self.stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.new_message.wait(remaining)
                found = self.find_messages(touser, since)
            return found


def _normalise_path(path: str) -> str:
    # Accept "message/custom/send", "/message/custom/send" and "/cgi-bin/message/custom/send".
    path = path.strip().lstrip("/")
    return path[len("cgi-bin/") :] if path.startswith("cgi-bin/") else path


def _message_text(body: dict[str, Any]) -> str:
    # A one-line human view of a message for logs and the chat simulator.
    msgtype = body.get("msgtype")
    if msgtype == "text":
        return str(body.get("text", {}).get("content", ""))
    if msgtype == "news":
        articles = body.get("news", {}).get("articles", [])
        return "\n".join(f"[图文] {a.get('title', '')} {a.get('url', '')}".strip() for a in articles)
    if msgtype == "link":
        link = body.get("link", {})
        return f"[链接] {link.get('title', '')} {link.get('url', '')}".strip()
    if msgtype == "miniprogrampage":
        return f"[小程序] {body.get('miniprogrampage', {}).get('title', '')}"
    if msgtype:
        media_id = body.get(msgtype, {}).get("media_id", "") if isinstance(body.get(msgtype), dict) else ""
        return f"[{msgtype}] {media_id}".strip()
    if "template_id" in body:
        data = body.get("data", {})
        values = " / ".join(str(item.get("value", "")) for item in data.values() if isinstance(item, dict))
        return f"[模板消息] {values}".strip()
    return json.dumps(body, ensure_ascii=False)


def _error(errcode: int, errmsg: str | None = None) -> Response:
    # WeChat answers API errors with HTTP 200 and a JSON body; the fake does the same.
    text = errmsg or ERRMSGS.get(errcode, "error")
    return jsonify({"errcode": errcode, "errmsg": f"{text} rid: fake-{secrets.token_hex(4)}"})


def _ok(**extra: Any) -> Response:
    return jsonify({"errcode": 0, "errmsg": "ok", **extra})


def _request_json() -> dict[str, Any] | None:
    # wechatpy posts UTF-8 JSON without a JSON content type, so parse the raw body.
    raw = request.get_data()
    if not raw:
        return None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _apply_injected_failure(state: FakeWeChatState, path: str) -> Response | None:
    """Hang and/or fail as told by /_fake/fail; None when nothing is injected."""
    rule = state.take_failure(path)
    if rule is None:
        return None
    if rule.delay > 0:
        # An Event wait, not sleep, so reset/stop end a simulated hang at once.
        state.stopping.wait(rule.delay)
    if rule.errcode is None:
        return None
    return _error(rule.errcode, rule.errmsg)


def _check_access_token(state: FakeWeChatState) -> Response | None:
    """The error response for a missing, unknown, superseded or expired token; None if valid."""
    errcode = state.token_errcode(request.args.get("access_token"))
    if errcode:
        state.count("token_errors")
        return _error(errcode)
    return None


def _register_api_routes(app: Flask, state: FakeWeChatState) -> None:
    """The WeChat-compatible endpoints under /cgi-bin/."""

    @app.get("/cgi-bin/token")
    def token():
        injected = _apply_injected_failure(state, "token")
        if injected is not None:
            return injected
        if request.args.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        appid, secret = request.args.get("appid", ""), request.args.get("secret", "")
        if not appid:
            return _error(41002)
        if state.appid is not None and appid != state.appid:
            return _error(40013)
        if state.secret is not None and secret != state.secret:
            return _error(40125)
        issued = state.issue_token()
        return jsonify({"access_token": issued.value, "expires_in": state.token_expires_in})

    @app.post("/cgi-bin/message/custom/send")
    def custom_send():
        return _send_message(state, "message/custom/send")

    @app.post("/cgi-bin/message/template/send")
    def template_send():
        return _send_message(state, "message/template/send")

    @app.get("/cgi-bin/media/get")
    def media_get():
        return _media_get(state)

    @app.post("/cgi-bin/media/upload")
    def media_upload():
        return _media_upload(state)

    @app.route("/cgi-bin/<path:unknown>", methods=["GET", "POST"])
    def not_implemented(unknown: str):
        return _error(48001, f"api unauthorized (the fake does not implement cgi-bin/{unknown})")


def _send_message(state: FakeWeChatState, path: str) -> Response:
    """Validate and record one outgoing message the way WeChat would accept or refuse it."""
    state.count("send_attempts")
    injected = _apply_injected_failure(state, path)
    if injected is not None:
        return injected
    token_error = _check_access_token(state)
    if token_error is not None:
        return token_error
    body = _request_json()
    if body is None:
        return _error(44002 if not request.get_data() else 47001)
    touser = body.get("touser")
    if not touser:
        return _error(40003, "invalid openid")
    if path == "message/custom/send":
        if touser in state.closed_windows:
            return _error(45015)
        if body.get("msgtype") == "text":
            content = str(body.get("text", {}).get("content", ""))
            if len(content.encode("utf-8")) > TEXT_LIMIT_BYTES:
                return _error(45002)
    entry = state.record_message(path, body, request.args["access_token"])
    if path == "message/template/send":
        return _ok(msgid=entry["seq"])
    return _ok()


def _media_get(state: FakeWeChatState) -> Response:
    """Serve uploaded media, or a placeholder for ids the simulator invents (``fake_image_…``)."""
    injected = _apply_injected_failure(state, "media/get")
    if injected is not None:
        return injected
    token_error = _check_access_token(state)
    if token_error is not None:
        return token_error
    media_id = request.args.get("media_id", "")
    media = state.media.get(media_id) or _placeholder_media(media_id)
    if media is None:
        return _error(40007)
    state.count("media_downloads")
    extension = media.content_type.split("/")[-1]
    headers = {"Content-disposition": f'attachment; filename="{media_id}.{extension}"'}
    return Response(media.content, content_type=media.content_type, headers=headers)


def _placeholder_media(media_id: str) -> _Media | None:
    if not media_id.startswith(FAKE_MEDIA_PREFIX):
        return None
    if media_id.startswith(FAKE_MEDIA_PREFIX + "voice"):
        return _Media(PLACEHOLDER_AMR, "audio/amr", "voice")
    return _Media(PLACEHOLDER_PNG, "image/png", "image")


def _media_upload(state: FakeWeChatState) -> Response:
    """Store an uploaded temporary media file and hand back its media_id."""
    injected = _apply_injected_failure(state, "media/upload")
    if injected is not None:
        return injected
    token_error = _check_access_token(state)
    if token_error is not None:
        return token_error
    media_type = request.args.get("type", "")
    if media_type not in MEDIA_CONTENT_TYPES:
        return _error(40004, "invalid media type")
    uploaded = request.files.get("media")
    if uploaded is None:
        return _error(41005, "media data missing")
    content_type = uploaded.mimetype if uploaded.mimetype not in ("", "application/octet-stream") else None
    media_id = f"{FAKE_MEDIA_PREFIX}{media_type}_{secrets.token_hex(12)}"
    with state.lock:
        state.media[media_id] = _Media(uploaded.read(), content_type or MEDIA_CONTENT_TYPES[media_type], media_type)
    state.count("media_uploads")
    return jsonify({"type": media_type, "media_id": media_id, "created_at": int(time.time())})


def _register_control_routes(app: Flask, state: FakeWeChatState) -> None:
    """The /_fake/ endpoints that tests and the simulator use to look inside and steer the fake."""

    @app.get("/_fake/messages")
    def fake_messages():
        touser = request.args.get("touser") or None
        since = request.args.get("since", default=0, type=int)
        wait = min(request.args.get("wait", default=0.0, type=float), 30.0)
        found = state.wait_for_messages(touser, since, wait) if wait > 0 else state.find_messages(touser, since)
        return jsonify({"messages": found, "last_seq": state.stats()["last_seq"]})

    @app.post("/_fake/fail")
    def fake_fail():
        spec = request.get_json(force=True, silent=True) or {}
        if "path" not in spec or ("errcode" not in spec and "delay" not in spec):
            return jsonify({"error": 'give "path" and "errcode" and/or "delay"'}), 400
        errcode = int(spec["errcode"]) if spec.get("errcode") is not None else None
        state.add_failure(
            spec["path"], errcode, int(spec.get("times", 1)), float(spec.get("delay", 0)), spec.get("errmsg")
        )
        return jsonify({"ok": True, "pending_failures": state.stats()["pending_failures"]})

    @app.post("/_fake/expire_token")
    def fake_expire_token():
        return jsonify({"ok": True, "expired": state.expire_tokens()})

    @app.post("/_fake/window")
    def fake_window():
        spec = request.get_json(force=True, silent=True) or {}
        if not spec.get("touser"):
            return jsonify({"error": 'give "touser" and "open": true|false'}), 400
        set_window(state, spec["touser"], bool(spec.get("open", True)))
        return jsonify({"ok": True, "closed": sorted(state.closed_windows)})

    @app.post("/_fake/config")
    def fake_config():
        spec = request.get_json(force=True, silent=True) or {}
        with state.lock:
            if "token_grace_seconds" in spec:
                state.token_grace_seconds = float(spec["token_grace_seconds"])
            if "token_expires_in" in spec:
                state.token_expires_in = int(spec["token_expires_in"])
        return jsonify({"token_grace_seconds": state.token_grace_seconds, "token_expires_in": state.token_expires_in})

    @app.post("/_fake/reset")
    def fake_reset():
        state.reset()
        return jsonify({"ok": True})

    @app.get("/_fake/stats")
    def fake_stats():
        return jsonify(state.stats())


def set_window(state: FakeWeChatState, touser: str, is_open: bool) -> None:
    """Open or close the 48-hour customer-service window for one openid (closed → 45015)."""
    with state.lock:
        if is_open:
            state.closed_windows.discard(touser)
        else:
            state.closed_windows.add(touser)


class _ReadableJSON(DefaultJSONProvider):
    """Flask's JSON with Chinese as it is: readable in /_fake/messages."""

    ensure_ascii = False


def create_fake_wechat_app(
    appid: str | None = None,
    secret: str | None = None,
    token_grace_seconds: float = DEFAULT_TOKEN_GRACE_SECONDS,
    token_expires_in: int = DEFAULT_TOKEN_EXPIRES_IN,
) -> Flask:
    """Build the fake WeChat API app; its state is ``app.extensions["fake_wechat"]``."""
    app = Flask("fake_wechat")
    app.json = _ReadableJSON(app)
    state = FakeWeChatState(
        appid=appid, secret=secret, token_grace_seconds=token_grace_seconds, token_expires_in=token_expires_in
    )
    app.extensions["fake_wechat"] = state
    _register_api_routes(app, state)
    _register_control_routes(app, state)
    return app


class _QuietRequestHandler(WSGIRequestHandler):
    """Keeps test output free of one access-log line per fake API call."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class FakeWeChatServer:
    """Runs the fake WeChat API on 127.0.0.1 on a free port in a background thread."""

    def __init__(
        self,
        appid: str | None = None,
        secret: str | None = None,
        token_grace_seconds: float = DEFAULT_TOKEN_GRACE_SECONDS,
        token_expires_in: int = DEFAULT_TOKEN_EXPIRES_IN,
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
    ) -> None:
        self.app = create_fake_wechat_app(appid, secret, token_grace_seconds, token_expires_in)
        self.state: FakeWeChatState = self.app.extensions["fake_wechat"]
        handler = _QuietRequestHandler if quiet else WSGIRequestHandler
        self._server = make_server(host, port, self.app, threaded=True, request_handler=handler)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """Origin of the fake, e.g. ``http://127.0.0.1:54321`` (append ``/cgi-bin/`` for API calls)."""
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def api_base(self) -> str:
        """What WECHAT_API_BASE should be set to: ``{base_url}/cgi-bin/``."""
        return f"{self.base_url}/cgi-bin/"

    def start(self) -> FakeWeChatServer:
        """Start serving in a daemon thread (idempotent)."""
        if self._thread is None:
            # A short poll interval keeps stop() (one per test) from costing half a second.
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-wechat", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; ends any simulated hang first so the shutdown is quick."""
        self.state.stopping.set()
        with self.state.new_message:
            self.state.new_message.notify_all()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeWeChatServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def messages(self, touser: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """Messages delivered so far (customer-service and template), oldest first."""
        return self.state.find_messages(touser, since)

    def wait_for_messages(
        self, touser: str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Block until at least ``count`` messages (to ``touser``) exist or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        found = self.messages(touser)
        while len(found) < count and time.monotonic() < deadline:
            last = found[-1]["seq"] if found else 0
            self.state.wait_for_messages(touser, last, max(0.0, deadline - time.monotonic()))
            found = self.messages(touser)
        return found

    def fail(
        self,
        path: str = "message/custom/send",
        errcode: int | None = None,
        times: int = 1,
        delay: float = 0.0,
        errmsg: str | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``path`` hang ``delay`` s and/or answer ``errcode``."""
        self.state.add_failure(path, errcode, times, delay, errmsg)

    def expire_token(self) -> None:
        """Expire every token issued so far (next use answers 42001)."""
        self.state.expire_tokens()

    def set_window(self, touser: str, is_open: bool) -> None:
        """Open or close the 48-hour window for ``touser``."""
        set_window(self.state, touser, is_open)

    def reset(self) -> None:
        """Forget tokens, messages, media, failures and counters."""
        # A hang in progress belongs to the test that is ending: wake it, then re-arm.
        self.state.stopping.set()
        self.state.reset()
        self.state.stopping.clear()

    def stats(self) -> dict[str, Any]:
        """Counters: token_fetches, send_attempts, sends, injected_failures …"""
        return self.state.stats()
