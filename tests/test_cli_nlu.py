"""`flask nlu classify` against the real Rasa server; the group imports without the app."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from webhook.cli_nlu import nlu_cli


@pytest.fixture
def runner():
    """A CLI runner with a bare Flask app: the nlu commands need no services."""
    app = Flask(__name__)
    app.cli.add_command(nlu_cli)
    return app.test_cli_runner()


def test_the_group_has_its_commands():
    assert {"train", "evaluate", "classify"} <= set(nlu_cli.commands)


def test_classify_writes_one_json_object_per_line(runner, rasa_server, monkeypatch):
    monkeypatch.setenv("RASA_URL", rasa_server.url)
    monkeypatch.setenv("RASA_TOKEN", rasa_server.token)
    result = runner.invoke(nlu_cli, ["classify"], input="小区电梯坏了物业不修\n\n今天天气怎么样\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["text"] for row in rows] == ["小区电梯坏了物业不修", "今天天气怎么样"]
    assert rows[0]["triage"] == "property_complaint"
    assert rows[1]["intent"] == "out_of_scope" and rows[1]["triage"] is None
    assert set(rows[0]) == {"text", "intent", "confidence", "triage"}


def test_classify_says_clearly_when_rasa_is_down(runner, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    result = runner.invoke(nlu_cli, ["classify"], input="你好\n")
    assert result.exit_code != 0
    assert "unreachable" in result.output
