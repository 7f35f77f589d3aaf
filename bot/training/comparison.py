"""A candidate model beside the serving one on every held-out set of the intent model (nlu_eval/):
per-intent F1, triage macro-F1, the turned-away share, confusion matrices as pictures, and the
messages whose answer changes. The candidate answers from a temporary Rasa server of its own."""

from __future__ import annotations

import os
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from bot.nlu.examples import examples_from_yaml
from bot.nlu.rasa_client import RasaClient
from bot.storage.review import ModelVersion, serving_model
from bot.training.evaluation import plot_confusion, predict, routing_figures
from bot.training.training_data import intent_heldout_files

# The figures shown side by side and kept in the registry, and which way is better.
HIGHER_IS_BETTER = ("triage_macro_f1", "routing_accuracy", "intent_accuracy")
LOWER_IS_BETTER = ("triage_turned_away", "oos_given_triage")
# Promotion is refused when the candidate is worse on one of these (unless overridden).
GATED = ("triage_macro_f1", "triage_turned_away", "oos_given_triage")
FIGURE_NAMES = {
    "triage_macro_f1": "分流 macro-F1",
    "routing_accuracy": "分流准确率",
    "intent_accuracy": "意图准确率",
    "triage_turned_away": "该受理却被拒的比例",
    "oos_given_triage": "范围外却立了案的比例",
    "examples": "例句数",
}
PARSE_TIMEOUT_S = 10.0


def figures_of(predictions) -> dict:
    """The registry's figures of one held-out set: the headline figures and per-intent F1."""
    figures = routing_figures(predictions)
    kept = {key: figures[key] for key in ("examples", *HIGHER_IS_BETTER, *LOWER_IS_BETTER) if key in figures}
    kept["per_intent_f1"] = {label: row["f1"] for label, row in figures["per_intent"].items()}
    return kept


def worse_figures(comparison: dict) -> list[str]:
    """Every gated held-out figure on which the candidate is worse, in words."""
    worse = []
    for name, entry in comparison.get("sets", {}).items():
        serving, candidate = entry["serving"], entry["candidate"]
        for key in GATED:
            if key not in serving or key not in candidate:
                continue
            lower = candidate[key] < serving[key] - 1e-9
            higher = candidate[key] > serving[key] + 1e-9
            if (key in HIGHER_IS_BETTER and lower) or (key in LOWER_IS_BETTER and higher):
                worse.append(f"{name}：{FIGURE_NAMES[key]} {serving[key]:.3f} → {candidate[key]:.3f}")
    return worse


def changed_answers(set_name: str, before, after) -> list[dict]:
    """The messages whose answer changes between the serving model and the candidate."""
    changed = []
    for old, new in zip(before, after, strict=True):
        if (old.routed, old.intent) == (new.routed, new.intent):
            continue
        verdict = (
            "better"
            if new.routed == new.gold != old.routed
            else "worse"
            if old.routed == old.gold != new.routed
            else "same"
        )
        changed.append(
            {
                "set": set_name,
                "text": old.text,
                "gold": old.gold,
                "before": old.routed,
                "before_intent": old.intent,
                "after": new.routed,
                "after_intent": new.intent,
                "verdict": verdict,
            }
        )
    return changed


def compare(serving_parse, candidate_parse, reports: Path, eval_files: list[Path] | None = None) -> dict:
    """Score both classifiers on every held-out set; pictures go to `reports`."""
    comparison: dict = {"sets": {}, "changed": []}
    for path in eval_files or intent_heldout_files():
        examples = examples_from_yaml(path)
        before, after = predict(examples, serving_parse), predict(examples, candidate_parse)
        name = path.stem
        images = {
            which: str(plot_confusion(predictions, reports / f"{name}-{which}.png", f"{which}: {path.name}"))
            for which, predictions in (("serving", before), ("candidate", after))
        }
        comparison["sets"][name] = {"serving": figures_of(before), "candidate": figures_of(after), "images": images}
        comparison["changed"] += changed_answers(name, before, after)
    comparison["worse"] = worse_figures(comparison)
    return comparison


def evaluate_candidate(services, model_id: int) -> dict:
    """Compare a trained candidate with the serving model and store the comparison in the registry."""
    settings: Settings = services.settings
    with services.db.session() as session:
        candidate = session.get(ModelVersion, model_id)
        serving = serving_model(session)
        model_file, version, serving_id = candidate.model_file, candidate.version, serving.id if serving else None
    serving_client = RasaClient(settings.rasa_url, settings.rasa_token, timeout=PARSE_TIMEOUT_S)
    reports = Path(settings.nlu_models_dir) / "reports" / version
    with temporary_server(settings, model_file) as candidate_client:
        comparison = compare(serving_client.parse, candidate_client.parse, reports)
    with services.db.session() as session:
        candidate = session.get(ModelVersion, model_id)
        candidate.comparison = comparison
        candidate.compared_with_id = serving_id
        candidate.metrics = {name: entry["candidate"] for name, entry in comparison["sets"].items()}
        if serving_id is not None:
            serving = session.get(ModelVersion, serving_id)
            serving.metrics = {name: entry["serving"] for name, entry in comparison["sets"].items()}
    return comparison


def eval_ports(settings: Settings) -> range:
    """The ports temporary Rasa servers may use (NLU_EVAL_PORTS, e.g. 5010-5019)."""
    first, _, last = settings.nlu_eval_ports.partition("-")
    return range(int(first), int(last or first) + 1)


def free_port(ports: range) -> int:
    """The first port of the range nothing listens on."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"端口 {ports.start}-{ports.stop - 1} 都被占用，无法启动评测用的 Rasa")


@contextmanager
def temporary_server(settings: Settings, model_file: str):
    """A Rasa server of this model on a free port of NLU_EVAL_PORTS; stopped afterwards."""
    port = free_port(eval_ports(settings))
    environment = {
        **os.environ,
        "RASA_PORT": str(port),
        "RASA_MODEL_FILE": str(model_file),
        "RASA_TOKEN": settings.rasa_token,
    }
    started = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "rasa_serve.sh")], env=environment, capture_output=True, text=True
    )
    try:
        if started.returncode != 0:
            raise RuntimeError(f"评测用的 Rasa 没能启动：{started.stderr.strip()[-500:]}")
        yield RasaClient(f"http://127.0.0.1:{port}", settings.rasa_token, timeout=PARSE_TIMEOUT_S)
    finally:
        subprocess.run([str(PROJECT_ROOT / "scripts" / "rasa_stop.sh")], env=environment, capture_output=True)
