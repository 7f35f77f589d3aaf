"""A web process is warm before it takes its first request: signals, Jieba, database connections."""

from __future__ import annotations

import os
import subprocess
import time

import psycopg
import pytest
import requests

from bot.config import PROJECT_ROOT
from bot.nlu import signals
from bot.storage import Database
from bot.warmup import warm

PORT = 8731


def test_warming_loads_the_signals_and_opens_a_connection_for_each_thread(services, monkeypatch):
    monkeypatch.setattr(signals, "_model", None)  # as in a process that has just started
    services.db.engine.dispose()
    warm(services, connections=4)
    assert signals.is_ready()
    assert services.db.engine.pool.checkedin() >= 4  # the request threads find them open


def test_a_database_that_is_down_does_not_stop_the_process_from_serving(services, caplog):
    services.db = Database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    warm(services, connections=2)  # logged, not raised: messages are kept in Redis meanwhile
    assert "warm-up: database unavailable" in caplog.text


@pytest.fixture
def gunicorn(settings, tmp_path):
    """gunicorn as scripts/serve.sh starts it, on this test's database and Redis prefix."""
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "KEY_PREFIX": settings.key_prefix,
        "WECHAT_TOKEN": settings.wechat_token,
        "WECHAT_API_BASE": settings.wechat_api_base,
        "NLU_BACKEND": "keywords",
        "JOURNAL_DIR": str(tmp_path / "journal"),
    }
    server = subprocess.Popen(
        [
            str(PROJECT_ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            "python:webhook.gunicorn_conf",
            "--workers",
            "1",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{PORT}",
            "webhook:create_app()",
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield server
    server.terminate()
    server.communicate(timeout=30)


def test_the_first_request_a_process_accepts_finds_it_warm(gunicorn, settings):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            first = requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=30)
            break
        except requests.ConnectionError:  # gunicorn has not bound its port yet
            time.sleep(0.05)
    else:
        pytest.fail(f"gunicorn did not answer: {gunicorn.stderr.read() if gunicorn.poll() is not None else ''}")
    # Not "loading": the process accepted no connection before it had the signals, nor before it
    # had a database connection open for each of its 4 threads.
    assert first.json()["signals"] == "ready", first.json()
    with psycopg.connect(settings.database_url.replace("+psycopg", "")) as connection:
        opened = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert opened >= 4
