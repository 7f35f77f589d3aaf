"""The reviewed-examples file (nlu_data/reviewed.yml): what admins accepted, as clean Rasa YAML.

An example is refused when it is in a held-out set under nlu_eval/ (never trained on) or when the
same text is already an example of another intent (a conflict the admin must see and settle).
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.nlu.examples import Example, examples_from_yaml
from bot.nlu.types import FALLBACK_INTENT
from bot.training.evaluation import normalised_text

NLU_DATA_DIR = PROJECT_ROOT / "nlu_data"
EVAL_DIR = PROJECT_ROOT / "nlu_eval"
# A review label that teaches an answer to one of the bot's questions ("step:confirm:yes").
STEP_PREFIX = "step:"
HEADER = (
    "# Examples admins confirmed in the review queue (console 训练 › 待审核, or `flask --app webhook nlu review`).\n"
    "# Written by the application from the database: edit them there, not here.\n"
)


def heldout_files(eval_dir: Path = EVAL_DIR) -> list[Path]:
    """Every held-out set the project has (Rasa NLU YAML files under nlu_eval/)."""
    return sorted(Path(eval_dir).glob("*.yml"))


def heldout_texts(path: Path) -> list[str]:
    """Every message of one held-out file: intent examples, and the signal sets' plain lists too."""
    examples = examples_from_yaml(path)
    if examples:
        return [example.text for example in examples]
    return list(_strings(yaml.safe_load(Path(path).read_text(encoding="utf-8"))))


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def intent_heldout_files(eval_dir: Path = EVAL_DIR) -> list[Path]:
    """The held-out sets of the intent model (those with labelled intent examples)."""
    return [path for path in heldout_files(eval_dir) if examples_from_yaml(path)]


def training_examples(data_dir: Path = NLU_DATA_DIR, reviewed_file: Path | None = None) -> list[Example]:
    """The examples of nlu_data/, without the reviewed file (that one is rewritten from the database)."""
    skip = Path(reviewed_file).resolve() if reviewed_file else None
    examples = []
    for path in sorted(Path(data_dir).glob("*.yml")):
        if path.resolve() != skip:
            examples.extend(examples_from_yaml(path))
    return examples


@dataclass
class TrainingCheck:
    """Answers "may this text be trained as this intent?" against held-out sets and training data."""

    heldout: dict[str, str] = field(default_factory=dict)  # normalised text → held-out file name
    trained: dict[str, str] = field(default_factory=dict)  # normalised text → intent
    intents: tuple[str, ...] = ()

    @classmethod
    def load(
        cls, data_dir: Path = NLU_DATA_DIR, eval_dir: Path = EVAL_DIR, reviewed_file: Path | None = None
    ) -> TrainingCheck:
        """Read the held-out sets and the training data once."""
        heldout = {}
        for path in heldout_files(eval_dir):
            for text in heldout_texts(path):
                heldout[normalised_text(text)] = path.name
        examples = training_examples(data_dir, reviewed_file)
        trained = {normalised_text(example.text): example.intent for example in examples}
        intents = tuple(sorted({example.intent for example in examples} - {FALLBACK_INTENT}))
        return cls(heldout, trained, intents)

    def problem(self, text: str, intent: str, accepted: dict[str, str] | None = None) -> str | None:
        """Why this example may not be trained (in Chinese, for the admin), or None."""
        key = normalised_text(text)
        if not key:
            return "空消息不能作为例句"
        if intent not in self.intents:
            return f"未知的意图 {intent}"
        if key in self.heldout:
            return f"这句话在评测集 nlu_eval/{self.heldout[key]} 中，评测集从不用于训练"
        for source, known in ((self.trained, "训练数据"), (accepted or {}, "已审核的例句")):
            other = source.get(key)
            if other is not None and other != intent:
                return f"冲突：同一句话在{known}里已是 {other} 的例句"
        return None


def reviewed_yaml(examples: list[tuple[str, str]]) -> str:
    """Rasa NLU YAML for (text, intent) pairs: intents and texts sorted, duplicates dropped."""
    by_intent: dict[str, dict[str, str]] = defaultdict(dict)
    for text, intent in examples:
        if intent.startswith(STEP_PREFIX):
            continue  # an answer to one of the bot's questions, not an intent (bot/training/step_review.py)
        line = " ".join(text.split())  # one line per example, whatever the resident typed
        by_intent[intent].setdefault(normalised_text(line), line)
    lines = [HEADER, 'version: "3.1"\n', "nlu:"] if by_intent else [HEADER, 'version: "3.1"\n', "nlu: []"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for _, text in sorted(by_intent[intent].items(), key=lambda pair: pair[1])]
    return "\n".join(lines) + "\n"


def write_reviewed(path: Path | str, examples: list[tuple[str, str]]) -> bool:
    """Write the reviewed file atomically; returns True when its content changed."""
    path = Path(path)
    content = reviewed_yaml(examples)
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".reviewed-", suffix=".tmp")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.replace(temporary, path)
    return True
