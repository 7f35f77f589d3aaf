"""Yes, no and neither: reading an answer to one of the bot's yes/no and choice questions.

The words are data (bot/data/answers.yml, one block per concept with the examples it must and must
not match); which concepts a question reads, and what each means there, is declared with the
question in FLOWS (bot.dialogue.flows.Question). A message is read clause by clause ("不是撤回 我是想问问进度"
is the no "不是撤回" and the question "我是想问问进度"), and the first concept in the question's order
that any clause holds decides — a negation is listed before the yes-words it may contain.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import DATA_DIR

ANSWERS_FILE = DATA_DIR / "answers.yml"
# Keys of a words file that are no concept: named pieces of patterns, and what every block of the file has.
FRAGMENTS, DEFAULTS = "fragments", "defaults"
# A piece named in a pattern: "{ask}" (this file), "{courtesy_words.anyone_there}" (another words
# file of bot/data). A quantifier ("{0,6}") names nothing.
REFERENCE = re.compile(r"\{(?:([a-z_]+)\.)?([a-z_][a-z0-9_]*)\}")
# The keys a block may have beyond those the loader reads; any other key is kept as the block's `extra`.
FLAGS = {"ignore_case": re.IGNORECASE, "dotall": re.DOTALL}
READ_KEYS = {"about", "pattern", "words", "match", "no_match", "max_chars", "whole", *FLAGS}
# Where a message is cut into clauses: "不是撤回 我是想问…" → "不是撤回", "我是想问".
CLAUSE = re.compile(r"[\s，,。.！!？?、；;：:…~～]+")
# The concept whose clauses say nothing beyond the answer ("不用了 谢谢").
FILLER = "filler"


class Answer(enum.Enum):
    """What a message says to a yes/no or choice question."""

    YES = "yes"
    NO = "no"
    AGAIN = "again"  # a yes or no that cannot be taken here: the question is asked again, kindly
    NEITHER = "neither"  # no answer to the question: the step reads it, else it is handed on


@dataclass(frozen=True)
class Concept:
    """One block of answers.yml: what it means, its pattern and its examples."""

    name: str
    about: str
    pattern: re.Pattern
    match: tuple[str, ...]
    no_match: tuple[str, ...]
    max_chars: int | None = None  # a longer clause (or message, when whole) tells or asks something else
    # Read in the whole message rather than clause by clause ("对 不用了": a yes, then what it says).
    whole: bool = False
    # What else the block says for the code that reads it (a keyword rule's intent and weight…).
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def found(self, text: str) -> bool:
        """True when the text (a clause of it, or the whole of it for a whole-message concept) holds this concept."""
        if self.whole:
            return self.holds(text or "")
        return any(self.holds(clause) for clause in clauses(text))

    def holds(self, clause: str) -> bool:
        """True when this one clause holds the concept."""
        short = self.max_chars is None or len(clause) <= self.max_chars
        return short and bool(self.pattern.search(clause))


@dataclass(frozen=True)
class Reading:
    """A message read as an answer: yes, no, again or neither, and the words said besides it."""

    answer: Answer
    rest: str = ""  # "我是想问问进度" after "不是撤回": a message of its own, answered as usual


def load(path: Path = ANSWERS_FILE) -> dict[str, Concept]:
    """The concepts of a words file: each block's pattern (or words, as alternatives) with the pieces
    it names filled in; whitespace in a pattern is layout, not text (a space that counts is \\x20)."""
    blocks = _blocks(path)
    concepts = {}
    for name, block in blocks.items():
        flags = 0
        for key, flag in FLAGS.items():
            flags |= flag if block.get(key) else 0
        concepts[name] = Concept(
            name=name,
            about=block["about"],
            pattern=re.compile(pattern_text(path, name), flags),
            match=tuple(block.get("match") or ()),
            no_match=tuple(block.get("no_match") or ()),
            max_chars=block.get("max_chars"),
            whole=bool(block.get("whole")),
            extra={key: value for key, value in block.items() if key not in READ_KEYS},
        )
    return concepts


def words_files(folder: Path = DATA_DIR) -> list[Path]:
    """The words files of a folder: YAML files whose every block says what it means (`about`)."""
    return [path for path in sorted(folder.glob("*.yml")) if _blocks(path)]


@cache
def _file(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _blocks(path: Path) -> dict[str, dict[str, Any]]:
    """The concept blocks of a file, the file's defaults under each (none when it is no words file)."""
    data = _file(path)
    defaults = data.get(DEFAULTS) or {}
    blocks = {name: block for name, block in data.items() if name not in (FRAGMENTS, DEFAULTS)}
    if not blocks or not all(isinstance(block, dict) and "about" in block for block in blocks.values()):
        return {}
    return {name: {**defaults, **block} for name, block in blocks.items()}


