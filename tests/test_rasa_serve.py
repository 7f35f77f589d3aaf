"""rasa/serve.py and scripts/rasa_serve.sh: Rasa's API token on no command line (real Rasa, port 5014)."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from bot.config import PROJECT_ROOT
from tests.rasa_servers import SERVED_MODEL, start_rasa, stop_rasa

PORT = 5014
LAUNCHER = [str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), str(PROJECT_ROOT / "rasa" / "serve.py")]


def _command_lines() -> list[str]:
    """Every process's arguments, as ps shows them to any user."""
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:  # the process ended meanwhile
            continue
    return lines


@pytest.mark.needs_services  # starts a Rasa server
def test_a_served_rasa_takes_its_token_from_the_environment_and_shows_it_nowhere():
    token = f"launcher-{uuid.uuid4().hex}"
    url = start_rasa(PORT, SERVED_MODEL, token)
    try:
        assert not [line for line in _command_lines() if token in line]
        assert [line for line in _command_lines() if "rasa/serve.py run" in line and f"-p {PORT}" in line]
        assert requests.get(f"{url}/status", timeout=5).status_code == 401
        assert requests.get(f"{url}/status", params={"token": token}, timeout=5).status_code == 200
    finally:
        stop_rasa(PORT)


def test_a_token_file_others_may_read_is_refused(tmp_path):
    token_file = tmp_path / "rasa_token"
    token_file.write_text("readable-by-all-token\n")
    token_file.chmod(0o644)
    environment = {key: value for key, value in os.environ.items() if key != "RASA_TOKEN"}
    refused = subprocess.run(
        [*LAUNCHER, "run"],
        env={**environment, "RASA_TOKEN_FILE": str(token_file)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert refused.returncode != 0 and "chmod 600" in refused.stderr


def test_a_token_on_the_command_line_is_refused():
    refused = subprocess.run(
        [*LAUNCHER, "run", "--auth-token", "on-the-command-line"], capture_output=True, text=True, timeout=30
    )
    assert refused.returncode != 0 and "RASA_TOKEN" in refused.stderr
