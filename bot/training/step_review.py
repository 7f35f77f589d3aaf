"""Answers to the bot's questions taught from the review queue: "at this question, this answer means yes".

An admin labels a review item `step:<question>:<label>` (e.g. `step:confirm:yes`). The accepted
ones are written to a candidate file (CANDIDATE_FILE); a retraining run fits a candidate step model
on step_data/ with them, scores it and the current one on the held-out answers
(nlu_eval/step_answers.yml), and only when the candidate is no worse are they written to
step_data/reviewed.yml, the file the bot learns from. Otherwise they wait, and the run says why.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.nlu import step_answers
from bot.nlu.step_answers import Example, Label, Step
from bot.training import step_evaluation
from bot.training.evaluation import normalised_text
from bot.training.training_data import STEP_PREFIX

log = logging.getLogger(__name__)

CANDIDATE_FILE = PROJECT_ROOT / "var" / "step_reviewed.yml"
HEADER = (
    "# Answers to the bot's questions that admins labelled in the review queue (console 训练 › 待审核,\n"
    "# label step:<question>:<label>), promoted by a retraining run that found the step model no worse\n"
    "# on nlu_eval/step_answers.yml. Written by the application: edit them there, not here.\n"
)
# Every label an admin may give, in the review page's list.
STEP_LABELS = tuple(f"{STEP_PREFIX}{step.value}:{label.value}" for step in Step for label in Label)


def is_step_label(label: str | None) -> bool:
    """True when a review label teaches an answer to a question, not an intent."""
    return bool(label and label.startswith(STEP_PREFIX))


def parse(label: str) -> tuple[Step, Label] | None:
    """(question, label) of a `step:<question>:<label>` review label, else None."""
    parts = label.removeprefix(STEP_PREFIX).split(":")
    if not is_step_label(label) or len(parts) != 2:
        return None
    try:
        return Step(parts[0]), Label(parts[1])
    except ValueError:
        return None


class StepCheck:
    """Answers "may this text be taught as this answer at this question?"."""

    def __init__(self, heldout: Path = step_evaluation.HELDOUT_STEP_FILE) -> None:
        self.heldout = (
            {normalised_text(example.text) for example in step_evaluation.heldout_examples(heldout)}
            if heldout.exists()
            else set()
        )
        self.trained = {
            (example.step, normalised_text(example.text)): example.label
            for path in step_answers.training_files()
            if path.name != step_answers.REVIEWED_FILE.name
            for example in step_answers.read_examples(path)
        }

    def problem(self, text: str, label: str, accepted: dict[tuple[str, str], Label] | None = None) -> str | None:
        """Why this example may not be taught (in Chinese, for the admin), or None."""
        parsed = parse(label)
        if parsed is None:
            return f"未知的回答标注 {label}（格式：step:问题:标注，如 step:confirm:yes）"
        step, answer = parsed
        key = normalised_text(text)
        if not key:
            return "空消息不能作为例句"
        if key in self.heldout:
            return "这句话在评测集 nlu_eval/step_answers.yml 中，评测集从不用于训练"
        for source, known in ((self.trained, "训练数据 step_data/"), (accepted or {}, "已审核的回答")):
            other = source.get((step.value, key))
            if other is not None and other is not answer:
                return f"冲突：同一句话在{known}里已是 {step.value} 问题的 {other.value}"
        return None


def step_examples(accepted: Iterable[tuple[str, str]]) -> list[Example]:
    """The accepted (text, label) pairs that teach answers to questions, as examples."""
    examples = []
    for text, label in accepted:
        parsed = parse(label)
        if parsed is not None:
            examples.append(Example(text=" ".join(text.split()), label=parsed[1], step=parsed[0].value))
    return examples


def reviewed_yaml(examples: list[Example]) -> str:
    """A step_data/ file of the examples (each with its question), sorted, duplicates dropped."""
    by_label: dict[str, list] = {}
    for label, step, text in sorted({(example.label.value, example.step, example.text) for example in examples}):
        by_label.setdefault(label, []).append({"text": text, "step": step})
    return HEADER + yaml.safe_dump(
        {"step": "reviewed", "examples": by_label}, allow_unicode=True, sort_keys=False, default_flow_style=None
    )


def write_candidate(examples: list[Example], path: Path = CANDIDATE_FILE) -> bool:
    """Write the candidate file atomically; True when its content changed."""
    if not examples and not path.exists():
        return False
    content = reviewed_yaml(examples)
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".step-reviewed-", suffix=".tmp")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.replace(temporary, path)
    return True


@dataclass(frozen=True)
class Gate:
    """A candidate step model beside the current one on the held-out answers, and what was done."""

    current: float
    candidate: float
    examples: int
    promoted: bool
    reason: str

    def line(self) -> str:
        """One line for the retraining log."""
        return (
            f"回答模型：评测集准确率 当前 {self.current:.1%}，候选 {self.candidate:.1%}（审核回答 {self.examples} 条）"
            f" — {self.reason}"
        )


def gate(
    candidate: Path = CANDIDATE_FILE,
    live: Path = step_answers.REVIEWED_FILE,
    heldout: Path = step_evaluation.HELDOUT_STEP_FILE,
) -> Gate:
    """Fit the candidate (step_data/ with the candidate's examples instead of the live reviewed file),
    score it and the current model on the held-out answers; promote when it is no worse."""
    base = [path for path in step_answers.training_files() if path.resolve() != live.resolve()]
    new_examples = step_answers.read_examples(candidate) if candidate.exists() else []
    old_examples = step_answers.read_examples(live) if live.exists() else []
    if {(e.step, e.label, e.text) for e in new_examples} == {(e.step, e.label, e.text) for e in old_examples}:
        return Gate(0.0, 0.0, len(new_examples), False, "审核回答没有变化，无需更新")
    if not heldout.exists():
        return Gate(0.0, 0.0, len(new_examples), False, "没有评测集，不更新")
    held = step_evaluation.heldout_examples(heldout)
    base_examples = step_answers.training_examples(base)
    current = step_answers.fit(base_examples + old_examples)
    fitted = step_answers.fit(base_examples + new_examples)
    before = step_evaluation.score(held, step_evaluation.model_reader(using=current)).overall.accuracy
    after = step_evaluation.score(held, step_evaluation.model_reader(using=fitted)).overall.accuracy
    if after < before:
        return Gate(before, after, len(new_examples), False, "候选更差，未采用")
    live.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(candidate, live)
    step_answers.reset()
    return Gate(before, after, len(new_examples), True, f"已采用，写入 step_data/{live.name}")
