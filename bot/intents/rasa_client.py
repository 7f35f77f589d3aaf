"""HTTP client for the Rasa NLU server (`rasa run --enable-api`): POST /model/parse."""

from __future__ import annotations

import itertools
import threading
import time

import requests

from bot.intents.types import FALLBACK_INTENT, Classification
from bot.redaction import redact

# Retry only failures that are over quickly (refused connection, 502/503 while a worker restarts).
# A timed-out parse is not retried: Rasa is busy, and a second wait would eat the reply budget
# that WeChat's 5-second limit leaves us.
RETRYABLE_STATUS = frozenset({502, 503, 504})
DEFAULT_RETRIES = 1
RETRY_PAUSE_S = 0.05
# A server that refused, failed or timed out is left alone this long while others answer.
SERVER_REST_S = 5.0


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
        # Servers loading a new model (bot/intents/draining.py) get no parses while others answer.
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


class RasaClient:
    """Classifies text with one or several running Rasa servers."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:5005",
        token: str = "",
        timeout: float = 1.5,
        retries: int = DEFAULT_RETRIES,
        session: requests.Session | None = None,
        draining=None,
    ) -> None:
        urls = [part.strip().rstrip("/") for part in url.split(",") if part.strip()]
        self.url = urls[0]
        self.servers = RasaServers(urls, draining=draining)
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self._session = session or requests.Session()

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
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(RETRY_PAUSE_S)
            url = order[attempt % len(order)]  # a retry goes to the next server when there is one
            try:
                response = self._session.post(
                    f"{url}/model/parse",
                    params=self._params(),
                    json={"text": text},
                    timeout=self.timeout,
                )
            except requests.Timeout as error:
                self.servers.failed(url)
                raise RasaUnavailable(f"Rasa parse timed out after {self.timeout} s at {url}") from error
            except requests.RequestException as error:  # refused, reset, cut off mid-answer …
                self.servers.failed(url)
                last_error = error
                continue
            if response.status_code in RETRYABLE_STATUS:
                self.servers.failed(url)
                last_error = RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
                continue
            self.servers.answered(url)
            return self._json_or_raise(response)
        # requests' message quotes the URL with ?token=…: never let it reach a log line.
        raise RasaUnavailable(redact(f"Rasa unreachable at {url}: {last_error}")) from last_error

    @staticmethod
    def _json_or_raise(response: requests.Response) -> dict:
        if response.status_code != 200:
            raise RasaUnavailable(redact(f"Rasa answered HTTP {response.status_code}: {response.text[:200]}"))
        try:
            return response.json()
        except ValueError as error:
            raise RasaUnavailable("Rasa answered with invalid JSON") from error

    def status(self) -> dict:
        """The server's /status (model file, fingerprint); raises RasaUnavailable when down."""
        try:
            response = self._session.get(
                f"{self.url}/status", params=self._params(), timeout=self.timeout
            )
        except requests.RequestException as error:
            raise RasaUnavailable(redact(f"Rasa unreachable at {self.url}: {error}")) from error
        return self._json_or_raise(response)

    def is_up(self) -> bool:
        """True when the server answers /status with a loaded model."""
        try:
            return bool(self.status().get("model_file"))
        except RasaUnavailable:
            return False
