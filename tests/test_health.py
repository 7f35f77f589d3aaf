"""The health check: 200 only when this process can answer messages."""

from __future__ import annotations

from bot.intents import signals


def test_ready_when_database_redis_and_signals_are(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": True, "redis": True, "nlu": "rasa", "signals": "ready"}


def test_not_ready_while_the_signals_load(client, monkeypatch):
    monkeypatch.setattr(signals, "_model", None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["signals"] == "loading"
