"""`flask nlu …`: train, evaluate and try the intent model (Rasa runs as its own server).

Settings come from the environment: RASA_URL (default http://127.0.0.1:5005), RASA_TOKEN
(default: the token in var/rasa_token, which scripts/rasa_serve.sh creates when RASA_TOKEN is
unset, so a dev machine needs no setup), RASA_TIMEOUT (default 1.5 s; evaluation allows 10 s).

    flask --app webhook nlu train [--force]
    flask --app webhook nlu evaluate [--no-cv] [--heldout PATH …] [--real-questions PATH] [--show-errors]
    echo "楼上漏水" | flask --app webhook nlu classify
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TextIO

import click
from flask.cli import AppGroup

from bot.config import Settings
from bot.nlu import with_text
from bot.nlu.examples import NLU_DATA_DIR, examples_from_dir, examples_from_yaml
from bot.nlu.keywords import classify_keywords
from bot.nlu.policy import decide
from bot.nlu.rasa_client import RasaClient, RasaUnavailable
from bot.training.evaluation import (
    HELDOUT_FILES,
    PROJECT_ROOT,
    REPORTS_DIR,
    format_per_intent,
    format_side_by_side,
    latency_percentiles,
    misrouted,
    plot_confusion,
    predict,
    read_real_questions,
    real_question_figures,
    routing_figures,
    run_cross_validation,
    split_trained,
)

nlu_cli = AppGroup("nlu", help="Train, evaluate and try the Rasa intent model.")

# No telemetry from anything this module starts (training, cross-validation): there is no network.
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROUTING_KEYS = (
    "examples",
    "in_scope",
    "in_scope_right",
    "wrong_room",
    "triage_clarified",
    "triage_turned_away",
    "out_of_scope",
    "oos_given_triage",
    "clarify_only_wrong",
    "intent_accuracy",
    "routing_accuracy",
    "triage_macro_f1",
    "oos_given_case_or_faq",
    "triage_handled",
    "fallback_share",
)
# The routing targets, one row per held-out set (README, "The intent model").
SUMMARY_KEYS = (
    "in_scope_right",
    "wrong_room",
    "triage_clarified",
    "triage_turned_away",
    "oos_given_triage",
    "clarify_only_wrong",
)
REAL_KEYS = ("questions", "handled", "turned_away", "triaged_any", "triaged_legal_consultation", "clarified")


def rasa_client_from_env() -> RasaClient:
    """A Rasa client for RASA_URL / RASA_TOKEN / RASA_TIMEOUT (token falls back to var/rasa_token)."""
    settings = Settings.from_env()
    # Evaluation may send long messages back to back: allow more than the webhook's budget.
    return RasaClient(settings.rasa_url, settings.rasa_token, timeout=max(settings.rasa_timeout, 10.0))


def require_rasa(client: RasaClient) -> None:
    """Stop with a clear message when the Rasa server is not answering."""
    if not client.is_up():
        raise click.ClickException(
            f"Rasa is not answering at {client.url} (start it with scripts/rasa_serve.sh; "
            "set RASA_URL/RASA_TOKEN if it runs elsewhere)"
        )


@nlu_cli.command("train")
@click.option("--force", is_flag=True, help="Train even if config and data are unchanged.")
def train_command(force: bool) -> None:
    """Train models/nlu.tar.gz with scripts/rasa_train.sh (skipped when nothing changed)."""
    command = [str(PROJECT_ROOT / "scripts" / "rasa_train.sh")] + (["--force"] if force else [])
    result = subprocess.run(command, cwd=PROJECT_ROOT)
    if result.returncode != 0:
        raise click.ClickException(f"training failed (exit {result.returncode})")
    click.echo("A running server keeps its old model: restart it or PUT /model to serve the new one.")


@nlu_cli.command("evaluate")
@click.option(
    "--heldout",
    "heldout_paths",
    type=click.Path(dir_okay=False),
    multiple=True,
    default=[str(path) for path in HELDOUT_FILES],
    show_default=True,
    help="Labelled held-out set (Rasa NLU YAML); repeat for several.",
)
@click.option("--no-cv", is_flag=True, help="Skip the 5-fold cross-validation (it trains 5 models).")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds.")
@click.option(
    "--real-questions",
    "real_questions_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also score unlabelled real legal questions, one a line (e.g. ../shared/data/real-legal-questions.txt). "
    "Only when asked: they are the final check, looked at rarely, never a guide for changes.",
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False),
    default=str(REPORTS_DIR),
    show_default=True,
    help="Where the confusion matrices and JSON figures go.",
)
@click.option("--show-errors", is_flag=True, help="List every misrouted held-out message.")
@click.option(
    "--keep-trained", is_flag=True, help="Also score held-out examples that appear in nlu_data/ (left out by default)."
)
def evaluate_command(heldout_paths, no_cv, folds, real_questions_path, reports_dir, show_errors, keep_trained) -> None:
    """Routing figures of the served Rasa model and of the keyword baseline, side by side."""
    client = rasa_client_from_env()
    require_rasa(client)
    reports = Path(reports_dir)
    classifiers = {"rasa": client.parse, "keywords": classify_keywords}
    training = examples_from_dir(NLU_DATA_DIR)
    results: dict[str, dict] = {"heldout": {}}
    for heldout_path in heldout_paths:
        name = Path(heldout_path).stem
        results["heldout"][name] = _evaluate_heldout(
            Path(heldout_path), training, classifiers, reports, show_errors, keep_trained
        )

    click.echo("\nRouting per held-out set (rasa): in-scope right, wrong room, clarified, turned away;")
    click.echo("out of scope given a case; questions that offer only wrong rooms (a count)")
    per_set = {name: figures["rasa"] for name, figures in results["heldout"].items()}
    click.echo(format_side_by_side(per_set, SUMMARY_KEYS))

    if real_questions_path and Path(real_questions_path).exists():
        questions = read_real_questions(real_questions_path)
        real = {name: real_question_figures(predict(questions, classify)) for name, classify in classifiers.items()}
        click.echo(f"\nReal questions {real_questions_path} (nearly all legal consultations)")
        click.echo(format_side_by_side(real, REAL_KEYS))
        results["real_questions"] = real
    elif real_questions_path:
        click.echo(f"\nReal questions: {real_questions_path} not found, skipped")

    if not no_cv:
        results["cross_validation"] = _cross_validation(folds, reports)

    reports.mkdir(parents=True, exist_ok=True)
    (reports / "nlu_evaluation.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    click.echo(f"\nAll figures: {reports / 'nlu_evaluation.json'}")


def _evaluate_heldout(path: Path, training, classifiers, reports: Path, show_errors: bool, keep_trained: bool) -> dict:
    """Score one held-out set with every classifier; print and return the figures."""
    examples, leaked = split_trained(examples_from_yaml(path), training)
    if keep_trained:
        examples, leaked = examples + leaked, []
    click.echo(f"\nHeld-out set {path}: {len(examples)} examples scored")
    if leaked:
        click.echo(f"  left out {len(leaked)} that also appear in nlu_data/ (--keep-trained to score them):")
        click.echo("  " + " | ".join(example.text for example in leaked))
    figures = {}
    for name, classify in classifiers.items():
        predictions = predict(examples, classify)
        figures[name] = routing_figures(predictions) | latency_percentiles(predictions)
        png = plot_confusion(predictions, reports / f"confusion_{path.stem}_{name}.png", f"{name}: {path.name}")
        click.echo(f"\n{name}: per-label figures (routing: FAQ counts as its category)")
        click.echo(format_per_intent(figures[name]["per_route"]))
        click.echo(f"confusion matrix: {png}")
        if show_errors:
            for wrong in misrouted(predictions):
                click.echo(f"  {wrong.gold} → {wrong.intent} ({wrong.confidence:.2f}) → {wrong.routed}: {wrong.text}")
    click.echo(f"\nHeld-out routing figures: {path.name}")
    click.echo(format_side_by_side(figures, ROUTING_KEYS + ("p50_ms", "p95_ms")))
    return figures


def _cross_validation(folds: int, reports: Path) -> dict:
    """Rasa's k-fold figures, with the keyword rules scored on the same examples beside them."""
    click.echo(f"\n{folds}-fold cross-validation of config.yml on nlu_data/ (trains {folds} models)…")
    try:
        cv = run_cross_validation(folds, reports / "cv")
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    # The keyword rules were written from nlu_data/, so on these examples they are flattered.
    keywords = routing_figures(predict(examples_from_dir(NLU_DATA_DIR), classify_keywords))
    click.echo(format_side_by_side({"rasa (cv)": cv, "keywords": keywords}, ROUTING_KEYS))
    click.echo(f"cross-validation took {cv['seconds']:.0f} s")
    return {"rasa": cv, "keywords": keywords}


