"""Measuring the danger and group signals: held-out figures, cross-validated thresholds, latency."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

from bot.config import PROJECT_ROOT
from bot.nlu import danger_words, signals
from bot.nlu.signals import normalize

HELDOUT_DANGER_FILE = PROJECT_ROOT / "nlu_eval" / "danger.yml"
FRESH_DANGER_FILE = PROJECT_ROOT / "nlu_eval" / "danger_fresh.yml"
# Batches written apart from the training data, each after the last change it could have guided.
FRESH_DANGER_FILES = (
    FRESH_DANGER_FILE,
    PROJECT_ROOT / "nlu_eval" / "danger_fresh2.yml",
    PROJECT_ROOT / "nlu_eval" / "danger_fresh3.yml",
    PROJECT_ROOT / "nlu_eval" / "danger_fresh4.yml",
    PROJECT_ROOT / "nlu_eval" / "danger_fresh5.yml",
    PROJECT_ROOT / "nlu_eval" / "danger_fresh6.yml",
    PROJECT_ROOT / "nlu_eval" / "danger_fresh7.yml",
    PROJECT_ROOT / "nlu_eval" / "danger_fresh8.yml",
    PROJECT_ROOT / "nlu_eval" / "danger_fresh9.yml",
)
HELDOUT_GROUP_FILE = PROJECT_ROOT / "nlu_eval" / "group.yml"
# Fresh sets of who is behind a violence (domestic / not_domestic) and of fraud going on or not.
DOMESTIC_FILE = PROJECT_ROOT / "nlu_eval" / "domestic_fresh.yml"
FRAUD_FILE = PROJECT_ROOT / "nlu_eval" / "fraud_fresh.yml"
DOMESTIC_FILES = (
    DOMESTIC_FILE,
    PROJECT_ROOT / "nlu_eval" / "domestic_fresh2.yml",
    PROJECT_ROOT / "nlu_eval" / "domestic_fresh3.yml",
    PROJECT_ROOT / "nlu_eval" / "domestic_fresh4.yml",
    PROJECT_ROOT / "nlu_eval" / "domestic_fresh5.yml",
    PROJECT_ROOT / "nlu_eval" / "domestic_fresh6.yml",
)
FRAUD_FILES = (
    FRAUD_FILE,
    PROJECT_ROOT / "nlu_eval" / "fraud_fresh2.yml",
    PROJECT_ROOT / "nlu_eval" / "fraud_fresh3.yml",
    PROJECT_ROOT / "nlu_eval" / "fraud_fresh4.yml",
    PROJECT_ROOT / "nlu_eval" / "fraud_fresh5.yml",
    PROJECT_ROOT / "nlu_eval" / "fraud_fresh6.yml",
)

# What the signals must reach on the held-out sets (issue 21): the emergency advice for at least
# 99 % of dangers and at most 2 % of ordinary messages; an urgent case (a person called at once)
# for at most 1 % of ordinary messages, and still for nearly every danger.
DANGER_TARGETS = {"recall": 0.99, "false_alarm_rate": 0.02}
URGENT_TARGETS = {"recall": 0.98, "false_alarm_rate": 0.01}
GROUP_TARGETS = {"recall": 0.95, "false_alarm_rate": 0.05}
# The advice and group thresholds are the highest whose cross-validated recall reaches these;
# the urgent-case threshold the lowest whose cross-validated false alarms stay within the target.
# Both danger targets are a point looser than on the held-out sets: the training data holds the
# hardest cases on both sides (dangers told with no alarm word — farewells, a wall cracking — and
# negatives written to share a danger's words), far harder than what residents write every day.
# At 99 % / 1 % here the choice is 0.10 / 0.90, which on the fresh batches gives the advice to
# 7-13 % of ordinary messages and the urgent case to fewer dangers.
CV_RECALL_TARGETS = {"danger": 0.98, "group": GROUP_TARGETS["recall"]}
CV_FALSE_ALARM_TARGET = DANGER_TARGETS["false_alarm_rate"]
THRESHOLD_GRID = tuple(round(step * 0.05, 2) for step in range(2, 19))


@dataclass
class Figures:
    """Recall and false alarms of one signal on a labelled set, with what went wrong."""

    positives: int
    negatives: int
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of the positives the signal caught."""
        return 1 - len(self.misses) / self.positives if self.positives else 0.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of the negatives the signal flagged."""
        return len(self.false_alarms) / self.negatives if self.negatives else 0.0

    def meets(self, targets: dict[str, float]) -> bool:
        """True when recall and false alarms are both within the targets."""
        return self.recall >= targets["recall"] and self.false_alarm_rate <= targets["false_alarm_rate"]


def score(examples: list[tuple[str, bool]], flags: Callable[[str], bool]) -> Figures:
    """How a yes/no signal does on (text, expected) pairs."""
    figures = Figures(sum(1 for _, label in examples if label), sum(1 for _, label in examples if not label))
    for text, label in examples:
        flagged = flags(text)
        if label and not flagged:
            figures.misses.append(text)
        elif flagged and not label:
            figures.false_alarms.append(text)
    return figures


def heldout_danger(path=HELDOUT_DANGER_FILE) -> list[tuple[str, bool]]:
    """The held-out danger set as (text, is_danger) pairs."""
    return [(text, kind is not None) for text, kind in signals.read_danger_examples(path)]


def heldout_group(path=HELDOUT_GROUP_FILE) -> list[tuple[str, bool]]:
    """The held-out group set as (text, is_group) pairs."""
    return signals.read_group_examples(path)


def evaluate_fresh(path=FRESH_DANGER_FILE) -> dict[str, Figures]:
    """Advice and urgent-case figures on the fresh danger batch (written apart, kinds unnamed)."""
    return {name: figures for name, figures in evaluate_heldout(path).items() if name != "group"}


def evaluate_heldout(danger_path=HELDOUT_DANGER_FILE, group_path=HELDOUT_GROUP_FILE) -> dict[str, Figures]:
    """Danger and group figures of the process's model (word lists included) on the held-out sets."""
    danger = heldout_danger(danger_path)
    return {
        "danger": score(danger, lambda text: bool(signals.danger_kinds(text)) or signals.possible_danger(text)),
        "urgent": score(danger, lambda text: bool(signals.danger_kinds(text))),
        "group": score(heldout_group(group_path), signals.is_collective),
    }


