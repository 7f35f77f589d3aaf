"""Labelled examples in Rasa's NLU YAML (nlu_data/, nlu_eval/): reading them as plain text and intent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.formats import format_pattern

NLU_DATA_DIR = PROJECT_ROOT / "nlu_data"
# `[text](entity)` and `[text]{"entity": …}` annotations in Rasa training examples.
ENTITY_ANNOTATION = format_pattern("entity_annotation")


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    text: str
    intent: str


def strip_annotations(example: str) -> str:
    """The plain text of a training example, without entity markup."""
    return ENTITY_ANNOTATION.sub(lambda annotation: annotation.group(1), example)


def examples_from_yaml(path: Path | str) -> list[Example]:
    """Every intent example in one Rasa NLU YAML file."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    examples = []
    for block in document.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(strip_annotations(line[2:].strip()), block["intent"]))
    return examples


def examples_from_dir(directory: Path | str) -> list[Example]:
    """Every intent example in the YAML files of a directory (e.g. nlu_data/)."""
    examples = []
    for path in sorted(Path(directory).glob("*.yml")):
        examples.extend(examples_from_yaml(path))
    return examples
