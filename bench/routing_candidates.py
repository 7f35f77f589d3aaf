"""Routing figures of trained candidate models side by side, through the bot's real decision.

    ROOT=$PWD; source scripts/rasa_env_vars.sh
    .venv-rasa/bin/python bench/routing_candidates.py models/nlu.tar.gz models/candidate.tar.gz [--dump DIR]

Run with the Rasa environment (PYTHONPATH holds rasa/components). Each model is loaded in process
and parses every held-out message of nlu_eval/routing_fresh3.yml, routing_fresh2.yml,
routing_fresh.yml, heldout.yml and areas.yml (those
equal to a training example left out, as `flask nlu evaluate` does); bot/nlu/policy.py `decide`
turns each parse into what the bot would do. Prints, per set and model, the issue's figures
(in-scope right, wrong room, clarified, turned away, out-of-scope given a case, questions that
offer only wrong rooms), and the messages a second one model parses on one core. `--dump DIR`
writes each model's parses as JSON (for looking at errors; never for choosing single examples);
`--sets fresh2,fresh` scores only those sets (a set kept for the final check stays unseen while a
setting is chosen); `--oos-thresholds 0.2,0.3` scores the linear classifier's out-of-scope detector
at each threshold without retraining.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import structlog  # noqa: E402
from rasa.core.agent import Agent  # noqa: E402
from rasa.core.channels.channel import UserMessage  # noqa: E402

from bot.nlu.examples import NLU_DATA_DIR, Example, examples_from_dir, examples_from_yaml  # noqa: E402
from bot.nlu.rasa_client import classification_from_parse  # noqa: E402
from bot.training.evaluation import (  # noqa: E402
    AREAS_FILE,
    HELDOUT_FILE,
    ROUTING_FRESH2_FILE,
    ROUTING_FRESH3_FILE,
    ROUTING_FRESH_FILE,
    format_side_by_side,
    predict,
    routing_figures,
    split_trained,
)

SETS = {
    "fresh3": ROUTING_FRESH3_FILE,
    "fresh2": ROUTING_FRESH2_FILE,
    "fresh": ROUTING_FRESH_FILE,
    "heldout": HELDOUT_FILE,
    "areas": AREAS_FILE,
}
KEYS = (
    "in_scope_right",
    "wrong_room",
    "triage_clarified",
    "triage_turned_away",
    "oos_given_triage",
    "oos_given_case_or_faq",
    "clarify_only_wrong",
)


def held_out(names: list[str]) -> dict[str, list[Example]]:
    """Each named set's examples that are not also training examples."""
    training = examples_from_dir(NLU_DATA_DIR)
    return {name: split_trained(examples_from_yaml(SETS[name]), training)[0] for name in names}


def parse_all(agent: Agent, texts: list[str]) -> tuple[dict[str, dict], float]:
    """Every text's parse payload, and the CPU seconds the parses took."""

    async def parse() -> dict[str, dict]:
        return {text: await agent.processor.parse_message(UserMessage(text)) for text in texts}

    began = time.process_time()
    payloads = asyncio.run(parse())
    return payloads, time.process_time() - began


def set_out_of_scope_threshold(agent: Agent, threshold: float) -> None:
    """Set the linear classifier's out-of-scope threshold in a loaded model (it is read at each parse)."""
    nodes = agent.processor.graph_runner._instantiated_nodes  # type: ignore[union-attr]
    components = [node._component for node in nodes.values()]
    linear = [component for component in components if type(component).__name__ == "LinearIntentClassifier"]
    if not linear:
        raise SystemExit("--oos-thresholds needs a model with the linear classifier")
    for component in linear:
        component.component_config["out_of_scope_threshold"] = threshold


def score(
    model: Path, sets: dict[str, list[Example]], dump: Path | None, threshold: float | None = None
) -> dict[str, dict]:
    """The figures of one model on every set, and its parse rate."""
    agent = Agent.load(str(model))
    if threshold is not None:
        set_out_of_scope_threshold(agent, threshold)
    texts = sorted({example.text for examples in sets.values() for example in examples})
    parse_all(agent, texts[:20])  # warm up: the first parses build TensorFlow's graphs
    payloads, seconds = parse_all(agent, texts)
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
        (dump / f"{model.name.removesuffix('.tar.gz')}.json").write_text(
            json.dumps(payloads, ensure_ascii=False, default=str)
        )
    figures: dict[str, dict] = {}
    for name, examples in sets.items():
        predictions = predict(examples, lambda text: classification_from_parse(payloads[text]))
        figures[name] = routing_figures(predictions)
    figures["all"] = {"msg_per_cpu_s": len(texts) / seconds if seconds else 0.0}
    return figures


def main() -> None:
    """Score each model given on the command line and print one table per held-out set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--dump", type=Path, help="write each model's parses here as JSON")
    parser.add_argument("--sets", help="the sets to score, comma-separated (default: all)")
    parser.add_argument(
        "--oos-thresholds", help="score each model with each of these out-of-scope thresholds, comma-separated"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    sets = held_out(args.sets.split(",") if args.sets else list(SETS))
    thresholds = [float(value) for value in args.oos_thresholds.split(",")] if args.oos_thresholds else [None]
    results = {
        model.name.removesuffix(".tar.gz") + (f"@{threshold}" if threshold is not None else ""): score(
            model, sets, args.dump, threshold
        )
        for model in args.models
        for threshold in thresholds
    }
    for name, examples in sets.items():
        print(f"\n{name}: {SETS[name].name}, {len(examples)} messages")
        print(format_side_by_side({model: figures[name] for model, figures in results.items()}, KEYS))
    print("\nparse rate (one core, in process)")
    print(format_side_by_side({model: figures["all"] for model, figures in results.items()}, ("msg_per_cpu_s",)))


if __name__ == "__main__":
    main()
