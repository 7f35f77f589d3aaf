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
    assert set(rows[0]) == {"text", "intent", "confidence", "triage", "kind", "choices"}
    assert (rows[0]["kind"], rows[0]["choices"]) == ("triage", [])
    assert (rows[1]["kind"], rows[1]["choices"]) == ("out_of_scope", [])


def test_classify_prints_the_clarifying_choices(runner, rasa_server, monkeypatch):
    monkeypatch.setenv("RASA_URL", rasa_server.url)
    monkeypatch.setenv("RASA_TOKEN", rasa_server.token)
    # Whatever the model makes of a greeting wrapped around a legal question, the bot takes the
    # question: a legal case, or a numbered question that offers the community lawyer.
    result = runner.invoke(nlu_cli, ["classify"], input="你好在吗 我老公要跟我离婚 孩子归谁 谢谢\n你好\n")
    assert result.exit_code == 0, result.output
    wrapped, bare = [json.loads(line) for line in result.output.splitlines()]
    assert wrapped["triage"] == "legal_consultation" or (
        wrapped["kind"] == "clarify" and "legal_consultation" in wrapped["choices"]
    )
    assert (bare["intent"], bare["kind"], bare["choices"]) == ("greet", "conversational", [])


def test_classify_says_clearly_when_rasa_is_down(runner, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    result = runner.invoke(nlu_cli, ["classify"], input="你好\n")
    assert result.exit_code != 0
    assert "unreachable" in result.output