def labelled(path, positive: str, negative: str) -> list[tuple[str, bool]]:
    """(text, is_positive) pairs of a fresh set with two lists."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [(str(text), True) for text in document[positive]] + [(str(text), False) for text in document[negative]]


def domestic_help_given(text: str) -> bool:
    """True when the bot's first reply gives the domestic-violence help: an urgent case whose danger
    comes from the resident's family or partner (bot/dialogue/handlers/urgent.py)."""
    kinds = signals.danger_kinds(text)
    return bool(kinds) and set(kinds) != {"self_harm"} and danger_words.domestic_violence(text, kinds)


def fraud_help_given(text: str) -> bool:
    """True when the bot's first reply is the fraud help (110/96110 at once, the case to the lawyer)."""
    return signals.FRAUD in signals.danger_kinds(text)


def evaluate_domestic(path=DOMESTIC_FILE) -> Figures:
    """Domestic violence recognised as such on the fresh set: the help given, or wrongly given."""
    return score(labelled(path, "domestic", "not_domestic"), domestic_help_given)


def evaluate_fraud(path=FRAUD_FILE) -> dict[str, Figures]:
    """Fraud going on or just done on the fresh set: the fraud help, and any urgent case at all."""
    examples = labelled(path, "in_progress", "not_in_progress")
    return {
        "fraud help": score(examples, fraud_help_given),
        "urgent case": score(examples, lambda text: bool(signals.danger_kinds(text))),
    }


def kind_accuracy(path=HELDOUT_DANGER_FILE) -> float:
    """Share of the held-out dangers whose labelled kind is among the kinds returned."""
    dangers = [(text, kind) for text, kind in signals.read_danger_examples(path) if kind is not None]
    return sum(kind in signals.danger_kinds(text) for text, kind in dangers) / len(dangers)


def latency_ms(texts: list[str]) -> float:
    """Mean milliseconds to compute both signals for one message (model already trained)."""
    signals.model()
    started = time.perf_counter()
    for text in texts:
        signals.danger_kinds(text)
        signals.is_collective(text)
    return (time.perf_counter() - started) * 1000 / len(texts)


class Classifier(Protocol):
    """A fitted model that gives each text the probability of each class (scikit-learn's API)."""

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """One row per text, one column per class."""


def out_of_fold_probabilities(
    texts: list[str], labels: list[bool], fit: Callable[[list[str], list[bool]], Classifier], folds: int = 5
) -> np.ndarray:
    """Each example's probability from a model trained on the other folds (fixed seed)."""
    normalized = np.array([normalize(text) for text in texts], dtype=object)
    truth = np.array(labels)
    probabilities = np.zeros(len(texts))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(normalized, truth):
        model = fit(list(normalized[train]), list(truth[train]))
        probabilities[test] = model.predict_proba(list(normalized[test]))[:, 1]
    return probabilities


@dataclass(frozen=True)
class CrossValidation:
    """Cross-validated figures of one signal at each threshold, and the threshold they choose."""

    name: str
    rows: list[tuple[float, float, float]]  # threshold, recall, false-alarm rate
    chosen: float
    configured: float
    chosen_sure: float | None = None  # danger only: the urgent-case threshold
    configured_sure: float | None = None
    sure_rows: list[tuple[float, float, float]] = field(default_factory=list)  # danger only: urgent cases


def choose_sure_threshold(rows: list[tuple[float, float, float]], false_alarm_target: float) -> float:
    """The lowest threshold whose false alarms stay within the target (the highest if none does)."""
    within = [threshold for threshold, _, false_alarms in rows if false_alarms <= false_alarm_target]
    return min(within) if within else max(threshold for threshold, _, _ in rows)


