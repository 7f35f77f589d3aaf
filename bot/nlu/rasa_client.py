"""HTTP client for the Rasa NLU server (`rasa run --enable-api`): POST /model/parse, GET /status."""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from urllib.parse import quote, urlsplit

import requests

from bot.nlu.types import FALLBACK_INTENT, Classification
from bot.redaction import redact

# Retry only failures that are over quickly (refused connection, 502/503 while a worker restarts).
# A timed-out parse is not retried: Rasa is busy, and a second wait would eat the reply budget
# that WeChat's 5-second limit leaves us.
RETRYABLE_STATUS = frozenset({502, 503, 504})
DEFAULT_RETRIES = 1
RETRY_PAUSE_S = 0.05
# A server that refused, failed or timed out is left alone this long while others answer.
SERVER_REST_S = 5.0
# A kept-alive connection the server has closed meanwhile fails at once: open a new one then.
_STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class RasaUnavailable(RuntimeError):
    """Rasa did not give a usable answer (down, timed out, refused the token, bad JSON)."""


def entity_from_rasa(raw: dict) -> dict:
    """Keep the entity fields of the contract: entity, value, start, end."""
    return {key: raw.get(key) for key in ("entity", "value", "start", "end")}


def classification_from_parse(payload: dict) -> Classification:
    """Turn a /model/parse answer into a Classification.

    When the FallbackClassifier fired the intent stays `nlu_fallback` and the ranking keeps
    the model's real intents after it (the real top intent is ranking[1]).
    """
    intent = payload.get("intent") or {}
    name = intent.get("name") or FALLBACK_INTENT
    ranking = [
        (item["name"], float(item.get("confidence") or 0.0))
        for item in payload.get("intent_ranking") or []
        if item.get("name")
    ]
    return Classification(
        intent=name,
        confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking,
        entities=[entity_from_rasa(raw) for raw in payload.get("entities") or []],
        source="rasa",
        text=str(payload.get("text") or ""),
    )


class RasaServers:
    """The Rasa servers of RASA_URL (comma-separated): parses take turns, a failing one rests."""

    def __init__(self, urls: list[str], clock=time.monotonic, draining=None) -> None:
        self.urls = urls
        self.clock = clock
        # Servers loading a new model (bot/nlu/draining.py) get no parses while others answer.
        self.draining = draining
        self._turn = itertools.count()
        self._resting_until = dict.fromkeys(urls, 0.0)
        self._lock = threading.Lock()

    def order(self) -> list[str]:
        """Every server, starting with the next one's turn; resting servers last."""
        start = next(self._turn) % len(self.urls)
        rotated = self.urls[start:] + self.urls[:start]
        if self.draining is not None:
            out = self.draining.urls()
            rotated = [url for url in rotated if url not in out] or rotated
        now = self.clock()
        with self._lock:
            return sorted(rotated, key=lambda url: self._resting_until[url] > now)

    def failed(self, url: str) -> None:
        """Let this server rest before it gets parses again."""
        with self._lock:
            self._resting_until[url] = self.clock() + SERVER_REST_S

    def answered(self, url: str) -> None:
        """This server is fine."""
        with self._lock:
            self._resting_until[url] = 0.0


class _Connections(threading.local):
    """This thread's kept-alive connection to each server (http.client: a parse is one small
    POST, and requests' machinery around it cost three times the CPU of the call itself)."""

    def __init__(self) -> None:
        self.by_url: dict[str, http.client.HTTPConnection] = {}


class RasaClient:
    """Classifies text with one or several running Rasa servers."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:5005",
        token: str = "",
        timeout: float = 1.5,
        retries: int = DEFAULT_RETRIES,
        draining=None,
    ) -> None:
        urls = [part.strip().rstrip("/") for part in url.split(",") if part.strip()]
        self.url = urls[0]
        self.servers = RasaServers(urls, draining=draining)
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self._session = requests.Session()
        self._connections = _Connections()

    def _params(self) -> dict:
        return {"token": self.token} if self.token else {}

    def parse(self, text: str) -> Classification:
        """Classify one message; raises RasaUnavailable when Rasa gives no usable answer."""
        payload = self._post_parse(text)
        try:
            return classification_from_parse(payload)
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise RasaUnavailable(f"Rasa answered an unexpected payload: {error}") from error

    def _post_parse(self, text: str) -> dict:
        last_error: Exception | None = None
        order = self.servers.order()
        body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(RETRY_PAUSE_S)
            url = order[attempt % len(order)]  # a retry goes to the next server when there is one
            try:
                status, answer = self._post(url, body)
            except TimeoutError as error:
                self.servers.failed(url)
                raise RasaUnavailable(f"Rasa parse timed out after {self.timeout} s at {url}") from error
            except (OSError, http.client.HTTPException) as error:  # refused, reset, cut off mid-answer …
                self.servers.failed(url)
                last_error = error
                continue
            if status in RETRYABLE_STATUS:
                self.servers.failed(url)
                last_error = RasaUnavailable(f"Rasa answered HTTP {status}")
                continue
            self.servers.answered(url)
            return self._json_or_raise(status, answer)
        raise RasaUnavailable(redact(f"Rasa unreachable at {url}: {last_error}")) from last_error

    def _post(self, url: str, body: bytes) -> tuple[int, bytes]:
        """POST /model/parse on this thread's connection to url: (status, body)."""
        connection = self._connections.by_url.get(url)
        if connection is not None:
            try:
                return self._exchange(connection, url, body)
            except _STALE_CONNECTION:
                pass  # closed by the server while idle; a parse is safe to send again
        connection = self._connect(url)
        self._connections.by_url[url] = connection
        return self._exchange(connection, url, body)

    def _connect(self, url: str) -> http.client.HTTPConnection:
        parts = urlsplit(url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        return kind(parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout)

    def _exchange(self, connection: http.client.HTTPConnection, url: str, body: bytes) -> tuple[int, bytes]:
        path = urlsplit(url).path + "/model/parse" + (f"?token={quote(self.token)}" if self.token else "")
        answered = False
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = response.status, response.read()
            answered = True
            return answer
        finally:
            if not answered:
                # Half a request or answer on the wire: this connection is good for nothing more.
                connection.close()
                self._connections.by_url.pop(url, None)

    @staticmethod
    def _json_or_raise(status: int, body: bytes) -> dict:
        if status != 200:
            text = body[:200].decode("utf-8", errors="replace")
            raise RasaUnavailable(redact(f"Rasa answered HTTP {status}: {text}"))
        try:
            return json.loads(body)
        except ValueError as error:
            raise RasaUnavailable("Rasa answered with invalid JSON") from error

    def status(self, url: str | None = None, timeout: float | None = None) -> dict:
        """A server's /status (model file, fingerprint), the first one's by default; raises
        RasaUnavailable when it does not answer."""
        base = url or self.url
        try:
            response = self._session.get(f"{base}/status", params=self._params(), timeout=timeout or self.timeout)
        except requests.RequestException as error:
            raise RasaUnavailable(redact(f"Rasa unreachable at {base}: {error}")) from error
        return self._json_or_raise(response.status_code, response.content)

    def is_up(self, url: str | None = None, timeout: float | None = None) -> bool:
        """True when the server (the first one by default) answers /status with a loaded model."""
        try:
            return bool(self.status(url, timeout).get("model_file"))
        except RasaUnavailable:
            return False
