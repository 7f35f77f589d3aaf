"""rasa/components/linear_intent.py: trains, persists, loads and ranks like an intent classifier (real Rasa)."""

from __future__ import annotations

import json
import subprocess

import pytest

from bot.config import PROJECT_ROOT

pytestmark = pytest.mark.needs_services  # Rasa's own Python

SCRIPT = r"""
import json, tempfile
from pathlib import Path
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from linear_intent import LinearIntentClassifier

EXAMPLES = {
    "neighbor_dispute": ["楼上漏水到我家", "邻居半夜吵", "隔壁的狗天天叫", "楼上装修太吵", "对门堆杂物"],
    "property_complaint": ["物业不修电梯", "物业费乱涨", "小区电梯坏了", "物业不管垃圾", "保安不让进"],
    "legal_consultation": ["想离婚怎么办", "老板欠工资", "借钱不还能告吗", "遗产怎么分", "工伤怎么赔"],
    "out_of_scope": ["今天天气好", "快递到了吗", "讲个笑话", "哪里好吃", "明天下雨吗"],
}
storage = LocalModelStorage(Path(tempfile.mkdtemp()))
resource = Resource("linear")
context = ExecutionContext(GraphSchema({}), "test")
config = {"use_words": False, "C": 10.0, "out_of_scope_threshold": 0.5}
classifier = LinearIntentClassifier.create(config, storage, resource, context)
classifier.train(TrainingData([Message.build(text=t, intent=i) for i, ts in EXAMPLES.items() for t in ts]))
loaded = LinearIntentClassifier.load(config, storage, resource, context)
texts = ["楼上又漏水了", "电梯又坏了物业不管", "老板拖欠工资", "明天天气怎么样"]
out = []
for model in (classifier, loaded):
    messages = model.process([Message.build(text=t) for t in texts])
    out.append([[m.get("intent")["name"], m.get("intent_ranking")] for m in messages])
print(json.dumps(out))
"""


def test_the_linear_classifier_ranks_and_loads_what_it_trained():
    command = f'ROOT="{PROJECT_ROOT}" && source scripts/rasa_env_vars.sh && "$RASA_PYTHON" -'
    result = subprocess.run(
        ["bash", "-c", command], input=SCRIPT, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    trained, loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert trained == loaded  # what was persisted is what was trained
    assert [intent for intent, _ in trained] == [
        "neighbor_dispute",
        "property_complaint",
        "legal_consultation",
        "out_of_scope",
    ]
    for _, ranking in trained:
        scores = [item["confidence"] for item in ranking]
        assert scores == sorted(scores, reverse=True) and all(0.0 <= score <= 1.0 for score in scores)