def choose_threshold(rows: list[tuple[float, float, float]], recall_target: float) -> float:
    """The highest threshold whose recall still reaches the target (the lowest if none does)."""
    reaching = [threshold for threshold, recall, _ in rows if recall >= recall_target]
    return max(reaching) if reaching else min(threshold for threshold, _, _ in rows)


def cross_validate(
    name: str, examples: list[tuple[str, bool]], words: Callable[[str], bool], configured: float, folds: int = 5
) -> CrossValidation:
    """k-fold figures of the model OR-ed with the word lists, over THRESHOLD_GRID. For danger, the
    model's verdict passes the same gates as in signals.assess_danger (a dream or an event over, a
    message too short, a retold event or a money matter for the advice): the urgent-case threshold
    is chosen first, then the advice threshold with it."""
    texts, labels = [text for text, _ in examples], [label for _, label in examples]
    probabilities = out_of_fold_probabilities(texts, labels, lambda x, y: signals.new_classifier().fit(x, y), folds)
    truth = np.array(labels)
    worded = np.array([words(text) for text in texts])
    if name != "danger":
        rows = _rows(truth, [(probabilities >= threshold) | worded for threshold in THRESHOLD_GRID])
        return CrossValidation(name, rows, choose_threshold(rows, CV_RECALL_TARGETS[name]), configured)
    calmed = np.array([signals.model_stays_quiet(text) for text in texts])
    may_be_sure = ~calmed & ~np.array([signals.too_short_to_judge(text) for text in texts])
    may_be_possible = ~calmed & ~np.array([signals.plainly_not_danger(text) or signals.retold(text) for text in texts])
    sure_rows = _rows(truth, [worded | (may_be_sure & (probabilities >= t)) for t in THRESHOLD_GRID])
    sure = choose_sure_threshold(sure_rows, CV_FALSE_ALARM_TARGET)
    urgent = worded | (may_be_sure & (probabilities >= sure))
    rows = _rows(truth, [urgent | (may_be_possible & (probabilities >= t)) for t in THRESHOLD_GRID])
    chosen = choose_threshold(rows, CV_RECALL_TARGETS[name])
    return CrossValidation(name, rows, chosen, configured, sure, signals.SURE_DANGER_THRESHOLD, sure_rows)


def _rows(truth: np.ndarray, flags: list[np.ndarray]) -> list[tuple[float, float, float]]:
    """(threshold, recall, false-alarm rate) for each threshold of THRESHOLD_GRID and its flags."""
    return [
        (threshold, float(flagged[truth].mean()), float(flagged[~truth].mean()))
        for threshold, flagged in zip(THRESHOLD_GRID, flags, strict=True)
    ]


def _named_by_words(text: str) -> bool:
    return bool(signals.danger_words(text)) or signals.calls_for_help(text)


def cross_validate_both(folds: int = 5) -> list[CrossValidation]:
    """Cross-validation of the danger, group and fraud detectors on their training data."""
    danger = [(text, kind is not None) for text, kind in signals.danger_training_set()]
    group = signals.read_group_examples()
    fraud = signals.fraud_training_set()
    return [
        cross_validate("danger", danger, _named_by_words, signals.POSSIBLE_DANGER_THRESHOLD, folds),
        cross_validate("group", group, signals.group_words, signals.GROUP_THRESHOLD, folds),
        cross_validate_fraud(fraud, folds),
    ]


def cross_validate_fraud(examples: list[tuple[str, bool]], folds: int = 5) -> CrossValidation:
    """k-fold figures of the fraud model OR-ed with the fraud word lists, the model's verdict gated as
    in signals.fraud_in_progress. It opens an urgent case, so the threshold is the lowest at which
    the model adds at most CV_FALSE_ALARM_TARGET false alarms to the word lists' on the hard
    negatives (frauds asked about calmly or long past): the everyday messages, thousands, would
    hide a few such alarms."""
    texts, labels = [text for text, _ in examples], [label for _, label in examples]
    probabilities = out_of_fold_probabilities(texts, labels, lambda x, y: signals.new_classifier().fit(x, y), folds)
    truth = np.array(labels)
    worded = np.array([signals.fraud_words(text) for text in texts])
    allowed = np.array([signals.may_be_fraud(text) for text in texts])
    calm_or_past = {text for text, in_progress in signals.read_fraud_examples() if not in_progress}
    hard = np.array([text in calm_or_past for text in texts])
    flags = [worded | (allowed & (probabilities >= threshold)) for threshold in THRESHOLD_GRID]
    rows = _rows(truth, flags)
    added = [
        (threshold, 0.0, float((flagged & ~worded)[hard].mean()))
        for threshold, flagged in zip(THRESHOLD_GRID, flags, strict=True)
    ]
    chosen = choose_sure_threshold(added, CV_FALSE_ALARM_TARGET)
    return CrossValidation("fraud", rows, chosen, signals.FRAUD_THRESHOLD)