@nlu_cli.command("classify")
@click.option(
    "--file",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    default="-",
    help="Read messages from this file instead of stdin.",
)
def classify_command(input_file: TextIO) -> None:
    """One message per line in, one JSON object per line out: the model's answer and what the bot does.

    Fields: text, intent, confidence, triage (the room a case opens in, or null), kind (triage |
    faq | clarify | conversational | out_of_scope) and choices (the rooms a clarify offers).
    """
    client = rasa_client_from_env()
    for line in input_file:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            classification = with_text(client.parse(text), text)
        except RasaUnavailable as error:
            raise click.ClickException(str(error)) from error
        decision = decide(classification)
        click.echo(
            json.dumps(
                {
                    "text": text,
                    "intent": classification.intent,
                    "confidence": round(classification.confidence, 4),
                    "triage": decision.triage,
                    "kind": decision.kind,
                    "choices": list(decision.choices),
                },
                ensure_ascii=False,
            )
        )
    sys.stdout.flush()


__all__ = ["nlu_cli"]


# ── Danger and group signals (bot/nlu/signals.py) ─────────────────────────────────────────


@nlu_cli.command("signals")
@click.option("--no-cv", is_flag=True, help="Skip the 5-fold cross-validation of the thresholds.")
def signals_command(no_cv: bool) -> None:
    """Danger and group-dispute signals on nlu_eval/danger.yml and group.yml: recall, false alarms, misses."""
    # Imported here: scikit-learn is only needed by this command, not by every `flask` call.
    from bot.nlu import signals
    from bot.training import signal_evaluation as evaluation

    model = signals.model()
    click.echo(f"Training on signal_data/ (+ everyday examples of nlu_data/): {model.training_seconds:.2f} s")
    targets = {
        "danger": evaluation.DANGER_TARGETS,
        "urgent": evaluation.URGENT_TARGETS,
        "group": evaluation.GROUP_TARGETS,
    }
    click.echo("danger: emergency advice given (sure or possible danger); urgent: an urgent case opened (sure)")
    heldout = evaluation.evaluate_heldout()
    for name, figures in heldout.items():
        verdict = "meets" if figures.meets(targets[name]) else "MISSES"
        click.echo(
            f"\n{name}: recall {figures.recall:.1%} ({figures.positives} messages), false alarms "
            f"{figures.false_alarm_rate:.1%} ({figures.negatives} messages) — {verdict} the targets "
            f"(recall ≥ {targets[name]['recall']:.0%}, false alarms ≤ {targets[name]['false_alarm_rate']:.0%})"
        )
        for text in figures.misses:
            click.echo(f"  missed:      {text}")
        for text in figures.false_alarms:
            click.echo(f"  false alarm: {text}")
    for path in evaluation.FRESH_DANGER_FILES:
        click.echo(f"\nthe fresh batch nlu_eval/{path.name} (written apart):")
        for name, figures in evaluation.evaluate_fresh(path).items():
            verdict = "meets" if figures.meets(targets[name]) else "MISSES"
            click.echo(
                f"  {name}: recall {figures.recall:.1%} ({figures.positives} messages), false alarms "
                f"{figures.false_alarm_rate:.1%} ({figures.negatives} messages) — {verdict} the targets"
            )
    click.echo("")
    for path in evaluation.DOMESTIC_FILES:
        domestic = evaluation.evaluate_domestic(path)
        click.echo(
            f"nlu_eval/{path.name}: domestic-violence help given to {domestic.recall:.1%} of "
            f"{domestic.positives} messages of violence at home, to {domestic.false_alarm_rate:.1%} of "
            f"{domestic.negatives} of violence by others"
        )
    for path in evaluation.FRAUD_FILES:
        for name, figures in evaluation.evaluate_fraud(path).items():
            click.echo(
                f"nlu_eval/{path.name}: {name} for {figures.recall:.1%} of {figures.positives} frauds going on, "
                f"{figures.false_alarm_rate:.1%} of {figures.negatives} asked about afterwards"
            )
    click.echo(f"\ndanger kind named among the kinds returned: {evaluation.kind_accuracy():.1%}")
    texts = [text for text, _ in evaluation.heldout_danger() + evaluation.heldout_group()]
    click.echo(f"latency, both signals: {evaluation.latency_ms(texts):.2f} ms per message ({len(texts)} messages)")
    if no_cv:
        return
    click.echo("\n5-fold cross-validation on the training data (model OR word lists):")
    for cv in evaluation.cross_validate_both():
        click.echo(f"  {cv.name}: threshold chosen {cv.chosen:.2f}, configured {cv.configured:.2f}")
        if cv.chosen_sure is not None:
            click.echo(
                f"  {cv.name} (urgent case): threshold chosen {cv.chosen_sure:.2f}, configured {cv.configured_sure:.2f}"
            )
            for threshold, recall, false_alarms in cv.sure_rows:
                mark = " ◀" if threshold == cv.configured_sure else ""
                click.echo(f"    urgent {threshold:.2f}  recall {recall:.1%}  false alarms {false_alarms:.1%}{mark}")
        for threshold, recall, false_alarms in cv.rows:
            mark = " ◀" if threshold == cv.configured else ""
            click.echo(f"    {threshold:.2f}  recall {recall:.1%}  false alarms {false_alarms:.1%}{mark}")


