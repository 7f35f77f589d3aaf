"""`flask nlu signals`: the held-out figures of the danger and group signals."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from webhook.cli_nlu import nlu_cli


@pytest.fixture
def runner():
    """A CLI runner with a bare Flask app: the command needs no services."""
    app = Flask(__name__)
    app.cli.add_command(nlu_cli)
    return app.test_cli_runner()


def test_signals_prints_recall_false_alarms_latency_and_training_time(runner):
    result = runner.invoke(nlu_cli, ["signals", "--no-cv"])
    assert result.exit_code == 0, result.output
    danger = re.search(
        r"danger: recall ([\d.]+)% \((\d+) messages\), false alarms ([\d.]+)% \((\d+) messages\)", result.output
    )
    group = re.search(
        r"group: recall ([\d.]+)% \((\d+) messages\), false alarms ([\d.]+)% \((\d+) messages\)", result.output
    )
    assert danger and int(danger.group(2)) >= 100 and int(danger.group(4)) >= 100
    assert group and int(group.group(2)) >= 60 and int(group.group(4)) >= 60
    assert float(group.group(1)) >= 95.0
    assert re.search(r"Training on signal_data/.*: [\d.]+ s", result.output)
    assert re.search(r"latency, both signals: [\d.]+ ms per message", result.output)
    assert "cross-validation" not in result.output


def test_signals_lists_each_false_alarm_it_counts(runner):
    result = runner.invoke(nlu_cli, ["signals", "--no-cv"])
    danger = re.search(
        r"danger: recall [\d.]+% \(\d+ messages\), false alarms [\d.]+% \((\d+) messages\)", result.output
    )
    rate = float(re.search(r"danger: .*false alarms ([\d.]+)%", result.output).group(1))
    danger_block = result.output.split("\nurgent:")[0]
    assert danger_block.count("false alarm: ") == round(rate / 100 * int(danger.group(1)))