def pattern_text(path: Path, name: str, seen: tuple[str, ...] = ()) -> str:
    """The pattern of a block or fragment of a words file, as written, the pieces it names filled in."""
    key = f"{path.stem}.{name}"
    if key in seen:
        raise ValueError(f"{key} names itself: {' → '.join(seen)}")
    data = _file(path)
    source = (data.get(FRAGMENTS) or {}).get(name)
    if source is None:
        block = data[name]
        source = block["words"] if "words" in block else block["pattern"]
    if isinstance(source, list):  # a list of words: each an alternative
        source = "|".join(str(word) for word in source)
    text = "".join(str(source).split())

    def filled(reference: re.Match) -> str:
        other = path.with_name(f"{reference.group(1)}.yml") if reference.group(1) else path
        return pattern_text(other, reference.group(2), (*seen, key))

    return REFERENCE.sub(filled, text)


CONCEPTS = load()


def pattern(name: str) -> re.Pattern:
    """The pattern of one concept, for code that searches a whole message with it."""
    return CONCEPTS[name].pattern


def clauses(text: str) -> list[str]:
    """The message cut at spaces and punctuation."""
    return [clause for clause in CLAUSE.split(text or "") if clause]


def read(text: str, words: tuple[tuple[str, Answer], ...]) -> Reading:
    """The answer `text` gives to a question that reads the concepts `words` names: the learned
    model's yes or no where it is sure (bot/nlu/step_answers.py: "冇得问题", "对头 就是这个事"),
    else the words' (read_by_rules)."""
    by_rules = read_by_rules(text, words)
    meanings = dict(words)
    yes, no = meanings.get("affirmation") or meanings.get("submit"), meanings.get("negation")
    decided = next((name for name, _ in words if CONCEPTS[name].found(text)), None)
    if (yes is None and no is None) or decided not in (None, *MODEL_READS):
        return by_rules  # the question's own words ("先别交", "撤了吧", "没有危险") come first
    if any(concept.found(text) for name, concept in CONCEPTS.items() if name not in (*MODEL_READS, FILLER)):
        return by_rules  # words the data knows for something else ("再见", "就这些") are read by the step
    from bot.nlu import step_answers  # the model reads the words files of this module

    said = step_answers.read_step_answer(text, step_answers.YES_NO_ACCEPTS)
    answer = {step_answers.Label.YES: yes, step_answers.Label.NO: no}.get(said.label)
    if not said.by_model or answer is None:
        return by_rules
    if answer is by_rules.answer and by_rules.rest:
        # The words besides the answer are their own message unless they only say it again
        # ("对头 就是这个事"); "不是撤回 我是想问问进度" keeps its question.
        again = step_answers.read_step_answer(by_rules.rest, step_answers.YES_NO_ACCEPTS)
        return Reading(answer) if again.by_model and again.label is said.label else by_rules
    return Reading(answer)


# The concepts whose reading the model may overrule: the plain yes and no words.
MODEL_READS = ("affirmation", "negation", "submit")


def read_by_rules(text: str, words: tuple[tuple[str, Answer], ...]) -> Reading:
    """The answer `text` gives by the words alone, reading the concepts `words` names in order (the
    first found decides), and the clauses that belong to none of them nor to the filler."""
    answer = next((meaning for name, meaning in words if CONCEPTS[name].found(text)), Answer.NEITHER)
    if answer is Answer.NEITHER:
        return Reading(answer)
    used = [CONCEPTS[name] for name, _ in words] + [CONCEPTS[FILLER]]
    for concept in used:  # the words a whole-message concept took are no clause of their own
        if concept.whole:
            text = concept.pattern.sub(" ", text or "", count=1)
    parts = clauses(text)
    rest = [part for part in parts if not any(concept.holds(part) for concept in used if not concept.whole)]
    return Reading(answer, "，".join(rest))
