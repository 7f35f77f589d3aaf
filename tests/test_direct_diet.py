"""rasa/components/direct_diet.py: the direct prediction path gives DIET's own scores (real model, real Rasa)."""

from __future__ import annotations

import subprocess

import pytest

from bot.config import PROJECT_ROOT
from tests.rasa_servers import SERVED_MODEL

pytestmark = pytest.mark.needs_services  # Rasa's own Python and the trained model


@pytest.mark.skipif(
    "direct_diet.DirectDIETClassifier" not in (PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"),
    reason="config.yml has no DIET (the linear classifier routes; rasa/components/linear_intent.py)",
)
def test_the_direct_path_is_used_and_scores_like_diet_itself():
    assert SERVED_MODEL.exists(), "train the model first: scripts/rasa_train.sh"
    command = (
        f'ROOT="{PROJECT_ROOT}" && source scripts/rasa_env_vars.sh && '
        '"$ROOT/.venv-rasa/bin/python" bench/direct_diet_check.py --texts 60'
    )
    result = subprocess.run(["bash", "-c", command], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, summary
    assert "60 messages" in summary and "direct path in use: True" in summary
