"""Measuring the reading of answers to the bot's questions: the model with the rules as backstop,
and the rules alone (the figure before the model), per question and per label; cross-validated
threshold; latency."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sklearn.model_selection import StratifiedKFold

from bot.config import PROJECT_ROOT
from bot.nlu import step_answers
from bot.nlu.step_answers import ACCEPTS, Example, Label, Step, StepAnswer, StepModel

HELDOUT_STEP_FILE = PROJECT_ROOT / "nlu_eval" / "step_answers.yml"
THRESHOLD_GRID = tuple(round(0.3 + step * 0.05, 2) for step in range(13))
FOLDS = 5

Reader = Callable[[Example], StepAnswer]


@dataclass
class Tally:
    """How many answers of a group were read right, with the ones read wrong."""

    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share read right."""
        return self.right / self.total if self.total else 0.0


@dataclass
class Figures:
    """Accuracy overall, per question (step) and per label."""

    overall: Tally = field(default_factory=Tally)
    by_step: dict[str, Tally] = field(default_factory=dict)
    by_label: dict[str, Tally] = field(default_factory=dict)


# The questions of the held-out set, by what their prompt offers: a numbered list (and how many it
# numbers), a phone number, a rating. Any question may be answered with a cancel, a step back, a
# correction, a don't-know, a question back or something else.
_ANYWHERE = (Label.YES, Label.NO, Label.CANCEL, Label.BACK, Label.CORRECTION, Label.DONT_KNOW, Label.QUESTION)
NUMBERED = {
    "confirm_summary": 2,
    "yes_no_offer": 2,
    "other_matter_offer": 2,
    "numbered_choice": 3,
    "one_option": 1,
    "clarify_kind": 3,
    "clarify_legal_only": 2,
    "withdraw": 2,
}
PHONE_QUESTIONS = ("phone", "urgent_phone")
RATING_QUESTIONS = ("rating",)


def question_accepts(step: str) -> tuple[Label, ...]:
    """The labels a question of the held-out set takes, from what its prompt offers."""
    offered = (
        (Label.CHOICE,) * (step in NUMBERED)
        + (Label.PHONE,) * (step in PHONE_QUESTIONS)
        + (Label.RATING,) * (step in RATING_QUESTIONS)
    )
    return (*offered, *_ANYWHERE, Label.OTHER)


def accepts_of(example: Example) -> tuple[Label, ...]:
    """The labels the question of this example takes (its own label always among them)."""
    try:
        accepts = ACCEPTS[Step(example.step)]
    except ValueError:
        accepts = question_accepts(example.step)
    return accepts if example.label in accepts else (*accepts, example.label)


def right(example: Example, answer: StepAnswer) -> bool:
    """True when the answer has the example's label and, where the example says one, its value."""
    if example.label is Label.YES and example.options == 1 and (answer.label, answer.value) == (Label.CHOICE, 1):
        return True  # a yes to a list of one picks it
    if answer.label is not example.label:
        return False
    return example.value is None or str(answer.value) == str(example.value)


def score(examples: Iterable[Example], read: Reader) -> Figures:
    """How a reader does on the examples."""
    figures = Figures()
    for example in examples:
        answer = read(example)
        ok = right(example, answer)
        for tally in (
            figures.overall,
            figures.by_step.setdefault(example.step, Tally()),
            figures.by_label.setdefault(example.label.value, Tally()),
        ):
            tally.total += 1
            tally.right += ok
            if not ok and tally is figures.overall:
                shown = f"={answer.value}" if answer.value is not None else ""
                tally.wrong.append(
                    f"[{example.step}] {example.text} → {answer.label.value}{shown} ({example.label.value})"
                )
    return figures


def model_reader(threshold: float = step_answers.THRESHOLD, using: StepModel | None = None) -> Reader:
    """The reading the bot does: the model where it is sure, the rules below the threshold."""
    return lambda example: step_answers.read_step_answer(
        example.text, accepts_of(example), example.options, threshold=threshold, using=using
    )


def rules_reader(phone: Callable[[str], str | None] | None = None) -> Reader:
    """The word rules alone (with `phone`: the phone reader there was before the normaliser)."""
    return lambda example: step_answers.read_by_rules(example.text, accepts_of(example), example.options, phone)


@dataclass
class CrossValidation:
    """The threshold grid's cross-validated accuracy, the rules' alone, and the figures per group."""

    rows: list[tuple[float, float]]
    chosen: float
    configured: float
    model: Figures  # at the configured threshold
    rules: Figures


def cross_validate(examples: list[Example] | None = None, folds: int = FOLDS) -> CrossValidation:
    """5-fold cross-validation on step_data/: each example read by a model fitted without it."""
    examples = step_answers.training_examples() if examples is None else examples
    fold_of: dict[int, StepModel] = {}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    labels = [example.label.value for example in examples]
    for train, test in splitter.split(examples, labels):
        fitted = step_answers.fit([examples[index] for index in train])
        fold_of.update({int(index): fitted for index in test})
    by_text = {id(example): fold_of[index] for index, example in enumerate(examples)}

    def held_out(threshold: float) -> Reader:
        return lambda example: step_answers.read_step_answer(
            example.text, accepts_of(example), example.options, threshold=threshold, using=by_text[id(example)]
        )

    rows = [(threshold, score(examples, held_out(threshold)).overall.accuracy) for threshold in THRESHOLD_GRID]
    best = max(accuracy for _, accuracy in rows)
    # Of the thresholds as good as the best, the highest: the rules decide wherever the model adds nothing.
    chosen = max(threshold for threshold, accuracy in rows if accuracy >= best - 1e-9)
    return CrossValidation(
        rows=rows,
        chosen=chosen,
        configured=step_answers.THRESHOLD,
        model=score(examples, held_out(step_answers.THRESHOLD)),
        rules=score(examples, rules_reader()),
    )


def heldout_examples(path: Path = HELDOUT_STEP_FILE) -> list[Example]:
    """The held-out answers (written apart from step_data/, never trained on): one list of
    {text, label, value} per question, or a file shaped as step_data/'s."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "examples" in document:
        return step_answers.read_examples(path)
    return [
        Example(
            text=str(item["text"]),
            label=Label(str(item["label"])),
            step=step,
            value=item.get("value"),
            options=NUMBERED.get(step),
        )
        for step, items in document.items()
        for item in items or ()
    ]


def hard_texts(path: Path = HELDOUT_STEP_FILE) -> set[tuple[str, str]]:
    """(question, text) of the held-out answers its writer marked as hard (`# hard` on the line)."""
    hard, step = set(), ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line[:1].isalpha() and ":" in line:
            step = line.split(":")[0]
        elif line.rstrip().endswith("# hard") and line.lstrip().startswith("- "):
            item = yaml.safe_load(line.split("# hard")[0].strip()[2:])
            hard.add((step, str(item["text"])))
    return hard


def latency_ms(texts: list[str]) -> float:
    """Milliseconds per message to read an answer, the model loaded but nothing remembered."""
    fitted = step_answers.model()
    fitted.probabilities.cache_clear()
    accepts = ACCEPTS[Step.CONFIRM]
    start = time.perf_counter()
    for text in texts:
        step_answers.read_step_answer(text, accepts)
    return (time.perf_counter() - start) * 1000 / max(len(texts), 1)
