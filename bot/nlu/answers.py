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

from bot.config import DATA_DIR

# The loader of every words file (bot/words.py), named here too for the code that reads answers.
from bot.words import Concept as Concept
from bot.words import clauses as clauses
from bot.words import load as load
from bot.words import pattern_text as pattern_text
from bot.words import words_files as words_files

ANSWERS_FILE = DATA_DIR / "answers.yml"
# The concept whose clauses say nothing beyond the answer ("不用了 谢谢").
FILLER = "filler"


class Answer(enum.Enum):
    """What a message says to a yes/no or choice question."""

    YES = "yes"
    NO = "no"
    AGAIN = "again"  # a yes or no that cannot be taken here: the question is asked again, kindly
    NEITHER = "neither"  # no answer to the question: the step reads it, else it is handed on


@dataclass(frozen=True)
class Reading:
    """A message read as an answer: yes, no, again or neither, and the words said besides it."""

    answer: Answer
    rest: str = ""  # "我是想问问进度" after "不是撤回": a message of its own, answered as usual


CONCEPTS = load(ANSWERS_FILE)


def pattern(name: str) -> re.Pattern:
    """The pattern of one concept, for code that searches a whole message with it."""
    return CONCEPTS[name].pattern


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