# ── Answers to the bot's questions (bot/nlu/step_answers.py) ───────────────────────────────


@nlu_cli.command("steps")
@click.option("--no-cv", is_flag=True, help="Skip the 5-fold cross-validation on step_data/.")
@click.option("--misses", is_flag=True, help="List every answer read wrong.")
def steps_command(no_cv: bool, misses: bool) -> None:
    """Answers to the bot's questions: accuracy per question and per label on nlu_eval/step_answers.yml
    and by cross-validation on step_data/, the model with the rules as backstop beside the rules alone."""
    # Imported here: scikit-learn is only needed by this command, not by every `flask` call.
    from bot.nlu import step_answers
    from bot.training import step_evaluation as evaluation
    from bot.wechat.text import find_landline, find_phone

    model = step_answers.model()
    click.echo(
        f"Training on step_data/ ({len(step_answers.training_examples())} examples): {model.training_seconds:.2f} s"
    )
    click.echo(f"threshold {step_answers.THRESHOLD:.2f}: below it the rules decide")

    def before(text: str) -> str | None:  # the phone reader before the normaliser
        return find_phone(text) or find_landline(text)

    if evaluation.HELDOUT_STEP_FILE.exists():
        heldout = evaluation.heldout_examples()
        click.echo(f"\nheld-out nlu_eval/{evaluation.HELDOUT_STEP_FILE.name} ({len(heldout)} answers):")
        _print_step_figures(
            evaluation.score(heldout, evaluation.model_reader()),
            evaluation.score(heldout, evaluation.rules_reader(before)),
            misses,
        )
        hard = evaluation.hard_texts()
        hard_ones = [example for example in heldout if (example.step, example.text) in hard]
        if hard_ones:
            click.echo(f"\nthe {len(hard_ones)} answers marked hard:")
            _print_step_figures(
                evaluation.score(hard_ones, evaluation.model_reader()),
                evaluation.score(hard_ones, evaluation.rules_reader(before)),
                misses=False,
                details=False,
            )
        texts = [example.text for example in heldout]
        click.echo(f"latency: {evaluation.latency_ms(texts):.3f} ms per answer ({len(texts)} answers)")
    if no_cv:
        return
    click.echo(f"\n{evaluation.FOLDS}-fold cross-validation on step_data/ (model, rules below the threshold):")
    cv = evaluation.cross_validate()
    for threshold, accuracy in cv.rows:
        mark = " ◀ configured" if threshold == cv.configured else ""
        click.echo(f"  {threshold:.2f}  {accuracy:.1%}{mark}")
    click.echo(f"  threshold chosen {cv.chosen:.2f}, configured {cv.configured:.2f}")
    _print_step_figures(cv.model, cv.rules, misses)


def _print_step_figures(model, rules, misses: bool, details: bool = True) -> None:
    """Model and rules side by side: overall, per question, per label."""
    click.echo(f"  overall: model {model.overall.accuracy:.1%}, rules alone {rules.overall.accuracy:.1%}")
    if not details:
        return
    for title, mine, theirs in (("question", model.by_step, rules.by_step), ("label", model.by_label, rules.by_label)):
        click.echo(f"  per {title}:")
        for name, tally in sorted(mine.items()):
            click.echo(
                f"    {name:<11} {tally.total:>4}  model {tally.accuracy:6.1%}"
                f"  rules alone {theirs[name].accuracy:6.1%}"
            )
    if misses:
        for line in model.overall.wrong:
            click.echo(f"  read wrong: {line}")
