"""IntentService: Rasa through the breaker, keywords while Rasa is down, back when it returns."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from bot.nlu import BREAKER_FAILURES, BREAKER_RESET_S, IntentService, build_classifier

ANSWER = {
    "intent": {"name": "neighbor_dispute", "confidence": 0.95},
    "intent_ranking": [{"name": "neighbor_dispute", "confidence": 0.95}],
    "entities": [],
}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class AlwaysNeighbor(BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self):  # noqa: N802 (http.server's naming)
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps(ANSWER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_for(port: int, **overrides) -> SimpleNamespace:
    values = dict(rasa_url=f"http://127.0.0.1:{port}", rasa_token="", rasa_timeout=0.5, nlu_backend="rasa")
    return SimpleNamespace(**(values | overrides))


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def start_rasa(port):
    servers = []

    def start():
        handler = type("Handler", (AlwaysNeighbor,), {"calls": 0})
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return handler

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_degraded_while_rasa_is_down_and_back_when_it_returns(port, start_rasa):
    clock = Clock()
    service = build_classifier(settings_for(port), clock=clock)
    assert service.mode == "rasa"

    for _ in range(BREAKER_FAILURES):
        result = service.classify("楼上漏水到我家")
        assert result.source == "keywords"
        assert result.intent == "neighbor_dispute"
    assert service.mode == "degraded"

    handler = start_rasa()
    # While the circuit is open Rasa is not even asked.
    assert service.classify("楼上漏水到我家").source == "keywords"
    assert handler.calls == 0

    clock.now += BREAKER_RESET_S
    assert service.classify("楼上漏水到我家").source == "rasa"
    assert service.mode == "rasa"
    assert service.classify("物业不修电梯").source == "rasa"
    assert handler.calls == 2


def test_a_failed_trial_keeps_the_keywords_serving(port):
    clock = Clock()
    service = build_classifier(settings_for(port), clock=clock)
    for _ in range(BREAKER_FAILURES):
        service.classify("你好")
    clock.now += BREAKER_RESET_S
    assert service.classify("你好").source == "keywords"
    assert service.mode == "degraded"


def test_keywords_backend_never_calls_rasa(port):
    service = build_classifier(settings_for(port, nlu_backend="keywords"))
    assert service.mode == "keywords"
    assert service.classify("物业不修电梯").source == "keywords"


def test_blank_text_is_not_sent_to_rasa(port, start_rasa):
    handler = start_rasa()
    service = build_classifier(settings_for(port))
    assert service.classify("   ").intent == "out_of_scope"
    assert handler.calls == 0


def test_against_the_real_rasa_server(rasa_server):
    service = build_classifier(
        SimpleNamespace(rasa_url=rasa_server.url, rasa_token=rasa_server.token, rasa_timeout=5.0)
    )
    result = service.classify("物业不修电梯")
    assert result.source == "rasa"
    assert result.intent in ("property_complaint", "faq_elevator_broken")
    assert isinstance(service, IntentService)


def test_while_rasa_is_down_a_plain_faq_question_is_answered_not_taken_as_a_case():
    from bot.nlu.policy import decide
    from bot.nlu.rasa_client import RasaClient

    service = IntentService(rasa=RasaClient("http://127.0.0.1:9", timeout=0.5, retries=0))
    for question, intent in [("楼上漏水到我家谁负责？", "faq_water_leak"), ("工伤怎么认定啊", "faq_work_injury")]:
        result = service.classify(question)
        assert result.intent == intent and decide(result).kind == "faq"
    story = service.classify("楼上装修天天电钻响到半夜，跟他们说了也不听，孩子没法睡觉")
    assert not story.intent.startswith("faq_")


def test_every_classification_carries_the_message_text(port):
    # The policy reads the text to tell a bare "你好" from a greeting around a question.
    service = build_classifier(settings_for(port, nlu_backend="keywords"))
    assert service.classify("你好在吗 老板拖欠工资").text == "你好在吗 老板拖欠工资"
