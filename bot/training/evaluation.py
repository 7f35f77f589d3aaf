"""Evaluating the intent model the way the bot uses it: routing figures, not just accuracy."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.nlu.examples import Example
from bot.nlu.faq_file import category_of
from bot.nlu.policy import FALLBACK_INTENT, OUT_OF_SCOPE, decide
from bot.nlu.types import FAQ_PREFIX, TRIAGE_INTENTS, Classification

HELDOUT_FILE = PROJECT_ROOT / "nlu_eval" / "heldout.yml"
# The second held-out set: legal questions across every area, and clearly outside messages.
AREAS_FILE = PROJECT_ROOT / "nlu_eval" / "areas.yml"
FAQ_FILE = PROJECT_ROOT / "nlu_eval" / "faq.yml"
# The fresh set: 500 first messages written apart on 2026-12-07, many on shared-building problems.
ROUTING_FRESH_FILE = PROJECT_ROOT / "nlu_eval" / "routing_fresh.yml"
# The second fresh set, written apart after the changes the first one guided (same shape).
ROUTING_FRESH2_FILE = PROJECT_ROOT / "nlu_eval" / "routing_fresh2.yml"
# The third, written apart after the changes the second one guided (same shape).
ROUTING_FRESH3_FILE = PROJECT_ROOT / "nlu_eval" / "routing_fresh3.yml"
HELDOUT_FILES = (ROUTING_FRESH3_FILE, ROUTING_FRESH2_FILE, ROUTING_FRESH_FILE, HELDOUT_FILE, AREAS_FILE, FAQ_FILE)
REAL_QUESTIONS_FILE = PROJECT_ROOT.parent / "shared" / "data" / "real-legal-questions.txt"
REPORTS_DIR = PROJECT_ROOT / "reports"

# Routing labels beyond the intents themselves: what the bot did when it did not route.
CLARIFY = "clarify"
SERVICE = "service"
# What the bot did for a message, seen from a resident with a real question.
HANDLED = "handled"  # a case, an FAQ answer, or a numbered question that offers the right room
TURNED_AWAY = "turned_away"  # declined, "没听懂", or answered as a mere greeting, thanks, cancel…
OTHER = "other"  # a person (转人工), the resident's cases, a wrong-room-only question
DISMISSIVE_INTENTS = ("greet", "thank", "goodbye", "affirm", "deny", "cancel", "change_community")


@dataclass(frozen=True)
class Prediction:
    """A labelled message, what the model said and what the bot would do with it."""

    text: str
    gold: str
    intent: str
    confidence: float
    kind: str
    routed: str
    elapsed_s: float = 0.0
    choices: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        """handled, turned_away or other (see HANDLED/TURNED_AWAY/OTHER)."""
        if self.routed in TRIAGE_INTENTS or self.kind == "faq":
            return HANDLED
        if self.routed == CLARIFY:
            return HANDLED if self.gold in self.choices else OTHER
        if self.routed == OUT_OF_SCOPE or self.routed in DISMISSIVE_INTENTS:
            return TURNED_AWAY
        return OTHER

    @property
    def wrong_room(self) -> bool:
        """True when a message of one room is routed (a case or an FAQ answer) to another room."""
        return self.gold in TRIAGE_INTENTS and self.routed in TRIAGE_INTENTS and self.routed != self.gold

    @property
    def clarify_only_wrong(self) -> bool:
        """True when the bot asks which room and none of the rooms it offers is the right one."""
        return self.gold in TRIAGE_INTENTS and self.routed == CLARIFY and self.gold not in self.choices


def normalised_text(text: str) -> str:
    """Text without whitespace, for comparing examples across files."""
    return "".join(text.split())


def split_trained(examples: list[Example], training: list[Example]) -> tuple[list[Example], list[Example]]:
    """(examples not in the training data, examples that are): a trained example proves nothing."""
    trained = {normalised_text(example.text) for example in training}
    fresh = [example for example in examples if normalised_text(example.text) not in trained]
    leaked = [example for example in examples if normalised_text(example.text) in trained]
    return fresh, leaked


def triage_label(intent: str) -> str:
    """The label an intent scores as: an FAQ counts as its category (`service` for the service's own)."""
    if intent.startswith(FAQ_PREFIX):
        return category_of(intent) or SERVICE
    return intent


def routed_label(classification: Classification) -> tuple[str, str]:
    """(decision kind, routing label) for a classification: what the bot would actually do."""
    decision = decide(classification)
    if decision.kind == "triage":
        return decision.kind, decision.intent
    if decision.kind == "faq":
        return decision.kind, triage_label(decision.intent)
    if decision.kind == "clarify":
        return decision.kind, CLARIFY
    if decision.kind == "out_of_scope":
        return decision.kind, OUT_OF_SCOPE
    return decision.kind, decision.intent


def predict(examples: Iterable[Example], classify: Callable[[str], Classification]) -> list[Prediction]:
    """Classify every example and record the bot's decision."""
    predictions = []
    for example in examples:
        started = time.perf_counter()
        classification = classify(example.text)
        elapsed = time.perf_counter() - started
        if not classification.text:
            classification = dataclasses.replace(classification, text=example.text)
        kind, routed = routed_label(classification)
        predictions.append(
            Prediction(
                example.text,
                triage_label(example.intent),
                classification.intent,
                classification.confidence,
                kind,
                routed,
                elapsed,
                decide(classification).choices,
            )
        )
    return predictions


def precision_recall_f1(gold: list[str], predicted: list[str]) -> dict[str, dict]:
    """Per-label precision, recall, F1 and support over the gold labels."""
    report = {}
    for label in sorted(set(gold)):
        true_positive = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        predicted_count = sum(1 for p in predicted if p == label)
        support = sum(1 for g in gold if g == label)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return report


def share(count: int, total: int) -> float:
    """count/total, 0 when there is nothing to count."""
    return count / total if total else 0.0


def routing_figures(predictions: list[Prediction]) -> dict:
    """The figures that matter for routing: triage macro-F1 and the two out-of-scope error shares."""
    gold = [p.gold for p in predictions]
    routed = [p.routed for p in predictions]
    triage_report = precision_recall_f1(gold, routed)
    triage_f1 = [triage_report[label]["f1"] for label in TRIAGE_INTENTS if label in triage_report]
    triage_gold = [p for p in predictions if p.gold in TRIAGE_INTENTS]
    oos_gold = [p for p in predictions if p.gold == OUT_OF_SCOPE]
    return {
        "examples": len(predictions),
        # The routing figures over in-scope messages (one of the three rooms): right room,
        # wrong room, asked which room, turned away; and a question that offers only wrong rooms.
        "in_scope": len(triage_gold),
        "in_scope_right": share(sum(p.routed == p.gold for p in triage_gold), len(triage_gold)),
        "wrong_room": share(sum(p.wrong_room for p in triage_gold), len(triage_gold)),
        "clarify_only_wrong": sum(p.clarify_only_wrong for p in triage_gold),
        "out_of_scope": len(oos_gold),
        "intent_accuracy": share(sum(p.gold == triage_label(p.intent) for p in predictions), len(predictions)),
        "routing_accuracy": share(sum(p.gold == p.routed for p in predictions), len(predictions)),
        "triage_macro_f1": sum(triage_f1) / len(triage_f1) if triage_f1 else 0.0,
        # Out-of-scope messages that would open a case in some room.
        "oos_given_triage": share(sum(p.routed in TRIAGE_INTENTS for p in oos_gold), len(oos_gold)),
        # Real triage messages that the bot turns away: out of scope, "did not understand", or a
        # mere greeting/thanks/cancel answer to a message that was more than that.
        "triage_turned_away": share(sum(p.outcome == TURNED_AWAY for p in triage_gold), len(triage_gold)),
        "triage_handled": share(sum(p.outcome == HANDLED for p in triage_gold), len(triage_gold)),
        "triage_clarified": share(sum(p.routed == CLARIFY for p in triage_gold), len(triage_gold)),
        # Out-of-scope messages that would open a case or get an FAQ answer.
        "oos_given_case_or_faq": share(sum(p.kind in ("triage", "faq") for p in oos_gold), len(oos_gold)),
        "fallback_share": share(sum(p.intent == FALLBACK_INTENT for p in predictions), len(predictions)),
        "per_intent": precision_recall_f1(gold, [triage_label(p.intent) for p in predictions]),
        "per_route": triage_report,
    }


def real_question_figures(predictions: list[Prediction]) -> dict:
    """What the bot does with real (unlabelled, nearly all legal) questions."""
    kinds = Counter(p.routed for p in predictions)
    total = len(predictions)
    triaged = sum(kinds[label] for label in TRIAGE_INTENTS)
    return {
        "questions": total,
        "triaged_any": share(triaged, total),
        "triaged_legal_consultation": share(kinds["legal_consultation"], total),
        "clarified": share(kinds[CLARIFY], total),
        "handled": share(sum(p.outcome == HANDLED for p in predictions), total),
        "turned_away": share(sum(p.outcome == TURNED_AWAY for p in predictions), total),
        "routes": dict(kinds.most_common()),
    }


def read_real_questions(path: Path | str = REAL_QUESTIONS_FILE) -> list[Example]:
    """One question a line; all taken as legal consultations (evaluation only, never copied)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [Example(line.strip(), "legal_consultation") for line in lines if line.strip()]


def latency_percentiles(predictions: list[Prediction]) -> dict:
    """p50 and p95 of the per-message classification time, in milliseconds."""
    times = sorted(p.elapsed_s * 1000 for p in predictions)
    if not times:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, round(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def confusion_counts(predictions: list[Prediction]) -> tuple[list[str], list[str], list[list[int]]]:
    """Gold labels (rows), routing labels (columns) and the count matrix."""
    rows = sorted({p.gold for p in predictions})
    columns = rows + sorted({p.routed for p in predictions} - set(rows))
    counts = Counter((p.gold, p.routed) for p in predictions)
    return rows, columns, [[counts[(row, column)] for column in columns] for row in rows]


def plot_confusion(predictions: list[Prediction], path: Path, title: str) -> Path:
    """Write the gold-vs-routing confusion matrix as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, columns, matrix = confusion_counts(predictions)
    figure, axes = plt.subplots(figsize=(1.0 + 0.7 * len(columns), 1.0 + 0.55 * len(rows)))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(columns)), columns, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    axes.set_xlabel("what the bot did")
    axes.set_ylabel("label")
    axes.set_title(title, fontsize=9)
    peak = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                colour = "white" if count > peak / 2 else "black"
                axes.text(j, i, str(count), ha="center", va="center", fontsize=7, color=colour)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def run_cross_validation(folds: int = 5, out_dir: Path | None = None) -> dict:
    """Cross-validate the shipped config.yml on nlu_data/ with Rasa (in .venv-rasa); returns figures."""
    out_dir = out_dir or REPORTS_DIR / "cv"
    command = (
        'source scripts/rasa_env_vars.sh && "$RASA_BIN" test nlu --config config.yml --nlu nlu_data '
        f'--cross-validation --folds {folds} --out "{out_dir}" --successes --no-plot'
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = out_dir / "rasa_test.log"
    started = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        finished = subprocess.run(
            ["bash", "-c", f'ROOT="{PROJECT_ROOT}"; {command}'],
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if finished.returncode != 0:
        raise RuntimeError(f"rasa test nlu failed (exit {finished.returncode}); see {log_path}")
    elapsed = time.perf_counter() - started
    predictions = cv_predictions(out_dir)
    figures = routing_figures(predictions)
    figures["seconds"] = elapsed
    return figures


def cv_predictions(out_dir: Path) -> list[Prediction]:
    """Predictions of all test folds from Rasa's intent_successes.json and intent_errors.json.

    Rasa keeps only the top intent there, so a fired fallback counts as "did not understand"
    (the live policy may instead offer the triage categories the model leaned to).
    """
    predictions = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = Path(out_dir) / name
        if not path.exists():
            continue
        for row in json.loads(path.read_text(encoding="utf-8")):
            predicted = row["intent_prediction"]
            classification = Classification(
                intent=predicted.get("name") or FALLBACK_INTENT,
                confidence=float(predicted.get("confidence") or 0.0),
                ranking=[(predicted.get("name") or FALLBACK_INTENT, float(predicted.get("confidence") or 0.0))],
            )
            kind, routed = routed_label(classification)
            predictions.append(
                Prediction(
                    row["text"],
                    triage_label(row["intent"]),
                    classification.intent,
                    classification.confidence,
                    kind,
                    routed,
                )
            )
    return predictions


def format_side_by_side(columns: dict[str, dict], keys: Iterable[str]) -> str:
    """A table with one row per figure and one column per classifier."""
    names = list(columns)
    lines = ["figure".ljust(28) + "".join(name.rjust(14) for name in names)]
    for key in keys:
        cells = []
        for name in names:
            value = columns[name].get(key)
            cells.append((f"{value:.4f}" if isinstance(value, float) else str(value)).rjust(14))
        lines.append(key.ljust(28) + "".join(cells))
    return "\n".join(lines)


def format_per_intent(report: dict[str, dict]) -> str:
    """Per-label precision/recall/F1/support lines."""
    lines = [f"{'label':<28}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    for label, row in report.items():
        lines.append(f"{label:<28}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>9}")
    return "\n".join(lines)


def misrouted(predictions: list[Prediction]) -> list[Prediction]:
    """Predictions whose routing differs from the label."""
    return [p for p in predictions if p.routed != p.gold]
