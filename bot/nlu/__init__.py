"""The NLU boundary: classify a resident's message with Rasa, or with keywords while Rasa is down."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from bot.nlu.breaker import CLOSED, CircuitBreaker
from bot.nlu.faq_match import match_faq
from bot.nlu.keywords import KeywordClassifier
from bot.nlu.rasa_client import RasaClient, RasaUnavailable
from bot.nlu.types import Classification

log = logging.getLogger(__name__)

# Three failed parses in a row (each already retried once by the client) and we stop waiting on
# Rasa; every BREAKER_RESET_S one message tries it again, so recovery is noticed within seconds.
BREAKER_FAILURES = 3
BREAKER_RESET_S = 10.0

# A health check waits this long for each Rasa server's /status (a hung one must not hang it).
HEALTH_PROBE_S = 1.0

MODE_RASA = "rasa"
MODE_KEYWORDS = "keywords"
MODE_DEGRADED = "degraded"


class IntentService:
    """Classifies through Rasa behind a circuit breaker, falling back to the keyword rules."""

    def __init__(
        self,
        rasa: RasaClient | None,
        keywords: KeywordClassifier | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.rasa = rasa
        self.keywords = keywords or KeywordClassifier()
        self.breaker = breaker or CircuitBreaker(BREAKER_FAILURES, BREAKER_RESET_S)

    @property
    def mode(self) -> str:
        """The mode: "rasa" while Rasa answers, "degraded" while keywords stand in, or "keywords" by choice."""
        if self.rasa is None:
            return MODE_KEYWORDS
        return MODE_RASA if self.breaker.state == CLOSED else MODE_DEGRADED

    def health(self) -> dict:
        """The mode as it really is, and each Rasa server "up" or "down", asked now (the breaker
        alone still says rasa when Rasa died while no resident wrote)."""
        if self.rasa is None:
            return {"nlu": MODE_KEYWORDS}
        servers = {url: "up" if self.rasa.is_up(url, HEALTH_PROBE_S) else "down" for url in self.rasa.servers.urls}
        serving = self.breaker.state == CLOSED and "up" in servers.values()
        return {"nlu": MODE_RASA if serving else MODE_DEGRADED, "rasa_servers": servers}

    def classify(self, text: str) -> Classification:
        """Classify one message; never raises because Rasa is down. The result carries the text."""
        return with_text(self._classify(text), text)

    def _classify(self, text: str) -> Classification:
        if self.rasa is None or not text.strip():
            return self.keywords.parse(text)
        if not self.breaker.allow_request():
            return self._degraded(text)
        try:
            result = self.rasa.parse(text)
        except RasaUnavailable as error:
            self.breaker.record_failure()
            log.warning("Rasa unavailable, answering with keyword rules: %s", error)
            return self._degraded(text)
        self.breaker.record_success()
        return result

    def _degraded(self, text: str) -> Classification:
        # While Rasa is down a plain FAQ question still gets its answer rather than a case.
        return match_faq(text) or self.keywords.parse(text)


def with_text(classification: Classification, text: str) -> Classification:
    """The classification with the message text filled in (the policy reads it)."""
    return classification if classification.text else dataclasses.replace(classification, text=text)


def build_classifier(settings_like, clock: Callable[[], float] | None = None, draining=None) -> IntentService:
    """Build the IntentService from anything with rasa_url/rasa_token/rasa_timeout/nlu_backend."""
    backend = getattr(settings_like, "nlu_backend", MODE_RASA)
    if backend == MODE_KEYWORDS:
        return IntentService(rasa=None)
    rasa = RasaClient(
        url=getattr(settings_like, "rasa_url", "http://127.0.0.1:5005"),
        token=getattr(settings_like, "rasa_token", ""),
        timeout=float(getattr(settings_like, "rasa_timeout", 1.5)),
        draining=draining,  # servers a promotion is loading a model into get no parses
    )
    breaker = CircuitBreaker(BREAKER_FAILURES, BREAKER_RESET_S, **({"clock": clock} if clock else {}))
    return IntentService(rasa=rasa, breaker=breaker)


__all__ = ["Classification", "IntentService", "build_classifier"]
