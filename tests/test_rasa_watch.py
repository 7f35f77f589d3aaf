"""scripts/rasa_watch.sh: a Rasa server that hangs is killed and started again (real Rasa, port 5013)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from bot.config import PROJECT_ROOT
from bot.nlu.rasa_client import RasaClient
from tests.rasa_servers import SERVED_MODEL, start_rasa, stop_rasa

PORT = 5013
PID_FILE = PROJECT_ROOT / "var" / f"rasa-{PORT}.pid"


@pytest.fixture
def frozen_rasa(settings):
    """A Rasa server of this test's own, stopped with SIGSTOP: alive, but answering nothing."""
    url = start_rasa(PORT, SERVED_MODEL, settings.rasa_token)
    pid = int(PID_FILE.read_text())
    os.kill(pid, signal.SIGSTOP)
    yield url, pid
    stop_rasa(PORT)


def test_a_hung_server_is_killed_and_started_again(frozen_rasa, settings):
    url, frozen_pid = frozen_rasa
    client = RasaClient(url, settings.rasa_token, timeout=1.0)
    assert not client.is_up()
    environment = {
        **os.environ,
        "RASA_TOKEN": settings.rasa_token,
        "RASA_MODEL_FILE": str(SERVED_MODEL),
        "RASA_WATCH_INTERVAL": "1",
        "RASA_WATCH_TIMEOUT": "1",
        "RASA_WATCH_STRIKES": "2",
    }
    watch = subprocess.Popen(
        [str(PROJECT_ROOT / "scripts" / "rasa_watch.sh"), str(PORT)], env=environment, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not client.is_up():
            time.sleep(2)
        assert client.is_up(), "the hung server was not replaced within 5 minutes"
        assert int(PID_FILE.read_text()) != frozen_pid
        assert not os.path.exists(f"/proc/{frozen_pid}") or _is_zombie(frozen_pid)
        assert client.parse("楼上漏水到我家了怎么办").intent
    finally:
        watch.terminate()
        _, log = watch.communicate(timeout=30)
    assert f"Rasa on port {PORT} (pid {frozen_pid}) has not answered for 2 checks" in log


def _is_zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
