"""rasa/components/direct_diet.py: the direct prediction path gives DIET's own scores (real model, real Rasa)."""

from __future__ import annotations

import subprocess

import pytest

from bot.config import PROJECT_ROOT

pytestmark = pytest.mark.needs_services  # Rasa's own Python


def test_the_direct_path_is_used_and_scores_like_diet_itself(tmp_path):
    # config.yml routes with the linear classifier; DIET (bench/routing/diet.yml) stays the model
    # it is compared with, so its direct path is checked on a DIET of its own, trained briefly.
    config = (PROJECT_ROOT / "bench" / "routing" / "diet.yml").read_text(encoding="utf-8")
    assert "direct_diet.DirectDIETClassifier" in config and "epochs: 60" in config
    (tmp_path / "diet.yml").write_text(config.replace("epochs: 60", "epochs: 2"), encoding="utf-8")
    command = (
        f'ROOT="{PROJECT_ROOT}" && source scripts/rasa_env_vars.sh && '
        f'"$RASA_BIN" train nlu --config "{tmp_path}/diet.yml" --nlu nlu_data --out "{tmp_path}" '
        "--fixed-model-name diet >/dev/null && "
        f'"$ROOT/.venv-rasa/bin/python" bench/direct_diet_check.py --texts 60 --model "{tmp_path}/diet.tar.gz"'
    )
    result = subprocess.run(["bash", "-c", command], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, summary
    assert "60 messages" in summary and "direct path in use: True" in summary
