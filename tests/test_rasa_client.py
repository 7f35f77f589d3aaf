"""The Rasa client against the real running server and model, and against a tiny local fake."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.nlu.rasa_client import RasaClient, RasaUnavailable, classification_from_parse
from bot.nlu.types import TRIAGE_INTENTS

PARSE_ANSWER = {
    "text": "x",
    "intent": {"name": "greet", "confidence": 0.97},
    "intent_ranking": [{"name": "greet", "confidence": 0.97}, {"name": "thank", "confidence": 0.02}],
    "entities": [],
}


# --- against the real Rasa server (tests/rasa_fixture.py) ---------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("楼上邻居家漏水，把我家天花板泡坏了，他们不肯赔", "neighbor_dispute"),
        ("小区电梯坏了半个月了，物业一直拖着不修", "property_complaint"),
        ("你好", "greet"),
        ("今天天气怎么样", "out_of_scope"),
    ],
)
def test_real_model_classifies_clear_examples(rasa_client, text, intent):
    result = rasa_client.parse(text)
    assert result.source == "rasa"
    assert result.intent == intent
    assert result.ranking[0][0] == intent


def test_real_model_sends_legal_questions_to_the_lawyer(rasa_client):
    result = rasa_client.parse("老板拖欠我三个月工资，不签劳动合同，我想去劳动仲裁")
    assert result.intent == "legal_consultation" or result.intent.startswith("faq_")
    assert result.confidence > 0.5


def test_real_model_finds_a_phone_number_inside_chinese_text(rasa_client):
    text = "楼上漏水，我电话13912345678，住八古墩社区"
    result = rasa_client.parse(text)
    phones = [entity for entity in result.entities if entity["entity"] == "phone"]
    assert phones == [{"entity": "phone", "value": "13912345678", "start": 8, "end": 19}]
    assert text[phones[0]["start"] : phones[0]["end"]] == "13912345678"


def test_real_model_does_not_take_an_id_number_for_a_phone(rasa_client):
    result = rasa_client.parse("我的身份证号是420102199001011234")
    assert not [entity for entity in result.entities if entity["entity"] == "phone"]


def test_real_model_maps_a_short_community_name_to_the_directory_name(rasa_client):
    result = rasa_client.parse("我搬到万松园了")
    communities = [entity["value"] for entity in result.entities if entity["entity"] == "community"]
    assert communities == ["万松园社区"]


def test_real_model_ranking_keeps_real_intents_when_fallback_fires(rasa_client):
    result = rasa_client.parse("嗯")
    if result.intent == "nlu_fallback":
        assert result.ranking[0][0] == "nlu_fallback"
        assert result.ranking[1][0] != "nlu_fallback"
    assert len(result.ranking) > 1


def test_real_model_mixed_chinese_and_english(rasa_client):
    result = rasa_client.parse("物业把小区 WiFi 和 门禁 都停了 说我没交物业费")
    assert result.intent == "property_complaint" or result.intent.startswith("faq_")


def test_wrong_token_is_unavailable(rasa_server):
    with pytest.raises(RasaUnavailable):
        RasaClient(rasa_server.url, "wrong-token", timeout=5).parse("你好")


# --- parsing the answer --------------------------------------------------------------------


def test_fallback_keeps_the_real_ranking():
    payload = {
        "text": "楼上漏水13912345678",
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.5},
            {"name": "neighbor_dispute", "confidence": 0.44},
            {"name": "property_complaint", "confidence": 0.41},
        ],
        "entities": [{"entity": "phone", "value": "13912345678", "start": 1, "end": 12, "extractor": "X"}],
    }
    result = classification_from_parse(payload)
    assert (result.intent, result.confidence) == ("nlu_fallback", 0.5)
    assert result.ranking[1] == ("neighbor_dispute", 0.44)
    assert result.entities == [{"entity": "phone", "value": "13912345678", "start": 1, "end": 12}]
    assert set(TRIAGE_INTENTS) >= {name for name, _ in result.ranking[1:]}
    assert result.text == "楼上漏水13912345678"


# --- timeouts and retries against a tiny local server ---------------------------------------


class FakeRasa(BaseHTTPRequestHandler):
    """Answers /model/parse after `delay` s, failing with `fail_status` for the first `failures` calls."""

    delay = 0.0
    failures = 0
    fail_status = 503
    calls = 0
    tokens: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        cls = type(self)
        cls.calls += 1
        cls.tokens.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(cls.delay)
        status = cls.fail_status if cls.calls <= cls.failures else 200
        body = json.dumps(PARSE_ANSWER if status == 200 else {"error": "busy"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        return None


@pytest.fixture
def fake_rasa():
    handler = type("Handler", (FakeRasa,), {"calls": 0, "tokens": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sends_the_token_and_parses(fake_rasa):
    handler, url = fake_rasa
    result = RasaClient(url, "s3cret", timeout=2).parse("你好")
    assert (result.intent, result.source) == ("greet", "rasa")
    assert "token=s3cret" in handler.tokens[0]


def test_a_slow_server_times_out_without_a_retry(fake_rasa):
    handler, url = fake_rasa
    handler.delay = 1.0
    started = time.monotonic()
    with pytest.raises(RasaUnavailable, match="timed out"):
        RasaClient(url, timeout=0.2, retries=2).parse("你好")
    assert time.monotonic() - started < 0.9
    assert handler.calls == 1


def test_a_503_is_retried_once(fake_rasa):
    handler, url = fake_rasa
    handler.failures = 1
    assert RasaClient(url, timeout=2, retries=1).parse("你好").intent == "greet"
    assert handler.calls == 2


def test_retries_are_limited(fake_rasa):
    handler, url = fake_rasa
    handler.failures = 10
    with pytest.raises(RasaUnavailable, match="503"):
        RasaClient(url, timeout=2, retries=2).parse("你好")
    assert handler.calls == 3


def test_a_client_error_is_not_retried(fake_rasa):
    handler, url = fake_rasa
    handler.failures, handler.fail_status = 10, 401
    with pytest.raises(RasaUnavailable, match="401"):
        RasaClient(url, timeout=2, retries=2).parse("你好")
    assert handler.calls == 1


def test_a_dead_port_is_unavailable_quickly():
    started = time.monotonic()
    with pytest.raises(RasaUnavailable, match="unreachable"):
        RasaClient("http://127.0.0.1:9", timeout=1, retries=1).parse("你好")
    assert time.monotonic() - started < 1.0


class KeepAliveRasa(FakeRasa):
    """Keeps connections open (HTTP/1.1); with `drop` it closes each one after answering,
    unannounced, as a server does with an idle connection."""

    protocol_version = "HTTP/1.1"
    drop = False
    ports: list = []

    def do_POST(self):  # noqa: N802
        type(self).ports.append(self.client_address[1])
        super().do_POST()
        if type(self).drop:
            self.close_connection = True


@pytest.fixture
def keep_alive_rasa():
    handler = type("Handler", (KeepAliveRasa,), {"calls": 0, "tokens": [], "ports": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_one_connection_serves_a_threads_parses(keep_alive_rasa):
    handler, url = keep_alive_rasa
    client = RasaClient(url, timeout=2)
    for _ in range(5):
        assert client.parse("你好").intent == "greet"
    assert handler.calls == 5 and len(set(handler.ports)) == 1


def test_a_connection_the_server_closed_is_opened_again_without_a_failure(keep_alive_rasa):
    handler, url = keep_alive_rasa
    handler.drop = True
    client = RasaClient(url, timeout=2, retries=0)
    for _ in range(3):
        time.sleep(0.05)  # the server has closed its end before the next parse
        assert client.parse("你好").intent == "greet"
    assert handler.calls == 3 and len(set(handler.ports)) == 3
    assert client.servers._resting_until[url] == 0.0  # not taken for a failing server


# --- several servers in RASA_URL ------------------------------------------------------------


def test_parses_take_turns_across_the_servers(fake_rasa):
    first, first_url = fake_rasa
    second = type("Second", (FakeRasa,), {"calls": 0, "tokens": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), second)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = RasaClient(f"{first_url}, http://127.0.0.1:{server.server_address[1]}", timeout=2)
        for _ in range(6):
            assert client.parse("你好").intent == "greet"
        assert (first.calls, second.calls) == (3, 3)
    finally:
        server.shutdown()
        server.server_close()


def test_a_dead_server_is_skipped(fake_rasa):
    handler, url = fake_rasa
    client = RasaClient(f"http://127.0.0.1:9,{url}", timeout=1, retries=1)
    for _ in range(4):
        assert client.parse("你好").intent == "greet"  # the dead one costs one refused connect, once
    assert handler.calls == 4


def test_an_unreachable_server_message_carries_no_token():
    with pytest.raises(RasaUnavailable) as caught:
        RasaClient("http://127.0.0.1:9", token="tok-secret-77", timeout=1, retries=0).parse("你好")
    assert "tok-secret-77" not in str(caught.value)
