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
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import DATA_DIR

ANSWERS_FILE = DATA_DIR / "answers.yml"
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
    max_chars: int | None = None  # a longer clause tells or asks something else: not searched
    # Read in the whole message rather than clause by clause ("对 不用了": a yes, then what it says).
    whole: bool = False

    def found(self, text: str) -> bool:
        """True when the text (a clause of it, or the whole of it for a whole-message concept) holds this concept."""
        if self.whole:
            return bool(self.pattern.search(text or ""))
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
    """The concepts of the answers file (whitespace in a pattern is layout, not text)."""
    blocks = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        name: Concept(
            name=name,
            about=block["about"],
            pattern=re.compile("".join(block["pattern"].split())),
            match=tuple(block.get("match") or ()),
            no_match=tuple(block.get("no_match") or ()),
            max_chars=block.get("max_chars"),
            whole=bool(block.get("whole")),
        )
        for name, block in blocks.items()
    }


CONCEPTS = load()


def pattern(name: str) -> re.Pattern:
    """The pattern of one concept, for code that searches a whole message with it."""
    return CONCEPTS[name].pattern


def clauses(text: str) -> list[str]:
    """The message cut at spaces and punctuation."""
    return [clause for clause in CLAUSE.split(text or "") if clause]


def read(text: str, words: tuple[tuple[str, Answer], ...]) -> Reading:
    """The answer `text` gives, reading the concepts `words` names in order (the first found
    decides), and the clauses that belong to none of them nor to the filler."""
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
