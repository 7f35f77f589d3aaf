"""The health check: 200 only when this process can answer messages, and what Rasa does."""

from __future__ import annotations

import dataclasses

import pytest

from bot.nlu import build_classifier, signals

NOBODY = "http://127.0.0.1:5019"  # nothing listens there


@pytest.mark.usefixtures("rasa_server")
def test_ready_when_database_redis_and_signals_are(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "database": True,
        "redis": True,
        "signals": "ready",
        "nlu": "rasa",
        "rasa_servers": {settings.rasa_url: "up"},
    }


@pytest.mark.usefixtures("rasa_server")
def test_a_dead_rasa_server_is_reported_before_any_resident_writes(client, services, settings):
    services.classifier = build_classifier(dataclasses.replace(settings, rasa_url=f"{settings.rasa_url},{NOBODY}"))
    assert client.get("/healthz").get_json()["rasa_servers"] == {settings.rasa_url: "up", NOBODY: "down"}
    services.classifier = build_classifier(dataclasses.replace(settings, rasa_url=NOBODY))
    response = client.get("/healthz")
    # The keyword rules answer meanwhile: the process still serves (200), degraded.
    assert response.status_code == 200
    assert (response.get_json()["nlu"], response.get_json()["rasa_servers"]) == ("degraded", {NOBODY: "down"})


def test_not_ready_while_the_signals_load(client, monkeypatch):
    monkeypatch.setattr(signals, "_model", None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["signals"] == "loading"
