"""Rasa servers of a test's own (ports 5010-5019, never the shared one), started with
scripts/rasa_serve.sh from a model file and stopped afterwards. The token goes in the
environment (RASA_TOKEN), never on a command line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bot.config import PROJECT_ROOT

SERVED_MODEL = PROJECT_ROOT / "models" / "nlu.tar.gz"


def start_rasa(port: int, model_file: Path | str, token: str) -> str:
    """Start a Rasa server of this model on the port; returns its URL."""
    environment = {**os.environ, "RASA_PORT": str(port), "RASA_MODEL_FILE": str(model_file), "RASA_TOKEN": token}
    started = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "rasa_serve.sh")], env=environment, capture_output=True, text=True, timeout=400
    )
    assert started.returncode == 0, started.stderr
    return f"http://127.0.0.1:{port}"


def stop_rasa(port: int) -> None:
    """Stop the server started on this port."""
    subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "rasa_stop.sh")],
        env={**os.environ, "RASA_PORT": str(port)},
        capture_output=True,
        timeout=60,
    )


def models_dir_with_served_model(directory: Path) -> Path:
    """A models directory whose nlu.tar.gz is the project's trained model (scripts/rasa_train.sh)."""
    assert SERVED_MODEL.exists(), "train the model first: scripts/rasa_train.sh"
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SERVED_MODEL, directory / "nlu.tar.gz")
    return directory
